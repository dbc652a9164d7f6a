"""The Claude agent: a tool-using loop (at most five model calls) over the same tools as the
offline agent. The model sees only what the tools return; the chat turn checks every number of
its answer before sending it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, cast

import anthropic
from anthropic.types import MessageParam, ToolParam

from kg_service.config import AnthropicSettings

from .offline import Memory, Step
from .tools import TOOL_SPECS, Toolbox

MAX_ITERATIONS = 5
SYSTEM = (
    "You answer an e-commerce marketing team's questions about their numbers. Use the tools to get "
    "every number you state; never state a number no tool returned. Prefer one or two tool calls. "
    "Answer in two to four plain sentences, naming the metric and the period."
)


class ClaudeAgent:
    name = "claude"

    def __init__(self, client: anthropic.AsyncAnthropic, settings: AnthropicSettings) -> None:
        self.client = client
        self.settings = settings

    async def answer(self, question: str, memory: Memory, toolbox: Toolbox) -> AsyncIterator[Step]:
        context = (
            f" (Earlier in this conversation: metrics {', '.join(memory.metric_ids)}.)"
            if memory.metric_ids
            else ""
        )
        messages: list[MessageParam] = [{"role": "user", "content": question + context}]
        tools = cast(list[ToolParam], TOOL_SPECS)
        for _ in range(MAX_ITERATIONS):
            response = await self.client.messages.create(
                model=self.settings.analysis_model,
                max_tokens=800,
                system=SYSTEM,
                messages=messages,
                tools=tools,
            )
            uses = [b for b in response.content if b.type == "tool_use"]
            text = "".join(b.text for b in response.content if b.type == "text").strip()
            if not uses:
                if text:
                    yield Step("text", text)
                self._remember(memory, toolbox)
                return
            messages.append(
                {"role": "assistant", "content": cast(Any, [b.model_dump() for b in response.content])}
            )
            results: list[dict[str, Any]] = []
            for use in uses:
                arguments = dict(cast(dict[str, Any], use.input))
                yield Step(
                    "tool_call", f"{use.name}({json.dumps(arguments, sort_keys=True)})", use.name, arguments
                )
                result = await toolbox.call(use.name, arguments)
                results.append({"type": "tool_result", "tool_use_id": use.id, "content": json.dumps(result)})
            messages.append({"role": "user", "content": cast(Any, results)})
        yield Step("text", "I could not finish within the allowed number of steps; please ask more narrowly.")

    @staticmethod
    def _remember(memory: Memory, toolbox: Toolbox) -> None:
        for call in reversed(toolbox.calls):
            arguments = call["arguments"]
            metric = arguments.get("metric_id") or (arguments.get("metric_ids") or [None])[0]
            if metric:
                memory.metric_ids = [metric]
                return
