"""Live events for the caller's tenant: thoughts, metric updates, pipeline stages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.thoughts.types import Thought

Ctx = Info[Context, None]


def _at(payload: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(payload["at"]) if "at" in payload else dt.datetime.now(dt.UTC)


@strawberry.type
class ThoughtEvent:
    kind: str = strawberry.field(
        description="created, escalated, reactivated, resolved, dismissed or snoozed."
    )
    thought_id: strawberry.ID
    definition_id: strawberry.ID | None
    at: dt.datetime

    @strawberry.field
    async def thought(self, info: Ctx) -> Thought | None:
        found = await info.context.scope.instance(self.thought_id)
        return Thought.of(found) if found else None


@strawberry.type
class MetricUpdate:
    metric_ids: list[strawberry.ID]
    as_of: dt.date | None
    at: dt.datetime


@strawberry.type
class PipelineEvent:
    job_id: str
    stage: str
    status: str
    detail: str | None
    at: dt.datetime


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription
    async def thought_events(self, info: Ctx) -> AsyncGenerator[ThoughtEvent, None]:
        context = info.context
        async for event in context.services.bus.subscribe(context.tenant, {"thought"}):
            context.fresh_scope()
            p = event.payload
            yield ThoughtEvent(
                kind=str(p["change"]),
                thought_id=strawberry.ID(p["id"]),
                definition_id=strawberry.ID(p["definition_id"]) if p.get("definition_id") else None,
                at=_at(p),
            )

    @strawberry.subscription
    async def metric_updates(self, info: Ctx) -> AsyncGenerator[MetricUpdate, None]:
        context = info.context
        async for event in context.services.bus.subscribe(context.tenant, {"metric"}):
            p = event.payload
            yield MetricUpdate(
                metric_ids=[strawberry.ID(m) for m in p.get("metric_ids", [])],
                as_of=dt.date.fromisoformat(p["as_of"]) if p.get("as_of") else None,
                at=_at(p),
            )

    @strawberry.subscription
    async def pipeline_events(self, info: Ctx) -> AsyncGenerator[PipelineEvent, None]:
        context = info.context
        async for event in context.services.bus.subscribe(context.tenant, {"pipeline"}):
            p = event.payload
            yield PipelineEvent(
                job_id=str(p["job_id"]),
                stage=str(p["stage"]),
                status=str(p["status"]),
                detail=p.get("detail"),
                at=_at(p),
            )
