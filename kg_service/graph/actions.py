"""Reading action definitions, within one tenant."""

from __future__ import annotations

from kg_service.graph import catalog
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Action


async def list_actions(graph: Graph, tenant: str, ids: list[str] | None = None) -> list[Action]:
    rows = await graph.read(catalog.actions_list(), tenant=tenant, ids=ids)
    return [Action.model_validate({k: v for k, v in row["action"].items() if v is not None}) for row in rows]
