"""A whole pipeline stack for tests and benchmarks: its own Redis, a running API, demo tenants.

The Redis is private to the stack so a test may stop and restart it; the API runs as a real
uvicorn process; workers run in-process in burst mode (or as a `kg-service worker` process).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import websockets
from arq.worker import Worker

from kg_service.api.auth import mint_token
from kg_service.config import PipelineSettings, RedisSettings, Settings
from kg_service.graph.db import Graph
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from kg_service.identity import Role
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_files import TenantFiles
from kg_service.workers.settings import worker_options

ROOT = Path(__file__).resolve().parents[2]
DEMO_END = date(2026, 7, 15)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sync_end(group: str, sync_id: str, status: str = "SUCCESSFUL", event: str = "sync_end") -> bytes:
    return json.dumps(
        {
            "event": event,
            "created": "2026-11-30T05:00:00.000Z",
            "connector_type": "google_ads",
            "connector_id": f"conn_{group}",
            "connector_name": "google_ads",
            "sync_id": sync_id,
            "destination_group_id": group,
            "data": {"status": status},
        }
    ).encode()


@dataclass
class Tenant:
    id: str
    secret: str
    group: str


@dataclass
class Stack:
    settings: Settings
    env: dict[str, str]
    api: str
    redis_port: int
    redis_dir: Path
    tenants: list[Tenant]
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)

    def token(self, tenant: str, role: Role = Role.ANALYST) -> str:
        return mint_token(self.settings.auth, tenant=tenant, roles=[role], sub=f"user-{role.value.lower()}")

    async def webhook(self, tenant: Tenant, sync_id: str, *, body: bytes | None = None) -> httpx.Response:
        payload = body if body is not None else sync_end(tenant.group, sync_id)
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(
                f"{self.api}/webhooks/fivetran",
                content=payload,
                headers={"X-Fivetran-Signature-256": sign(tenant.secret, payload)},
            )

    async def run_worker(self) -> None:
        """Runs every queued job in this process, then returns (ARQ burst mode)."""
        worker = Worker(**worker_options(self.settings, burst=True), handle_signals=False)
        try:
            await worker.main()
        finally:
            await worker.close()

    async def start_redis(self) -> None:
        process = await asyncio.create_subprocess_exec(
            "redis-server",
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.redis_dir),
            "--appendonly",
            "yes",
            "--save",
            "",
            stdout=asyncio.subprocess.DEVNULL,
        )
        self.processes["redis"] = process
        await wait_for_port(self.redis_port)

    async def stop_redis(self) -> None:
        process = self.processes.pop("redis")
        process.terminate()
        await process.wait()


async def wait_for_port(port: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@contextlib.asynccontextmanager
async def pipeline_stack(
    graph: Graph, base: Settings, work_dir: Path, tenants: int = 2
) -> AsyncIterator[Stack]:
    data_dir, redis_dir = work_dir / "data", work_dir / "redis"
    redis_dir.mkdir(parents=True)
    files = TenantFiles(data_dir / "warehouse")
    generate_demo(files, "acme", days=400, end=DEMO_END)
    knowledge = knowledge_for(base.seeds_dir, "acme")
    made = [Tenant(f"t_{uuid.uuid4().hex[:12]}", f"secret-{i}", f"group_{i}") for i in range(tenants)]
    for tenant in made:
        shutil.copyfile(files.path("acme"), files.path(tenant.id))
        await write_knowledge(graph, tenant.id, knowledge)
    redis_port, api_port = free_port(), free_port()
    routes = [{"tenant": t.id, "secret": t.secret, "group_ids": [t.group]} for t in made]
    env = {
        **os.environ,
        "KG_ENV": "test",
        "KG_DATA_DIR": str(data_dir),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "KG_PIPELINE_FIVETRAN_ROUTES": json.dumps(routes),
        "KG_PIPELINE_DBT_ROUTES": json.dumps(
            [{"tenant": made[0].id, "secret": "dbt-secret", "job_ids": ["4242"]}]
        ),
        "KG_PIPELINE_DEBOUNCE_S": "0",
        "KG_PIPELINE_JOB_TIMEOUT_S": "15",
        "KG_API_MAX_BODY_BYTES": "4096",
    }
    settings = base.model_copy(
        update={
            "data_dir": data_dir,
            "redis": RedisSettings(url=env["REDIS_URL"]),
            "pipeline": PipelineSettings.model_validate(
                {"fivetran_routes": routes, "debounce_s": 0, "job_timeout_s": 15, "max_tries": 3}
            ),
        }
    )
    stack = Stack(settings, env, f"http://127.0.0.1:{api_port}", redis_port, redis_dir, made)
    await stack.start_redis()
    log = (work_dir / "api.log").open("wb")
    api = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kg_service.cli",
        "serve",
        "--port",
        str(api_port),
        env=env,
        stdout=log,
        stderr=log,
    )
    stack.processes["api"] = api
    try:
        await wait_for_port(api_port, 60)
        yield stack
    finally:
        for process in list(stack.processes.values()):
            if process.returncode is None:
                process.terminate()
                await process.wait()
        log.close()
        for tenant in made:
            await delete_tenant(graph, tenant.id)


class Subscriber:
    """A graphql-transport-ws client over the `websockets` library."""

    def __init__(self, url: str, token: str, query: str) -> None:
        self.url, self.token, self.query = url, token, query
        self.messages: list[dict[str, Any]] = []
        self._socket: Any = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Subscriber:
        self._socket = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await self._socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}})
        )
        ack = json.loads(await asyncio.wait_for(self._socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await self._socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": self.query}})
        )
        self._task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._socket:
                message = json.loads(raw)
                if message.get("type") == "next":
                    self.messages.append(message["payload"])

    async def wait_for(self, count: int, timeout_s: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:  # noqa: ASYNC110 - polls a list
            await asyncio.sleep(0.01)
        return self.messages

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._socket.close()
