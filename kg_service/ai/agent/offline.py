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
        handler = {
            Intent.VALUE: self._value,
            Intent.TREND: self._trend,
            Intent.COMPARISON: self._compare,
            Intent.WHY: self._why,
            Intent.WHAT_IF: self._what_if,
        }[intent]
        async for step in handler(metric_id, reading, days, toolbox):
            yield step

    async def _call(
        self, toolbox: Toolbox, tool: str, arguments: dict[str, Any]
    ) -> tuple[Step, dict[str, Any]]:
        result = await toolbox.call(tool, arguments)
        return Step(
            "tool_call", f"{tool}({', '.join(f'{k}={v}' for k, v in arguments.items())})", tool, arguments
        ), result

    async def _value(
        self, metric_id: str, reading: Reading, days: int, toolbox: Toolbox
    ) -> AsyncIterator[Step]:
        step, result = await self._call(toolbox, "query_metrics", {"metric_ids": [metric_id], "days": days})
        yield step
        if "error" in result:
            yield Step("text", f"I could not read {metric_id}: {result['error']}")
            return
        row = result["metrics"][0]
        yield Step(
            "text",
            f"{row['name']} was {written(row['latest'], row['unit'])} on {row['latest_date']}. Over the last "
            f"{row['window_days']} days it stands at {written(row['window_value'], row['unit'])}, "
            f"{pct(row['change_pct'])} against the {row['window_days']} days before "
            f"(status: {row['status']}).",
        )

    async def _trend(
        self, metric_id: str, reading: Reading, days: int, toolbox: Toolbox
    ) -> AsyncIterator[Step]:
        step, result = await self._call(toolbox, "query_metrics", {"metric_ids": [metric_id], "days": days})
        yield step
        if "error" in result:
            yield Step("text", f"I could not read {metric_id}: {result['error']}")
            return
        row = result["metrics"][0]
        change = row["change_pct"]
        direction = "flat" if change is None or abs(change) < 1 else ("up" if change > 0 else "down")
        yield Step(
            "text",
            f"{row['name']} is trending {direction}: {pct(change)} over the last {row['window_days']} days "
            f"against the {row['window_days']} before, latest {written(row['latest'], row['unit'])} "
            f"({row['latest_date']}).",
        )

    async def _compare(
        self, metric_id: str, reading: Reading, days: int, toolbox: Toolbox
    ) -> AsyncIterator[Step]:
        step, result = await self._call(
            toolbox, "compare_periods", {"metric_id": metric_id, "days": days, "offset_days": days}
        )
        yield step
        if "error" in result:
            yield Step("text", f"I could not compare {metric_id}: {result['error']}")
            return
        unit = result["unit"]
        yield Step(
            "text",
            f"{result['name']}: {written(result['current'], unit)} over the last {result['days']} days "
            f"against {written(result['previous'], unit)} in the {result['days']} days before, "
            f"{pct(result['change_pct'])}.",
        )

    async def _why(
        self, metric_id: str, reading: Reading, days: int, toolbox: Toolbox
    ) -> AsyncIterator[Step]:
        step, result = await self._call(toolbox, "explain_change", {"metric_id": metric_id, "days": days})
        yield step
        if "error" in result:
            yield Step("text", f"I could not explain {metric_id}: {result['error']}")
            return
        text = f"{result['name']} moved {pct(result['change_pct'])} over the last {result['days']} days."
        drivers = sorted(result["drivers"], key=lambda d: -abs(d["share_pct"] or 0))
        if drivers:
            parts = [f"{d['component']} {pct(d['change_pct'])}" for d in drivers[:3]]
            text += f" By its formula, the movers were {', '.join(parts)}."
        if result["campaigns"]:
            top = result["campaigns"][0]
            text += f" The campaign that moved most was {top['campaign']} ({pct(top['change_pct'])})."
        yield Step("text", text)

    async def _what_if(
        self, metric_id: str, reading: Reading, days: int, toolbox: Toolbox
    ) -> AsyncIterator[Step]:
        change = reading.change_pct if reading.change_pct is not None else 10.0
        step, result = await self._call(
            toolbox, "get_blast_radius", {"metric_id": metric_id, "change_pct": change}
        )
        yield step
        if "error" in result:
            yield Step("text", f"I could not trace {metric_id}: {result['error']}")
            return
        affected = result["affected"][:4]
        if not affected:
            yield Step("text", f"A {pct(change)} change in {metric_id} reaches no other metric in the graph.")
            return
        parts = [
            f"{a['name']} {pct(a['impact_pct'])}" + (" (finance)" if a["cross_domain"] else "")
            for a in affected
        ]
        yield Step(
            "text",
            f"A {pct(change)} change in {metric_id} would move {'; '.join(parts)}, by the graph's weights.",
        )

    async def _thoughts(self, toolbox: Toolbox) -> AsyncIterator[Step]:
        step, result = await self._call(toolbox, "list_thoughts", {})
        yield step
        thoughts = result.get("thoughts", [])
        if not thoughts:
            yield Step("text", "Nothing needs attention right now: there are no active thoughts.")
            return
        lines = [f"{t['summary']} ({t['severity']}, {t['priority']} priority)" for t in thoughts[:5]]
        yield Step("text", f"{result['count']} active thoughts, most urgent first: " + " | ".join(lines))
