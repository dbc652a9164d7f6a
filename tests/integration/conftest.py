import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from kg_service.config import Settings
from kg_service.graph.db import Graph
from kg_service.graph.seeding import write_knowledge
from kg_service.redis_client import connect_redis
from kg_service.warehouse import transform
from kg_service.warehouse.duckdb_files import TenantFiles
from kg_service.warehouse.duckdb_source import DuckDBSource

from .small_world import KNOWLEDGE, World


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


# A small warehouse with known numbers: two Google Ads campaigns over 40 days.
FIRST_DAY = date(2026, 9, 1)
DAYS = 40
CAMPAIGNS = {"brand": (1000, 100, 50.0), "generic": (5000, 400, 900.0)}  # impressions, clicks, cost on day 0


def campaign_rows() -> list[tuple[object, ...]]:
    rows = []
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        for index, (name, (impressions, clicks, cost)) in enumerate(CAMPAIGNS.items()):
            grow = 1 + 0.01 * offset * (index + 1)
            rows.append(
                (
                    day,
                    f"c{index}",
                    name,
                    int(impressions * grow),
                    int(clicks * grow),
                    round(cost * grow * grow, 2),
                    clicks * grow * 0.05,
                    cost * grow * 3.1,
                    0.7,
                    0.1,
                    0.2,
                    1000.0,
                )
            )
    return rows


def write_campaign_stats(files: TenantFiles, tenant: str) -> None:
    with files.writer(tenant) as connection:
        for statement in transform.landing_ddl():
            connection.execute(statement)
        connection.execute("DELETE FROM google_ads_fivetran.campaign_stats")
        connection.executemany(
            "INSERT INTO google_ads_fivetran.campaign_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            campaign_rows(),
        )
        transform.build(connection)


@pytest.fixture(scope="session")
def campaign_stats_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built warehouse file holding `campaign_rows()`, made once; tests work on copies."""
    files = TenantFiles(tmp_path_factory.mktemp("snapshot"))
    write_campaign_stats(files, "shop")
    return files.path("shop")


def warehouse_with(snapshot: Path, directory: Path, *tenants: str) -> DuckDBSource:
    """A source over `directory` where each of `tenants` starts as a copy of `snapshot`."""
    directory.mkdir(parents=True, exist_ok=True)
    for tenant in tenants:
        shutil.copyfile(snapshot, directory / f"{tenant}.duckdb")
    return DuckDBSource(directory)


@pytest.fixture
def small_warehouse(campaign_stats_snapshot: Path, tmp_path: Path) -> Iterator[tuple[DuckDBSource, str]]:
    source = warehouse_with(campaign_stats_snapshot, tmp_path / "warehouse", "shop")
    yield source, "shop"
    source.close()


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    """The test Redis, as the service connects to it."""
    client = connect_redis(settings.redis)
    if client is None:
        pytest.fail("REDIS_URL is not set: run the tests with `./dev test`")
    yield client
    await client.aclose()


@pytest.fixture
async def world(graph: Graph, tenant: str, tmp_path: Path) -> AsyncIterator[World]:
    await write_knowledge(graph, tenant, KNOWLEDGE)
    source = DuckDBSource(tmp_path / "warehouse")
    yield World(graph, source, tenant, tmp_path)
    source.close()
