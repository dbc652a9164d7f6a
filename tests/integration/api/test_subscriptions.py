"""Live events over graphql-transport-ws: what another process publishes on a tenant's Redis channel
reaches that tenant's subscribers, resolved within their tenant, and nobody else's."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import pytest
from gql import GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from redis.asyncio import Redis

from kg_service.identity import Role

from .conftest import Api, Demo

THOUGHT_EVENTS = """subscription {
  thoughtEvents { id kind thoughtId definitionId at thought { id summary status definition { id } } }
}"""
RESUMED = "subscription($after: ID) { thoughtEvents(after: $after) { id kind thoughtId } }"
PIPELINE_EVENTS = "subscription { pipelineEvents { jobId stage status detail at } }"
PUBLISHER = """
import asyncio, json, sys
from redis.asyncio import Redis
from kg_service.events import Event, RedisBus

async def main():
    redis = Redis.from_url(sys.argv[1], decode_responses=True)
    event = await RedisBus(redis).publish(Event(sys.argv[2], sys.argv[3], json.loads(sys.argv[4])))
    await redis.aclose()
    print(event.id)

asyncio.run(main())
"""
QUIET_S = 2.0
"""How long a subscriber that should receive nothing is watched after the others received."""


@pytest.fixture
async def redis(demo: Demo) -> AsyncIterator[Redis]:
    client = Redis.from_url(str(demo.api.settings.redis.url))
    yield client
    await client.aclose()


@asynccontextmanager
async def subscribed(
    api: Api, token: str, query: str, **variables: Any
) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """A websocket subscriber running in the background; what it receives lands in the queue."""
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def listen() -> None:
        async with api.ws_client(token) as session:
            async for result in session.subscribe(GraphQLRequest(query, variable_values=variables)):
                await received.put(result)

    task = asyncio.create_task(listen())
    try:
        yield received
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def listening(redis: Redis, tenant: str, count: int) -> None:
    """Waits until `count` subscriptions hold the tenant's channel, so no event is published too early."""
    for _ in range(100):
        (_, listeners), *_ = await redis.pubsub_numsub(f"events:{tenant}")
        if listeners >= count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"no subscriber reached events:{tenant}")


async def publish_elsewhere(api: Api, tenant: str, kind: str, payload: dict[str, Any]) -> str:
    """Publishes from another process with the project's bus, as the pipeline worker does; returns
    the event's id in the tenant's log."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PUBLISHER,
        str(api.settings.redis.url),
        tenant,
        kind,
        json.dumps(payload),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def nothing_arrives(queue: asyncio.Queue[dict[str, Any]]) -> None:
    with pytest.raises(TimeoutError):
        received = await asyncio.wait_for(queue.get(), QUIET_S)
        pytest.fail(f"received another tenant's event: {received}")


def thought_event(thought_id: str, definition_id: str, change: str = "escalated") -> dict[str, Any]:
    return {
        "id": thought_id,
        "change": change,
        "definition_id": definition_id,
        "at": datetime.now(UTC).isoformat(),
    }


async def test_a_thought_event_reaches_only_its_tenant(demo: Demo, redis: Redis) -> None:
    api = demo.api
    spike = demo.a.thoughts["google_cpc_spike"]
    a_token, b_token = api.token(demo.a, Role.VIEWER), api.token(demo.b, Role.ADMIN)
    async with (
        subscribed(api, a_token, THOUGHT_EVENTS) as a_events,
        subscribed(api, b_token, THOUGHT_EVENTS) as b_events,
    ):
        await listening(redis, demo.a.id, 1)
        await listening(redis, demo.b.id, 1)
        event_sent = thought_event(spike, "google_cpc_spike")
        published = await publish_elsewhere(api, demo.a.id, "thought", event_sent)

        event = (await asyncio.wait_for(a_events.get(), 10))["thoughtEvents"]
        assert event["id"] == published
        assert event["kind"] == "escalated" and event["thoughtId"] == spike
        assert event["definitionId"] == "google_cpc_spike"
        assert event["thought"]["id"] == spike and event["thought"]["status"] == "ACTIVE"
        assert event["thought"]["summary"].startswith("Google Ads CPC Spike: Cost Per Click rose")
        await nothing_arrives(b_events)

        # B's subscriber works: it gets B's own events.
        email = demo.b.thoughts["email_deliverability_risk"]
        await publish_elsewhere(api, demo.b.id, "thought", thought_event(email, "email_deliverability_risk"))
        mine = (await asyncio.wait_for(b_events.get(), 10))["thoughtEvents"]
        assert mine["thought"]["definition"]["id"] == "email_deliverability_risk"
        assert a_events.empty()


async def test_an_event_naming_another_tenants_thought_resolves_to_nothing(demo: Demo, redis: Redis) -> None:
    """The thought of an event is read within the subscriber's tenant, whatever the event says."""
    api = demo.api
    b_thought = demo.b.thoughts["tracking_breakage"]
    async with subscribed(api, api.token(demo.a, Role.VIEWER), THOUGHT_EVENTS) as a_events:
        await listening(redis, demo.a.id, 1)
        await publish_elsewhere(api, demo.a.id, "thought", thought_event(b_thought, "tracking_breakage"))
        event = (await asyncio.wait_for(a_events.get(), 10))["thoughtEvents"]
        assert event["thoughtId"] == b_thought and event["thought"] is None


