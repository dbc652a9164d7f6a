"""Reading metrics, their AFFECTS edges and thresholds, always within one tenant."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg_service.graph import catalog
from kg_service.graph.db import Graph
from kg_service.graph.definitions import (
    Aggregation,
    Component,
    Direction,
    Edge,
    Metric,
    Relationship,
    Source,
    Threshold,
    Unit,
)
from kg_service.graph.memo import remembered


class MetricInfo(BaseModel):
    """A metric node's own properties (no values: those come from the warehouse)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str | None
    domain: str
    subdomain: str | None
    source: Source
    formula: str | None
    components: tuple[Component, ...]
    unit: Unit
    direction: Direction
    aggregation: Aggregation
    scale: float = 1.0
    view: str | None


class MetricEdge(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    weight: float
    relationship: Relationship


class MetricThreshold(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric_id: str
    threshold: Threshold


def _metric(row: dict[str, Any]) -> MetricInfo:
    data = dict(row["metric"])
    data["components"] = json.loads(data.get("components") or "[]")
    return MetricInfo.model_validate(data)


async def list_metrics(
    graph: Graph, tenant: str, *, source: str | None = None, thoughtlet: str | None = None
) -> list[MetricInfo]:
    rows = await graph.read(catalog.metrics_list(), tenant=tenant, source=source, thoughtlet=thoughtlet)
    return [_metric(row) for row in rows]


async def get_metrics(graph: Graph, tenant: str, ids: list[str]) -> list[MetricInfo]:
    """The tenant's metrics among `ids`, in id order; ids of absent metrics are left out."""
    rows = await graph.read(catalog.metrics_get_by_ids(), tenant=tenant, ids=ids)
    return [_metric(row) for row in rows]


async def get_edges(graph: Graph, tenant: str, ids: list[str] | None = None) -> list[MetricEdge]:
    """AFFECTS edges touching `ids`, or all of the tenant's edges when `ids` is None."""
    rows = await graph.read(catalog.metrics_edges(), tenant=tenant, ids=ids)
    return [MetricEdge.model_validate(row) for row in rows]


async def get_thresholds(graph: Graph, tenant: str, ids: list[str]) -> list[MetricThreshold]:
    rows = await graph.read(catalog.metrics_thresholds(), tenant=tenant, ids=ids)
    return [
        MetricThreshold(
            metric_id=row["metric_id"],
            threshold=Threshold.model_validate({k: v for k, v in row["threshold"].items() if v is not None}),
        )
        for row in rows
    ]


async def registry(graph: Graph, tenant: str) -> dict[str, Metric]:
    """The tenant's metrics as full definitions (with thresholds and AFFECTS edges), by id."""
    return await remembered("registry", tenant, lambda: _load_registry(graph, tenant))


async def _load_registry(graph: Graph, tenant: str) -> dict[str, Metric]:
    infos = await list_metrics(graph, tenant)
    ids = [m.id for m in infos]
    thresholds: dict[str, list[Threshold]] = {}
    for item in await get_thresholds(graph, tenant, ids):
        thresholds.setdefault(item.metric_id, []).append(item.threshold)
    edges: dict[str, list[Edge]] = {}
    for edge in await get_edges(graph, tenant):
        edges.setdefault(edge.source, []).append(
            Edge(metric=edge.target, relationship=edge.relationship, weight=edge.weight)
        )
    return {
        info.id: Metric.model_validate(
            {
                **info.model_dump(exclude_none=True),
                "thresholds": thresholds.get(info.id, []),
                "affects": edges.get(info.id, []),
            }
        )
        for info in infos
    }
