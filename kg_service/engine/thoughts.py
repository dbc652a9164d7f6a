"""Thought generation: evaluate every active definition on the latest data, keep instances current.

Rules: one open instance per definition (a repeat updates it and re-notifies only when severity
rises); an instance resolves itself after its conditions stay clear for `auto_resolve_after`
evaluations; dismissed instances stay dismissed until they resolve, snoozed ones until their time;
at most `max_runs_per_day` runs per tenant per day (a skipped run says why); with missing or too
little data the existing thoughts stay as they are. A run writes everything in one transaction,
marked by an audit event keyed on the run: running the same run again changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from neo4j import AsyncManagedTransaction

from kg_service.config import EngineSettings
from kg_service.graph import audit
from kg_service.graph.action_requests import ActionStatus, save_request
from kg_service.graph.actions import list_actions
from kg_service.graph.db import BULK_TIMEOUT_S, Graph
from kg_service.graph.definitions import Action, Metric, Severity, ThoughtDefinition
from kg_service.graph.instances import InstanceStatus, ThoughtInstance, open_instances, save_instance
from kg_service.graph.metrics import registry
from kg_service.graph.thoughts import list_definitions
from kg_service.warehouse.source import MetricSource

from .actions import new_request
from .analysis import AnalysisContext, Analyst
from .series import DailySeries
from .thought_context import (
    Windows,
    context_for,
    drivers,
    lookback,
    radius,
    sample_size,
    severity,
    top_campaigns,
    trigger_metric,
)
from .triggers import TriggerResult, evaluate_trigger
from .validation import Analysed, analyse

RUN_ACTION = "thoughts.generate"
_RANK = {Severity.OK: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    ESCALATED = "escalated"
    REACTIVATED = "reactivated"
    RESOLVED = "resolved"


@dataclass
class GenerationReport:
    tenant: str
    run_key: str
    ran: bool
    skipped_reason: str | None = None
    data_as_of: date | None = None
    changes: dict[str, Change] = field(default_factory=dict)
    """instance id → what happened to it (only instances whose users should hear of it notify)."""
    unchanged: list[str] = field(default_factory=list)
    insufficient: list[str] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    """instance id → its definition id, for every instance the run touched."""

    @property
    def notify(self) -> list[str]:
        """Instances worth a live event: new, escalated, reactivated or resolved."""
        return [i for i, c in self.changes.items() if c is not Change.UPDATED]


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time.min, tzinfo=UTC)


async def _runs_today(graph: Graph, tenant: str, now: datetime) -> int:
    events = await audit.list_events(graph, tenant, action=RUN_ACTION, since=_day_start(now), limit=100)
    return sum(1 for e in events if e.outcome == "completed")


def _run_event(tenant: str, run_key: str, outcome: str, **metadata: object) -> audit.AuditEvent:
    return audit.new_event(
        user="system:pipeline",
        action=RUN_ACTION,
        resource_type="Tenant",
        resource_id=tenant,
        outcome=outcome,
        metadata=dict(metadata),
        idempotency_key=(tenant, RUN_ACTION, run_key, outcome),
    )


async def _already_ran(graph: Graph, tenant: str, run_key: str) -> bool:
    wanted = audit.event_id(tenant, RUN_ACTION, run_key, "completed")
    events = await audit.list_events(graph, tenant, action=RUN_ACTION, limit=100)
    return any(e.id == wanted for e in events)


@dataclass(frozen=True)
class _Inputs:
    tenant: str
    definitions: list[ThoughtDefinition]
    metrics: dict[str, Metric]
    actions: dict[str, Action]
    series: dict[str, DailySeries]
    as_of: date


async def _load(graph: Graph, source: MetricSource, tenant: str, settings: EngineSettings) -> _Inputs | None:
    as_of = await source.last_date(tenant)
    if as_of is None:
        return None
    definitions = await list_definitions(graph, tenant, active_only=True)
    metrics = await registry(graph, tenant)
    actions = {a.id: a for a in await list_actions(graph, tenant)}
    needed: set[str] = set()
    for definition in definitions:
        needed |= set(definition.component_metrics) | definition.trigger_conditions.metric_ids()
    needed |= {c.metric for m in list(needed) if m in metrics for c in metrics[m].components}
    start = as_of - timedelta(days=settings.history_days - 1)
    points = await source.series(tenant, sorted(needed), start, as_of)
    series = {m: DailySeries.from_points(m, points.get(m, []), start=start, end=as_of) for m in needed}
    return _Inputs(tenant, definitions, metrics, actions, series, as_of)


async def generate_thoughts(
    graph: Graph,
    source: MetricSource,
    analyst: Analyst,
    fallback: Analyst,
    tenant: str,
    settings: EngineSettings,
    *,
    run_key: str | None = None,
    now: datetime | None = None,
) -> GenerationReport:
    """One generation run for `tenant`; `run_key` makes a repeated run (a retried job) a no-op."""
    now = now or datetime.now(UTC)
    key = run_key or f"run-{uuid.uuid4().hex}"
    report = GenerationReport(tenant=tenant, run_key=key, ran=False)
    if await _already_ran(graph, tenant, key):
        report.skipped_reason = f"run {key} already completed"
        return report
    if await _runs_today(graph, tenant, now) >= settings.max_runs_per_day:
        report.skipped_reason = f"{settings.max_runs_per_day} generation runs already today (the daily cap)"
        await graph.write_tx(
            lambda tx: audit.record(
                tx, tenant, _run_event(tenant, key, "skipped", reason=report.skipped_reason)
            ),
            tenant=tenant,
        )
        return report
    inputs = await _load(graph, source, tenant, settings)
    if inputs is None:
        report.skipped_reason = "no values in the warehouse yet; existing thoughts are kept"
        return report
    report.data_as_of = inputs.as_of
    results = {
        d.id: evaluate_trigger(d.trigger_conditions, inputs.series, inputs.metrics, as_of=inputs.as_of)
        for d in inputs.definitions
    }
    report.insufficient = sorted(d for d, r in results.items() if r.insufficient_data)
    prepared = {
        d.id: await _prepare(graph, source, analyst, fallback, inputs, d, results[d.id])
        for d in inputs.definitions
        if results[d.id].matched
    }

    async def work(tx: AsyncManagedTransaction) -> None:
        report.changes.clear()
        report.unchanged.clear()
        report.definitions.clear()
        existing = await open_instances(tx, tenant)
        for definition in inputs.definitions:
            result = results[definition.id]
            if result.insufficient_data and not result.matched:
                continue
            await _apply(
                tx,
                inputs,
                definition,
                existing.get(definition.id),
                prepared.get(definition.id),
                now,
                settings,
                report,
            )
        await audit.record(
            tx,
            tenant,
            _run_event(
                tenant,
                key,
                "completed",
                data_as_of=inputs.as_of.isoformat(),
                changes={i: c.value for i, c in report.changes.items()},
            ),
        )

    await graph.write_tx(work, tenant=tenant, timeout_s=BULK_TIMEOUT_S)
    report.ran = True
    return report


@dataclass(frozen=True)
class _Prepared:
    context: AnalysisContext
    analysed: Analysed
    severity: Severity
    blast_radius: dict[str, object] | None


async def _prepare(
    graph: Graph,
    source: MetricSource,
    analyst: Analyst,
    fallback: Analyst,
    inputs: _Inputs,
    definition: ThoughtDefinition,
    result: TriggerResult,
) -> _Prepared:
    trigger = trigger_metric(result, definition)
    windows = Windows.ending(inputs.as_of, lookback(definition))
    impact = await radius(graph, inputs.tenant, trigger[0], trigger[1], definition.blast_radius.max_depth)
    trigger_def = inputs.metrics.get(trigger[0])
    drill = [trigger[0], *(c.metric for c in trigger_def.components)] if trigger_def else [trigger[0]]
    facts = (
        impact,
        drivers(definition, inputs.metrics, inputs.series, windows),
        await top_campaigns(source, inputs.tenant, drill, windows),
    )
    volume = sample_size(trigger_def, inputs.series, windows)
    context = context_for(
        inputs.tenant,
        definition,
        result,
        inputs.metrics,
        trigger,
        facts,
        inputs.actions,
        inputs.as_of,
        volume,
    )
    return _Prepared(
        context=context,
        analysed=await analyse(analyst, fallback, context),
        severity=severity(definition, inputs.metrics, inputs.series),
        blast_radius=impact.model_dump(mode="json") if impact else None,
    )


def _instance(
    definition: ThoughtDefinition, prepared: _Prepared, now: datetime, current: ThoughtInstance | None
) -> ThoughtInstance:
    analysis = prepared.analysed.analysis
    context = prepared.context
    return ThoughtInstance(
        id=current.id if current else f"ti_{uuid.uuid4().hex[:20]}",
        definition_id=definition.id,
        status=current.status if current else InstanceStatus.ACTIVE,
        severity=prepared.severity,
        priority=definition.priority.value,
        triggered_at=current.triggered_at if current else now,
        updated_at=now,
        snoozed_until=current.snoozed_until if current else None,
        summary=analysis.summary,
        root_cause=analysis.root_cause.value,
        confidence=analysis.confidence,
        analyst=prepared.analysed.analyst,
        analysis_note=prepared.analysed.note,
        clear_count=0,
        notified_severity=current.notified_severity if current else prepared.severity,
        source_data_hash=context.fingerprint(),
        data_as_of=context.data_as_of,
        evidence=[c.model_dump(mode="json") for c in context.conditions],
        blast_radius=prepared.blast_radius,
        decomposition=[d.model_dump(mode="json") for d in context.drivers],
        top_campaigns=[c.model_dump(mode="json") for c in context.top_campaigns],
        mentioned_values=list(analysis.mentioned_values),
        validation=list(prepared.analysed.reasons),
        recommended_actions=list(analysis.recommended_actions),
    )


def _next_state(
    current: ThoughtInstance | None, fresh: ThoughtInstance, now: datetime
) -> tuple[ThoughtInstance, Change | None]:
    """How a matched definition changes its instance, and whether users should hear of it."""
    if current is None:
        return fresh, Change.CREATED
    if current.status is InstanceStatus.DISMISSED:
        return fresh, None
    if current.status is InstanceStatus.SNOOZED:
        if current.snoozed_until is not None and current.snoozed_until > now:
            return fresh, None
        woken = fresh.model_copy(
            update={
                "status": InstanceStatus.ACTIVE,
                "snoozed_until": None,
                "notified_severity": fresh.severity,
            }
        )
        return woken, Change.REACTIVATED
    if _RANK[fresh.severity] > _RANK[current.notified_severity or Severity.OK]:
        return fresh.model_copy(update={"notified_severity": fresh.severity}), Change.ESCALATED
    return fresh, Change.UPDATED


async def _apply(
    tx: AsyncManagedTransaction,
    inputs: _Inputs,
    definition: ThoughtDefinition,
    current: ThoughtInstance | None,
    prepared: _Prepared | None,
    now: datetime,
    settings: EngineSettings,
    report: GenerationReport,
) -> None:
    tenant = inputs.tenant
    if prepared is None:
        if current is None:
            return
        cleared = current.clear_count + 1
        resolves = cleared >= settings.auto_resolve_after
        changes = {
            "status": InstanceStatus.RESOLVED if resolves else current.status,
            "clear_count": cleared,
            "resolved_at": now if resolves else None,
            "updated_at": now,
        }
        stored = current.model_copy(update=changes)
        await save_instance(tx, tenant, stored)
        report.definitions[stored.id] = definition.id
        if resolves:
            report.changes[current.id] = Change.RESOLVED
            await audit.record(tx, tenant, _thought_event(stored, "thought.resolved", report.run_key))
        else:
            report.unchanged.append(current.id)
        return
    fresh = _instance(definition, prepared, now, current)
    stored, change = _next_state(current, fresh, now)
    await save_instance(tx, tenant, stored)
    report.definitions[stored.id] = definition.id
    for action_id in stored.recommended_actions:
        if action_id in inputs.actions:
            await save_request(
                tx, tenant, new_request(stored, inputs.actions[action_id], ActionStatus.RECOMMENDED, None)
            )
    if change is None:
        report.unchanged.append(stored.id)
    else:
        report.changes[stored.id] = change
    await audit.record(
        tx, tenant, _thought_event(stored, f"thought.{(change or Change.UPDATED).value}", report.run_key)
    )
    await audit.record(tx, tenant, _analysis_event(stored, prepared, report.run_key))


def _thought_event(instance: ThoughtInstance, action: str, run_key: str) -> audit.AuditEvent:
    return audit.new_event(
        user="system:pipeline",
        action=action,
        resource_type="ThoughtInstance",
        resource_id=instance.id,
        outcome=instance.status.value,
        source_data_hash=instance.source_data_hash,
        metadata={"definition_id": instance.definition_id, "severity": instance.severity.value},
        idempotency_key=(instance.id, action, run_key),
    )


def _analysis_event(instance: ThoughtInstance, prepared: _Prepared, run_key: str) -> audit.AuditEvent:
    analysed = prepared.analysed
    return audit.new_event(
        user=f"ai:{analysed.analyst}",
        action="ai.analysis",
        resource_type="ThoughtInstance",
        resource_id=instance.id,
        outcome="fallback" if analysed.note else "accepted",
        source_data_hash=prepared.context.fingerprint(),
        metadata={
            "root_cause": analysed.analysis.root_cause.value,
            "confidence": analysed.analysis.confidence,
            "validation": list(analysed.reasons),
            "note": analysed.note,
        },
        idempotency_key=(instance.id, "ai.analysis", run_key),
    )
