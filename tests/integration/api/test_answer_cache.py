"""Whole answers served from the answer cache: only while nothing they were computed from changed,
never across tenants, never the caller's own or a failed answer. Every check runs over HTTP against
the running server, with a tenant of the module's own so the writes stay here."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from redis.asyncio import Redis

from kg_service.config import Settings
from kg_service.graph.catalog import CypherText
from kg_service.graph.db import Graph
from kg_service.identity import Role

from .conftest import Demo, Tenant, error_codes

BOARD = """query($id: ID!) { thoughtlet(id: $id) {
  id metrics { id name latest { date value } history(days: 30) { value } changePct status } } }"""
ACTIVE = "{ thoughts { id definition { id } } }"
DISMISS = "mutation($id: ID!) { dismissThought(id: $id) { id status } }"
RENAME: CypherText = "MATCH (m:Metric {tenant: $tenant, id: $id}) SET m.name = $name"


@pytest.fixture(scope="module")
async def store(demo: Demo) -> Tenant:
    return await demo.make_tenant("acme")


async def test_a_repeated_dashboard_costs_no_database_query(demo: Demo, store: Tenant) -> None:
    api = demo.api

    async def board(board_id: str) -> dict[str, Any]:  # each time from a new user of the tenant
        return await api.execute(api.token(store, Role.VIEWER), BOARD, id=board_id)

    first, cost = await api.measure(lambda: board("google_ads"))
    assert cost.cached_answers == 0 and cost.warehouse + cost.graph > 0
    # Another user of the tenant, same question: the stored answer, without touching a database.
    again, cost = await api.measure(lambda: board("google_ads"))
    assert again == first
    assert (cost.cached_answers, cost.graph, cost.warehouse) == (1, 0, 0)
    # Other variables are another question.
    other, cost = await api.measure(lambda: board("meta_ads"))
    assert cost.cached_answers == 0 and other["thoughtlet"]["id"] == "meta_ads"


async def test_a_mutation_outdates_the_cached_answers_at_once(demo: Demo, store: Tenant) -> None:
    api = demo.api
    viewer, analyst = api.token(store, Role.VIEWER), api.token(store, Role.ANALYST)
    spike = store.thoughts["google_cpc_spike"]
    before = await api.execute(viewer, ACTIVE)
    assert spike in {t["id"] for t in before["thoughts"]}
    _, cost = await api.measure(lambda: api.execute(viewer, ACTIVE))
    assert cost.cached_answers == 1

    await api.execute(analyst, DISMISS, id=spike)
    after, cost = await api.measure(lambda: api.execute(viewer, ACTIVE))
    assert cost.cached_answers == 0
    assert {t["id"] for t in after["thoughts"]} == {t["id"] for t in before["thoughts"]} - {spike}


async def test_a_graph_write_by_another_process_outdates_the_cached_answers(
    demo: Demo, graph: Graph, store: Tenant
) -> None:
    """This test process writes like any worker or command would; the server, which also keeps the
    tenant's definitions in memory, answers with the new name on the next request."""
    api = demo.api
    token = api.token(store, Role.VIEWER)
    query = '{ metric(id: "cpc_google_ads") { name } }'
    original = (await api.execute(token, query))["metric"]["name"]
    _, cost = await api.measure(lambda: api.execute(token, query))
    assert cost.cached_answers == 1
    try:
        await graph.write(RENAME, tenant=store.id, id="cpc_google_ads", name="Cost per click (renamed)")
        renamed, cost = await api.measure(lambda: api.execute(token, query))
        assert renamed["metric"]["name"] == "Cost per click (renamed)"
        assert cost.cached_answers == 0 and cost.graph > 0  # the definitions were read again
    finally:
        await graph.write(RENAME, tenant=store.id, id="cpc_google_ads", name=original)


async def test_new_warehouse_data_outdates_the_cached_answers(demo: Demo, store: Tenant) -> None:
    """A refresh bumps the tenant's value generation; the next dashboard reads the warehouse."""
    api = demo.api
    token = api.token(store, Role.VIEWER)
    await api.execute(token, BOARD, id="email_klaviyo")
    redis = Redis.from_url(str(api.settings.redis.url))
    try:
        await redis.incr(f"gen:{store.id}")
    finally:
        await redis.aclose()
    _, cost = await api.measure(lambda: api.execute(token, BOARD, id="email_klaviyo"))
    assert cost.cached_answers == 0 and cost.warehouse > 0


async def test_an_answer_is_never_served_to_another_tenant(demo: Demo, store: Tenant) -> None:
    """acme declares a metric rare_seeds does not: once acme's answer is cached, the same question
    from tenant B is still answered from B's own graph."""
    api = demo.api
    query = '{ metric(id: "high_ticket_orders_magento") { id } thoughtlets { id name } }'
    mine = await api.execute(api.token(store, Role.VIEWER), query)
    await api.execute(api.token(store, Role.VIEWER), query)
    theirs, cost = await api.measure(lambda: api.execute(api.token(demo.b, Role.VIEWER), query))
    assert mine["metric"] is not None and theirs["metric"] is None
    assert cost.cached_answers == 0


async def test_the_callers_own_and_failed_answers_are_not_cached(demo: Demo, store: Tenant) -> None:
    api = demo.api
    for sub in ("ana", "bo"):
        me = await api.execute(api.token(store, Role.VIEWER, sub=sub), "{ me { sub } }")
        assert me == {"me": {"sub": sub}}
    failing = '{ metric(id: "roas") { id drivers(days: 0) { metricId } } }'
    for _ in range(2):
        answer, cost = await api.measure(lambda: api.graphql(failing, api.token(store, Role.VIEWER)))
        assert error_codes(answer) == ["INVALID_INPUT"] and cost.cached_answers == 0


async def test_an_edit_made_around_the_service_shows_after_cache_outdate(
    demo: Demo, settings: Settings, store: Tenant
) -> None:
    """An analyst's hand edit in Neo4j Browser is not announced: the cached answer stays until it
    expires, or until `kg-service cache outdate` says the tenant's graph changed."""
    api = demo.api
    token = api.token(store, Role.VIEWER)
    query = '{ metric(id: "ctr_google_ads") { name } }'
    original = (await api.execute(token, query))["metric"]["name"]
    browser = Graph.connect(settings.neo4j)  # a session that tells nobody about its writes
    try:
        await browser.write(RENAME, tenant=store.id, id="ctr_google_ads", name="CTR (edited by hand)")
        assert (await api.execute(token, query))["metric"]["name"] == original
        outdate = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "kg_service.cli", "cache", "outdate", "--tenant", store.id],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert outdate.returncode == 0, outdate.stderr
        assert outdate.stdout.strip() == f"{store.id}: cached answers outdated"
        assert (await api.execute(token, query))["metric"]["name"] == "CTR (edited by hand)"
    finally:
        await browser.write(RENAME, tenant=store.id, id="ctr_google_ads", name=original)
        await browser.close()
