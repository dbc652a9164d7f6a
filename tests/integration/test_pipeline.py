"""The pipeline end to end: signed webhooks → ARQ worker → thoughts → live events, exactly once."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from kg_service.ai.briefing import load_briefing
from kg_service.config import Settings
from kg_service.graph import audit
from kg_service.graph.db import Graph
from kg_service.graph.instances import list_instances
from kg_service.services import Services
from kg_service.workers.pipeline import PipelineRun
from kg_service.workers.settings import daily_evaluation

from .pipeline_stack import Stack, Subscriber, pipeline_stack, sign, sync_end

THOUGHT_EVENTS = "subscription { thoughtEvents { kind thoughtId thought { id summary } } }"


@pytest.fixture
async def stack(graph: Graph, settings: Settings, tmp_path: Path) -> AsyncIterator[Stack]:
    async with pipeline_stack(graph, settings, tmp_path) as made:
        yield made


async def queued(stack: Stack) -> int:
    redis = Redis(port=stack.redis_port)
    try:
        return int(await redis.zcard("arq:queue"))
    finally:
        await redis.aclose()


async def completed_runs(graph: Graph, tenant: str) -> int:
    events = await audit.list_events(graph, tenant, action="thoughts.generate")
    return sum(e.outcome == "completed" for e in events)


def ws(stack: Stack) -> str:
    return stack.api.replace("http://", "ws://") + "/graphql"


async def test_a_webhook_becomes_a_live_thought_event_for_its_tenant_only(stack: Stack, graph: Graph) -> None:
    a, b = stack.tenants
    async with (
        Subscriber(ws(stack), stack.token(a.id), THOUGHT_EVENTS) as mine,
        Subscriber(ws(stack), stack.token(b.id), THOUGHT_EVENTS) as theirs,
    ):
        response = await stack.webhook(a, "sync-1")
        assert response.status_code == 202 and response.json()["status"] == "queued"
        await stack.run_worker()
        events = await mine.wait_for(1, 10)
        assert events, "no thought event reached tenant A's subscriber"
        thought = events[0]["data"]["thoughtEvents"]
        assert thought["kind"] == "created" and thought["thought"]["summary"]
        await asyncio.sleep(0.5)
        assert theirs.messages == []
    assert {i.id for i in await list_instances(graph, a.id)} >= {thought["thoughtId"]}
    assert await list_instances(graph, b.id) == []


async def test_the_same_delivery_five_times_in_a_row_and_at_once_is_processed_once(
    stack: Stack, graph: Graph
) -> None:
    a, b = stack.tenants
    answers = [(await stack.webhook(a, "sync-seq")).json()["status"] for _ in range(5)]
    assert answers == ["queued"] + ["duplicate"] * 4
    together = await asyncio.gather(*(stack.webhook(b, "sync-par") for _ in range(5)))
    assert sorted(r.json()["status"] for r in together) == ["duplicate"] * 4 + ["queued"]
    assert await queued(stack) == 2
    await stack.run_worker()
    assert await completed_runs(graph, a.id) == 1
    assert await completed_runs(graph, b.id) == 1
    assert await queued(stack) == 0


async def test_a_job_that_runs_again_applies_its_effect_once(stack: Stack, graph: Graph) -> None:
    a = stack.tenants[0]
    response = await stack.webhook(a, "sync-twice")
    job_id = response.json()["job_id"]
    await stack.run_worker()
    first = {i.id for i in await list_instances(graph, a.id)}
    events = len(await audit.list_events(graph, a.id, limit=1000))
    # The same job once more, as ARQ would rerun it after a worker died past its commit.
    services = Services.build(stack.settings)
    try:
        report = await PipelineRun(services, a.id, job_id, "retry").run()
    finally:
        await services.close()
    assert report["ran"] is False and "already completed" in str(report["skipped"])
    assert {i.id for i in await list_instances(graph, a.id)} == first
    assert len(await audit.list_events(graph, a.id, limit=1000)) == events


async def test_a_killed_worker_leaves_a_job_that_reruns_once(stack: Stack, graph: Graph) -> None:
    a = stack.tenants[0]
    assert (await stack.webhook(a, "sync-kill")).status_code == 202
    worker = await asyncio.create_subprocess_exec(
        *_worker_command(),
        env=stack.env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with Subscriber(
        ws(stack), stack.token(a.id), "subscription { pipelineEvents { stage status } }"
    ) as sub:
        await sub.wait_for(1, 20)
        worker.kill()
        await worker.wait()
    assert await completed_runs(graph, a.id) <= 1
    # ARQ hands the job out again once its in-progress mark (job timeout + 10 s) lapses.
    deadline = asyncio.get_running_loop().time() + 60
    while await completed_runs(graph, a.id) == 0 and asyncio.get_running_loop().time() < deadline:
        await stack.run_worker()
        await asyncio.sleep(1)
    assert await completed_runs(graph, a.id) == 1
    await stack.run_worker()
    assert await completed_runs(graph, a.id) == 1


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "kg_service.cli", "worker"]


async def test_redis_down_answers_503_and_the_retry_is_processed(stack: Stack, graph: Graph) -> None:
    a = stack.tenants[0]
    await stack.stop_redis()
    refused = await stack.webhook(a, "sync-outage")
    assert refused.status_code == 503
    await stack.start_redis()
    retried = await stack.webhook(a, "sync-outage")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    await stack.run_worker()
    assert await completed_runs(graph, a.id) == 1


async def test_bad_deliveries_get_their_status_and_leave_no_job(stack: Stack) -> None:
    a = stack.tenants[0]
    body = sync_end(a.group, "sync-bad")
    url = f"{stack.api}/webhooks/fivetran"
    async with httpx.AsyncClient(timeout=10) as client:
        cases = [
            (await client.post(url, content=body), 401, "missing"),
            (
                await client.post(url, content=body, headers={"X-Fivetran-Signature-256": "00" * 32}),
                401,
                "match",
            ),
            (
                await client.post(url, content=b"{not json", headers={"X-Fivetran-Signature-256": "x"}),
                400,
                "JSON",
            ),
            (
                await _signed(client, url, a.secret, json.dumps({"event": "sync_end"}).encode()),
                400,
                "sync_id",
            ),
            (await _signed(client, url, a.secret, sync_end("group_nobody", "s")), 404, "connector_id"),
            (await _signed(client, url, a.secret, b"x" * 5000), 413, "bytes"),
            (await _signed(client, url, a.secret, sync_end(a.group, "s2", status="FAILURE")), 200, "ignored"),
            (
                await _signed(client, url, a.secret, sync_end(a.group, "s3", event="sync_start")),
                200,
                "ignored",
            ),
        ]
    for response, status, words in cases:
        assert response.status_code == status, (response.status_code, response.text)
        assert words in response.text
    upper = sync_end(a.group, "sync-upper")
    async with httpx.AsyncClient(timeout=10) as client:
        accepted = await client.post(
            url, content=upper, headers={"X-Fivetran-Signature-256": sign(a.secret, upper).upper()}
        )
    assert accepted.status_code == 202
    assert await queued(stack) == 1


async def _signed(client: httpx.AsyncClient, url: str, secret: str, body: bytes) -> httpx.Response:
    return await client.post(url, content=body, headers={"X-Fivetran-Signature-256": sign(secret, body)})


async def test_a_dbt_run_and_refresh_data_enter_the_same_pipeline(stack: Stack, graph: Graph) -> None:
    a = stack.tenants[0]
    run = json.dumps(
        {
            "eventId": "evt-1",
            "eventType": "job.run.completed",
            "accountId": 1,
            "data": {"jobId": "4242", "runId": "777", "runStatus": "Success"},
        }
    ).encode()
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{stack.api}/webhooks/dbt", content=run, headers={"Authorization": sign("dbt-secret", run)}
        )
        assert response.status_code == 202, response.text
        again = await client.post(
            f"{stack.api}/webhooks/dbt", content=run, headers={"Authorization": sign("dbt-secret", run)}
        )
        assert again.json()["status"] == "duplicate"
        mutation = await client.post(
            f"{stack.api}/graphql",
            json={"query": "mutation { refreshData { jobId queued } }"},
            headers={"Authorization": f"Bearer {stack.token(a.id)}"},
        )
    assert mutation.json()["data"]["refreshData"]["jobId"].startswith(f"pipeline:{a.id}:")
    await stack.run_worker()
    assert 1 <= await completed_runs(graph, a.id) <= 2


async def test_the_daily_run_queues_every_tenant_and_writes_the_briefing(stack: Stack, graph: Graph) -> None:
    services = Services.build(stack.settings)
    try:
        queued = await daily_evaluation({"services": services})
        for tenant in stack.tenants:
            assert any(job.startswith(f"pipeline:{tenant.id}:") for job in queued)
        a = stack.tenants[0]
        report = await PipelineRun(services, a.id, "daily-job", "daily").run()
    finally:
        await services.close()
    assert report["ran"] is True
    briefing = await load_briefing(graph, a.id, datetime.now(UTC).date())
    assert briefing is not None and briefing.sections and "need attention" in briefing.headline
