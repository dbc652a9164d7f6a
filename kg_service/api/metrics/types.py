"""GraphQL types of the metric graph: metrics with their values, edges, thresholds, dashboards."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.enums import Direction, Relationship, Severity
from kg_service.engine import metric_values
from kg_service.graph import blast_radius as blast
from kg_service.graph.definitions import Metric as MetricDefinition
from kg_service.graph.definitions import Thoughtlet as ThoughtletDefinition
from kg_service.graph.definitions import Threshold as ThresholdDefinition

Ctx = Info[Context, None]


@strawberry.type
class MetricPoint:
    date: dt.date
    value: float


@strawberry.type
class MetricEdge:
    weight: float
    relationship: Relationship
    metric_id: strawberry.Private[str]

    @strawberry.field
    async def metric(self, info: Ctx) -> Metric:
        found = await info.context.scope.metric(self.metric_id)
        assert found is not None  # edges only join the tenant's own metrics
        return Metric.of(found)


@strawberry.type
class Threshold:
    id: strawberry.ID
    severity: Severity
    kind: str
    operator: str | None
    value: float | None
    baseline: str | None
    periods: int | None

    @classmethod
    def of(cls, metric: MetricDefinition, index: int, threshold: ThresholdDefinition) -> Threshold:
        return cls(
            id=strawberry.ID(metric.threshold_id(index)),
            severity=threshold.severity,
            kind=threshold.kind.value,
            operator=threshold.operator.value if threshold.operator else None,
            value=threshold.value,
            baseline=threshold.baseline.value if threshold.baseline else None,
            periods=threshold.periods,
        )


@strawberry.type
class DriverContribution:
    metric_id: strawberry.ID
    role: str
    before: float
    after: float
    change_pct: float | None
    contribution: float | None
    share_pct: float | None
    method: str


@strawberry.type
class Metric:
    definition: strawberry.Private[MetricDefinition]
    id: strawberry.ID
    name: str
    description: str | None
    domain: str
    subdomain: str | None
    source: str
    unit: str
    direction: Direction
    formula: str | None
    aggregation: str

    @classmethod
    def of(cls, metric: MetricDefinition) -> Metric:
        return cls(
            definition=metric,
            id=strawberry.ID(metric.id),
            name=metric.name,
            description=metric.description,
            domain=metric.domain,
            subdomain=metric.subdomain,
            source=metric.source.value,
            unit=metric.unit.value,
            direction=metric.direction,
            formula=metric.formula,
            aggregation=metric.aggregation.value,
        )

    @strawberry.field
    async def latest(self, info: Ctx) -> MetricPoint | None:
        point = metric_values.latest(await info.context.scope.values(self.definition.id))
        return MetricPoint(date=point.date, value=point.value) if point else None

    @strawberry.field
    async def history(self, info: Ctx, days: int = 30) -> list[MetricPoint]:
        metric_values.check_days(days)
        scope = info.context.scope
        if days > metric_values.STATUS_WINDOW_DAYS:  # beyond the dashboard's shared window: its own read
            points = await scope.long_history(self.definition.id, days)
            return [MetricPoint(date=p.date, value=p.value) for p in points]
        series = await scope.values(self.definition.id)
        return [MetricPoint(date=p.date, value=p.value) for p in metric_values.history(series, days)]

    @strawberry.field
    async def change_pct(self, info: Ctx, days: int = 7) -> float | None:
        metric_values.check_days(days)
        scope = info.context.scope
        await scope.values(self.definition.id)
        registry = await scope.registry()
        return scope.computed(
            ("change_pct", self.definition.id, days),
            lambda: metric_values.change_pct(self.definition, scope.series, registry, days),
        )

    @strawberry.field
    async def status(self, info: Ctx) -> Severity:
        scope = info.context.scope
        await scope.values(self.definition.id)
        registry = await scope.registry()
        return scope.computed(
            ("status", self.definition.id),
            lambda: metric_values.status(self.definition, scope.series, registry),
        )

    @strawberry.field
    async def drivers(self, info: Ctx, days: int = 7) -> list[DriverContribution]:
        metric_values.check_days(days)
        scope = info.context.scope
        await scope.values(self.definition.id)
        registry = await scope.registry()
        split = scope.computed(
            ("drivers", self.definition.id, days),
            lambda: metric_values.drivers(self.definition, scope.series, registry, days),
        )
        if split is None:
            return []
        return [
            DriverContribution(
                metric_id=strawberry.ID(d.metric_id),
                role=d.role.value,
                before=d.before,
                after=d.after,
                change_pct=d.change_pct,
                contribution=d.contribution,
                share_pct=d.share_pct,
                method=split.method.value,
            )
            for d in split.drivers
        ]

    @strawberry.field
    def affects(self) -> list[MetricEdge]:
        return [
            MetricEdge(weight=e.weight, relationship=e.relationship, metric_id=e.metric)
            for e in sorted(self.definition.affects, key=lambda e: e.metric)
        ]

    @strawberry.field
    async def affected_by(self, info: Ctx) -> list[MetricEdge]:
        registry = await info.context.scope.registry()
        return [
            MetricEdge(weight=e.weight, relationship=e.relationship, metric_id=source.id)
            for source in sorted(registry.values(), key=lambda m: m.id)
            for e in source.affects
            if e.metric == self.definition.id
        ]

    @strawberry.field
    def thresholds(self) -> list[Threshold]:
        return [Threshold.of(self.definition, i, t) for i, t in enumerate(self.definition.thresholds)]

    @strawberry.field
    async def thoughtlets(self, info: Ctx) -> list[Thoughtlet]:
        boards = await info.context.scope.thoughtlets()
        return [Thoughtlet.of(b) for b in boards if self.definition.id in b.metrics]


@strawberry.type
class Thoughtlet:
    definition: strawberry.Private[ThoughtletDefinition]
    id: strawberry.ID
    name: str
    description: str

    @classmethod
    def of(cls, board: ThoughtletDefinition) -> Thoughtlet:
        return cls(
            definition=board, id=strawberry.ID(board.id), name=board.name, description=board.description
        )

    @strawberry.field
    async def metrics(self, info: Ctx) -> list[Metric]:
        registry = await info.context.scope.registry()
        return [Metric.of(registry[m]) for m in self.definition.metrics if m in registry]


@strawberry.type
class Impact:
    impact_pct: float
    depth: int
    path: list[strawberry.ID]
    path_count: int
    cross_domain: bool
    metric_id: strawberry.Private[str]

    @strawberry.field
    async def metric(self, info: Ctx) -> Metric:
        found = await info.context.scope.metric(self.metric_id)
        assert found is not None
        return Metric.of(found)


@strawberry.type
class BlastRadius:
    change_pct: float
    max_depth: int
    affected: list[Impact]
    trigger_id: strawberry.Private[str]

    @classmethod
    def of(cls, result: blast.BlastRadius) -> BlastRadius:
        return cls(
            change_pct=result.change_pct,
            max_depth=result.max_depth,
            trigger_id=result.trigger_id,
            affected=[
                Impact(
                    impact_pct=i.impact_pct,
                    depth=i.depth,
                    path=[strawberry.ID(p) for p in i.path],
                    path_count=i.path_count,
                    cross_domain=i.cross_domain,
                    metric_id=i.metric_id,
                )
                for i in result.affected
            ],
        )

    @strawberry.field
    async def trigger(self, info: Ctx) -> Metric:
        found = await info.context.scope.metric(self.trigger_id)
        assert found is not None
        return Metric.of(found)


@strawberry.type
class SearchHit:
    kind: str
    id: strawberry.ID
    name: str
    score: float
