"""GraphQL types of insights: thought definitions, triggered thoughts, evidence, action requests."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.enums import ActionStatus, ImpactLevel, Priority, Severity, ThoughtStatus
from kg_service.api.metrics.types import BlastRadius, Metric
from kg_service.graph import blast_radius as blast
from kg_service.graph.action_requests import ActionRequest as ActionRequestRecord
from kg_service.graph.definitions import Action as ActionDefinition
from kg_service.graph.definitions import ThoughtDefinition as Definition
from kg_service.graph.instances import ThoughtInstance

Ctx = Info[Context, None]


@strawberry.type
class Action:
    id: strawberry.ID
    name: str
    description: str
    impact_level: ImpactLevel
    requires_approval: bool
    integration_type: str
    platform: str | None

    @classmethod
    def of(cls, action: ActionDefinition) -> Action:
        return cls(
            id=strawberry.ID(action.id),
            name=action.name,
            description=action.description,
            impact_level=action.impact_level,
            requires_approval=action.requires_approval,
            integration_type=action.integration_type.value,
            platform=action.platform.value if action.platform else None,
        )


@strawberry.type
class ThoughtDefinition:
    definition: strawberry.Private[Definition]
    id: strawberry.ID
    name: str
    description: str
    category: str
    priority: Priority
    is_active: bool

    @classmethod
    def of(cls, definition: Definition) -> ThoughtDefinition:
        return cls(
            definition=definition,
            id=strawberry.ID(definition.id),
            name=definition.name,
            description=definition.description,
            category=definition.category,
            priority=definition.priority,
            is_active=definition.is_active,
        )

    @strawberry.field(description="The compound trigger condition, as JSON.")
    def trigger(self) -> JSON:
        return JSON(self.definition.trigger_conditions.model_dump(mode="json", exclude_none=True))

    @strawberry.field
    async def component_metrics(self, info: Ctx) -> list[Metric]:
        registry = await info.context.scope.registry()
        return [Metric.of(registry[m]) for m in self.definition.component_metrics if m in registry]

    @strawberry.field
    async def recommended_actions(self, info: Ctx) -> list[Action]:
        known = await info.context.scope.actions()
        return [Action.of(known[a]) for a in self.definition.recommended_actions if a in known]


@strawberry.type
class Evidence:
    metric_id: strawberry.ID
    test: str
    observed: float | None
    baseline: float | None
    change_pct: float | None
    window_start: dt.date | None
    window_end: dt.date | None
    holds: bool


@strawberry.type
class CampaignMove:
    metric_id: strawberry.ID
    campaign: str
    before: float
    after: float
    change_pct: float | None


@strawberry.type
class ActionRequest:
    record: strawberry.Private[ActionRequestRecord]
    id: strawberry.ID
    thought_id: strawberry.ID
    status: ActionStatus
    impact_level: ImpactLevel
    approval: str
    confidence: float
    requested_by: str | None
    decided_by: str | None
    decision_reason: str | None
    scheduled_for: dt.datetime | None
    executed_at: dt.datetime | None
    outcome: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, r: ActionRequestRecord) -> ActionRequest:
        return cls(
            record=r,
            id=strawberry.ID(r.id),
            thought_id=strawberry.ID(r.thought_id),
            status=r.status,
            impact_level=r.impact_level,
            approval=r.approval,
            confidence=r.confidence,
            requested_by=r.requested_by,
            decided_by=r.decided_by,
            decision_reason=r.decision_reason,
            scheduled_for=r.scheduled_for,
            executed_at=r.executed_at,
            outcome=r.outcome,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )

    @strawberry.field
    async def action(self, info: Ctx) -> Action | None:
        found = (await info.context.scope.actions()).get(self.record.action_id)
        return Action.of(found) if found else None


@strawberry.type
class Thought:
    instance: strawberry.Private[ThoughtInstance]
    id: strawberry.ID
    status: ThoughtStatus
    priority: Priority
    severity: Severity
    summary: str
    root_cause: str
    confidence: float
    analyst: str
    analysis_note: str | None
    triggered_at: dt.datetime
    updated_at: dt.datetime
    snoozed_until: dt.datetime | None
    data_as_of: dt.date
    validation: list[str]

    @classmethod
    def of(cls, i: ThoughtInstance) -> Thought:
        return cls(
            instance=i,
            id=strawberry.ID(i.id),
            status=i.status,
            priority=Priority(i.priority),
            severity=i.severity,
            summary=i.summary,
            root_cause=i.root_cause,
            confidence=i.confidence,
            analyst=i.analyst,
            analysis_note=i.analysis_note,
            triggered_at=i.triggered_at,
            updated_at=i.updated_at,
            snoozed_until=i.snoozed_until,
            data_as_of=dt.date.fromisoformat(i.data_as_of),
            validation=i.validation,
        )

    @strawberry.field
    async def definition(self, info: Ctx) -> ThoughtDefinition:
        return ThoughtDefinition.of((await info.context.scope.definitions())[self.instance.definition_id])

    @strawberry.field
    def evidence(self) -> list[Evidence]:
        return [
            Evidence(
                metric_id=strawberry.ID(e["metric_id"]),
                test=e["test"],
                observed=e.get("observed"),
                baseline=e.get("baseline"),
                change_pct=e.get("change_pct"),
                window_start=dt.date.fromisoformat(e["window_start"]) if e.get("window_start") else None,
                window_end=dt.date.fromisoformat(e["window_end"]) if e.get("window_end") else None,
                holds=e["holds"],
            )
            for e in self.instance.evidence
        ]

    @strawberry.field
    def blast_radius(self) -> BlastRadius | None:
        stored = self.instance.blast_radius
        if stored is None:
            return None
        return BlastRadius.of(blast.BlastRadius.model_validate(stored))

    @strawberry.field
    def top_campaigns(self) -> list[CampaignMove]:
        return [
            CampaignMove(
                metric_id=strawberry.ID(c["metric_id"]),
                campaign=c["campaign"],
                before=c["before"],
                after=c["after"],
                change_pct=c.get("change_pct"),
            )
            for c in self.instance.top_campaigns
        ]

    @strawberry.field
    async def recommended_actions(self, info: Ctx) -> list[ActionRequest]:
        return [ActionRequest.of(r) for r in await info.context.scope.requests_for(self.instance.id)]
