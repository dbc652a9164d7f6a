"""The real API: `kg-service serve` as a subprocess over fresh demo tenants, reached over HTTP and
websockets with a real GraphQL client, and measured through its own Prometheus counters."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from prometheus_client.parser import text_string_to_metric_families

from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.api.auth import mint_token
from kg_service.config import Settings
from kg_service.engine.thoughts import generate_thoughts
from kg_service.graph.db import Graph
from kg_service.graph.instances import list_instances
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from kg_service.identity import Role
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_files import TenantFiles
from kg_service.warehouse.duckdb_source import DuckDBSource

from ...conftest import new_tenant_id

VENV_BIN = Path(sys.executable).parent
STORES = {"acme": date(2026, 7, 15), "rare_seeds": date(2026, 9, 30)}
"""Each demo store ends on a calm stretch of its season, so its planted incidents stand out."""
HIGH_LIMIT = 100_000
START_TIMEOUT_S = 60.0
COUNTERS = ("kg_graph_queries_total", "kg_warehouse_queries_total", "kg_answer_cache_lookups_total")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def server_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The test environment with the server's own data directory and limits the suite never hits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_ENGINE_ACTION_WEBHOOK")}
    env.update(
        KG_ENV="test",
        KG_DATA_DIR=str(data_dir),
        KG_API_RATE_LIMIT_PER_MIN=str(HIGH_LIMIT),
        KG_API_RATE_LIMIT_PER_HOUR=str(HIGH_LIMIT),
        KG_API_AUTH_FAILURES_PER_MIN=str(HIGH_LIMIT),
        # Generated queries can nest boards within boards; stopped sooner, they keep the fuzz quick.
        KG_API_QUERY_TIMEOUT_S="5",
        KG_LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def start_server(data_dir: Path, log: Path, **overrides: str) -> Server:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "kg-service"), "serve", "--port", str(port)],
            env=server_environment(data_dir, **overrides),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kg-service serve exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    pytest.fail(f"kg-service serve did not answer /healthz in {START_TIMEOUT_S} s:\n{server.log_tail()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@dataclass(frozen=True)
class Tenant:
    id: str
    store: str
    thoughts: dict[str, str] = field(default_factory=dict)
    """definition id → instance id of the thoughts generated at setup."""


@dataclass
class Counters:
    graph: float
    warehouse: float
    cached_answers: float
    """Answers served from the answer cache."""

    def __sub__(self, other: Counters) -> Counters:
        return Counters(
            self.graph - other.graph,
            self.warehouse - other.warehouse,
            self.cached_answers - other.cached_answers,
        )


class TenantMaker:
    """Fresh tenants made from the demo stores: a copy of the store's warehouse file, the store's
    knowledge in the graph, thoughts generated once. Every tenant it made is deleted at the end."""

    def __init__(self, graph: Graph, settings: Settings, warehouse_dir: Path, snapshots: Path) -> None:
        self.graph = graph
        self.settings = settings
        self.source = DuckDBSource(warehouse_dir)
        self.snapshots = snapshots
        self.made: list[str] = []

    async def __call__(self, store: str) -> Tenant:
        tenant = new_tenant_id()
        self.made.append(tenant)
        shutil.copyfile(self.snapshots / f"{store}.duckdb", self.source.files.path(tenant))
        await write_knowledge(self.graph, tenant, knowledge_for(self.settings.seeds_dir, store))
        analyst = OfflineAnalyst()
        report = await generate_thoughts(
            self.graph, self.source, analyst, analyst, tenant, self.settings.engine
        )
        assert report.ran, report.skipped_reason
        found = await list_instances(self.graph, tenant)
        return Tenant(tenant, store, {i.definition_id: i.id for i in found})

    async def close(self) -> None:
        self.source.close()
        for tenant in self.made:
            await delete_tenant(self.graph, tenant)


class Api:
    """The running server as a client sees it: tokens, GraphQL over HTTP and websockets, counters."""

    def __init__(self, server: Server, settings: Settings, http: httpx.AsyncClient) -> None:
        self.server = server
        self.settings = settings
        self.http = http

    def token(
        self, tenant: Tenant | str, role: Role, sub: str | None = None, ttl_min: int | None = None
    ) -> str:
        tenant_id = tenant.id if isinstance(tenant, Tenant) else tenant
        return mint_token(
            self.settings.auth,
            tenant=tenant_id,
            roles=[role],
            sub=sub or f"{role.value.lower()}-{uuid.uuid4().hex[:8]}",
            ttl_min=ttl_min,
        )

    def client(self, token: str) -> Client:
        """A gql client over HTTP (httpx) carrying `token`."""
        transport = HTTPXAsyncTransport(
            url=f"{self.server.url}/graphql", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        return Client(transport=transport, execute_timeout=30)

    def ws_client(self, token: str | None, **transport_args: Any) -> Client:
        """A gql client over a graphql-transport-ws websocket, the token in connection_init."""
        transport = WebsocketsTransport(
            url=self.server.ws_url,
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"authorization": f"Bearer {token}"} if token else {},
            **transport_args,
        )
        return Client(transport=transport, execute_timeout=30)

    async def execute(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        """The data of one operation sent with the gql client; TransportQueryError on any error."""
        async with self.client(token) as session:
            data: dict[str, Any] = await session.execute(GraphQLRequest(query, variable_values=variables))
            return data

    async def post(self, body: Any, token: str | None = None, **kwargs: Any) -> httpx.Response:
        """A raw POST to /graphql, for what a GraphQL client hides: status codes and error shapes."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        if isinstance(body, str | bytes):
            headers.setdefault("Content-Type", "application/json")
            return await self.http.post("/graphql", content=body, headers=headers, **kwargs)
        return await self.http.post("/graphql", json=body, headers=headers, **kwargs)

    async def graphql(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        """The whole JSON answer (data and errors) of one operation sent over HTTP."""
        response = await self.post({"query": query, "variables": variables}, token)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def counters(self) -> Counters:
        response = await self.http.get("/metrics")
        totals = dict.fromkeys(COUNTERS, 0.0)
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                if sample.name in totals and sample.labels.get("result", "hit") == "hit":
                    totals[sample.name] += sample.value
        return Counters(*(totals[name] for name in COUNTERS))

    async def measure(self, work: Callable[[], Awaitable[Any]]) -> tuple[Any, Counters]:
        """`work`'s result, the graph and warehouse queries the server ran for it, and the answers it
        served from its answer cache."""
        before = await self.counters()
        result = await work()
        after = await self.counters()
        return result, after - before


def error_codes(answer: dict[str, Any]) -> list[str]:
    return [str(e.get("extensions", {}).get("code")) for e in answer.get("errors") or []]


@dataclass
class Demo:
    api: Api
    a: Tenant
    b: Tenant
    data_dir: Path
    make_tenant: TenantMaker


@pytest.fixture(scope="session")
def demo_snapshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo stores generated once: `<dir>/acme.duckdb` and `<dir>/rare_seeds.duckdb`."""
    directory = tmp_path_factory.mktemp("demo")
    files = TenantFiles(directory)
    for store, end in STORES.items():
        generate_demo(files, store, days=400, end=end)
    files.close()
    return directory


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("kg_data")
    (directory / "warehouse").mkdir()
    return directory


@pytest.fixture(scope="session")
def server(server_data_dir: Path) -> Iterator[Server]:
    running = start_server(server_data_dir, server_data_dir / "server.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
async def api(server: Server, settings: Settings) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        yield Api(server, settings, http)


@pytest.fixture(scope="session")
async def make_tenant(
    graph: Graph, settings: Settings, server_data_dir: Path, demo_snapshots: Path
) -> AsyncIterator[TenantMaker]:
    maker = TenantMaker(graph, settings, server_data_dir / "warehouse", demo_snapshots)
    yield maker
    await maker.close()


@pytest.fixture(scope="session")
async def demo(api: Api, make_tenant: TenantMaker, server_data_dir: Path) -> Demo:
    """Tenant A (a copy of acme) and tenant B (a copy of rare_seeds), shared by the read-only tests."""
    a = await make_tenant("acme")
    b = await make_tenant("rare_seeds")
    return Demo(api, a, b, server_data_dir, make_tenant)


@asynccontextmanager
async def second_server(data_dir: Path, name: str, **overrides: str) -> AsyncIterator[Api]:
    """Another server over the same data with other settings (a tiny rate limit, development mode)."""
    running = start_server(data_dir, data_dir / f"{name}.log", **overrides)
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as http:
            yield Api(running, Settings(), http)
    finally:
        stop_server(running)
