"""Mutations on thoughts and actions. Each is role-checked and audited by the engine it calls."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.metrics.queries import check_id
from kg_service.api.thoughts.types import ActionRequest, Thought
from kg_service.engine import actions, thought_status

Ctx = Info[Context, None]


@strawberry.type
class ThoughtMutations:
    @strawberry.mutation
    async def dismiss_thought(self, info: Ctx, id: strawberry.ID) -> Thought:
        check_id(id, "id")
        return Thought.of(await thought_status.dismiss(info.context.services.graph, info.context.who, id))

    @strawberry.mutation
    async def snooze_thought(self, info: Ctx, id: strawberry.ID, hours: int) -> Thought:
        check_id(id, "id")
        return Thought.of(
            await thought_status.snooze(info.context.services.graph, info.context.who, id, hours)
        )

    @strawberry.mutation
    async def request_action(
        self, info: Ctx, thought_id: strawberry.ID, action_id: strawberry.ID
    ) -> ActionRequest:
        check_id(thought_id, "thoughtId")
        check_id(action_id, "actionId")
        request = await actions.request_action(
            info.context.services.graph, info.context.who, thought_id, action_id
        )
        return ActionRequest.of(request)

    @strawberry.mutation
    async def approve_action(self, info: Ctx, id: strawberry.ID) -> ActionRequest:
        check_id(id, "id")
        return ActionRequest.of(await actions.approve(info.context.services.graph, info.context.who, id))

    @strawberry.mutation
    async def reject_action(self, info: Ctx, id: strawberry.ID, reason: str | None = None) -> ActionRequest:
        check_id(id, "id")
        return ActionRequest.of(
            await actions.reject(info.context.services.graph, info.context.who, id, reason)
        )

    @strawberry.mutation
    async def execute_action(self, info: Ctx, id: strawberry.ID) -> ActionRequest:
        check_id(id, "id")
        services = info.context.services
        return ActionRequest.of(
            await actions.execute(services.graph, info.context.who, id, services.executors)
        )

    @strawberry.mutation
    async def schedule_action(self, info: Ctx, id: strawberry.ID, at: dt.datetime) -> ActionRequest:
        check_id(id, "id")
        return ActionRequest.of(await actions.schedule(info.context.services.graph, info.context.who, id, at))
