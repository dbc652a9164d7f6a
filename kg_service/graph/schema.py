"""Applying `cypher/schema/*.cypher` (all `IF NOT EXISTS`, so applying twice changes nothing)."""

from __future__ import annotations

from typing import Any

from kg_service.graph import catalog
from kg_service.graph.db import Graph


async def apply_schema(graph: Graph) -> list[str]:
    """Runs every schema statement in its own auto-commit transaction; returns the files applied."""
    applied = []
    async with graph.session_for_schema() as session:
        for name, statement in catalog.schema_statements():
            result = await session.run(statement)
            await result.consume()
            applied.append(name)
        await (await session.run(catalog.schema_await())).consume()
    return applied


async def describe_indexes(graph: Graph) -> list[dict[str, Any]]:
    """Name, type, labels, properties and options of every index (constraints' indexes included)."""
    return await graph.read(catalog.schema_indexes())
