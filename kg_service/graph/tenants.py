"""Whole-tenant operations: what a tenant holds, and removing all of it."""

from __future__ import annotations

from kg_service.graph import catalog
from kg_service.graph.db import Graph
from kg_service.graph.memo import forget


async def graph_counts(graph: Graph, tenant: str) -> dict[str, dict[str, int]]:
    """Node counts per label and edge counts per type, within the tenant."""
    nodes = await graph.read(catalog.tenant_node_counts(), tenant=tenant)
    edges = await graph.read(catalog.tenant_edge_counts(), tenant=tenant)
    return {
        "nodes": {row["label"]: row["count"] for row in nodes},
        "edges": {row["type"]: row["count"] for row in edges},
    }


async def delete_tenant(graph: Graph, tenant: str) -> None:
    """Removes every node of the tenant (definitions, instances, audit) and their edges."""
    await graph.write(catalog.tenant_delete(), tenant=tenant)
    forget(tenant)


async def list_tenants(graph: Graph) -> list[str]:
    """Every tenant that has thought definitions seeded (the ones the pipeline serves)."""
    return [row["tenant"] for row in await graph.read(catalog.tenant_list())]
