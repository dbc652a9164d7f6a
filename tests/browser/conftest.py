"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against a real
`kg-service serve` (development mode, so the sign-in picker exists) and a real `kg-service worker`.

The demo tenants keep their real ids (`acme`, `rare_seeds`) because the sign-in picker names them;
they are seeded into the shared test Neo4j and left there (seeding is idempotent). The server gets
its own data directory, its own Redis (so no other worker takes its pipeline jobs) and a generous
daily cap on thought generation runs, which are counted per tenant across everyone using it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import AsyncManagedTransaction, GraphDatabase
from playwright.sync_api import Browser, Page, sync_playwright
from redis import Redis

from kg_service.config import Settings
from kg_service.engine.actions import new_request
from kg_service.graph.action_requests import ActionStatus, save_request
from kg_service.graph.actions import list_actions
from kg_service.graph.db import Graph
from kg_service.graph.instances import get_instance

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
VENV_BIN = Path(sys.executable).parent
TENANTS = ("acme", "rare_seeds")
FIVETRAN_SECRET = "browser-tests-fivetran-secret"
FIVETRAN_GROUP = "browser_tests_group"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_WITHOUT_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)
DELETE_INSTANCE = """
MATCH (i:ThoughtInstance {tenant: $tenant, id: $id})
OPTIONAL MATCH (i)-[:RECOMMENDS]->(r:ActionRequest {tenant: $tenant})
DETACH DELETE r, i
"""
DELETE_REQUEST = "MATCH (r:ActionRequest {tenant: $tenant, id: $id}) DETACH DELETE r"
RUNS_TODAY = """
MATCH (e:AuditEvent {tenant: $tenant, action: 'thoughts.generate', outcome: 'completed'})
  WHERE e.at >= $since
RETURN count(e) AS runs
"""
MAX_RUNS_PER_DAY = 24


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the dashboard in headless Chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.browser)
            # The first test also pays for the session's stack: demo data, seeding, a server.
            item.add_marker(pytest.mark.timeout(300))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ApiFailure(AssertionError):
    pass


