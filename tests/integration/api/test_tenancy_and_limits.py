"""The API's walls: another tenant's ids behave exactly like made-up ones; bad credentials, oversized
or abusive requests are refused before any database query; one user cannot exceed the rate limit;
introspection is for development only; unexpected errors are masked; /readyz names each dependency."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import websockets
from cryptography.hazmat.primitives.asymmetric import rsa
from gql import GraphQLRequest
from gql.transport.exceptions import TransportError, TransportQueryError

from kg_service.graph.action_requests import list_requests
from kg_service.graph.audit import list_events
from kg_service.graph.db import Graph
from kg_service.graph.instances import get_instance, save_instance
from kg_service.identity import Role
from tests.identity_provider import running_provider, signed

from .conftest import Api, Counters, Demo, error_codes, free_port, second_server

MADE_UP_THOUGHT = "ti_0123456789abcdef0123"
MADE_UP_REQUEST = "ar_0123456789abcdef01234567"
ACME_ONLY_METRIC = "high_ticket_orders_magento"
MADE_UP_METRIC = "made_up_orders_magento"


def same_answer(api_answer: dict[str, Any], probe: str, made_up: dict[str, Any], made_up_id: str) -> None:
    """The two answers are identical once each names its own id as <id>: nothing tells them apart."""
    assert json.dumps(api_answer).replace(probe, "<id>") == json.dumps(made_up).replace(made_up_id, "<id>")


def unchanged(before: Counters, after: Counters) -> None:
    assert (after.graph, after.warehouse) == (before.graph, before.warehouse), "a database was queried"


# ---- tenancy ------------------------------------------------------------------------------------


async def test_another_tenants_ids_read_like_missing_ones(demo: Demo) -> None:
    api = demo.api
    token = api.token(demo.b, Role.ADMIN, sub="bea")
    spike = demo.a.thoughts["google_cpc_spike"]
    probes = [
        (
            "query($id: ID!) { metric(id: $id) { id name latest { value } } }",
            ACME_ONLY_METRIC,
            MADE_UP_METRIC,
        ),
        ("query($id: ID!) { thought(id: $id) { id summary evidence { metricId } } }", spike, MADE_UP_THOUGHT),
        (
            "query($id: ID!) { blastRadius(metricId: $id, changePct: 10) { affected { metric { id } } } }",
            ACME_ONLY_METRIC,
            MADE_UP_METRIC,
        ),
    ]
    for query, probe, made_up in probes:
        answer = await api.graphql(query, token, id=probe)
        missing = await api.graphql(query, token, id=made_up)
        same_answer(answer, probe, missing, made_up)
        assert demo.a.id not in json.dumps(answer)
    assert (await api.graphql(probes[0][0], token, id=ACME_ONLY_METRIC))["data"] == {"metric": None}
    assert (await api.graphql(probes[1][0], token, id=spike))["data"] == {"thought": None}
    radius = await api.graphql(probes[2][0], token, id=ACME_ONLY_METRIC)
    assert error_codes(radius) == ["NOT_FOUND"]


async def test_shared_ids_resolve_to_the_callers_own_data(demo: Demo) -> None:
    """Dashboards and metric ids come from shared seeds: B asking for them sees only B's numbers."""
    api = demo.api
    a_token, b_token = api.token(demo.a, Role.VIEWER), api.token(demo.b, Role.VIEWER)
    query = """{ thoughtlet(id: "ecommerce_magento") { metrics { id latest { date value } } }
                 metrics { id } thoughts(status: null) { id } actionRequests { id thoughtId }
                 search(text: "high ticket orders", limit: 50) { id } }"""
    a_view, b_view = await api.execute(a_token, query), await api.execute(b_token, query)
    b_days = {m["latest"]["date"] for m in b_view["thoughtlet"]["metrics"] if m["latest"]}
    a_days = {m["latest"]["date"] for m in a_view["thoughtlet"]["metrics"] if m["latest"]}
    assert b_days == {"2026-09-30"} and a_days == {"2026-07-15"}
    assert ACME_ONLY_METRIC in {m["id"] for m in a_view["metrics"]}
    assert ACME_ONLY_METRIC not in {m["id"] for m in b_view["metrics"]}
    assert ACME_ONLY_METRIC not in {h["id"] for h in b_view["search"]}
    assert not {t["id"] for t in b_view["thoughts"]} & set(demo.a.thoughts.values())
    assert {r["thoughtId"] for r in b_view["actionRequests"]} <= set(demo.b.thoughts.values())
    assert demo.a.id not in json.dumps(b_view)


