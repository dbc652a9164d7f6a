"""Live events for the caller's tenant: thoughts, metric updates, pipeline stages. Each carries its
id in the tenant's event log; a subscription given `after` (the last id a client saw) first replays
what was published since, so a client that reconnects misses nothing the log still holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.thoughts.types import Thought
from kg_service.errors import InvalidInput
from kg_service.events import Event, EventKind, check_event_id

Ctx = Info[Context, None]


def _at(payload: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(payload["at"]) if "at" in payload else dt.datetime.now(dt.UTC)


AFTER = "Replay first the events published after this id (an event's `id`); the last 1,000 are kept."


def _events(info: Ctx, kind: EventKind, after: strawberry.ID | None) -> AsyncIterator[Event]:
    context = info.context
    try:
        start = check_event_id(str(after)) if after is not None else None
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    return context.services.bus.subscribe(context.tenant, {kind}, start)


def _id(event: Event) -> strawberry.ID:
    return strawberry.ID(event.id or "")


@strawberry.type
class ThoughtEvent:
    id: strawberry.ID = strawberry.field(description="The event's id in the tenant's event log.")
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
    id: strawberry.ID = strawberry.field(description="The event's id in the tenant's event log.")
    metric_ids: list[strawberry.ID]
    as_of: dt.date | None
    at: dt.datetime


@strawberry.type
class PipelineEvent:
    id: strawberry.ID = strawberry.field(description="The event's id in the tenant's event log.")
    job_id: str
    stage: str
    status: str
    detail: str | None
    at: dt.datetime


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription
    async def thought_events(
        self, info: Ctx, after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None
    ) -> AsyncGenerator[ThoughtEvent, None]:
        async for event in _events(info, "thought", after):
            info.context.fresh_scope()
            p = event.payload
            yield ThoughtEvent(
                id=_id(event),
                kind=str(p["change"]),
                thought_id=strawberry.ID(p["id"]),
                definition_id=strawberry.ID(p["definition_id"]) if p.get("definition_id") else None,
                at=_at(p),
            )

    @strawberry.subscription
    async def metric_updates(
        self, info: Ctx, after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None
    ) -> AsyncGenerator[MetricUpdate, None]:
        async for event in _events(info, "metric", after):
            p = event.payload
            yield MetricUpdate(
                id=_id(event),
                metric_ids=[strawberry.ID(m) for m in p.get("metric_ids", [])],
                as_of=dt.date.fromisoformat(p["as_of"]) if p.get("as_of") else None,
                at=_at(p),
            )

    @strawberry.subscription
    async def pipeline_events(
        self, info: Ctx, after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None
    ) -> AsyncGenerator[PipelineEvent, None]:
        async for event in _events(info, "pipeline", after):
            p = event.payload
            yield PipelineEvent(
                id=_id(event),
                job_id=str(p["job_id"]),
                stage=str(p["stage"]),
                status=str(p["status"]),
                detail=p.get("detail"),
                at=_at(p),
            )