@dataclass
class Stack:
    """The running server, its worker and Redis, and helpers to reach them as a client would."""

    url: str
    env: dict[str, str]
    work: Path
    settings: Settings
    redis_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def cli(self, *args: str, timeout_s: float = 180) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "kg-service"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"kg-service {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def token(self, tenant: str, role: str) -> str:
        sub = f"demo-{role.lower().replace('_', '-')}"
        answer = httpx.post(
            f"{self.url}/dev/token", json={"tenant": tenant, "role": role, "sub": sub}, timeout=10
        )
        answer.raise_for_status()
        token: str = answer.json()["token"]
        return token

    def gql(self, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
            timeout=60,
        )
        body = answer.json()
        if body.get("errors"):
            raise ApiFailure(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    def schema_fields(self, token: str) -> set[str]:
        """Root fields the live server has (`Query.briefing`, `Subscription.agentChat`…)."""
        data = self.gql(
            token,
            "{ __schema { queryType { name fields { name } } mutationType { name fields { name } }"
            " subscriptionType { name fields { name } } } }",
        )
        return {
            f"{kind['name']}.{f['name']}"
            for kind in data["__schema"].values()
            if kind is not None
            for f in kind["fields"]
        }

    def webhook(self, sync_id: str) -> httpx.Response:
        body = json.dumps(
            {
                "event": "sync_end",
                "created": "2026-11-30T05:00:00.000Z",
                "connector_type": "google_ads",
                "connector_id": "conn_browser_tests",
                "connector_name": "google_ads",
                "sync_id": sync_id,
                "destination_group_id": FIVETRAN_GROUP,
                "data": {"status": "SUCCESSFUL"},
            }
        ).encode()
        signature = hmac.new(FIVETRAN_SECRET.encode(), body, hashlib.sha256).hexdigest()
        return httpx.post(
            f"{self.url}/webhooks/fivetran",
            content=body,
            headers={"X-Fivetran-Signature-256": signature, "content-type": "application/json"},
            timeout=10,
        )

    def cypher(self, statement: str, **parameters: Any) -> list[dict[str, Any]]:
        neo4j = self.settings.neo4j
        auth = (neo4j.user, neo4j.password.get_secret_value()) if neo4j.password.get_secret_value() else None
        with GraphDatabase.driver(str(neo4j.uri), auth=auth) as driver:
            records, _, _ = driver.execute_query(statement, parameters, database_=neo4j.database)
            return [record.data() for record in records]

    def delete_instance(self, tenant: str, instance_id: str) -> None:
        """Removes a triggered thought (and its action requests) so the next run creates it anew."""
        self.cypher(DELETE_INSTANCE, tenant=tenant, id=instance_id)

    def listeners(self, tenant: str) -> int:
        """How many subscriptions the API holds on the tenant's event channel."""
        client = Redis(port=self.redis_port)
        try:
            counts = dict(client.pubsub_numsub(f"events:{tenant}"))
            return int(counts.get(f"events:{tenant}".encode(), 0))
        finally:
            client.close()

    def wait_for_listeners(self, tenant: str, more_than: int, timeout_s: float = 20) -> None:
        """Waits until a new subscription listens on the tenant's channel: an event published
        before the API subscribed reaches no one."""
        deadline = time.monotonic() + timeout_s
        while self.listeners(tenant) <= more_than:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no new subscription on events:{tenant} in {timeout_s} s")
            time.sleep(0.05)

    def runs_left_today(self, tenant: str) -> int:
        since = datetime.combine(datetime.now(UTC).date(), clock.min, tzinfo=UTC)
        return MAX_RUNS_PER_DAY - int(self.cypher(RUNS_TODAY, tenant=tenant, since=since)[0]["runs"])

    def log_tail(self, name: str, lines: int = 30) -> str:
        text = (self.work / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _wait_until_healthy(url: str, api: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise RuntimeError(f"kg-service serve exited with {api.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer /healthz in {timeout_s} s")


def _environment(work: Path, api_port: int, redis_port: int) -> dict[str, str]:
    # The offline analyst and agent (no Claude), and no action webhook: answers the tests can expect.
    dropped = ("KG_ENGINE_ACTION_WEBHOOK", "ANTHROPIC_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(
        KG_ENV="development",
        KG_DATA_DIR=str(work / "data"),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        KG_API_CORS_ORIGINS=f"http://127.0.0.1:{api_port}",
        KG_API_RATE_LIMIT_PER_MIN="100000",
        KG_API_RATE_LIMIT_PER_HOUR="100000",
        KG_API_AUTH_FAILURES_PER_MIN="100000",
        KG_API_AGENT_RATE_LIMIT_PER_MIN="1000",
        KG_ENGINE_MAX_RUNS_PER_DAY=str(MAX_RUNS_PER_DAY),
        KG_PIPELINE_DEBOUNCE_S="0",
        KG_PIPELINE_FIVETRAN_ROUTES=json.dumps(
            [{"tenant": "acme", "secret": FIVETRAN_SECRET, "group_ids": [FIVETRAN_GROUP]}]
        ),
    )
    return env


def _start(stack: Stack, name: str, *args: str) -> subprocess.Popen[bytes]:
    with (stack.work / f"{name}.log").open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(args, env=stack.env, stdout=log, stderr=subprocess.STDOUT)
    stack.processes[name] = process
    return process


def _demo_tenants(stack: Stack) -> None:
    """Each store's history in the server's own warehouse, and its knowledge in the shared graph."""
    generators = [
        _start(stack, f"demo-{tenant}", str(VENV_BIN / "kg-service"), "demo-data", "--tenant", tenant)
        for tenant in TENANTS
    ]
    for process in generators:
        if process.wait(timeout=180) != 0:
            raise RuntimeError(f"demo-data failed: {stack.log_tail('demo-acme')}")
    stack.cli("schema", "apply")  # a fresh Neo4j has no constraints or vector indexes yet
    stack.cli("seed", *(arg for tenant in TENANTS for arg in ("--tenant", tenant)))


THOUGHT_REQUESTS = """{ thoughts(status: null) { id status definition { recommendedActions { impactLevel } }
  recommendedActions { id status approval action { id } } } }"""


async def _renew_request(settings: Settings, tenant: str, thought_id: str, action_id: str) -> None:
    """Puts a thought's (already decided) recommendation back to RECOMMENDED, as a generation run
    first wrote it: the old request is removed and the engine's own new request is saved."""
    graph = Graph.connect(settings.neo4j)
    try:
        instance = await get_instance(graph, tenant, thought_id)
        action = (await list_actions(graph, tenant, [action_id]))[0]
        assert instance is not None
        fresh = new_request(instance, action, ActionStatus.RECOMMENDED, None)

        async def work(tx: AsyncManagedTransaction) -> None:
            await tx.run(DELETE_REQUEST, tenant=tenant, id=fresh.id)
            await save_request(tx, tenant, fresh)

        await graph.write_tx(work, tenant=tenant)
    finally:
        await graph.close()


def _prepare_thoughts(stack: Stack, tenant: str) -> None:
    """Active thoughts for every tenant, and (acme) a critical action nobody has requested yet.

    Generation runs are counted per tenant per day, so one runs only when the tenant has no active
    thought, or no active thought recommends a critical action at all.
    """
    thoughts = stack.gql(stack.token(tenant, "ADMIN"), THOUGHT_REQUESTS)["thoughts"]
    active = [t for t in thoughts if t["status"] == "ACTIVE"]
    if tenant != "acme":
        if not active:
            stack.cli("thoughts", "generate", "--tenant", tenant)
        return
    critical = [(t, r) for t in active for r in t["recommendedActions"] if r["approval"] == "admin_approval"]
    if any(r["status"] == "RECOMMENDED" for _, r in critical):
        return
    if critical:
        thought, request = critical[0]
        renew = _renew_request(stack.settings, tenant, thought["id"], request["action"]["id"])
        # Its own thread and loop: pytest-asyncio may be running the session's loop here.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, renew).result()
        return
    for t in thoughts:
        if any(a["impactLevel"] == "CRITICAL" for a in t["definition"]["recommendedActions"]):
            stack.delete_instance(tenant, t["id"])
    stack.cli("thoughts", "generate", "--tenant", tenant)


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Iterator[Stack]:
    if settings.neo4j.uri is None:
        pytest.fail("browser tests need NEO4J_URI: run them with `./dev test`, which starts the services")
    # Not tmp_path_factory: another pytest run on the machine prunes old base temp folders, and
    # this one holds the running server's warehouse.
    work = Path(tempfile.mkdtemp(prefix="kg-browser-"))
    api_port, redis_port = free_port(), free_port()
    env = _environment(work, api_port, redis_port)
    made = Stack(f"http://127.0.0.1:{api_port}", env, work, settings, redis_port)
    try:
        _start(made, "redis", "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", str(work))  # fmt: skip
        api = _start(made, "api", str(VENV_BIN / "kg-service"), "serve", "--port", str(api_port))
        _start(made, "worker", str(VENV_BIN / "kg-service"), "worker")
        _demo_tenants(made)
        _wait_until_healthy(made.url, api)
        for tenant in TENANTS:
            _prepare_thoughts(made, tenant)
        yield made
    finally:
        for process in made.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in made.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, stack: Stack, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (own sessionStorage) at the server; saves a screenshot when the test ends and
    fails the test on any uncaught script error."""
    context = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    console: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    yield tab
    shoot(tab, request.node.name)
    (SCREENSHOTS / f"{request.node.name}.console.txt").write_text("\n".join(console) + "\n")
    context.close()
    assert errors == [], f"uncaught script errors: {errors}"


def shoot(tab: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar lands mid-page in a full-page shot
    tab.screenshot(path=str(path), full_page=True)
    return path


def sign_in(tab: Page, tenant: str, role: str) -> None:
    """Signs in through the development picker and waits for the home page's first data."""
    tab.goto("/#/signin")
    tab.locator("#dev-signin").wait_for(state="visible")
    tab.select_option("#dev-tenant", tenant)
    tab.select_option("#dev-role", role)
    tab.click("#dev-signin button[type=submit]")
    tab.locator("html[data-ready=home]").wait_for(state="attached")


def go(tab: Page, route: str, ready: str) -> None:
    """Follows an in-app route and waits until that page marks its first data rendered."""
    tab.evaluate(
        "route => { document.documentElement.removeAttribute('data-ready'); location.hash = route; }", route
    )
    tab.locator(f"html[data-ready={ready}]").wait_for(state="attached")
