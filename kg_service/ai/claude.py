"""The Claude analyst: the engine's `Analyst` through the anthropic SDK, with structured output.

The answer comes back through a forced tool call whose input schema is `ThoughtAnalysis`'s closed
JSON schema; the SDK retries only retryable failures (429, 5xx, connection); a refusal, a timeout or
an output that does not parse raises, and the engine falls back to the offline analyst and says so.
Identical contexts are answered from a 15-minute cache, and every call (cached or not) leaves an
audit event with the hash of its input data and the tokens it used.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anthropic
from anthropic.types import MessageParam, ToolChoiceToolParam, ToolParam
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.ai.prompts import ANALYST_SYSTEM, analysis_prompt
from kg_service.config import AnthropicSettings
from kg_service.engine.analysis import AnalysisContext, ThoughtAnalysis
from kg_service.errors import UpstreamError
from kg_service.graph import audit
from kg_service.graph.db import Graph

log = logging.getLogger(__name__)
TOOL_NAME = "record_analysis"


class AnalystRefused(UpstreamError):
    code = "ANALYST_REFUSED"


def analysis_tool() -> ToolParam:
    return {
        "name": TOOL_NAME,
        "description": "Record the analysis of the triggered insight.",
        "input_schema": ThoughtAnalysis.model_json_schema(),
    }


def make_client(settings: AnthropicSettings, http_client: Any = None) -> anthropic.AsyncAnthropic:
    key = settings.api_key.get_secret_value() if settings.api_key else None
    return anthropic.AsyncAnthropic(
        api_key=key, timeout=settings.timeout_s, max_retries=settings.max_retries, http_client=http_client
    )


class ClaudeAnalyst:
    name = "claude"

    def __init__(
        self, client: anthropic.AsyncAnthropic, settings: AnthropicSettings, graph: Graph, redis: Redis | None
    ) -> None:
        self.client = client
        self.settings = settings
        self.graph = graph
        self.redis = redis

    async def analyze(self, context: AnalysisContext) -> ThoughtAnalysis:
        fingerprint = context.fingerprint()
        cached = await self._cached(context.tenant, fingerprint)
        if cached is not None:
            await self._audit(context, "cached", {})
            return cached
        try:
            analysis, usage = await self._call(context)
        except Exception as exc:
            await self._audit(context, "failed", {"error": f"{type(exc).__name__}: {exc}"[:300]})
            raise
        await self._audit(context, "answered", usage)
        await self._store(context.tenant, fingerprint, analysis)
        return analysis

    async def _call(self, context: AnalysisContext) -> tuple[ThoughtAnalysis, dict[str, Any]]:
        message: MessageParam = {"role": "user", "content": analysis_prompt(context)}
        choice: ToolChoiceToolParam = {"type": "tool", "name": TOOL_NAME}
        response = await self.client.messages.create(
            model=self.settings.analysis_model,
            max_tokens=1024,
            system=ANALYST_SYSTEM,
            messages=[message],
            tools=[analysis_tool()],
            tool_choice=choice,
        )
        usage = {
            "model": response.model,
            "input_tokens": response.usage.input_tokens,
            "output_tokens": response.usage.output_tokens,
            "stop_reason": response.stop_reason,
        }
        if response.stop_reason == "refusal":
            raise AnalystRefused("Claude declined to analyse this thought")
        block = next((b for b in response.content if b.type == "tool_use" and b.name == TOOL_NAME), None)
        if block is None:
            raise UpstreamError(
                f"Claude answered without the {TOOL_NAME} tool (stop: {response.stop_reason})"
            )
        try:
            return ThoughtAnalysis.model_validate(block.input), usage
        except ValidationError as exc:
            raise UpstreamError(
                f"Claude's analysis does not fit the schema: {exc.error_count()} errors"
            ) from exc

    def _key(self, tenant: str, fingerprint: str) -> str:
        return f"thought:{tenant}:analysis:{self.settings.analysis_model}:{fingerprint}"

    async def _cached(self, tenant: str, fingerprint: str) -> ThoughtAnalysis | None:
        if self.redis is None or self.settings.cache_ttl_s == 0:
            return None
        try:
            raw = await self.redis.get(self._key(tenant, fingerprint))
        except (RedisError, OSError):
            return None
        return ThoughtAnalysis.model_validate_json(raw) if raw else None

    async def _store(self, tenant: str, fingerprint: str, analysis: ThoughtAnalysis) -> None:
        if self.redis is None or self.settings.cache_ttl_s == 0:
            return
        try:
            await self.redis.set(
                self._key(tenant, fingerprint), analysis.model_dump_json(), ex=self.settings.cache_ttl_s
            )
        except (RedisError, OSError):
            log.warning("could not cache an analysis", exc_info=True)

    async def _audit(self, context: AnalysisContext, outcome: str, usage: dict[str, Any]) -> None:
        event = audit.new_event(
            user="ai:claude",
            action="ai.claude.analysis",
            resource_type="Thought",
            resource_id=context.thought_id,
            outcome=outcome,
            source_data_hash=context.fingerprint(),
            metadata={"model": self.settings.analysis_model, **json.loads(json.dumps(usage, default=str))},
        )
        await self.graph.write_tx(lambda tx: audit.record(tx, context.tenant, event), tenant=context.tenant)
