"""Which metric a question names: its meaning (embedding similarity) and its words together.

Embeddings alone blur neighbours ("cost per click" lands near "click-through rate"), and words
alone miss paraphrases; a marketer's shorthand (CPC, ROAS, AOV…) is expanded before both. A named
platform favours that platform's metrics; without one, a blended metric wins over a platform's.
"""

from __future__ import annotations

import re

from kg_service.ai.embeddings import encode_async
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Metric
from kg_service.graph.embeddings import semantic_search
from kg_service.graph.metrics import registry

CANDIDATES = 20
MEANING_WEIGHT = 0.4
WORDS_WEIGHT = 0.6
NAMED_BONUS = 0.1
OFF_PLATFORM = 0.15
PLATFORM_SUFFIXES = ("_google_ads", "_meta_ads", "_ga4", "_klaviyo", "_magento")
SHORTHAND = {
    "cpc": "cost per click",
    "ctr": "click through rate",
    "cpa": "cost per acquisition",
    "roas": "return on ad spend",
    "cvr": "conversion rate",
    "aov": "average order value",
    "cac": "customer acquisition cost",
    "cpm": "cost per thousand impressions",
    "ltv": "lifetime value",
    "mer": "marketing efficiency ratio",
}
SYNONYMS = {
    "store": "magento",
    "shop": "magento",
    "facebook": "meta",
    "instagram": "meta",
    "adwords": "google",
    "email": "klaviyo",
    "emails": "klaviyo",
    "purchases": "conversions",
    "purchase": "conversions",
    "people": "",
    "visits": "sessions",
    "money": "revenue",
    "sales": "revenue",
    "lose": "",
    "lost": "",
}
_STOP = set(
    [
        "what",
        "whats",
        "is",
        "are",
        "was",
        "were",
        "our",
        "the",
        "my",
        "how",
        "much",
        "many",
        "did",
        "does",
        "do",
        "why",
        "show",
        "me",
        "tell",
        "about",
        "current",
        "currently",
        "today",
        "right",
        "now",
        "last",
        "past",
        "this",
        "week",
        "month",
        "days",
        "day",
        "please",
        "and",
        "of",
        "for",
        "on",
        "in",
        "with",
        "by",
        "to",
        "a",
        "an",
        "has",
        "have",
        "been",
        "going",
        "up",
        "down",
        "trend",
        "trending",
        "lately",
        "compare",
        "versus",
        "vs",
        "than",
        "previous",
        "over",
        "yesterday",
        "get",
        "make",
        "record",
        "rise",
        "rises",
        "rising",
        "fall",
        "falling",
        "drop",
        "drops",
        "cut",
        "increased",
        "increase",
        "decreased",
        "if",
        "suppose",
        "happens",
        "happen",
        "would",
        "else",
        "moves",
        "explain",
        "change",
        "caused",
        "jump",
        "driving",
        "drop",
        "against",
        "same",
        "we",
        "us",
        "it",
        "its",
        "at",
        "be",
        "percent",
    ]
)


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> set[str]:
    raw = re.split(r"[^a-z0-9]+", text.lower().replace("_", " "))
    expanded: list[str] = []
    for word in raw:
        if not word or word in _STOP or word.isdigit():
            continue
        word = SYNONYMS.get(word, word)
        expanded += [word, *SHORTHAND.get(word, "").split()]
    return {_stem(w) for w in expanded if w and w not in _STOP}


def _metric_words(metric: Metric) -> set[str]:
    return words(f"{metric.id} {metric.name}")


def _overlap(question: set[str], metric: set[str]) -> float:
    if not question or not metric:
        return 0.0
    shared = len(question & metric)
    return shared / len(metric) * 0.6 + shared / len(question) * 0.4


def core_of(question: str) -> str:
    """The question without the words that say when or how, shorthand spelled out."""
    return " ".join(sorted(words(question))) or question


def _on_platform(metric: Metric, platform: str) -> bool:
    named = platform.split("_")[0]  # "store conversion rate" is the store's, whatever its source
    return (
        metric.id.endswith(f"_{platform}")
        or metric.source.value == platform
        or named in _metric_words(metric)
    )


async def resolve_metrics(graph: Graph, tenant: str, question: str, platform: str | None) -> list[str]:
    metrics = await registry(graph, tenant)
    if not metrics:
        return []
    vector = (await encode_async([core_of(question)]))[0]
    # Every metric's similarity (a tenant has about a hundred), not just the nearest few.
    hits = await semantic_search(graph, tenant, vector, len(metrics), kinds=["metric"])
    meaning = {h.id: h.score for h in hits}
    asked = words(question)
    scored = []
    for metric in metrics.values():
        score = MEANING_WEIGHT * meaning.get(metric.id, 0.0)
        score += WORDS_WEIGHT * _overlap(asked, _metric_words(metric))
        if words(metric.id) <= asked:
            score += NAMED_BONUS  # every word of the metric's id is in the question
        if platform is not None and not _on_platform(metric, platform):
            score -= OFF_PLATFORM
        elif platform is None and metric.id.endswith(PLATFORM_SUFFIXES):
            score -= 0.02  # a blended metric first when no platform is named
        scored.append((score, metric.id))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [metric_id for _, metric_id in scored[:CANDIDATES]]
