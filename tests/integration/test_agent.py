"""The offline agent on a demo store: right metric and intent for ≥ 90 % of a marketer's questions,
and every number of every answer traced to a tool result."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml

from kg_service.ai.agent.chat import Chunk, ConversationStore, chat_turn, new_conversation_id
from kg_service.ai.agent.claude_agent import ClaudeAgent
from kg_service.ai.agent.offline import Memory, OfflineAgent, Step
from kg_service.ai.agent.resolve import resolve_metrics
from kg_service.ai.agent.tools import Toolbox
from kg_service.ai.claude import make_client
from kg_service.ai.embeddings import embedder
from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.config import AnthropicSettings, Settings
from kg_service.engine.thoughts import generate_thoughts
from kg_service.graph.db import Graph
from kg_service.graph.embeddings import refresh_embeddings
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_source import DuckDBSource

from ..conftest import new_tenant_id

QUESTIONS = yaml.safe_load((Path(__file__).parents[1] / "data" / "agent_questions.yaml").read_text())


@dataclass
class Store:
    graph: Graph
    source: DuckDBSource
    tenant: str


@pytest.fixture(scope="module")
async def store(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Store]:
    source = DuckDBSource(tmp_path_factory.mktemp("warehouse"))
    generate_demo(source.files, "acme", days=400, end=date(2026, 7, 15))
    tenant = new_tenant_id()
    shutil.copyfile(source.files.path("acme"), source.files.path(tenant))
    await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, "acme"))
    await refresh_embeddings(graph, tenant, embedder())
    analyst = OfflineAnalyst()
    await generate_thoughts(graph, source, analyst, analyst, tenant, settings.engine, run_key="agent")
    yield Store(graph, source, tenant)
    source.close()
    await delete_tenant(graph, tenant)


def toolbox(store: Store) -> Toolbox:
    async def no_search(text: str, limit: int) -> list[dict[str, Any]]:
        return []

    return Toolbox(store.graph, store.source, store.tenant, search=no_search)


def agent(store: Store) -> OfflineAgent:
    return OfflineAgent(lambda tenant, q: resolve_metrics(store.graph, tenant, q))


async def ask(
    store: Store, conversation: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], Memory, list[Chunk], Toolbox]]:
    chats = ConversationStore(None)
    conversation_id = new_conversation_id()
    answers = []
    for turn in conversation:
        tools = toolbox(store)
        chunks = [
            c async for c in chat_turn(agent(store), tools, chats, "analyst", turn["q"], conversation_id)
        ]
        memory = await chats.load(store.tenant, "analyst", conversation_id)
        answers.append((turn, memory, chunks, tools))
    return answers


async def test_the_question_set_is_read_right_and_every_number_traces(store: Store) -> None:
    total = right = 0
    misses = []
    for conversation in QUESTIONS["conversations"]:
        for turn, memory, chunks, _tools in await ask(store, conversation):
            total += 1
            got_metric = memory.metric_ids[0] if memory.metric_ids and turn["metric"] else None
            got = (got_metric, memory.intent.value if memory.intent else None)
            if got == (turn["metric"], turn["intent"]):
                right += 1
            else:
                misses.append((turn["q"], got, (turn["metric"], turn["intent"])))
            done = chunks[-1]
            assert done.kind == "done" and done.unverified == 0, (turn["q"], [c.text for c in chunks])
            assert any(c.kind == "tool_call" for c in chunks), turn["q"]
            text = "".join(c.text for c in chunks if c.kind == "text")
            assert text.strip() and "[unverified]" not in text
    assert total >= 40
    rate = right / total
    print(f"agent reading: {right}/{total} = {rate:.0%}; misses: {misses}")
    assert rate >= 0.9, misses


async def test_an_invented_number_is_flagged_before_it_is_sent(store: Store) -> None:
    class Boaster:
        name = "boaster"

        async def answer(self, question: str, memory: Memory, tools: Toolbox) -> AsyncIterator[Step]:
            await tools.call("query_metrics", {"metric_ids": ["cpc_google_ads"], "days": 7})
            latest = tools.calls[-1]["result"]["metrics"][0]["latest"]
            yield Step("text", f"CPC was ${latest:.2f}. It will reach $9.73 next week.")

    chunks = [
        c async for c in chat_turn(Boaster(), toolbox(store), ConversationStore(None), "u", "cpc?", "c1")
    ]
    text = "".join(c.text for c in chunks if c.kind == "text")
    assert "9.73 [unverified]" in text
    assert text.count("[unverified]") == 1
    assert chunks[-1].unverified == 1


def _claude_agent(handler: Any) -> ClaudeAgent:
    settings = AnthropicSettings(api_key="test-key", max_retries=0)  # type: ignore[arg-type]
    client = make_client(settings, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))
    return ClaudeAgent(client, settings)


def _message(content: list[dict[str, Any]], stop: str) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10},
        },
    )


async def test_the_claude_agent_loops_over_tools_and_its_numbers_are_checked(store: Store) -> None:
    seen: list[dict[str, Any]] = []

    def claude(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        seen.append(body)
        if len(seen) == 1:
            call = {
                "type": "tool_use",
                "id": "tu_1",
                "name": "query_metrics",
                "input": {"metric_ids": ["cpc_google_ads"], "days": 7},
            }
            return _message([call], "tool_use")
        result = json.loads(body["messages"][-1]["content"][0]["content"])
        latest = result["metrics"][0]["latest"]
        text = f"Google CPC was ${latest:.2f} on the last day. Analysts expect $7.77 soon."
        return _message([{"type": "text", "text": text}], "end_turn")

    chunks = [
        c
        async for c in chat_turn(
            _claude_agent(claude), toolbox(store), ConversationStore(None), "u", "cpc on google?", "c9"
        )
    ]
    assert [c.kind for c in chunks][:1] == ["tool_call"] and chunks[0].tool == "query_metrics"
    text = "".join(c.text for c in chunks if c.kind == "text")
    assert "7.77 [unverified]" in text and text.count("[unverified]") == 1
    assert chunks[-1].kind == "done" and chunks[-1].unverified == 1
    assert {t["name"] for t in seen[0]["tools"]} == {
        "query_metrics",
        "compare_periods",
        "get_blast_radius",
        "explain_change",
        "list_thoughts",
        "search_knowledge",
    }


async def test_the_claude_agent_stops_after_five_model_calls(store: Store) -> None:
    calls = []

    def endless(request: httpx2.Request) -> httpx2.Response:
        calls.append(1)
        use = {"type": "tool_use", "id": f"tu_{len(calls)}", "name": "list_thoughts", "input": {}}
        return _message([use], "tool_use")

    chunks = [
        c
        async for c in chat_turn(
            _claude_agent(endless), toolbox(store), ConversationStore(None), "u", "loop", "c10"
        )
    ]
    assert len(calls) == 5
    assert "could not finish" in "".join(c.text for c in chunks if c.kind == "text")
