"""Reading thoughtlets (dashboards) with their metric ids, within one tenant."""

from __future__ import annotations

from kg_service.graph import catalog
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Thoughtlet


async def list_thoughtlets(graph: Graph, tenant: str, ids: list[str] | None = None) -> list[Thoughtlet]:
    rows = await graph.read(catalog.thoughtlets_list(), tenant=tenant, ids=ids)
    return [Thoughtlet.model_validate(row) for row in rows if row["metrics"]]
