"""The Claude analyst through the real anthropic SDK, with a fake transport playing Anthropic's side."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest
from redis.asyncio import Redis

from kg_service.ai.claude import TOOL_NAME, ClaudeAnalyst, make_client
from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.config import AnthropicSettings, Settings
from kg_service.engine.analysis import AnalysisContext, RootCause
from kg_service.engine.validation import analyse
from kg_service.graph import audit
from kg_service.graph.db import Graph
from kg_service.redis_client import connect_redis

from ..unit.test_validator import _context

Handler = Callable[[httpx2.Request], httpx2.Response]
GOOD = {
    "summary": "Cost per click rose 42.5% to $2.85 from $2.00 as auctions got pricier",
    "root_cause": "increased_competition",
    "confidence": 0.82,
    "direction": "up",
    "recommended_actions": ["reduce_bids_high_cpc_keywords"],
    "mentioned_values": [42.5, 2.85, 2.0],
}


def answer(tool_input: dict[str, Any], stop_reason: str = "tool_use") -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": TOOL_NAME, "input": tool_input}],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 1234, "output_tokens": 87},
        },
    )


class FakeAnthropic:
    """Anthropic's side of the wire: records requests, answers from a script."""

    def __init__(self, *responses: Handler) -> None:
        self.script = list(responses)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        handler = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return handler(request)


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = connect_redis(settings.redis)
    assert client is not None
    yield client
    await client.aclose()


def analyst(fake: FakeAnthropic, graph: Graph, redis: Redis | None, retries: int = 0) -> ClaudeAnalyst:
    settings = AnthropicSettings(api_key="test-key", max_retries=retries, timeout_s=2)  # type: ignore[arg-type]
    client = make_client(settings, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(fake)))
    return ClaudeAnalyst(client, settings, graph, redis)


def context(tenant: str) -> AnalysisContext:
    return _context().model_copy(update={"tenant": tenant})


async def test_a_structured_answer_is_parsed_validated_and_audited(graph: Graph, tenant: str) -> None:
    fake = FakeAnthropic(lambda _: answer(GOOD))
    result = await analyse(analyst(fake, graph, None), OfflineAnalyst(), context(tenant))
    assert result.analyst == "claude" and result.note is None and result.reasons == ()
    assert result.analysis.root_cause is RootCause.INCREASED_COMPETITION
    (request,) = fake.requests
    assert request["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert request["tools"][0]["input_schema"]["additionalProperties"] is False
    assert "2.85" in request["messages"][0]["content"] and "temperature" not in request
    (event,) = await audit.list_events(graph, tenant, action="ai.claude.analysis")
    assert event.outcome == "answered" and event.source_data_hash == context(tenant).fingerprint()
    assert (event.metadata["input_tokens"], event.metadata["output_tokens"]) == (1234, 87)


@pytest.mark.parametrize(
    ("planted", "check"),
    [
        ({"direction": "down"}, lambda r: r.analyst == "offline" and "direction" in r.reasons[0]),
        (
            {"summary": "Cost per click rose 57% overnight", "mentioned_values": [57]},
            lambda r: (
                r.analyst == "claude" and r.analysis.confidence < 0.5 and any("57" in x for x in r.reasons)
            ),
        ),
        (
            {"recommended_actions": ["reduce_bids_high_cpc_keywords", "fire_the_agency"]},
            lambda r: (
                r.analysis.recommended_actions == ("reduce_bids_high_cpc_keywords",)
                and any("fire_the_agency" in x for x in r.reasons)
            ),
        ),
    ],
    ids=["wrong direction", "invented number", "unknown action"],
)
async def test_planted_hallucinations_are_caught(
    graph: Graph, tenant: str, planted: dict[str, Any], check: Callable[[Any], bool]
) -> None:
    fake = FakeAnthropic(lambda _: answer({**GOOD, **planted}))
    result = await analyse(analyst(fake, graph, None), OfflineAnalyst(), context(tenant))
    assert check(result), result


def _timeout(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("no answer in time", request=request)


@pytest.mark.parametrize(
    "respond",
    [
        lambda _: answer(GOOD, stop_reason="refusal"),
        _timeout,
        lambda _: answer({"summary": "no other fields"}),
        lambda _: httpx2.Response(200, json={"not": "a message"}),
    ],
    ids=["refusal", "timeout", "malformed output", "garbage body"],
)
async def test_failures_fall_back_to_the_offline_analyst_and_say_so(
    graph: Graph, tenant: str, respond: Handler
) -> None:
    result = await analyse(analyst(FakeAnthropic(respond), graph, None), OfflineAnalyst(), context(tenant))
    assert result.analyst == "offline"
    assert (
        result.note and "claude analyst failed" in result.note and "offline analysis stands in" in result.note
    )
    (event,) = await audit.list_events(graph, tenant, action="ai.claude.analysis")
    assert event.outcome == "failed"


async def test_only_retryable_errors_are_retried(graph: Graph, tenant: str) -> None:
    overloaded = FakeAnthropic(
        lambda _: httpx2.Response(
            529, json={"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}
        ),
        lambda _: answer(GOOD),
    )
    result = await analyse(analyst(overloaded, graph, None, retries=2), OfflineAnalyst(), context(tenant))
    assert result.analyst == "claude" and len(overloaded.requests) == 2
    bad = FakeAnthropic(
        lambda _: httpx2.Response(
            400, json={"type": "error", "error": {"type": "invalid_request_error", "message": "no"}}
        )
    )
    fallback = await analyse(analyst(bad, graph, None, retries=2), OfflineAnalyst(), context(tenant))
    assert fallback.analyst == "offline" and len(bad.requests) == 1


async def test_an_identical_context_is_served_from_cache(graph: Graph, tenant: str, redis: Redis) -> None:
    fake = FakeAnthropic(lambda _: answer(GOOD))
    claude = analyst(fake, graph, redis)
    first = await claude.analyze(context(tenant))
    second = await claude.analyze(context(tenant))
    assert first == second and len(fake.requests) == 1
    outcomes = sorted(e.outcome for e in await audit.list_events(graph, tenant, action="ai.claude.analysis"))
    assert outcomes == ["answered", "cached"]
    changed = context(tenant).model_copy(update={"trigger_change_pct": 43.0})
    await claude.analyze(changed)
    assert len(fake.requests) == 2
