"""Live events per tenant: Redis pub/sub across processes, or an in-process bus without Redis.

Channels are `events:{tenant}`; a message is JSON `{"kind": ..., "payload": {...}}`. A subscriber
names its tenant and kinds and receives only those: the tenant comes from the caller's token, so
no subscriber can listen to another tenant's channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from redis.asyncio import Redis

from kg_service.graph.definitions import TENANT_RE

log = logging.getLogger(__name__)

EventKind = Literal["thought", "metric", "pipeline", "briefing"]
QUEUE_SIZE = 1000
LISTEN_WAIT_S = 0.5


@dataclass(frozen=True)
class Event:
    tenant: str
    kind: EventKind
    payload: dict[str, Any]


def channel(tenant: str) -> str:
    if not TENANT_RE.match(tenant):
        raise ValueError(f"not a tenant id: {tenant!r}")
    return f"events:{tenant}"


def _encode(event: Event) -> str:
    return json.dumps({"kind": event.kind, "payload": event.payload}, default=str)


def _decode(tenant: str, raw: str | bytes) -> Event | None:
    try:
        data = json.loads(raw)
        return Event(tenant, data["kind"], data["payload"])
    except (ValueError, KeyError, TypeError):
        log.warning("dropped a malformed event on %s", channel(tenant))
        return None


class EventBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    def subscribe(self, tenant: str, kinds: set[EventKind]) -> AsyncIterator[Event]: ...


class LocalBus:
    """Fan-out inside one process (tests, or a deployment without Redis)."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    async def publish(self, event: Event) -> None:
        for queue in list(self._queues[channel(event.tenant)]):
            with suppress(asyncio.QueueFull):
                queue.put_nowait(event)

    async def subscribe(self, tenant: str, kinds: set[EventKind]) -> AsyncIterator[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        subscribers = self._queues[channel(tenant)]
        subscribers.add(queue)
        try:
            while True:
                event = await queue.get()
                if event.kind in kinds:
                    yield event
        finally:
            subscribers.discard(queue)


class RedisBus:
    """Publishes to `events:{tenant}`; each subscription holds its own pub/sub connection."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def publish(self, event: Event) -> None:
        await self.redis.publish(channel(event.tenant), _encode(event))

    async def subscribe(self, tenant: str, kinds: set[EventKind]) -> AsyncIterator[Event]:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel(tenant))
        try:
            while True:
                # Short waits rather than listen(): the shared client's socket timeout would end a
                # blocking read on a quiet channel.
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_WAIT_S)
                if message is None or message.get("type") != "message":
                    continue
                event = _decode(tenant, message["data"])
                if event is not None and event.kind in kinds:
                    yield event
        finally:
            with suppress(Exception):
                await pubsub.unsubscribe(channel(tenant))
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def event_bus(redis: Redis | None) -> EventBus:
    return RedisBus(redis) if redis is not None else LocalBus()
