"""Reading thought definitions (the insight rules), within one tenant."""

from __future__ import annotations

import json
from typing import Any

from kg_service.graph import catalog
from kg_service.graph.db import Graph
from kg_service.graph.definitions import ThoughtDefinition


def _definition(row: dict[str, Any]) -> ThoughtDefinition:
    node = row["thought"]
    return ThoughtDefinition.model_validate(
        {
            "id": node["id"],
            "name": node["name"],
            "description": node["description"],
            "priority": node["priority"],
            "category": node["category"],
            "trigger_conditions": json.loads(node["trigger"]),
            "component_metrics": node["component_metrics"],
            "blast_radius": json.loads(node["blast_radius"] or "{}"),
            "recommended_actions": row["actions"],
            "cascades_to": row["cascades"],
            "is_active": node["is_active"],
        }
    )


async def list_definitions(
    graph: Graph, tenant: str, *, ids: list[str] | None = None, active_only: bool = False
) -> list[ThoughtDefinition]:
    rows = await graph.read(catalog.thoughts_definitions(), tenant=tenant, ids=ids, active_only=active_only)
    return [_definition(row) for row in rows]
