"""Agent chat latency: time to the first chunk and to the first answer text, offline and with a fake
Claude that answers each call after a fixed delay (its overhead is what exceeds the delays).

Targets: offline first chunk p95 ≤ 300 ms; Claude overhead ≤ 200 ms above the model's own time.
Run with NEO4J_URI pointing at a Neo4j: `.venv/bin/python bench/bench_agent.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import yaml

from kg_service.ai.agent.chat import ConversationStore, chat_turn
from kg_service.ai.agent.claude_agent import ClaudeAgent
from kg_service.ai.agent.offline import OfflineAgent
from kg_service.ai.agent.resolve import resolve_metrics
from kg_service.ai.agent.tools import Toolbox
from kg_service.ai.claude import make_client
from kg_service.ai.embeddings import embedder
from kg_service.config import AnthropicSettings, Settings
from kg_service.graph.db import Graph
from kg_service.graph.embeddings import refresh_embeddings
from kg_service.graph.schema import apply_schema
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_source import DuckDBSource

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    t["q"]
    for c in yaml.safe_load((ROOT / "tests/data/agent_questions.yaml").read_text())["conversations"]
    for t in c
]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def fake_claude(delay_s: float) -> Any:
    async def handler(request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(delay_s)
        body = json.loads(request.content)
        if len(body["messages"]) == 1:
            content = [
                {
                    "type": "tool_use",
                    "id": "tu",
                    "name": "query_metrics",
                    "input": {"metric_ids": ["cpc_google_ads"], "days": 7},
                }
            ]
            stop = "tool_use"
        else:
            content, stop = [{"type": "text", "text": "Google CPC is in the tool result above."}], "end_turn"
        return httpx2.Response(
            200,
            json={
                "id": "m",
                "type": "message",
                "role": "assistant",
                "model": "fake",
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        )

    return handler


async def timed(agent: Any, toolbox: Toolbox, question: str) -> tuple[float, float]:
    started = time.perf_counter()
    first = first_text = None
    async for chunk in chat_turn(
        agent, toolbox, ConversationStore(None), "bench", question, uuid.uuid4().hex[:12]
    ):
        now = time.perf_counter() - started
        first = first if first is not None else now
        if chunk.kind == "text" and first_text is None:
            first_text = now
    assert first is not None and first_text is not None
    return first, first_text


async def main(rounds: int, delay_ms: int) -> None:
    settings = Settings()
    graph = Graph.connect(settings.neo4j)
    await apply_schema(graph)
    tenant = f"bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        source = DuckDBSource(Path(tmp))
        generate_demo(source.files, "acme", days=400, end=date(2026, 7, 15))
        shutil.copyfile(source.files.path("acme"), source.files.path(tenant))
        await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, "acme"))
        began = time.perf_counter()
        model = embedder()
        print(f"embedding model load: {time.perf_counter() - began:.2f} s")
        began = time.perf_counter()
        count = await refresh_embeddings(graph, tenant, model)
        print(f"embedding all seeds of a tenant: {count} nodes in {time.perf_counter() - began:.2f} s")

        async def search(text: str, limit: int) -> list[dict[str, Any]]:
            return []

        offline = OfflineAgent(lambda t, q: resolve_metrics(graph, t, q))
        firsts, texts = [], []
        for _ in range(rounds):
            for question in QUESTIONS:
                first, text = await timed(offline, Toolbox(graph, source, tenant, search), question)
                firsts.append(first * 1000)
                texts.append(text * 1000)
        print(
            f"offline agent over {len(firsts)} questions: "
            f"first chunk p50 {statistics.median(firsts):.0f} ms, "
            f"p95 {percentile(firsts, 95):.0f} ms; first text p50 {statistics.median(texts):.0f} ms, "
            f"p95 {percentile(texts, 95):.0f} ms (target first chunk p95 ≤ 300 ms)"
        )
        anthropic = AnthropicSettings(api_key="bench", max_retries=0)  # type: ignore[arg-type]
        client = make_client(
            anthropic,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(fake_claude(delay_ms / 1000))),
        )
        claude = ClaudeAgent(client, anthropic)
        overheads = []
        for _ in range(20):
            _, text = await timed(claude, Toolbox(graph, source, tenant, search), "what is google cpc?")
            overheads.append(text * 1000 - 2 * delay_ms)
        print(
            f"fake Claude answering after {delay_ms} ms per call (2 calls): overhead p50 "
            f"{statistics.median(overheads):.0f} ms, p95 {percentile(overheads, 95):.0f} ms (target ≤ 200 ms)"
        )
        source.close()
    await delete_tenant(graph, tenant)
    await graph.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, default=800)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.delay_ms))
    sys.exit(0)
