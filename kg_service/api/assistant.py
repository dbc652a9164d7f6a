"""The agent chat subscription and the morning briefing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from kg_service.ai.agent.chat import chat_turn, check_conversation_id
from kg_service.ai.agent.resolve import search as knowledge_search
from kg_service.ai.agent.tools import Toolbox
from kg_service.ai.briefing import Briefing as BriefingRecord
from kg_service.ai.briefing import build_briefing, load_briefing, save_briefing
from kg_service.api.context import Context
from kg_service.api.limits import agent_limits
from kg_service.errors import Forbidden, InvalidInput
from kg_service.graph import audit
from kg_service.identity import Role

Ctx = Info[Context, None]
MAX_MESSAGE = 500


@strawberry.type
class AgentChunk:
    conversation_id: strawberry.ID
    kind: str = strawberry.field(description="text, tool_call, done or error.")
    text: str
    tool: str | None
    unverified: int = strawberry.field(description="On `done`: numbers in the answer no tool result backs.")


@strawberry.type
class BriefingItem:
    text: str
    speech: str
    numbers: list[float]
    sources: list[str]


@strawberry.type
class BriefingSection:
    title: str
    items: list[BriefingItem]


@strawberry.type
class Briefing:
    date: dt.date
    generated_at: dt.datetime
    headline: str
    sections: list[BriefingSection]
    text: str
    speech: str = strawberry.field(description="The briefing written to be read aloud, numbers in words.")

    @classmethod
    def of(cls, record: BriefingRecord) -> Briefing:
        return cls(
            date=dt.date.fromisoformat(record.id),
            generated_at=record.generated_at,
            headline=record.headline,
            sections=[
                BriefingSection(
                    title=s.title,
                    items=[
                        BriefingItem(text=i.text, speech=i.speech, numbers=i.numbers, sources=i.sources)
                        for i in s.items
                    ],
                )
                for s in record.sections
            ],
            text=record.text,
            speech=record.speech,
        )


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@strawberry.type
class AssistantQueries:
    @strawberry.field(description="The morning briefing of `date` (default today), made on first request.")
    async def briefing(self, info: Ctx, date: dt.date | None = None) -> Briefing | None:
        context = info.context
        day = date or _today()
        if day > _today() + dt.timedelta(days=1) or day < _today() - dt.timedelta(days=366):
            raise InvalidInput("date: within the last year")
        stored = await load_briefing(context.services.graph, context.tenant, day)
        if stored is None and day == _today():
            stored = await build_briefing(
                context.services.graph, context.services.values, context.tenant, day
            )
            await save_briefing(context.services.graph, context.tenant, stored)
        return Briefing.of(stored) if stored else None


@strawberry.type
class AssistantMutations:
    @strawberry.mutation
    async def regenerate_briefing(self, info: Ctx) -> Briefing:
        context = info.context
        who = context.who
        if not who.has_any(Role.ANALYST, Role.ADMIN):
            raise Forbidden("regenerating the briefing needs the ANALYST or ADMIN role")
        graph = context.services.graph
        record = await build_briefing(graph, context.services.values, who.tenant_id, _today())
        await save_briefing(graph, who.tenant_id, record)
        event = audit.new_event(
            user=who.sub,
            action="briefing.regenerate",
            resource_type="Briefing",
            resource_id=record.id,
            outcome="generated",
            source_data_hash=audit.data_hash(record.model_dump(mode="json", exclude={"generated_at"})),
        )
        await graph.write_tx(lambda tx: audit.record(tx, who.tenant_id, event), tenant=who.tenant_id)
        return Briefing.of(record)


async def _search(context: Context, text: str, limit: int) -> list[dict[str, Any]]:
    hits = await knowledge_search(context.services.graph, context.tenant, text, max(1, min(limit, 10)))
    return [{"kind": h.kind, "id": h.id, "name": h.name, "score": h.score} for h in hits]


@strawberry.type
class AssistantSubscriptions:
    @strawberry.subscription
    async def agent_chat(
        self, info: Ctx, message: str, conversation_id: strawberry.ID | None = None
    ) -> AsyncGenerator[AgentChunk, None]:
        context = info.context
        who = context.who
        if not 1 <= len(message.strip()) <= MAX_MESSAGE:
            raise InvalidInput(f"message: 1 to {MAX_MESSAGE} characters")
        try:
            conversation = check_conversation_id(conversation_id)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        settings = context.services.settings.api
        await context.limiter.check(f"agent:{who.tenant_id}:{who.sub}", *agent_limits(settings))
        toolbox = Toolbox(
            context.services.graph,
            context.services.values,
            who.tenant_id,
            search=lambda text, limit: _search(context, text, limit),
        )
        async for chunk in chat_turn(
            context.services.agent, toolbox, context.services.conversations, who.sub, message, conversation
        ):
            yield AgentChunk(
                conversation_id=strawberry.ID(chunk.conversation_id),
                kind=chunk.kind,
                text=chunk.text,
                tool=chunk.tool,
                unverified=chunk.unverified,
            )