async def test_another_tenants_ids_cannot_be_changed(demo: Demo, graph: Graph) -> None:
    api = demo.api
    token = api.token(demo.b, Role.ADMIN, sub="bea")
    spike = demo.a.thoughts["google_cpc_spike"]
    a_requests = await list_requests(graph, demo.a.id)
    request = next(
        r for r in a_requests if r.thought_id == spike and r.action_id == "review_auction_insights"
    )
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    probes = [
        ("mutation($id: ID!) { dismissThought(id: $id) { id } }", {}, spike, MADE_UP_THOUGHT),
        ("mutation($id: ID!) { snoozeThought(id: $id, hours: 2) { id } }", {}, spike, MADE_UP_THOUGHT),
        (
            'mutation($id: ID!) { requestAction(thoughtId: $id, actionId: "review_auction_insights") {id} }',
            {},
            spike,
            MADE_UP_THOUGHT,
        ),
        ("mutation($id: ID!) { approveAction(id: $id) { id } }", {}, request.id, MADE_UP_REQUEST),
        (
            'mutation($id: ID!) { rejectAction(id: $id, reason: "no") { id } }',
            {},
            request.id,
            MADE_UP_REQUEST,
        ),
        ("mutation($id: ID!) { executeAction(id: $id) { id } }", {}, request.id, MADE_UP_REQUEST),
        (
            "mutation($id: ID!, $at: DateTime!) { scheduleAction(id: $id, at: $at) { id } }",
            {"at": at},
            request.id,
            MADE_UP_REQUEST,
        ),
    ]
    for query, extra, probe, made_up in probes:
        answer = await api.graphql(query, token, id=probe, **extra)
        missing = await api.graphql(query, token, id=made_up, **extra)
        assert error_codes(answer) == ["NOT_FOUND"], (query, answer)
        same_answer(answer, probe, missing, made_up)

    instance = await get_instance(graph, demo.a.id, spike)
    assert instance is not None and instance.status.value == "active"
    assert await list_requests(graph, demo.a.id) == a_requests
    for tenant in (demo.a.id, demo.b.id):
        assert [e for e in await list_events(graph, tenant, limit=1000) if e.user == "bea"] == []


# ---- authentication -----------------------------------------------------------------------------


def forged(demo: Demo, **changes: Any) -> str:
    """A token for tenant A with some claims changed (and signed with `secret` / `algorithm`)."""
    auth = demo.api.settings.auth
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "mallory",
        "tenant_id": demo.a.id,
        "roles": ["ADMIN"],
        "iat": now,
        "exp": now + 600,
        "aud": auth.audience,
        "iss": auth.issuer,
    }
    secret = changes.pop("secret", auth.secret.get_secret_value())
    algorithm = changes.pop("algorithm", "HS256")
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm=algorithm)


def unsigned(demo: Demo) -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    body = jwt.utils.base64url_encode(
        json.dumps(
            {"sub": "mallory", "tenant_id": demo.a.id, "roles": ["ADMIN"], "exp": int(time.time()) + 600}
        ).encode()
    ).decode()
    return f"{header}.{body}."


async def test_requests_without_valid_credentials_are_refused(demo: Demo) -> None:
    api = demo.api
    now = int(time.time())
    bad: dict[str, dict[str, str]] = {
        "no header": {},
        "empty": {"Authorization": ""},
        "not a jwt": {"Authorization": "Bearer not-a-token"},
        "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "expired": {"Authorization": f"Bearer {forged(demo, iat=now - 7200, exp=now - 3600)}"},
        "wrong audience": {"Authorization": f"Bearer {forged(demo, aud='someone-else')}"},
        "wrong issuer": {"Authorization": f"Bearer {forged(demo, iss='someone-else')}"},
        "wrong secret": {
            "Authorization": f"Bearer {forged(demo, secret='another-secret-that-is-long-enough-xx')}"
        },
        "other algorithm": {"Authorization": f"Bearer {forged(demo, algorithm='HS384')}"},
        "unsigned": {"Authorization": f"Bearer {unsigned(demo)}"},
        "no tenant": {"Authorization": f"Bearer {forged(demo, tenant_id=None)}"},
        "bad tenant": {"Authorization": f"Bearer {forged(demo, tenant_id='../acme')}"},
        "unknown role": {"Authorization": f"Bearer {forged(demo, roles=['ROOT'])}"},
        "no roles": {"Authorization": f"Bearer {forged(demo, roles=[])}"},
        "no exp": {"Authorization": f"Bearer {forged(demo, exp=None)}"},
    }
    before = await api.counters()
    for name, headers in bad.items():
        response = await api.http.post("/graphql", json={"query": "{ metrics { id } }"}, headers=headers)
        assert response.status_code == 401, (name, response.text)
        assert response.headers["www-authenticate"] == "Bearer", name
        assert "metrics" not in response.text and demo.a.id not in response.text
    unchanged(before, await api.counters())
    valid = await api.post({"query": "{ me { tenantId } }"}, api.token(demo.a, Role.VIEWER))
    assert valid.status_code == 200 and valid.json()["data"]["me"]["tenantId"] == demo.a.id


