"""Open-model load test of the GraphQL API: a cached dashboard at a fixed request rate, and blast radius.

Run: `. /tmp/kgdev/env.sh && .venv/bin/python bench/bench_api.py [--duration 60]` (Neo4j and Redis from
the environment). It starts its own `kg-service serve` over a fresh copy of the acme demo store, with
the rate limiter on (the default 100 requests per user per minute) and the Redis caches on; with
`--no-answer-cache` the server computes every answer (values still come from the Redis value cache),
which shows what the answer cache saves.

Open model: every user sends one `thoughtlet` dashboard request per second on a fixed timetable,
whether or not earlier answers came back, so a slow server meets the same offered load and its
queueing shows in the figures (latency is counted from the scheduled send, not the actual one).
Then `blastRadius` from `cpc_google_ads` runs sequentially: with a new `changePct` every request
(computed each time: the graph query), and the same request repeated (the cached answer); each once
selecting the paths only and once with each affected metric (which loads the metric registry).
The tenant is deleted and the server stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.api.auth import mint_token
from kg_service.config import Settings
from kg_service.engine.thoughts import generate_thoughts
from kg_service.graph.db import Graph
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from kg_service.identity import Role
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_files import TenantFiles
from kg_service.warehouse.duckdb_source import DuckDBSource

VENV_BIN = Path(sys.executable).parent
DASHBOARD = """query($id: ID!) {
  thoughtlet(id: $id) {
    id
    metrics { id latest { date value } history(days: 30) { date value } changePct status }
  }
}"""
BLAST = """query($change: Float!) { blastRadius(metricId: "cpc_google_ads", changePct: $change) {
  affected { impactPct depth path } } }"""
BLAST_NAMED = """query($change: Float!) { blastRadius(metricId: "cpc_google_ads", changePct: $change) {
  affected { impactPct depth path metric { id name } } } }"""
TARGET_P95_MS = 25.0


@dataclass
class Sample:
    scheduled: float
    sent: float
    done: float
    outcome: str
    """"ok", an HTTP status, "graphql error" or the transport error's name."""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def prepare_tenant(settings: Settings, warehouse: Path, tenant: str) -> None:
    """Tenant `tenant`: the acme demo store's warehouse, knowledge and thoughts."""
    files = TenantFiles(warehouse)
    generate_demo(files, "acme", days=400, end=date(2026, 7, 15))
    files.close()
    shutil.copyfile(warehouse / "acme.duckdb", warehouse / f"{tenant}.duckdb")
    graph = Graph.connect(settings.neo4j)
    source = DuckDBSource(warehouse)
    try:
        await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, "acme"))
        analyst = OfflineAnalyst()
        await generate_thoughts(graph, source, analyst, analyst, tenant, settings.engine)
    finally:
        source.close()
        await graph.close()


