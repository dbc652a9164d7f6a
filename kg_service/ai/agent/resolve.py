"""Which metric a question names: its meaning (embedding similarity) and its words together.

Embeddings alone blur neighbours ("cost per click" lands near "click-through rate"), and words
alone miss paraphrases; a marketer's shorthand (CPC, ROAS, AOV…) is expanded before both. A named
platform favours that platform's metrics; without one, a blended metric wins over a platform's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from kg_service.ai.embeddings import encode_async
from kg_service.graph.actions import list_actions
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Metric
from kg_service.graph.embeddings import Kind, semantic_search
from kg_service.graph.metrics import registry
from kg_service.graph.thoughts import list_definitions

from .understanding import platform_of

CANDIDATES = 20
MEANING_WEIGHT = 0.4
WORDS_WEIGHT = 0.6
OFF_PLATFORM = 0.15
MIN_SCORE = 0.25
"""Below this, a hit shares no word with the text and only vaguely resembles it: no match."""
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
    "sales": "revenue",
    "lose": "",
    "lost": "",
    "cost": "cost spend",
    "spent": "spend",
    "promo": "discount",
    "promos": "discount",
    "share": "share rate",
    "ads": "ad",
    "repeat": "returning",
    "size": "value",
    "worth": "value lifetime",
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
        for synonym in SYNONYMS.get(word, word).split():
            expanded += [synonym, *SHORTHAND.get(synonym, "").split()]
    return {_stem(w) for w in expanded if w and w not in _STOP}


def _metric_words(metric: Metric) -> set[str]:
    return words(f"{metric.id} {metric.name}")


PLATFORM_WORDS = {"google", "meta", "ga4", "klaviyo", "magento"}


def _overlap(question: set[str], metric: set[str]) -> float:
    """Shared words, weighed on both sides; platform names are left to the platform preference."""
    question, metric = question - PLATFORM_WORDS, metric - PLATFORM_WORDS
    if not question or not metric:
        return 0.0
    shared = len(question & metric)
    return shared / len(metric) * 0.4 + shared / len(question) * 0.6


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


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: str
    name: str
    score: float


@dataclass(frozen=True)
class _Candidate:
    kind: Kind
    id: str
    name: str
    words: set[str]
    platform_of: Callable[[str], bool]


async def _candidates(graph: Graph, tenant: str, kinds: set[Kind]) -> list[_Candidate]:
    found: list[_Candidate] = []
    if "metric" in kinds:
        for metric in (await registry(graph, tenant)).values():
            found.append(
                _Candidate(
                    "metric", metric.id, metric.name, _metric_words(metric), partial(_on_platform, metric)
                )
            )
    if "thought" in kinds:
        for thought in await list_definitions(graph, tenant, active_only=True):
            found.append(
                _Candidate("thought", thought.id, thought.name, words(f"{thought.id} {thought.name}"), _any)
            )
    if "action" in kinds:
        for action in await list_actions(graph, tenant):
            platform = action.platform.value if action.platform else None
            found.append(
                _Candidate(
                    "action",
                    action.id,
                    action.name,
                    words(f"{action.id} {action.name}"),
                    _for(platform),
                )
            )
    return found


def _any(_: str) -> bool:
    return True


def _for(own: str | None) -> Callable[[str], bool]:
    """Whether an action applies on a platform: its own, or any when it names none."""
    return lambda platform: own is None or own == platform


async def search(
    graph: Graph, tenant: str, text: str, limit: int, kinds: set[Kind] | None = None
) -> list[Hit]:
    """Metrics, thoughts and actions ranked by meaning and words together, best first, scores 0..1."""
    wanted = kinds or {"metric", "thought", "action"}
    candidates = await _candidates(graph, tenant, wanted)
    if not candidates:
        return []
    vector = (await encode_async([core_of(text)]))[0]
    # Every node's similarity (a tenant has a few hundred), not just the nearest few.
    hits = await semantic_search(graph, tenant, vector, len(candidates), kinds=sorted(wanted))
    meaning = {(h.kind, h.id): h.score for h in hits}
    asked, platform = words(text), platform_of(text)
    scored = []
    for candidate in candidates:
        score = MEANING_WEIGHT * meaning.get((candidate.kind, candidate.id), 0.0)
        score += WORDS_WEIGHT * _overlap(asked, candidate.words)
        if platform is not None and not candidate.platform_of(platform):
            score -= OFF_PLATFORM
        elif platform is None and candidate.id.endswith(PLATFORM_SUFFIXES):
            score -= 0.02  # a blended metric first when no platform is named
        scored.append(Hit(candidate.kind, candidate.id, candidate.name, round(max(0.0, min(1.0, score)), 4)))
    scored.sort(key=lambda h: (-h.score, h.kind, h.id))
    return [h for h in scored if h.score >= MIN_SCORE][:limit]


async def resolve_metrics(graph: Graph, tenant: str, question: str) -> list[str]:
    """The metrics a question most likely names, best first."""
    return [h.id for h in await search(graph, tenant, question, CANDIDATES, {"metric"})]
