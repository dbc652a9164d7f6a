"""The offline analyst: deterministic, no network, every number it writes taken from the context."""

from __future__ import annotations

from kg_service.engine.analysis import AnalysisContext, RootCause, ThoughtAnalysis
from kg_service.engine.validation import observed_direction

# Which root cause a thought's category or metrics point to, checked in this order.
_CAUSES: tuple[tuple[tuple[str, ...], RootCause], ...] = (
    (("creative", "frequency", "fatigue"), RootCause.CREATIVE_FATIGUE),
    (("budget", "pacing", "exhaust"), RootCause.BUDGET_EXHAUSTION),
    (("saturation", "reach", "audience"), RootCause.AUDIENCE_SATURATION),
    (("cpc", "competition", "impression_share", "auction", "cpm"), RootCause.INCREASED_COMPETITION),
    (("season", "holiday"), RootCause.SEASONAL_TREND),
)


def _root_cause(context: AnalysisContext) -> RootCause:
    """The insight's own name decides first; failing that, the metrics that moved."""
    named = f"{context.thought_id} {context.category}".lower()
    moved = " ".join(
        [context.trigger_metric_id] + [c.metric_id for c in context.conditions if c.holds]
    ).lower()
    for text in (named, moved):
        for words, cause in _CAUSES:
            if any(word in text for word in words):
                return cause
    return RootCause.UNKNOWN


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def _summary(context: AnalysisContext, direction: str) -> tuple[str, list[float]]:
    """One sentence from the facts: what moved and by how much, then its largest driver."""
    numbers: list[float] = []
    lead = next(
        (c for c in context.conditions if c.holds and c.metric_id == context.trigger_metric_id), None
    ) or next((c for c in context.conditions if c.holds), None)
    text = f"{context.thought_name}: {context.trigger_metric_name}"
    if context.trigger_change_pct is not None and direction != "flat":
        change = round(abs(context.trigger_change_pct), 1)
        numbers.append(change)
        text += f" {'rose' if direction == 'up' else 'fell'} {change}%"
        if lead is not None and lead.observed is not None and lead.baseline is not None:
            numbers += [lead.observed, lead.baseline]
            text += f" ({_fmt(lead.observed)} vs {_fmt(lead.baseline)})"
    elif lead is not None and lead.observed is not None:
        numbers.append(lead.observed)
        text = f"{context.thought_name}: {_name(context, lead.metric_id)} at {_fmt(lead.observed)}"
    movers = [
        d
        for d in context.drivers
        if d.metric_id == context.trigger_metric_id and d.change_pct is not None and d.contribution
    ]
    top = max(movers, key=lambda d: (abs(d.contribution or 0.0), d.component_id), default=None)
    if top is not None and top.change_pct is not None:
        pct = round(top.change_pct, 1)
        numbers.append(pct)
        text += f"; largest driver: {top.component_id} {pct:+}%"
    return text[:200], numbers


def _name(context: AnalysisContext, metric_id: str) -> str:
    return next((c.metric_name for c in context.conditions if c.metric_id == metric_id), metric_id)


def _confidence(context: AnalysisContext) -> float:
    held = sum(c.holds for c in context.conditions)
    base = 0.45 + 0.1 * held + (0.05 if context.drivers else 0.0)
    return round(min(base, 0.9), 2)


class OfflineAnalyst:
    name = "offline"

    async def analyze(self, context: AnalysisContext) -> ThoughtAnalysis:
        direction = observed_direction(context.trigger_change_pct) or "flat"
        summary, numbers = _summary(context, direction)
        return ThoughtAnalysis(
            summary=summary,
            root_cause=_root_cause(context),
            confidence=_confidence(context),
            direction=direction,
            recommended_actions=tuple(a.id for a in context.actions[:3]),
            mentioned_values=tuple(numbers),
        )