async def test_an_identity_providers_rs256_tokens_are_accepted(demo: Demo) -> None:
    """A server configured with a JWKS URL serves the provider's RS256 tokens (HTTP and websocket)
    and still the HS256 ones it mints; a token signed by a key the provider does not publish is a 401."""
    with running_provider() as provider:
        key = provider.add_key("2026-11")
        async with second_server(demo.data_dir, "jwks", KG_JWT_JWKS_URL=provider.url) as api:
            token = signed(key, "2026-11", tenant_id=demo.a.id, sub="sso-ana")
            answer = await api.graphql("{ me { sub tenantId roles } }", token)
            assert answer["data"]["me"] == {"sub": "sso-ana", "tenantId": demo.a.id, "roles": ["ANALYST"]}
            async with api.ws_client(token) as session:
                me = await session.execute(GraphQLRequest("{ me { sub } }"))
            assert me == {"me": {"sub": "sso-ana"}}
            minted = api.token(demo.a, Role.VIEWER, sub="local")
            assert (await api.graphql("{ me { sub } }", minted))["data"]["me"]["sub"] == "local"
            impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            forged = signed(impostor, "2026-11", tenant_id=demo.a.id)
            refused = await api.post({"query": "{ me { sub } }"}, forged)
            assert refused.status_code == 401
        assert provider.fetches == 1


async def ws_close_code(
    url: str, subprotocols: list[str] | None, messages: list[dict[str, Any]]
) -> int | None:
    """Sends `messages` on a raw websocket and returns the code the server closed it with."""
    async with websockets.connect(url, subprotocols=subprotocols) as socket:  # type: ignore[arg-type]
        try:
            for message in messages:
                await socket.send(json.dumps(message))
            while True:
                await asyncio.wait_for(socket.recv(), 5)
        except websockets.ConnectionClosed:
            return socket.close_code
    raise AssertionError("the server did not close the websocket")


async def test_websockets_need_the_current_protocol_and_a_valid_token(demo: Demo) -> None:
    api = demo.api
    url = api.server.ws_url
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": "subscription { thoughtEvents { kind } }"},
    }
    good = api.token(demo.a, Role.VIEWER)
    expired = forged(demo, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)

    # The legacy protocol (graphql-ws, where old strawberry releases let auth be bypassed) is refused.
    legacy_init = {"type": "connection_init", "payload": {"authorization": f"Bearer {good}"}}
    assert await ws_close_code(url, ["graphql-ws"], [legacy_init]) == 4406
    assert await ws_close_code(url, None, [legacy_init]) == 4406

    protocol = ["graphql-transport-ws"]
    for payload in (
        {},
        {"authorization": "Bearer nope"},
        {"authorization": f"Bearer {expired}"},
        {"token": ""},
    ):
        assert await ws_close_code(url, protocol, [{"type": "connection_init", "payload": payload}]) == 4403
    assert await ws_close_code(url, protocol, [subscribe]) == 4401  # subscribing before connection_init

    # The gql client sees the same refusal.
    with pytest.raises(TransportError):
        async with api.ws_client("nope") as session:
            await session.execute(GraphQLRequest("{ me { sub } }"))


# ---- limits -------------------------------------------------------------------------------------


def deep_query(levels: int) -> str:
    return '{ metric(id: "cpc") ' + "{ affects { metric " * levels + "{ id }" + " } }" * levels + " }"


