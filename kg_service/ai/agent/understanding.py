"""Reading a marketer's question: what they want (the intent) and which metric, period and change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    VALUE = "value"
    TREND = "trend"
    COMPARISON = "comparison"
    WHY = "why"
    WHAT_IF = "what_if"
    THOUGHTS = "thoughts"


# Checked in order: the first family with a matching phrase wins.
_INTENT_PHRASES: tuple[tuple[Intent, tuple[str, ...]], ...] = (
    (
        Intent.WHAT_IF,
        (
            "what if",
            "what happens if",
            "what would happen",
            "suppose",
            "if we ",
            "if our ",
            "impact of a",
            "knock-on",
            "ripple",
            "blast radius",
            "would it affect",
            "what else moves",
        ),
    ),
    (
        Intent.THOUGHTS,
        (
            "thought",
            "insight",
            "alert",
            "what needs attention",
            "anything wrong",
            "any issues",
            "what should i",
            "what should we",
            "what's wrong",
            "whats wrong",
            "problems",
            "recommend",
        ),
    ),
    (
        Intent.WHY,
        (
            "why",
            "what caused",
            "what drove",
            "what's driving",
            "whats driving",
            "explain",
            "reason",
            "root cause",
            "behind the",
            "driver",
        ),
    ),
    (
        Intent.COMPARISON,
        (
            "compare",
            " vs ",
            "versus",
            "than last",
            "compared",
            "week over week",
            "wow ",
            "month over month",
            "previous week",
            "last week vs",
            "same period",
        ),
    ),
    (
        Intent.TREND,
        (
            "trend",
            "trending",
            "over the last",
            "over the past",
            "going up",
            "going down",
            "rising",
            "falling",
            "history",
            "lately",
            "recent days",
            "been doing",
        ),
    ),
)

PLATFORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("google_ads", ("google", "adwords", "search ads")),
    ("meta_ads", ("meta", "facebook", "instagram", " fb ")),
    ("ga4", ("ga4", "google analytics", "analytics")),
    ("klaviyo", ("klaviyo", "email", "newsletter")),
    ("magento", ("magento", "store", "shop", "orders")),
)

_DAYS = (
    (re.compile(r"\b(?:last|past)\s+(\d{1,3})\s+days?\b"), None),
    (re.compile(r"\byesterday\b"), 1),
    (re.compile(r"\b(?:this|last|past)\s+week\b"), 7),
    (re.compile(r"\b(?:this|last|past)\s+month\b|\b30 days\b"), 30),
    (re.compile(r"\b(?:this|last|past)\s+quarter\b"), 90),
)
_CHANGE = re.compile(r"([-+]?\d+(?:\.\d+)?)\s*(?:%|percent|pct)")
_DOWN_WORDS = ("drop", "fall", "falls", "decrease", "cut", "lower", "reduce", "down", "decline", "shrink")


@dataclass(frozen=True)
class Reading:
    intent: Intent
    days: int
    change_pct: float | None
    platform: str | None
    follow_up: bool


def intent_of(question: str) -> Intent:
    text = f" {question.lower()} "
    for intent, phrases in _INTENT_PHRASES:
        if any(p in text for p in phrases):
            return intent
    return Intent.VALUE


def days_of(question: str, default: int = 7) -> int:
    text = question.lower()
    for pattern, fixed in _DAYS:
        match = pattern.search(text)
        if match:
            return fixed if fixed is not None else max(1, min(365, int(match.group(1))))
    return default


def change_of(question: str) -> float | None:
    match = _CHANGE.search(question.lower())
    if match is None:
        return None
    value = float(match.group(1))
    if value > 0 and not match.group(1).startswith("+") and any(w in question.lower() for w in _DOWN_WORDS):
        value = -value
    return value


def platform_of(question: str) -> str | None:
    text = f" {question.lower()} "
    for source, words in PLATFORMS:
        if any(w in text for w in words):
            return source
    return None


def read(question: str) -> Reading:
    text = question.strip().lower()
    follow_up = (
        text.startswith(("and ", "what about", "how about", "same for", "and for")) or len(text.split()) <= 3
    )
    return Reading(
        intent_of(question), days_of(question), change_of(question), platform_of(question), follow_up
    )


def on_platform(metric_id: str, platform: str, known: set[str]) -> str | None:
    """The same metric on another platform (cpc_google_ads → cpc_meta_ads), when the registry has it."""
    for source, _ in PLATFORMS:
        suffix = f"_{source}"
        if metric_id.endswith(suffix):
            candidate = metric_id[: -len(suffix)] + f"_{platform}"
            return candidate if candidate in known else None
    candidate = f"{metric_id}_{platform}"
    return candidate if candidate in known else None