async def test_each_event_reads_the_thought_afresh(demo: Demo, redis: Redis) -> None:
    """One websocket keeps one context; a second event must not see the first event's reads."""
    api = demo.api
    shop = await demo.make_tenant("acme")
    fatigue = shop.thoughts["creative_fatigue"]
    async with subscribed(api, api.token(shop, Role.VIEWER), THOUGHT_EVENTS) as events:
        await listening(redis, shop.id, 1)
        await publish_elsewhere(
            api, shop.id, "thought", thought_event(fatigue, "creative_fatigue", "created")
        )
        first = (await asyncio.wait_for(events.get(), 10))["thoughtEvents"]
        assert first["thought"]["status"] == "ACTIVE"

        analyst = api.token(shop, Role.ANALYST)
        await api.execute(
            analyst, "mutation($id: ID!) { snoozeThought(id: $id, hours: 1) { id } }", id=fatigue
        )
        await publish_elsewhere(
            api, shop.id, "thought", thought_event(fatigue, "creative_fatigue", "snoozed")
        )
        second = (await asyncio.wait_for(events.get(), 10))["thoughtEvents"]
        assert second["kind"] == "snoozed" and second["thought"]["status"] == "SNOOZED"


async def test_pipeline_events_reach_only_their_tenant(demo: Demo, redis: Redis) -> None:
    api = demo.api
    a_token, b_token = api.token(demo.a, Role.ANALYST), api.token(demo.b, Role.ANALYST)
    payload = {
        "job_id": f"pipeline:{demo.a.id}:1",
        "stage": "transform",
        "status": "failed",
        "detail": "RetryableError: DuckDB query failed",
        "at": datetime.now(UTC).isoformat(),
    }
    async with (
        subscribed(api, a_token, PIPELINE_EVENTS) as a_events,
        subscribed(api, b_token, PIPELINE_EVENTS) as b_events,
    ):
        await listening(redis, demo.a.id, 1)
        await listening(redis, demo.b.id, 1)
        # A thought event on the same channel is not a pipeline event: the subscriber skips it.
        await publish_elsewhere(
            api, demo.a.id, "thought", thought_event(demo.a.thoughts["google_cpc_spike"], "x")
        )
        await publish_elsewhere(api, demo.a.id, "pipeline", payload)
        event = (await asyncio.wait_for(a_events.get(), 10))["pipelineEvents"]
        assert (event["jobId"], event["stage"], event["status"], event["detail"]) == (
            payload["job_id"],
            "transform",
            "failed",
            "RetryableError: DuckDB query failed",
        )
        assert datetime.fromisoformat(event["at"]) == datetime.fromisoformat(payload["at"])
        assert a_events.empty()
        await nothing_arrives(b_events)


async def test_a_resumed_subscription_replays_what_it_missed_once(demo: Demo, redis: Redis) -> None:
    """A client that reconnects names the last event it saw: it first gets the events published
    while it was away, from the tenant's log, then the live ones, none twice, none of another tenant."""
    api = demo.api
    spike = demo.a.thoughts["google_cpc_spike"]
    seen = await publish_elsewhere(api, demo.a.id, "thought", thought_event(spike, "x", "created"))
    missed = [
        await publish_elsewhere(api, demo.a.id, "thought", thought_event(spike, "x", change))
        for change in ("escalated", "snoozed")
    ]
    await publish_elsewhere(api, demo.a.id, "pipeline", {"job_id": "j", "stage": "s", "status": "ok"})
    async with (
        subscribed(api, api.token(demo.a, Role.VIEWER), RESUMED, after=seen) as resumed,
        subscribed(api, api.token(demo.b, Role.VIEWER), RESUMED, after=seen) as other_tenant,
    ):
        replayed = [(await asyncio.wait_for(resumed.get(), 10))["thoughtEvents"] for _ in missed]
        assert [e["id"] for e in replayed] == missed
        assert [e["kind"] for e in replayed] == ["escalated", "snoozed"]
        await listening(redis, demo.a.id, 1)
        live = await publish_elsewhere(api, demo.a.id, "thought", thought_event(spike, "x", "resolved"))
        assert (await asyncio.wait_for(resumed.get(), 10))["thoughtEvents"]["id"] == live
        await nothing_arrives(resumed)  # nothing twice
        assert other_tenant.empty()


async def test_a_malformed_resume_point_is_refused(demo: Demo) -> None:
    async with demo.api.ws_client(demo.api.token(demo.a, Role.VIEWER)) as session:
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(GraphQLRequest(RESUMED, variable_values={"after": "$"})):
                pass
    error = (refused.value.errors or [{}])[0]
    assert error["extensions"]["code"] == "INVALID_INPUT" and "after" in error["message"]
