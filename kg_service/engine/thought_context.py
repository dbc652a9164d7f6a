"""Building a triggered thought's facts: evidence, severity, blast radius, drivers, campaigns."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from kg_service.errors import InvalidInput
from kg_service.graph.blast_radius import BlastRadius, blast_radius
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Action, Compound, Condition, Metric, Severity, ThoughtDefinition
from kg_service.warehouse.source import MetricSource

from .analysis import (
    ActionOption,
    AnalysisContext,
    CampaignFact,
    ConditionFact,
    DriverFact,
    ImpactFact,
)
from .decomposition import component_totals, decompose
from .series import DailySeries, day_range
from .thresholds import evaluate_metric, metric_status
from .triggers import TriggerResult

TOP_CAMPAIGNS = 5
TOP_IMPACTS = 12


@dataclass(frozen=True)
class Windows:
    """The current window (ending on the data's last day) and the one before it."""

    start: date
    end: date
    before_start: date
    before_end: date

    @classmethod
    def ending(cls, end: date, days: int) -> Windows:
        start = end - timedelta(days=days - 1)
        return cls(start, end, start - timedelta(days=days), start - timedelta(days=1))


def lookback(definition: ThoughtDefinition) -> int:
    return max((c.lookback_days for c in leaves(definition.trigger_conditions)), default=7)


def leaves(compound: Compound) -> list[Condition]:
    found: list[Condition] = []
    for node in compound.conditions:
        found += leaves(node) if isinstance(node, Compound) else [node]
    return found


def trigger_metric(result: TriggerResult, definition: ThoughtDefinition) -> tuple[str, float | None]:
    """The metric whose move best explains the trigger: the holding condition with the largest change."""
    holding = [e for e in result.evidence if e.holds]
    with_change = [e for e in holding if e.change_pct is not None]
    if with_change:
        best = max(with_change, key=lambda e: (abs(e.change_pct or 0.0), e.metric_id))
        return best.metric_id, best.change_pct
    first = holding[0].metric_id if holding else definition.component_metrics[0]
    return first, None


def severity(
    definition: ThoughtDefinition, metrics: Mapping[str, Metric], series: Mapping[str, DailySeries]
) -> Severity:
    """Critical when a component metric breaches a critical threshold; a warning otherwise."""
    for metric_id in definition.component_metrics:
        metric, data = metrics.get(metric_id), series.get(metric_id)
        if metric is None or data is None or not metric.thresholds:
            continue
        if metric_status(evaluate_metric(metric, data, series, metrics)) is Severity.CRITICAL:
            return Severity.CRITICAL
    return Severity.WARNING


def sample_size(metric: Metric | None, series: Mapping[str, DailySeries], windows: Windows) -> int:
    """The volume behind a metric over the current window: its denominator's total for a ratio
    (clicks behind a CPC), its own total for a count, else the number of days with a value."""
    if metric is None:
        return 0
    denominator = next((c.metric for c in metric.components if c.role.value == "denominator"), None)
    source_id = denominator or metric.id
    data = series.get(source_id)
    if data is None:
        return 0
    dates = day_range(windows.start, windows.end)
    values = data.aligned_values(dates)
    present = values[~np.isnan(values)]
    if denominator is not None or metric.unit.value == "count":
        return int(max(present.sum(), 0)) if present.size else 0
    return int(present.size)


def drivers(
    definition: ThoughtDefinition,
    metrics: Mapping[str, Metric],
    series: Mapping[str, DailySeries],
    windows: Windows,
) -> list[DriverFact]:
    facts: list[DriverFact] = []
    for metric_id in definition.component_metrics:
        metric = metrics.get(metric_id)
        if metric is None or not metric.components:
            continue
        try:
            before = component_totals(metric, series, windows.before_start, windows.before_end, metrics)
            after = component_totals(metric, series, windows.start, windows.end, metrics)
        except InvalidInput:
            continue
        split = decompose(metric, before, after)
        facts += [
            DriverFact(
                metric_id=metric_id,
                component_id=d.metric_id,
                before=round(d.before, 4),
                after=round(d.after, 4),
                change_pct=None if d.change_pct is None else round(d.change_pct, 2),
                contribution=None if d.contribution is None else round(d.contribution, 6),
                share_pct=None if d.share_pct is None else round(d.share_pct, 2),
            )
            for d in split.drivers
        ]
    return facts


async def top_campaigns(
    source: MetricSource, tenant: str, metric_ids: list[str], windows: Windows
) -> list[CampaignFact]:
    """The campaigns whose values moved most between the two windows (means of daily values)."""
    detail = await source.series(tenant, metric_ids, windows.before_start, windows.end, breakdown="campaign")
    facts = []
    for metric_id, campaigns in detail.items():
        for campaign, points in campaigns.items():
            before = [p.value for p in points if p.date <= windows.before_end]
            after = [p.value for p in points if p.date >= windows.start]
            if not before or not after:
                continue
            b, a = sum(before) / len(before), sum(after) / len(after)
            pct = (a - b) / abs(b) * 100 if b else None
            facts.append(
                CampaignFact(
                    metric_id=metric_id,
                    campaign=campaign,
                    before=round(b, 4),
                    after=round(a, 4),
                    change=round(a - b, 4),
                    change_pct=None if pct is None else round(pct, 2),
                )
            )
    facts.sort(key=lambda f: (-abs(f.change_pct or 0.0), f.metric_id, f.campaign))
    return facts[:TOP_CAMPAIGNS]


async def radius(
    graph: Graph, tenant: str, metric_id: str, change: float | None, depth: int
) -> BlastRadius | None:
    if change is None or not math.isfinite(change) or change == 0:
        return None
    return await blast_radius(graph, tenant, metric_id, max(-10_000.0, min(10_000.0, change)), depth)


def context_for(
    tenant: str,
    definition: ThoughtDefinition,
    result: TriggerResult,
    metrics: Mapping[str, Metric],
    trigger: tuple[str, float | None],
    facts: tuple[BlastRadius | None, list[DriverFact], list[CampaignFact]],
    actions: Mapping[str, Action],
    data_as_of: date,
    volume: int,
) -> AnalysisContext:
    impact, driver_facts, campaigns = facts
    trigger_id, change = trigger
    conditions = tuple(
        ConditionFact(
            metric_id=e.metric_id,
            metric_name=metrics[e.metric_id].name if e.metric_id in metrics else e.metric_id,
            test=e.test,
            observed=_r(e.observed),
            baseline=_r(e.baseline),
            change_pct=_r(e.change_pct),
            window_start=e.window_start.isoformat() if e.window_start else None,
            window_end=e.window_end.isoformat() if e.window_end else None,
            holds=e.holds,
        )
        for e in result.evidence
    )
    return AnalysisContext(
        tenant=tenant,
        thought_id=definition.id,
        thought_name=definition.name,
        description=definition.description,
        category=definition.category,
        trigger_metric_id=trigger_id,
        trigger_metric_name=metrics[trigger_id].name if trigger_id in metrics else trigger_id,
        trigger_change_pct=_r(change),
        conditions=conditions,
        blast_radius=tuple(
            ImpactFact(
                metric_id=i.metric_id, impact_pct=i.impact_pct, depth=i.depth, cross_domain=i.cross_domain
            )
            for i in (impact.affected[:TOP_IMPACTS] if impact else [])
        ),
        drivers=tuple(driver_facts),
        top_campaigns=tuple(campaigns),
        actions=tuple(
            ActionOption(id=a, name=actions[a].name, impact_level=actions[a].impact_level.value)
            for a in definition.recommended_actions
            if a in actions
        ),
        sample_size=volume,
        data_as_of=data_as_of.isoformat(),
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
