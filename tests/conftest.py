"""Fixtures shared by every test: settings and, for integration tests, the real Neo4j."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from kg_service.config import Settings
from kg_service.graph.db import Graph
from kg_service.graph.schema import apply_schema
from kg_service.graph.tenants import delete_tenant
from kg_service.redis_client import connect_redis
from kg_service.warehouse.cache import TenantCache


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    if settings.neo4j.uri is None:
        pytest.fail("integration tests need NEO4J_URI: run them with `./dev test`, which starts the services")
    connection = Graph.connect(settings.neo4j)
    redis = connect_redis(settings.redis)
    if redis is not None:  # writes made here reach the API's cached answers like any process's
        connection.on_write = TenantCache(redis, settings.redis).graph_changed
    await connection.ping()
    await apply_schema(connection)
    yield connection
    await connection.close()
    if redis is not None:
        await redis.aclose()


def new_tenant_id() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def tenant(graph: Graph) -> AsyncIterator[str]:
    """A fresh tenant id whose nodes are deleted after the test."""
    tenant_id = new_tenant_id()
    yield tenant_id
    await delete_tenant(graph, tenant_id)
