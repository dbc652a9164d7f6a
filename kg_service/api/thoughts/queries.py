"""Thought and action request queries, within the caller's tenant."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.enums import ActionStatus, ThoughtStatus
from kg_service.api.metrics.queries import check_id
from kg_service.api.thoughts.types import ActionRequest, Thought, ThoughtDefinition
from kg_service.graph import action_requests, instances

Ctx = Info[Context, None]
_SEVERITY_ORDER = {"critical": 0, "warning": 1, "ok": 2}
_PRIORITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@strawberry.type
class ThoughtQueries:
    @strawberry.field
    async def thought_definitions(self, info: Ctx) -> list[ThoughtDefinition]:
        definitions = await info.context.scope.definitions()
        return [ThoughtDefinition.of(d) for d in sorted(definitions.values(), key=lambda d: d.id)]

    @strawberry.field(
        description="Triggered thoughts, most urgent first (priority, then severity, then newest)."
    )
    async def thoughts(self, info: Ctx, status: ThoughtStatus | None = ThoughtStatus.ACTIVE) -> list[Thought]:
        found = await instances.list_instances(
            info.context.services.graph, info.context.tenant, statuses=[status] if status else None
        )
        found.sort(
            key=lambda i: (
                _PRIORITY_ORDER.get(i.priority, 9),
                _SEVERITY_ORDER[i.severity.value],
                -i.triggered_at.timestamp(),
                i.id,
            )
        )
        return [Thought.of(i) for i in found]

    @strawberry.field(description="Null when absent, or when it belongs to another tenant.")
    async def thought(self, info: Ctx, id: strawberry.ID) -> Thought | None:
        check_id(id, "id")
        found = await info.context.scope.instance(id)
        return Thought.of(found) if found else None

    @strawberry.field
    async def action_requests(self, info: Ctx, status: ActionStatus | None = None) -> list[ActionRequest]:
        found = await action_requests.list_requests(
            info.context.services.graph, info.context.tenant, statuses=[status] if status else None
        )
        return [ActionRequest.of(r) for r in found]
