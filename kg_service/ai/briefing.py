"""The morning briefing: the tenant's top thoughts, what they drag along, what to do, key numbers.

Structured sections for the screen, plain text, and a version written for speech. Every number in
an item comes from a stored thought or from the warehouse, and the item names its sources.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg_service.ai.speech import integer_words, spoken, spoken_change, written
from kg_service.engine import metric_values
from kg_service.graph import catalog
from kg_service.graph.actions import list_actions
from kg_service.graph.db import Graph
from kg_service.graph.instances import InstanceStatus, ThoughtInstance, list_instances
from kg_service.graph.metrics import registry
from kg_service.graph.thoughtlets import list_thoughtlets
from kg_service.graph.thoughts import list_definitions
from kg_service.warehouse.source import MetricSource

TOP_THOUGHTS = 5
KEY_BOARD = "core_performance"
_PRIORITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_SEVERITY = {"critical": 0, "warning": 1, "ok": 2}


class Item(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    speech: str
    numbers: list[float]
    sources: list[str]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    items: list[Item]


class Briefing(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    generated_at: datetime
    headline: str
    spoken_headline: str
    sections: list[Section]

    @property
    def text(self) -> str:
        lines = [self.headline]
        for section in self.sections:
            lines += [f"\n{section.title}"] + [f"- {i.text}" for i in section.items]
        return "\n".join(lines)

    @property
    def speech(self) -> str:
        parts = [self.spoken_headline]
        for section in self.sections:
            parts += [f"{section.title}."] + [i.speech for i in section.items]
        return " ".join(parts)


def _ranked(instances: list[ThoughtInstance]) -> list[ThoughtInstance]:
    return sorted(instances, key=lambda i: (_PRIORITY.get(i.priority, 9), _SEVERITY[i.severity.value], i.id))


async def build_briefing(graph: Graph, source: MetricSource, tenant: str, day: date) -> Briefing:
    instances = _ranked(await list_instances(graph, tenant, statuses=[InstanceStatus.ACTIVE]))[:TOP_THOUGHTS]
    definitions = {d.id: d for d in await list_definitions(graph, tenant)}
    actions = {a.id: a for a in await list_actions(graph, tenant)}
    metrics = await registry(graph, tenant)
    thought_items = [_thought_item(i, definitions[i.definition_id].name, metrics, actions) for i in instances]
    key_items = await _key_metrics(graph, source, tenant, metrics)
    if instances:
        first = definitions[instances[0].definition_id].name
        things = (
            f"thing{'s' if len(instances) != 1 else ''} need attention today; the most urgent is {first}."
        )
        headline = f"Good morning. {len(instances)} {things}"
        spoken_headline = f"Good morning. {integer_words(len(instances))} {things}"
    else:
        headline = spoken_headline = "Good morning. Nothing needs attention today."
    sections = [Section(title="What needs attention", items=thought_items)] if thought_items else []
    if key_items:
        sections.append(Section(title="Key numbers this week", items=key_items))
    return Briefing(
        id=day.isoformat(),
        generated_at=datetime.now(UTC),
        headline=headline,
        spoken_headline=spoken_headline,
        sections=sections,
    )


def _thought_item(
    instance: ThoughtInstance, name: str, metrics: dict[str, Any], actions: dict[str, Any]
) -> Item:
    numbers: list[float] = []
    summary = instance.summary.removeprefix(f"{name}: ").rstrip(".") + "."
    text = f"{name} ({instance.severity.value}): {summary}"
    speech = f"{name}. {summary}" if not any(c.isdigit() for c in summary) else f"{name}."
    impacts = (instance.blast_radius or {}).get("affected", [])[:3]
    if impacts:
        said = []
        for impact in impacts:
            metric = metrics.get(impact["metric_id"])
            label = metric.name if metric else impact["metric_id"]
            numbers.append(impact["impact_pct"])
            said.append((label, impact["impact_pct"]))
        text += " It drags along " + ", ".join(f"{label} {value:+.1f}%" for label, value in said) + "."
        speech += (
            " It drags along " + ", ".join(f"{label}, {spoken_change(value)}" for label, value in said) + "."
        )
    recommended = [actions[a].name for a in instance.recommended_actions if a in actions]
    if recommended:
        text += f" Recommended: {'; '.join(recommended)}."
        speech += f" Recommended: {'; '.join(recommended)}."
    return Item(
        text=text, speech=speech, numbers=numbers + list(instance.mentioned_values), sources=[instance.id]
    )


async def _key_metrics(
    graph: Graph, source: MetricSource, tenant: str, metrics: dict[str, Any]
) -> list[Item]:
    boards = await list_thoughtlets(graph, tenant, [KEY_BOARD])
    ids = list(boards[0].metrics[:6]) if boards else []
    end = await source.last_date(tenant)
    if not ids or end is None:
        return []
    start = end - timedelta(days=metric_values.STATUS_WINDOW_DAYS - 1)
    needed = metric_values.needed_ids(ids, metrics)
    series = metric_values.to_series(await source.series(tenant, needed, start, end), needed, start, end)
    items = []
    for metric_id in ids:
        metric = metrics[metric_id]
        latest = metric_values.latest(series[metric_id])
        change = metric_values.change_pct(metric, series, metrics, 7)
        if latest is None:
            continue
        value = round(latest.value, 2)
        text = f"{metric.name}: {written(value, metric.unit.value)} on {latest.date.isoformat()}"
        speech = f"{metric.name} was {spoken(value, metric.unit.value)}"
        numbers = [value]
        if change is not None:
            text += f", {change:+.1f}% on the week before"
            speech += f", {spoken_change(change)} on the week before"
            numbers.append(round(change, 1))
        items.append(Item(text=text + ".", speech=speech + ".", numbers=numbers, sources=[metric_id]))
    return items


async def save_briefing(graph: Graph, tenant: str, briefing: Briefing) -> None:
    props = {
        "generated_at": briefing.generated_at,
        "headline": briefing.headline,
        "spoken_headline": briefing.spoken_headline,
        "sections": json.dumps([s.model_dump(mode="json") for s in briefing.sections]),
        "text": briefing.text,
        "speech": briefing.speech,
    }
    await graph.write(catalog.briefings_save(), tenant=tenant, id=briefing.id, props=props)


async def load_briefing(graph: Graph, tenant: str, day: date) -> Briefing | None:
    rows = await graph.read(catalog.briefings_get(), tenant=tenant, id=day.isoformat())
    if not rows:
        return None
    data = rows[0]["briefing"]
    return Briefing(
        id=data["id"],
        generated_at=data["generated_at"].to_native(),
        headline=data["headline"],
        spoken_headline=data.get("spoken_headline") or data["headline"],  # briefings stored before it existed
        sections=[Section.model_validate(s) for s in json.loads(data["sections"])],
    )
