"""The validator (§6.4 layer 3), applied to every analyst's output before it is stored.

A wrong direction rejects the analysis (it contradicts the data). An unknown number halves the
confidence, each time; an action outside the thought's recommendations is dropped and cuts the
confidence; a confident claim on a small sample is capped. Every finding is kept as a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import AnalysisContext, Analyst, ThoughtAnalysis

SMALL_SAMPLE = 100
SMALL_SAMPLE_CAP = 0.6
UNKNOWN_NUMBER_FACTOR = 0.5
UNKNOWN_ACTION_FACTOR = 0.8
FLAT_PCT = 1.0
_NUMBER = re.compile(r"(?<![\w.])[-+]?\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Validated:
    analysis: ThoughtAnalysis | None
    """The analysis as it may be stored (None when it was rejected)."""
    reasons: tuple[str, ...]


def numbers_in_text(text: str) -> list[tuple[float, int]]:
    """Numbers written in a sentence ("$2.80", "-20%", "1,250") with their written decimals."""
    values = []
    for match in _NUMBER.finditer(text):
        whole, fraction = match.group(1).replace(",", ""), match.group(2) or ""
        value = float(f"{whole}.{fraction}" if fraction else whole)
        values.append((-value if match.group(0).startswith("-") else value, len(fraction)))
    return values


def decimals(value: float) -> int:
    text = repr(abs(value))
    if "e" in text:
        return 6
    return len(text.partition(".")[2].rstrip("0"))


def traceable(value: float, places: int, known: list[float]) -> bool:
    """Whether `value`, written with `places` decimals, is one of `known` rounded that way.

    Signs are ignored: "fell 20%" traces to a change of -20.
    """
    tolerance = 0.5 * 10**-places + 1e-9
    return any(abs(abs(value) - abs(candidate)) <= tolerance for candidate in known)


def observed_direction(change_pct: float | None) -> str | None:
    if change_pct is None:
        return None
    if abs(change_pct) < FLAT_PCT:
        return "flat"
    return "up" if change_pct > 0 else "down"


def validate(analysis: ThoughtAnalysis, context: AnalysisContext) -> Validated:
    reasons: list[str] = []
    actual = observed_direction(context.trigger_change_pct)
    if actual is not None and analysis.direction != actual:
        reasons.append(
            f"direction: the analysis says {context.trigger_metric_id} went {analysis.direction}, "
            f"the data says {actual} ({context.trigger_change_pct:+.2f}%)"
        )
        return Validated(None, tuple(reasons))
    confidence = analysis.confidence
    known = context.numbers()
    mentioned = [(v, decimals(v)) for v in analysis.mentioned_values] + numbers_in_text(analysis.summary)
    for value, places in dict.fromkeys(mentioned):
        if not traceable(value, places, known):
            confidence *= UNKNOWN_NUMBER_FACTOR
            reasons.append(f"number: {value:g} is not in the data the analysis was given")
    allowed = {a.id for a in context.actions}
    kept = tuple(a for a in analysis.recommended_actions if a in allowed)
    for unknown in (a for a in analysis.recommended_actions if a not in allowed):
        confidence *= UNKNOWN_ACTION_FACTOR
        reasons.append(f"action: {unknown} is not among this thought's recommended actions; dropped")
    if context.sample_size < SMALL_SAMPLE and confidence > SMALL_SAMPLE_CAP:
        confidence = SMALL_SAMPLE_CAP
        reasons.append(
            f"confidence: capped at {SMALL_SAMPLE_CAP} on a sample of {context.sample_size} points"
        )
    checked = analysis.model_copy(update={"confidence": round(confidence, 4), "recommended_actions": kept})
    return Validated(checked, tuple(reasons))


@dataclass(frozen=True)
class Analysed:
    analysis: ThoughtAnalysis
    analyst: str
    note: str | None
    reasons: tuple[str, ...]


async def analyse(analyst: Analyst, fallback: Analyst, context: AnalysisContext) -> Analysed:
    """The analyst's validated answer, or the fallback's when it fails or is rejected."""
    try:
        checked = validate(await analyst.analyze(context), context)
        if checked.analysis is not None:
            return Analysed(checked.analysis, analyst.name, None, checked.reasons)
        note = "the analysis was rejected by validation; the offline analysis stands in"
        reasons = checked.reasons
    except Exception as exc:  # any analyst failure falls back, and says so
        note = f"{analyst.name} analyst failed ({type(exc).__name__}); the offline analysis stands in"
        reasons = (f"error: {type(exc).__name__}: {str(exc)[:200]}",)
    backup = validate(await fallback.analyze(context), context)
    if backup.analysis is None:
        raise RuntimeError(f"the {fallback.name} analyst contradicts the data: {backup.reasons}")
    return Analysed(backup.analysis, fallback.name, note, reasons + backup.reasons)
