"""The offline agent: recognises the intent and the metric, calls the same tools Claude would, and
writes the answer from their results alone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kg_service.ai.speech import written

from .tools import Toolbox
from .understanding import Intent, Reading, on_platform, read

Resolve = Callable[[str, str], Awaitable[list[str]]]
"""tenant, question → candidate metric ids, best first."""


@dataclass
class Memory:
    """What a conversation remembers between questions."""

    metric_ids: list[str]
    intent: Intent | None
    days: int


@dataclass(frozen=True)
class Step:
    kind: str  # "tool_call" or "text"
    text: str
    tool: str | None = None
    arguments: dict[str, Any] | None = None


def pct(value: float | None) -> str:
    return "no comparable change" if value is None else f"{value:+.1f}%"


async def choose_metric(
    question: str, reading: Reading, memory: Memory, toolbox: Toolbox, resolve: Resolve
) -> str | None:
    known = set(await toolbox.metrics())
    if reading.follow_up and memory.metric_ids:
        last = memory.metric_ids[0]
        if reading.platform:
            return on_platform(last, reading.platform, known) or last
        return last
    candidates = [m for m in await resolve(toolbox.tenant, question) if m in known]
    if candidates:
        return candidates[0]
    return memory.metric_ids[0] if memory.metric_ids else None


class OfflineAgent:
    name = "offline"

    def __init__(self, resolve: Resolve) -> None:
        self.resolve = resolve

    async def answer(self, question: str, memory: Memory, toolbox: Toolbox) -> AsyncIterator[Step]:
        reading = read(question)
        intent = (
            reading.intent
            if not (reading.follow_up and memory.intent and reading.intent is Intent.VALUE)
            else memory.intent
        )
        days = reading.days if reading.days != 7 or not reading.follow_up else memory.days
        if intent is Intent.THOUGHTS:
            async for step in self._thoughts(toolbox):
                yield step
            memory.intent = intent
            return
        metric_id = await choose_metric(question, reading, memory, toolbox, self.resolve)
        if metric_id is None:
            yield Step(
                "text",
                "I could not tell which metric you mean. Try naming it, for example "
                '"cost per click on Google" or "email open rate".',
            )
            return
        memory.metric_ids, memory.intent, memory.days = [metric_id], intent, days
        tool, arguments, verb, compose = _plan(intent, metric_id, reading, days)
        step, result = await self._call(toolbox, tool, arguments)
        yield step
        if "error" in result:
            yield Step("text", f"I could not {verb} {metric_id}: {result['error']}")
            return
        yield Step("text", compose(result, arguments))

    async def _call(
        self, toolbox: Toolbox, tool: str, arguments: dict[str, Any]
    ) -> tuple[Step, dict[str, Any]]:
        result = await toolbox.call(tool, arguments)
        return Step(
            "tool_call", f"{tool}({', '.join(f'{k}={v}' for k, v in arguments.items())})", tool, arguments
        ), result

    async def _thoughts(self, toolbox: Toolbox) -> AsyncIterator[Step]:
        step, result = await self._call(toolbox, "list_thoughts", {})
        yield step
        thoughts = result.get("thoughts", [])
        if not thoughts:
            yield Step("text", "Nothing needs attention right now: there are no active thoughts.")
            return
        lines = [f"{t['summary']} ({t['severity']}, {t['priority']} priority)" for t in thoughts[:5]]
        yield Step("text", f"{result['count']} active thoughts, most urgent first: " + " | ".join(lines))


Compose = Callable[[dict[str, Any], dict[str, Any]], str]
"""A tool's result (and the arguments it was called with) → the answer's text."""


def _plan(
    intent: Intent, metric_id: str, reading: Reading, days: int
) -> tuple[str, dict[str, Any], str, Compose]:
    """Which tool answers an intent about one metric, with what arguments, and how to word it."""
    if intent is Intent.TREND:
        return "query_metrics", {"metric_ids": [metric_id], "days": days}, "read", _trend
    if intent is Intent.COMPARISON:
        return (
            "compare_periods",
            {"metric_id": metric_id, "days": days, "offset_days": days},
            "compare",
            _compare,
        )
    if intent is Intent.WHY:
        return "explain_change", {"metric_id": metric_id, "days": days}, "explain", _why
    if intent is Intent.WHAT_IF:
        change = reading.change_pct if reading.change_pct is not None else 10.0
        return "get_blast_radius", {"metric_id": metric_id, "change_pct": change}, "trace", _what_if
    return "query_metrics", {"metric_ids": [metric_id], "days": days}, "read", _value


def _value(result: dict[str, Any], _: dict[str, Any]) -> str:
    row = result["metrics"][0]
    return (
        f"{row['name']} was {written(row['latest'], row['unit'])} on {row['latest_date']}. Over the last "
        f"{row['window_days']} days it stands at {written(row['window_value'], row['unit'])}, "
        f"{pct(row['change_pct'])} against the {row['window_days']} days before "
        f"(status: {row['status']})."
    )


def _trend(result: dict[str, Any], _: dict[str, Any]) -> str:
    row = result["metrics"][0]
    change = row["change_pct"]
    direction = "flat" if change is None or abs(change) < 1 else ("up" if change > 0 else "down")
    return (
        f"{row['name']} is trending {direction}: {pct(change)} over the last {row['window_days']} days "
        f"against the {row['window_days']} before, latest {written(row['latest'], row['unit'])} "
        f"({row['latest_date']})."
    )


def _compare(result: dict[str, Any], _: dict[str, Any]) -> str:
    unit = result["unit"]
    return (
        f"{result['name']}: {written(result['current'], unit)} over the last {result['days']} days "
        f"against {written(result['previous'], unit)} in the {result['days']} days before, "
        f"{pct(result['change_pct'])}."
    )


def _why(result: dict[str, Any], _: dict[str, Any]) -> str:
    text = f"{result['name']} moved {pct(result['change_pct'])} over the last {result['days']} days."
    drivers = sorted(result["drivers"], key=lambda d: -abs(d["share_pct"] or 0))
    if drivers:
        parts = [f"{d['component']} {pct(d['change_pct'])}" for d in drivers[:3]]
        text += f" By its formula, the movers were {', '.join(parts)}."
    if result["campaigns"]:
        top = result["campaigns"][0]
        text += f" The campaign that moved most was {top['campaign']} ({pct(top['change_pct'])})."
    return text


def _what_if(result: dict[str, Any], arguments: dict[str, Any]) -> str:
    change, metric_id = arguments["change_pct"], arguments["metric_id"]
    affected = result["affected"][:4]
    if not affected:
        return f"A {pct(change)} change in {metric_id} reaches no other metric in the graph."
    parts = [
        f"{a['name']} {pct(a['impact_pct'])}" + (" (finance)" if a["cross_domain"] else "") for a in affected
    ]
    return f"A {pct(change)} change in {metric_id} would move {'; '.join(parts)}, by the graph's weights."
