"""Live events per tenant: Redis pub/sub across processes, or an in-process bus without Redis.

Channels are `events:{tenant}`; a message is JSON `{"id": ..., "kind": ..., "payload": {...}}`. A
subscriber names its tenant and kinds and receives only those: the tenant comes from the caller's
token, so no subscriber can listen to another tenant's channel.

Every event is also appended to the tenant's event log (the Redis stream `events-log:{tenant}`, the
last `RETAINED` events) before it is published, and its id is the log's. A subscriber that names the
last id it saw (`after`) first receives what it missed from the log, then the live events, each
exactly once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from redis.asyncio import Redis

from kg_service.graph.definitions import TENANT_RE

log = logging.getLogger(__name__)

EventKind = Literal["thought", "metric", "pipeline", "briefing"]
QUEUE_SIZE = 1000
LISTEN_WAIT_S = 0.5
RETAINED = 1000
"""Events kept per tenant for replay (at least; Redis trims the log in whole blocks)."""
EVENT_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


@dataclass(frozen=True)
class Event:
    tenant: str
    kind: EventKind
    payload: dict[str, Any]
    id: str | None = None
    """The event's id in the tenant's log, given when it is published."""


def _checked(tenant: str) -> str:
    if not TENANT_RE.match(tenant):
        raise ValueError(f"not a tenant id: {tenant!r}")
    return tenant


def channel(tenant: str) -> str:
    return f"events:{_checked(tenant)}"


def event_log(tenant: str) -> str:
    return f"events-log:{_checked(tenant)}"


def check_event_id(value: str) -> str:
    """An event id as a subscriber names it (`after`); ValueError for anything else."""
    if not EVENT_ID.match(value):
        raise ValueError("after: an event id, as in an event's `id` (e.g. 1764489600000-0)")
    return value


def _order(event_id: str) -> tuple[int, int]:
    millis, _, sequence = event_id.partition("-")
    return int(millis), int(sequence)


def _encode(event: Event) -> str:
    return json.dumps({"id": event.id, "kind": event.kind, "payload": event.payload}, default=str)


def _decode(tenant: str, raw: str | bytes, event_id: str | None = None) -> Event | None:
    try:
        data = json.loads(raw)
        found = Event(tenant, data["kind"], data["payload"], event_id or data["id"])
    except (ValueError, KeyError, TypeError):
        found = None
    if found is None or not isinstance(found.id, str) or not EVENT_ID.match(found.id):
        log.warning("dropped a malformed event on %s", channel(tenant))
        return None
    return found


class EventBus(Protocol):
    async def publish(self, event: Event) -> Event:
        """Logs and publishes the event; returns it with its id."""
        ...

    def subscribe(
        self, tenant: str, kinds: set[EventKind], after: str | None = None
    ) -> AsyncIterator[Event]: ...


class _Replayed:
    """How far a resumed subscription's replay reached: a live event at or before that point was
    replayed already. Live events are not compared with each other: two publishers may deliver
    theirs in another order than the log's, and each must still arrive."""

    def __init__(self, after: str | None) -> None:
        self.upto = _order(after) if after else None

    def note(self, event: Event) -> None:
        if event.id is not None:
            self.upto = max(self.upto or (0, 0), _order(event.id))

    def fresh(self, event: Event) -> bool:
        return self.upto is None or (event.id is not None and _order(event.id) > self.upto)


class LocalBus:
    """Fan-out inside one process (tests, or a deployment without Redis), with its own event log."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._logs: dict[str, deque[Event]] = defaultdict(lambda: deque(maxlen=RETAINED))
        self._sequence = 0

    async def publish(self, event: Event) -> Event:
        self._sequence += 1
        logged = replace(event, id=f"{self._sequence}-0")
        self._logs[channel(event.tenant)].append(logged)
        for queue in list(self._queues[channel(event.tenant)]):
            with suppress(asyncio.QueueFull):
                queue.put_nowait(logged)
        return logged

    async def subscribe(
        self, tenant: str, kinds: set[EventKind], after: str | None = None
    ) -> AsyncIterator[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        subscribers = self._queues[channel(tenant)]
        subscribers.add(queue)
        replayed = _Replayed(after)
        try:
            if after is not None:
                for event in [e for e in self._logs[channel(tenant)] if replayed.fresh(e)]:
                    replayed.note(event)
                    if event.kind in kinds:
                        yield event
            while True:
                event = await queue.get()
                if replayed.fresh(event) and event.kind in kinds:
                    yield event
        finally:
            subscribers.discard(queue)


class RedisBus:
    """Logs to `events-log:{tenant}` and publishes to `events:{tenant}`; each subscription holds its
    own pub/sub connection."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def publish(self, event: Event) -> Event:
        # Logged first: whatever a live subscriber receives is in the log for one that reconnects.
        entry = await self.redis.xadd(
            event_log(event.tenant), {"event": _encode(event)}, maxlen=RETAINED, approximate=True
        )
        logged = replace(event, id=_text(entry))
        await self.redis.publish(channel(event.tenant), _encode(logged))
        return logged

    async def subscribe(
        self, tenant: str, kinds: set[EventKind], after: str | None = None
    ) -> AsyncIterator[Event]:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel(tenant))  # before reading the log, so nothing falls between
        replayed = _Replayed(after)
        try:
            if after is not None:
                for entry, fields in await self.redis.xrange(event_log(tenant), min=f"({after}", max="+"):
                    raw = fields.get("event") or fields.get(b"event")
                    event = _decode(tenant, raw, _text(entry)) if raw else None
                    if event is not None:
                        replayed.note(event)
                        if event.kind in kinds:
                            yield event
            while True:
                # Short waits rather than listen(): the shared client's socket timeout would end a
                # blocking read on a quiet channel.
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_WAIT_S)
                if message is None or message.get("type") != "message":
                    continue
                event = _decode(tenant, message["data"])
                if event is not None and replayed.fresh(event) and event.kind in kinds:
                    yield event
        finally:
            with suppress(Exception):
                await pubsub.unsubscribe(channel(tenant))
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode()


def event_bus(redis: Redis | None) -> EventBus:
    return RedisBus(redis) if redis is not None else LocalBus()
