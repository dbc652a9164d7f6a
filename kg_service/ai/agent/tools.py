"""The agent's tools: every number an answer may state comes out of one of these.

Each tool reads within one tenant and returns a plain JSON-able dict; `Toolbox.facts` keeps every
number any tool returned during a conversation turn, for tracing the answer afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from kg_service.engine import metric_values
from kg_service.engine.series import DailySeries
from kg_service.errors import InvalidInput, NotFound
from kg_service.graph.blast_radius import blast_radius
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Metric
from kg_service.graph.instances import InstanceStatus, list_instances
from kg_service.graph.metrics import registry
from kg_service.warehouse.source import MetricSource

MAX_DAYS = 365
_PRIORITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_SEVERITY = {"critical": 0, "warning": 1, "ok": 2}
Search = Callable[[str, int], Awaitable[list[dict[str, Any]]]]

TOOL_SPECS: list[dict[str, Any]] = [
    {
        "name": "query_metrics",
        "description": "Latest value, the total or typical value over the last `days` days, and the change "
        "against the `days` before, for one or more metrics.",
        "input_schema": {
            "type": "object",
            "properties": {
                "metric_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10},
                "days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
            },
            "required": ["metric_ids"],
            "additionalProperties": False,
        },
    },
    {
        "name": "compare_periods",
        "description": "One metric over the last `days` days against the same length `offset_days` earlier.",
        "input_schema": {
            "type": "object",
            "properties": {
                "metric_id": {"type": "string"},
                "days": {"type": "integer", "minimum": 1, "maximum": 90},
                "offset_days": {"type": "integer", "minimum": 1, "maximum": 364},
            },
            "required": ["metric_id"],
            "additionalProperties": False,
        },
    },
    {
        "name": "get_blast_radius",
        "description": "What a change of `change_pct` % in a metric drags along through the knowledge graph.",
        "input_schema": {
            "type": "object",
            "properties": {
                "metric_id": {"type": "string"},
                "change_pct": {"type": "number"},
                "max_depth": {"type": "integer", "minimum": 1, "maximum": 5},
            },
            "required": ["metric_id", "change_pct"],
            "additionalProperties": False,
        },
    },
    {
        "name": "explain_change",
        "description": "Why a metric changed: its formula components' contributions and the campaigns that "
        "moved most, last `days` days against the `days` before.",
        "input_schema": {
            "type": "object",
            "properties": {
                "metric_id": {"type": "string"},
                "days": {"type": "integer", "minimum": 1, "maximum": 90},
            },
            "required": ["metric_id"],
            "additionalProperties": False,
        },
    },
    {
        "name": "list_thoughts",
        "description": "The active insights (thoughts): summaries, severity, recommended actions.",
        "input_schema": {"type": "object", "properties": {}, "additionalProperties": False},
    },
    {
        "name": "search_knowledge",
        "description": "Find metrics, insight definitions and actions by meaning.",
        "input_schema": {
            "type": "object",
            "properties": {
                "text": {"type": "string"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            "required": ["text"],
            "additionalProperties": False,
        },
    },
]


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, places)


@dataclass
class Toolbox:
    graph: Graph
    source: MetricSource
    tenant: str
    search: Search
    facts: list[float] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    _metrics: dict[str, Metric] | None = None

    async def metrics(self) -> dict[str, Metric]:
        if self._metrics is None:
            self._metrics = await registry(self.graph, self.tenant)
        return self._metrics

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Runs a tool by name; a bad argument comes back as an error result, not an exception."""
        handlers: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
            "query_metrics": self.query_metrics,
            "compare_periods": self.compare_periods,
            "get_blast_radius": self.get_blast_radius,
            "explain_change": self.explain_change,
            "list_thoughts": self.list_thoughts,
            "search_knowledge": self.search_knowledge,
        }
        handler = handlers.get(name)
        if handler is None:
            result: dict[str, Any] = {"error": f"no tool named {name}"}
        else:
            try:
                result = await handler(**arguments)
            except (InvalidInput, NotFound, TypeError) as exc:
                result = {"error": str(exc)}
        self.calls.append({"tool": name, "arguments": arguments, "result": result})
        self._collect(result)
        return result

    def _collect(self, value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float) and math.isfinite(value):
            self.facts.append(float(value))
        elif isinstance(value, dict):
            for item in value.values():
                self._collect(item)
        elif isinstance(value, list):
            for item in value:
                self._collect(item)

    async def _series(self, ids: list[str], days: int) -> tuple[dict[str, DailySeries], dict[str, Metric]]:
        metrics = await self.metrics()
        unknown = [m for m in ids if m not in metrics]
        if unknown:
            raise NotFound(f"unknown metric(s): {', '.join(unknown)}")
        needed = metric_values.needed_ids(ids, metrics)
        end = await self.source.last_date(self.tenant)
        if end is None:
            raise NotFound("no values in the warehouse yet")
        start = end - timedelta(days=max(2 * days, metric_values.STATUS_WINDOW_DAYS) - 1)
        points = await self.source.series(self.tenant, needed, start, end)
        return metric_values.to_series(points, needed, start, end), metrics

    async def query_metrics(self, metric_ids: list[str], days: int = 7) -> dict[str, Any]:
        metric_values.check_days(days)
        series, metrics = await self._series(list(metric_ids), days)
        rows = []
        for metric_id in metric_ids:
            metric, own = metrics[metric_id], series[metric_id]
            latest = metric_values.latest(own)
            rows.append(
                {
                    "metric_id": metric_id,
                    "name": metric.name,
                    "unit": metric.unit.value,
                    "direction": metric.direction.value,
                    "latest_date": latest.date.isoformat() if latest else None,
                    "latest": _r(latest.value if latest else None),
                    "window_days": days,
                    "window_value": _r(metric_values.window_total(metric, series, metrics, days)),
                    "change_pct": _r(metric_values.change_pct(metric, series, metrics, days), 2),
                    "status": metric_values.status(metric, series, metrics).value,
                }
            )
        return {"metrics": rows}

    async def compare_periods(self, metric_id: str, days: int = 7, offset_days: int = 7) -> dict[str, Any]:
        metric_values.check_days(days)
        series, metrics = await self._series([metric_id], days + offset_days)
        metric = metrics[metric_id]
        now = metric_values.window_total(metric, series, metrics, days)
        shifted = {k: v.until(v.end - timedelta(days=offset_days)) for k, v in series.items() if v.end}
        before = metric_values.window_total(metric, shifted, metrics, days)
        change = (now - before) / abs(before) * 100 if now is not None and before else None
        return {
            "metric_id": metric_id,
            "name": metric.name,
            "unit": metric.unit.value,
            "days": days,
            "offset_days": offset_days,
            "current": _r(now),
            "previous": _r(before),
            "change_pct": _r(change, 2),
        }

    async def get_blast_radius(self, metric_id: str, change_pct: float, max_depth: int = 3) -> dict[str, Any]:
        result = await blast_radius(self.graph, self.tenant, metric_id, change_pct, max_depth)
        metrics = await self.metrics()
        return {
            "metric_id": metric_id,
            "change_pct": change_pct,
            "max_depth": max_depth,
            "affected": [
                {
                    "metric_id": i.metric_id,
                    "name": metrics[i.metric_id].name if i.metric_id in metrics else i.metric_id,
                    "impact_pct": i.impact_pct,
                    "depth": i.depth,
                    "cross_domain": i.cross_domain,
                }
                for i in result.affected[:10]
            ],
        }

    async def explain_change(self, metric_id: str, days: int = 7) -> dict[str, Any]:
        series, metrics = await self._series([metric_id], days)
        metric = metrics[metric_id]
        split = metric_values.drivers(metric, series, metrics, days)
        change = metric_values.change_pct(metric, series, metrics, days)
        end = series[metric_id].end
        campaigns: list[dict[str, Any]] = []
        if end is not None:
            start = end - timedelta(days=2 * days - 1)
            detail = await self.source.series(self.tenant, [metric_id], start, end, breakdown="campaign")
            campaigns = _campaign_moves(detail.get(metric_id, {}), end - timedelta(days=days - 1))
        return {
            "metric_id": metric_id,
            "name": metric.name,
            "days": days,
            "change_pct": _r(change, 2),
            "drivers": [
                {
                    "component": d.metric_id,
                    "role": d.role.value,
                    "before": _r(d.before),
                    "after": _r(d.after),
                    "change_pct": _r(d.change_pct, 2),
                    "share_pct": _r(d.share_pct, 1),
                }
                for d in (split.drivers if split else ())
            ],
            "campaigns": campaigns,
        }

    async def list_thoughts(self) -> dict[str, Any]:
        found = await list_instances(self.graph, self.tenant, statuses=[InstanceStatus.ACTIVE], limit=20)
        found.sort(key=lambda i: (_PRIORITY.get(i.priority, 9), _SEVERITY.get(i.severity.value, 9), i.id))
        return {
            "count": len(found),
            "thoughts": [
                {
                    "id": i.id,
                    "definition_id": i.definition_id,
                    "severity": i.severity.value,
                    "priority": i.priority,
                    "summary": i.summary,
                    "confidence": i.confidence,
                    "recommended_actions": i.recommended_actions,
                }
                for i in found
            ],
        }

    async def search_knowledge(self, text: str, limit: int = 5) -> dict[str, Any]:
        return {"hits": await self.search(text, limit)}


def _campaign_moves(campaigns: dict[str, list[Any]], split: Any) -> list[dict[str, Any]]:
    moves: list[dict[str, Any]] = []
    for name, points in campaigns.items():
        before = [p.value for p in points if p.date < split]
        after = [p.value for p in points if p.date >= split]
        if before and after:
            b, a = sum(before) / len(before), sum(after) / len(after)
            moves.append(
                {
                    "campaign": name,
                    "before": _r(b, 2),
                    "after": _r(a, 2),
                    "change_pct": _r((a - b) / abs(b) * 100, 1) if b else None,
                }
            )
    moves.sort(key=lambda m: (-abs(float(m["change_pct"] or 0)), str(m["campaign"])))
    return moves[:5]