def start_server(
    data_dir: Path, port: int, profile: Path | None, answer_cache: bool
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_API_")}
    env.update(
        KG_ENV="test",
        KG_DATA_DIR=str(data_dir),
        KG_LOG_LEVEL="WARNING",
        KG_API_ANSWER_CACHE=str(answer_cache).lower(),
    )
    command = [str(VENV_BIN / "kg-service"), "serve", "--port", str(port)]
    if profile is not None:
        # pyinstrument (installed by hand, not a project dependency) writes its report on SIGINT.
        command = [str(VENV_BIN / "pyinstrument"), "-r", "text", "-o", str(profile), *command]
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: see {data_dir / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not answer /healthz within 60 s")


async def one_request(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], scheduled: float
) -> Sample:
    sent = time.perf_counter()
    try:
        response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200:
            outcome = f"HTTP {response.status_code}"
        else:
            errors = response.json().get("errors")
            outcome = (
                f"{errors[0].get('extensions', {}).get('code')}: {errors[0]['message'][:60]}"
                if errors
                else "ok"
            )
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    return Sample(scheduled, sent, time.perf_counter(), outcome)


async def open_load(
    client: httpx.AsyncClient, tokens: list[str], duration: float
) -> tuple[list[Sample], float]:
    """Each user sends once a second, users evenly staggered, on a timetable fixed in advance."""
    body: dict[str, Any] = {"query": DASHBOARD, "variables": {"id": "google_ads"}}
    users = len(tokens)
    start = time.perf_counter() + 0.5
    timetable = sorted(
        (start + second + index / users, token)
        for second in range(int(duration))
        for index, token in enumerate(tokens)
    )
    tasks = []
    for at, token in timetable:
        # Always yield, so requests due together start together instead of after the whole backlog.
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        tasks.append(asyncio.create_task(one_request(client, token, body, at)))
    samples = await asyncio.gather(*tasks)
    return list(samples), time.perf_counter() - start


def report(name: str, latencies_ms: list[float], samples: list[Sample], elapsed: float | None) -> float:
    values = np.array(latencies_ms)
    p50, p95, p99 = np.percentile(values, [50, 95, 99]) if values.size else (float("nan"),) * 3
    errors = Counter(s.outcome for s in samples if not s.ok)
    line = (
        f"{name}: n={len(samples)} p50={p50:.2f} ms p95={p95:.2f} ms p99={p99:.2f} ms "
        f"max={values.max() if values.size else float('nan'):.2f} ms "
        f"errors={sum(errors.values())} ({sum(errors.values()) / max(len(samples), 1):.2%})"
    )
    if errors:
        line += f" {dict(errors)}"
    if elapsed is not None:
        line += f" achieved={sum(s.ok for s in samples) / elapsed:.1f} ok req/s"
    print(line)
    return float(p95)


async def dashboard_load(client: httpx.AsyncClient, tokens: list[str], duration: int) -> bool:
    """The open-model run; True when the target was met."""
    print(f"open load: {len(tokens)} users × 1 req/s for {duration} s (dashboard `google_ads`, 12 metrics)")
    samples, elapsed = await open_load(client, tokens, duration)
    ok = [s for s in samples if s.ok]
    p95 = report(
        "dashboard, from scheduled send", [(s.done - s.scheduled) * 1000 for s in ok], samples, elapsed
    )
    report("dashboard, from actual send", [(s.done - s.sent) * 1000 for s in ok], samples, None)
    lateness = np.array([(s.sent - s.scheduled) * 1000 for s in samples])
    print(f"client send lateness: p95={np.percentile(lateness, 95):.2f} ms max={lateness.max():.2f} ms")
    return p95 <= TARGET_P95_MS and len(ok) == len(samples)


async def sequential(
    client: httpx.AsyncClient, tokens: list[str], bodies: list[dict[str, Any]], count: int, name: str
) -> None:
    samples = []
    for i in range(count):
        body = bodies[i % len(bodies)]
        samples.append(await one_request(client, tokens[i % len(tokens)], body, time.perf_counter()))
    report(name, [(s.done - s.sent) * 1000 for s in samples if s.ok], samples, None)


async def measure(port: int, settings: Settings, tenant: str, args: argparse.Namespace) -> int:
    def tokens(prefix: str, count: int) -> list[str]:
        return [
            mint_token(settings.auth, tenant=tenant, roles=[Role.VIEWER], sub=f"{prefix}-{i:03d}", ttl_min=60)
            for i in range(count)
        ]

    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=30, limits=httpx.Limits(max_connections=None)
    ) as client:
        users = tokens("user", args.users)
        # One request fills the Redis value cache, so the run measures the cached dashboard.
        warm = await one_request(client, users[0], {"query": DASHBOARD, "variables": {"id": "google_ads"}}, 0)
        if not warm.ok:
            print(f"the dashboard query failed ({warm.outcome}); see the server log")
            return 1
        # The closed-loop floor first: one request at a time, what a dashboard costs the server alone.
        floor_users = tokens("floor", args.sequential // 40 + 1)
        single = [{"query": DASHBOARD, "variables": {"id": "google_ads"}}]
        floor = "dashboard, one at a time (closed loop)"
        await sequential(client, floor_users, single, args.sequential, floor)
        met = await dashboard_load(client, users, args.duration)
        # Users of their own, each far under the per-user limit (100 a minute) when run back to back.
        blast_users = tokens("blast", 4 * args.blast_requests // 40 + 1)
        count = args.blast_requests
        for query, name in (
            (BLAST, "blastRadius, path ids only"),
            (BLAST_NAMED, "blastRadius, with metric { id name }"),
        ):
            # A new changePct each time is a new question: the graph is asked every time.
            computed = [{"query": query, "variables": {"change": 10 + i / 100}} for i in range(count)]
            await sequential(client, blast_users, computed, count, f"{name}, computed (sequential)")
            repeated = [{"query": query, "variables": {"change": 25}}]
            await sequential(client, blast_users, repeated, count, f"{name}, repeated (sequential)")
    print(f"target: dashboard p95 <= {TARGET_P95_MS:.0f} ms with 0 errors: {'met' if met else 'MISSED'}")
    return 0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def run(args: argparse.Namespace) -> int:
    settings = Settings()
    tenant = f"bench_api_{uuid.uuid4().hex[:8]}"
    data_dir = Path(tempfile.mkdtemp(prefix="bench_api_"))
    (data_dir / "warehouse").mkdir()
    print(f"preparing tenant {tenant} (acme demo store) in {data_dir} …")
    await prepare_tenant(settings, data_dir / "warehouse", tenant)
    port = free_port()
    server = start_server(data_dir, port, args.profile, args.answer_cache)
    print(f"answer cache: {'on' if args.answer_cache else 'off (every answer computed)'}")
    print(f"load average at start (1, 5, 15 min): {load()} on {os.cpu_count()} cores")
    try:
        return await measure(port, settings, tenant, args)
    finally:
        print(f"load average at end: {load()}")
        server.send_signal(signal.SIGINT)  # uvicorn stops cleanly (and pyinstrument writes its report)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        graph = Graph.connect(settings.neo4j)
        await delete_tenant(graph, tenant)
        await graph.close()
        log = Path(tempfile.gettempdir()) / f"{tenant}.server.log"
        shutil.copyfile(data_dir / "server.log", log)
        shutil.rmtree(data_dir, ignore_errors=True)
        print(f"server log: {log}")
        if args.profile:
            print(f"server profile: {args.profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="Seconds of open load (default 60).")
    parser.add_argument("--users", type=int, default=100, help="Distinct users, one request per second each.")
    parser.add_argument("--blast-requests", type=int, default=300, help="Sequential blastRadius requests.")
    parser.add_argument(
        "--sequential", type=int, default=100, help="Dashboard requests one at a time, first."
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="Profile the server with pyinstrument into FILE."
    )
    parser.add_argument(
        "--no-answer-cache",
        dest="answer_cache",
        action="store_false",
        help="Serve with KG_API_ANSWER_CACHE=false: every answer computed.",
    )
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