async def test_abusive_documents_are_refused_before_any_database_query(demo: Demo) -> None:
    api = demo.api
    token = api.token(demo.a, Role.VIEWER)
    allowed = await api.graphql(deep_query(4), token)  # depth 10: the deepest accepted
    assert "errors" not in allowed
    cases = {
        "depth 11": (deep_query(5), "exceeds maximum operation depth of 10"),
        "21 aliases": (
            "{ " + " ".join(f"a{i}: metrics {{ id }}" for i in range(21)) + " }",
            "21 aliases found",
        ),
        "2001 tokens": (
            "{ metrics { " + "id " * 2000 + "} }",
            "Syntax Error: Document contains more than 2000 tokens. Parsing aborted.",
        ),
    }
    for name, (query, message) in cases.items():
        before = await api.counters()
        answer = await api.graphql(query, token)
        unchanged(before, await api.counters())
        assert answer["data"] is None, name
        assert message in answer["errors"][0]["message"], (name, answer)
        assert error_codes(answer) == ["GRAPHQL_VALIDATION_FAILED"], (name, answer)


async def test_oversized_and_batched_bodies_are_refused(demo: Demo) -> None:
    api = demo.api
    token = api.token(demo.a, Role.VIEWER)
    limit = api.settings.api.max_body_bytes
    padded = json.dumps({"query": "{ metrics { id } }", "variables": {"pad": "x" * limit}})
    before = await api.counters()

    declared = await api.post(padded, token)
    assert declared.status_code == 413 and declared.json() == {"error": f"request body over {limit} bytes"}

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(padded), 8192):
            yield padded[start : start + 8192].encode()

    streamed = await api.http.post(
        "/graphql",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413  # no Content-Length: counted as it arrives

    batched = await api.post([{"query": "{ metrics { id } }"}, {"query": "{ thoughts { id } }"}], token)
    assert batched.status_code == 400 and "Batching is not enabled" in batched.text
    over_get = await api.http.get(
        "/graphql", params={"query": "{ metrics { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert over_get.status_code == 400
    unchanged(before, await api.counters())


@pytest.fixture(scope="module")
async def limited(demo: Demo) -> AsyncIterator[Api]:
    """A second server over the same data that allows 3 requests per user per minute, 3 failed
    authentications per client address, and 1 s per query."""
    async with second_server(
        demo.data_dir,
        "limited",
        KG_API_RATE_LIMIT_PER_MIN="3",
        KG_API_AUTH_FAILURES_PER_MIN="3",
        KG_API_QUERY_TIMEOUT_S="1",
    ) as api:
        yield api


async def _start_of_a_fresh_minute() -> None:
    """The limiter counts per calendar minute: never start in its last second, so 4 requests share it."""
    into_minute = time.time() % 60
    if into_minute > 59:
        await asyncio.sleep(60 - into_minute + 0.05)


async def test_a_user_past_the_rate_limit_gets_429_with_retry_after(demo: Demo, limited: Api) -> None:
    await _start_of_a_fresh_minute()
    token = limited.token(demo.a, Role.VIEWER)
    for _ in range(3):
        assert (await limited.post({"query": "{ me { sub } }"}, token)).status_code == 200
    before = await limited.counters()
    refused = await limited.post({"query": "{ metrics { id } }"}, token)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "rate limit of 3 per minute reached" in refused.json()["detail"]
    unchanged(before, await limited.counters())
    other = await limited.post({"query": "{ me { sub } }"}, limited.token(demo.a, Role.VIEWER))
    assert other.status_code == 200  # the limit is per user


NESTED = """{ thoughtlets { metrics { drivers(days: 300) { sharePct } thoughtlets { metrics {
  drivers(days: 300) { sharePct } thoughtlets { metrics { status history(days: 30) { value } } } } } } } }"""


async def test_a_query_running_too_long_is_stopped_with_timeout(demo: Demo, limited: Api) -> None:
    """Boards within boards within boards: tens of thousands of fields. The query is stopped at the
    server's limit, answered with a code, and the server goes on answering."""
    started = time.monotonic()
    answer = await limited.graphql(NESTED, limited.token(demo.a, Role.VIEWER))
    assert time.monotonic() - started < 5
    assert answer["data"] is None and error_codes(answer) == ["TIMEOUT"]
    assert "ran longer than 1 s" in answer["errors"][0]["message"]
    after = await limited.graphql("{ me { sub } }", limited.token(demo.a, Role.VIEWER, sub="next"))
    assert after["data"]["me"]["sub"] == "next"


def from_address(api: Api, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address` (any 127.x.y.z reaches the loopback server)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=api.server.url, transport=transport, timeout=30)


async def test_an_address_failing_authentication_too_often_gets_429(demo: Demo, limited: Api) -> None:
    await _start_of_a_fresh_minute()
    body = {"query": "{ me { sub } }"}
    bad = {"Authorization": "Bearer not-a-token"}
    async with from_address(limited, "127.0.0.2") as prober, from_address(limited, "127.0.0.3") as other:
        statuses = [(await prober.post("/graphql", json=body, headers=bad)).status_code for _ in range(3)]
        assert statuses == [401, 401, 401]
        refused = await prober.post("/graphql", json=body, headers=bad)
        assert refused.status_code == 429
        assert "rate limit of 3 per minute reached" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # Only failures count: a valid token from that address is still served; other addresses
        # still get their 401.
        token = limited.token(demo.a, Role.VIEWER)
        served = await prober.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
        assert served.status_code == 200
        assert (await other.post("/graphql", json=body, headers=bad)).status_code == 401


async def test_the_rate_limit_also_holds_over_a_websocket(demo: Demo, limited: Api) -> None:
    await _start_of_a_fresh_minute()
    token = limited.token(demo.a, Role.VIEWER)
    statuses = [(await limited.post({"query": "{ me { sub } }"}, token)).status_code for _ in range(4)]
    if statuses != [200, 200, 200, 429]:
        pytest.fail(f"the HTTP limit did not apply as expected: {statuses}")
    refusals = []
    async with limited.ws_client(token) as session:
        for _ in range(5):
            try:
                await session.execute(GraphQLRequest("{ metrics { id } }"))
            except TransportQueryError as error:
                refusals.append((error.errors or [{}])[0].get("extensions", {}).get("code"))
    assert "RATE_LIMITED" in refusals, "a user past the limit ran 5 more queries over a websocket"


# ---- introspection, errors, readiness ----------------------------------------------------------


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_off_outside_development(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.ADMIN)
    answer = await demo.api.graphql(INTROSPECTION, token)
    assert answer["data"] is None and error_codes(answer)[0] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection has been disabled" in answer["errors"][0]["message"]
    async with second_server(demo.data_dir, "development", KG_ENV="development") as development:
        shown = await development.graphql(INTROSPECTION, development.token(demo.a, Role.VIEWER))
        assert shown["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_an_unexpected_error_is_masked_and_logged(demo: Demo, graph: Graph) -> None:
    shop = await demo.make_tenant("acme")
    spike_id = shop.thoughts["google_cpc_spike"]
    spike = await get_instance(graph, shop.id, spike_id)
    assert spike is not None
    broken = spike.model_copy(
        update={"evidence": [{"metric_id": "cpc_google_ads", "test": "lost its verdict"}]}
    )
    await graph.write_tx(lambda tx: save_instance(tx, shop.id, broken), tenant=shop.id)

    token = demo.api.token(shop, Role.VIEWER)
    answer = await demo.api.graphql(
        "query($id: ID!) { thought(id: $id) { id evidence { holds } } }", token, id=spike_id
    )
    assert answer["data"] == {"thought": None}
    assert answer["errors"] == [
        {
            "message": "Unexpected error.",
            "locations": answer["errors"][0]["locations"],
            "path": ["thought", "evidence"],
            "extensions": {"code": "INTERNAL"},
        }
    ]
    assert "KeyError" not in json.dumps(answer)
    log = demo.api.server.log.read_text()
    assert "unexpected error in" in log and "KeyError: 'holds'" in log


async def test_readyz_reports_each_dependency(demo: Demo, tmp_path: Path) -> None:
    ready = await demo.api.http.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and set(body["checks"]) == {"neo4j", "warehouse", "redis"}
    assert all(c["status"] == "up" and c["ms"] >= 0 for c in body["checks"].values())

    (tmp_path / "warehouse").mkdir()
    dead = {
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
        "NEO4J_QUERY_TIMEOUT_S": "1",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    async with second_server(tmp_path, "degraded", **dead) as degraded:
        answer = await degraded.http.get("/readyz")
        assert answer.status_code == 503
        checks = answer.json()["checks"]
        assert answer.json()["ready"] is False
        assert checks["neo4j"]["status"] == "down" and checks["redis"]["status"] == "down"
        assert checks["warehouse"]["status"] == "up"
        # Without its databases the API still answers in GraphQL terms, never with a 5xx.
        token = degraded.token(demo.a, Role.VIEWER)
        response = await degraded.post({"query": "{ me { tenantId } metrics { id } }"}, token)
        assert response.status_code == 200
        assert response.json()["data"] is None
        assert error_codes(response.json()) == ["UPSTREAM_UNAVAILABLE"]
        health = await degraded.http.get("/healthz")
        assert health.status_code == 200
