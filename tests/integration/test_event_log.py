"""The Redis event bus on a real Redis: live events from several publishers all arrive, whatever
order they come in, and a resumed subscription drops only what its replay already delivered."""

from __future__ import annotations

import asyncio
import json
import uuid

from redis.asyncio import Redis

from kg_service.events import Event, RedisBus, channel


async def until_listening(redis: Redis, tenant: str) -> None:
    for _ in range(100):
        (_, listeners), *_ = await redis.pubsub_numsub(channel(tenant))
        if listeners:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the subscription never reached the channel")


def message(event_id: str, n: int) -> str:
    return json.dumps({"id": event_id, "kind": "thought", "payload": {"n": n}})


async def test_live_events_out_of_log_order_all_arrive(redis: Redis) -> None:
    """Two publishers: the one logged second may publish first. Neither event may be lost."""
    tenant = f"t_{uuid.uuid4().hex[:12]}"
    stream = RedisBus(redis).subscribe(tenant, {"thought"})
    first = asyncio.ensure_future(anext(stream))
    await until_listening(redis, tenant)
    await redis.publish(channel(tenant), message("20-0", 2))
    await redis.publish(channel(tenant), message("10-0", 1))
    second = await asyncio.wait_for(first, 5)
    arrived = [second.payload["n"], (await asyncio.wait_for(anext(stream), 5)).payload["n"]]
    assert arrived == [2, 1]
    await stream.aclose()


async def test_a_resumed_subscription_drops_only_what_it_replayed(redis: Redis) -> None:
    tenant = f"t_{uuid.uuid4().hex[:12]}"
    bus = RedisBus(redis)
    seen = await bus.publish(Event(tenant, "thought", {"n": 0}))
    missed = await bus.publish(Event(tenant, "thought", {"n": 1}))
    assert seen.id is not None and missed.id is not None
    stream = bus.subscribe(tenant, {"thought"}, after=seen.id)
    assert (await asyncio.wait_for(anext(stream), 5)).id == missed.id  # from the log
    pending = asyncio.ensure_future(anext(stream))
    await until_listening(redis, tenant)
    await redis.publish(channel(tenant), message(missed.id, 1))  # a late live copy of a replayed one
    later = await bus.publish(Event(tenant, "thought", {"n": 2}))
    assert (await asyncio.wait_for(pending, 5)).id == later.id
    await stream.aclose()
    await redis.delete(f"events-log:{tenant}")
