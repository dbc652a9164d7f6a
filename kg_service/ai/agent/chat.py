"""A chat turn: the agent's steps become streamed chunks, and no number leaves unchecked.

Every answer is checked before any of it is sent: each number in it must be one the turn's tools
returned (as a reader would round it), or sit inside a text the tools returned verbatim (a
thought's summary, a date). A number that cannot be traced is flagged "[unverified]".
Conversations are kept per tenant and user, so a follow-up ("and on Meta?") has its context.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.engine.validation import numbers_in_text, traceable

from .offline import Memory, Step
from .tools import Toolbox
from .understanding import Intent

CONVERSATION_TTL_S = 24 * 3600
MAX_QUESTION = 500
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9$])")
FLAG = " [unverified]"


class Agent(Protocol):
    name: str

    def answer(self, question: str, memory: Memory, toolbox: Toolbox) -> AsyncIterator[Step]: ...


@dataclass(frozen=True)
class Chunk:
    kind: str  # text, tool_call, done, error
    text: str
    conversation_id: str
    tool: str | None = None
    unverified: int = 0


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def verify(text: str, toolbox: Toolbox) -> tuple[str, int]:
    """The text with every untraceable number flagged, and how many there were."""
    quoted = sorted(
        {s for call in toolbox.calls for s in _strings(call["result"]) if len(s) >= 4}, key=len, reverse=True
    )
    bare = text
    for known in quoted:
        bare = bare.replace(known, " ")
    flagged: list[str] = []
    for value, places in numbers_in_text(bare):
        if not traceable(value, places, toolbox.facts):
            flagged.append(f"{value:.{places}f}" if places else f"{value:.0f}")
    checked = text
    for number in dict.fromkeys(flagged):
        checked = re.sub(
            rf"(?<![\d.]){re.escape(number.lstrip('-'))}(?![\d.])(%?)",
            rf"{number.lstrip('-')}\1{FLAG}",
            checked,
            count=1,
        )
    return checked, len(flagged)


class ConversationStore:
    """Memory per (tenant, user, conversation) in Redis, or in this process without Redis."""

    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis
        self._local: dict[str, str] = {}

    @staticmethod
    def key(tenant: str, user: str, conversation_id: str) -> str:
        return f"chat:{tenant}:{user}:{conversation_id}"

    async def load(self, tenant: str, user: str, conversation_id: str) -> Memory:
        raw: str | None = None
        key = self.key(tenant, user, conversation_id)
        if self.redis is not None:
            try:
                raw = await self.redis.get(key)
            except (RedisError, OSError):
                raw = self._local.get(key)
        else:
            raw = self._local.get(key)
        if not raw:
            return Memory(metric_ids=[], intent=None, days=7)
        data = json.loads(raw)
        return Memory(data["metric_ids"], Intent(data["intent"]) if data["intent"] else None, data["days"])

    async def save(self, tenant: str, user: str, conversation_id: str, memory: Memory) -> None:
        key = self.key(tenant, user, conversation_id)
        raw = json.dumps({**asdict(memory), "intent": memory.intent.value if memory.intent else None})
        self._local[key] = raw
        if self.redis is not None:
            with suppress(RedisError, OSError):
                await self.redis.set(key, raw, ex=CONVERSATION_TTL_S)


def new_conversation_id() -> str:
    return f"c_{uuid.uuid4().hex[:16]}"


def check_conversation_id(value: str | None) -> str:
    if value is None:
        return new_conversation_id()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
        raise ValueError("conversationId: 1-64 letters, digits, _ or -")
    return value


async def chat_turn(
    agent: Agent, toolbox: Toolbox, store: ConversationStore, user: str, question: str, conversation_id: str
) -> AsyncIterator[Chunk]:
    memory = await store.load(toolbox.tenant, user, conversation_id)
    unverified = 0
    async for step in agent.answer(question.strip()[:MAX_QUESTION], memory, toolbox):
        if step.kind == "tool_call":
            yield Chunk("tool_call", step.text, conversation_id, tool=step.tool)
            continue
        checked, flagged = verify(step.text, toolbox)
        unverified += flagged
        for sentence in _SENTENCE.split(checked):
            yield Chunk("text", sentence + " ", conversation_id)
    await store.save(toolbox.tenant, user, conversation_id, memory)
    yield Chunk("done", "", conversation_id, unverified=unverified)
