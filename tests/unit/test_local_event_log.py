"""The in-process bus (no Redis) keeps an event log like the Redis one: ids in publishing order, and a
subscriber that names the last id it saw gets what it missed, then live events, each once."""

from __future__ import annotations

import asyncio

import pytest

from kg_service.events import Event, LocalBus, check_event_id


async def test_a_resumed_subscriber_gets_the_missed_events_then_the_live_ones() -> None:
    bus = LocalBus()
    first = await bus.publish(Event("shop", "thought", {"n": 1}))
    await bus.publish(Event("shop", "thought", {"n": 2}))
    await bus.publish(Event("shop", "pipeline", {"n": 3}))  # another kind: not for this subscriber
    await bus.publish(Event("other", "thought", {"n": 4}))  # another tenant
    await bus.publish(Event("shop", "thought", {"n": 5}))
    assert first.id is not None
    stream = bus.subscribe("shop", {"thought"}, after=first.id)
    got = [(await anext(stream)).payload["n"] for _ in range(2)]
    assert got == [2, 5]
    live = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    await bus.publish(Event("shop", "thought", {"n": 6}))
    assert (await asyncio.wait_for(live, 1)).payload["n"] == 6
    await stream.aclose()


async def test_without_a_resume_point_only_live_events_arrive() -> None:
    bus = LocalBus()
    await bus.publish(Event("shop", "thought", {"n": 1}))
    stream = bus.subscribe("shop", {"thought"})
    pending = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    published = await bus.publish(Event("shop", "thought", {"n": 2}))
    event = await asyncio.wait_for(pending, 1)
    assert event.payload["n"] == 2 and event.id == published.id
    await stream.aclose()


def test_resume_points_are_checked() -> None:
    assert check_event_id("1764489600000-0") == "1764489600000-0"
    for bad in ("", "-", "12", "a-1", "1-2-3", "1 -0", "9" * 21 + "-0"):
        with pytest.raises(ValueError, match="after"):
            check_event_id(bad)
