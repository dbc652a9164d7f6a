"""agentChat over a real websocket: streamed chunks within the token's tenant, rate-limited."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from kg_service.ai.embeddings import embedder
from kg_service.config import Settings
from kg_service.graph.db import Graph
from kg_service.graph.embeddings import refresh_embeddings

from .pipeline_stack import Stack, pipeline_stack

CHAT = (
    "subscription($m: String!, $c: ID) { agentChat(message: $m, conversationId: $c) "
    "{ kind text tool conversationId unverified } }"
)


@pytest.fixture(scope="module")
async def stack(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with pipeline_stack(graph, settings, tmp_path_factory.mktemp("chat"), tenants=1) as made:
        await refresh_embeddings(graph, made.tenants[0].id, embedder())
        yield made


async def ask(stack: Stack, question: str, conversation: str | None = None) -> list[dict[str, Any]]:
    url = stack.api.replace("http://", "ws://") + "/graphql"
    token = stack.token(stack.tenants[0].id)
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        variables = {"m": question, "c": conversation}
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": CHAT, "variables": variables}})
        )
        messages = []
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == "complete":
                return messages
            messages.append(message)
            if message["type"] == "error":
                return messages


async def test_an_answer_streams_tool_calls_then_text_then_done(stack: Stack) -> None:
    messages = await ask(stack, "What's our cost per click on Google?")
    chunks = [m["payload"]["data"]["agentChat"] for m in messages]
    assert chunks[0]["kind"] == "tool_call" and chunks[0]["tool"] == "query_metrics"
    assert chunks[-1]["kind"] == "done" and chunks[-1]["unverified"] == 0
    text = "".join(c["text"] for c in chunks if c["kind"] == "text")
    assert "Cost Per Click" in text
    conversation = chunks[-1]["conversationId"]
    follow = [m["payload"]["data"]["agentChat"] for m in await ask(stack, "and on Meta?", conversation)]
    assert "Meta" in "".join(c["text"] for c in follow if c["kind"] == "text")


async def test_the_agent_limit_answers_rate_limited(stack: Stack) -> None:
    for _ in range(12):
        messages = await ask(stack, "What needs attention today?")
        last = messages[-1]
        if "errors" in last.get("payload", {}) or last["type"] == "error":
            errors = last["payload"] if last["type"] == "error" else last["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "RATE_LIMITED"
            return
    raise AssertionError("twelve questions in a minute were all answered")
