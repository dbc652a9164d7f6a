"""One contract, two warehouses: DuckDB, and Snowflake through the real connector on fakesnow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import fakesnow
import pytest
import snowflake.connector
from pydantic import SecretStr

from kg_service.config import SnowflakeSettings
from kg_service.errors import InvalidInput
from kg_service.warehouse import transform
from kg_service.warehouse.snowflake_source import SnowflakeSource, database_for
from kg_service.warehouse.source import MetricSource

from .conftest import DAYS, FIRST_DAY, campaign_rows, warehouse_with

LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
TENANT = "shop"


def _snowflake_with_campaign_stats() -> SnowflakeSource:
    connection = snowflake.connector.connect(database=database_for(TENANT), schema="ANALYTICS")
    with connection.cursor() as cursor:
        for statement in transform.model_statements():
            cursor.execute(statement)
        placeholders = ", ".join(["%s"] * 12)
        cursor.executemany(
            f"INSERT INTO google_ads_fivetran.campaign_stats VALUES ({placeholders})",  # noqa: S608
            campaign_rows(),
        )
    connection.close()
    return SnowflakeSource(
        SnowflakeSettings(account="test", user="test", password=SecretStr("test"), warehouse="test")
    )


@pytest.fixture(params=["duckdb", "snowflake"], scope="module")
def source(
    request: pytest.FixtureRequest, campaign_stats_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MetricSource]:
    if request.param == "duckdb":
        duck = warehouse_with(campaign_stats_snapshot, tmp_path_factory.mktemp("warehouse"), TENANT)
        yield duck
        duck.close()
        return
    with fakesnow.patch():
        snow = _snowflake_with_campaign_stats()
        yield snow
        snow.close()


async def test_series_total_values(source: MetricSource) -> None:
    series = await source.series(TENANT, ["cpc_google_ads", "clicks_google_ads"], FIRST_DAY, LAST_DAY)
    rows = campaign_rows()
    first_day = [r for r in rows if r[0] == FIRST_DAY]
    assert len(series["clicks_google_ads"]) == DAYS
    assert series["clicks_google_ads"][0].value == sum(r[4] for r in first_day)
    assert series["cpc_google_ads"][0].value == pytest.approx(
        sum(r[5] for r in first_day) / sum(r[4] for r in first_day)
    )
    assert [p.date for p in series["cpc_google_ads"]] == [FIRST_DAY + timedelta(days=i) for i in range(DAYS)]


async def test_series_breakdown(source: MetricSource) -> None:
    detail = await source.series(TENANT, ["cpc_google_ads"], FIRST_DAY, FIRST_DAY, breakdown="campaign")
    by_campaign = {name: points[0].value for name, points in detail["cpc_google_ads"].items()}
    expected = {r[2]: r[5] / r[4] for r in campaign_rows() if r[0] == FIRST_DAY}
    assert by_campaign == pytest.approx(expected)


async def test_latest_and_last_date(source: MetricSource) -> None:
    latest = await source.latest(TENANT, ["spend_google_ads", "unknown_metric"])
    assert list(latest) == ["spend_google_ads"]
    assert latest["spend_google_ads"].date == LAST_DAY
    assert await source.last_date(TENANT) == LAST_DAY


async def test_window_and_empty_requests(source: MetricSource) -> None:
    window = await source.series(
        TENANT, ["clicks_google_ads"], FIRST_DAY + timedelta(days=5), FIRST_DAY + timedelta(days=9)
    )
    assert len(window["clicks_google_ads"]) == 5
    assert await source.series(TENANT, [], FIRST_DAY, LAST_DAY) == {}
    with pytest.raises(InvalidInput):
        await source.series(TENANT, ["clicks_google_ads"], LAST_DAY, FIRST_DAY)


def test_snowflake_database_names_follow_the_tenant() -> None:
    assert database_for("rare_seeds") == "CLIENT_RARE_SEEDS_DB"
    with pytest.raises(InvalidInput):
        database_for("acme; DROP DATABASE x")
