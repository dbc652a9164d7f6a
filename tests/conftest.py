"""Fixtures shared by every test: settings and, for integration tests, the real Neo4j."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from kg_service.config import Settings
from kg_service.graph.db import Graph
from kg_service.graph.schema import apply_schema
from kg_service.graph.tenants import delete_tenant


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    if settings.neo4j.uri is None:
        pytest.fail("integration tests need NEO4J_URI: run them with `./dev test`, which starts the services")
    connection = Graph.connect(settings.neo4j)
    await connection.ping()
    await apply_schema(connection)
    yield connection
    await connection.close()


def new_tenant_id() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def tenant(graph: Graph) -> AsyncIterator[str]:
    """A fresh tenant id whose nodes are deleted after the test."""
    tenant_id = new_tenant_id()
    yield tenant_id
    await delete_tenant(graph, tenant_id)
