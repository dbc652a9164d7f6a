"""DuckDB values: exact ratios, batch reads, drill-down, import with all-or-nothing validation."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import Unit
from kg_service.warehouse import transform
from kg_service.warehouse.duckdb_source import DuckDBSource
from kg_service.warehouse.importer import ImportRefused, import_values

from .conftest import DAYS, FIRST_DAY, campaign_rows

UNITS = {"cpc_google_ads": Unit.CURRENCY, "clicks_google_ads": Unit.COUNT, "ctr_google_ads": Unit.PERCENTAGE}
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)


def _by_day(rows: list[tuple[object, ...]]) -> dict[object, list[tuple[object, ...]]]:
    days: dict[object, list[tuple[object, ...]]] = {}
    for row in rows:
        days.setdefault(row[0], []).append(row)
    return days


async def test_a_ratio_metric_is_the_sum_of_numerators_over_the_sum_of_denominators(
    small_warehouse: tuple[DuckDBSource, str],
) -> None:
    source, tenant = small_warehouse
    series = await source.series(tenant, ["cpc_google_ads"], FIRST_DAY, LAST_DAY)
    points = series["cpc_google_ads"]
    assert len(points) == DAYS
    rows_by_day = _by_day(campaign_rows())
    differs_from_mean = 0
    for point in points:
        rows = rows_by_day[point.date]
        exact = sum(r[5] for r in rows) / sum(r[4] for r in rows)  # cost / clicks
        mean_of_ratios = sum(r[5] / r[4] for r in rows) / len(rows)
        assert point.value == pytest.approx(exact, rel=1e-12)
        differs_from_mean += abs(exact - mean_of_ratios) > 1e-6
    assert differs_from_mean == DAYS


async def test_one_call_returns_every_metric_asked_for(small_warehouse: tuple[DuckDBSource, str]) -> None:
    source, tenant = small_warehouse
    ids = sorted(transform.parts_models())
    series = await source.series(tenant, ids, FIRST_DAY, LAST_DAY)
    google = [m for m in ids if m.endswith("_google_ads") and m in series]
    assert {"cpc_google_ads", "ctr_google_ads", "spend_google_ads", "clicks_google_ads"} <= set(google)
    assert all(len(series[m]) == DAYS for m in ("cpc_google_ads", "spend_google_ads"))
    assert all(p.date >= FIRST_DAY and p.date <= LAST_DAY for points in series.values() for p in points)


async def test_breakdown_gives_each_campaign_and_adds_up(small_warehouse: tuple[DuckDBSource, str]) -> None:
    source, tenant = small_warehouse
    detail = await source.series(tenant, ["clicks_google_ads"], FIRST_DAY, LAST_DAY, breakdown="campaign")
    total = await source.series(tenant, ["clicks_google_ads"], FIRST_DAY, LAST_DAY)
    campaigns = detail["clicks_google_ads"]
    assert set(campaigns) == {"brand", "generic"}
    for index, point in enumerate(total["clicks_google_ads"]):
        assert sum(points[index].value for points in campaigns.values()) == point.value


async def test_latest_and_last_date(small_warehouse: tuple[DuckDBSource, str]) -> None:
    source, tenant = small_warehouse
    latest = await source.latest(tenant, ["spend_google_ads", "no_such_metric"])
    assert set(latest) == {"spend_google_ads"} and latest["spend_google_ads"].date == LAST_DAY
    assert await source.last_date(tenant) == LAST_DAY
    assert await source.latest("other_shop", ["spend_google_ads"]) == {}
    assert await source.series("other_shop", ["spend_google_ads"], FIRST_DAY, LAST_DAY) == {}


async def test_requests_out_of_bounds_are_refused(small_warehouse: tuple[DuckDBSource, str]) -> None:
    source, tenant = small_warehouse
    with pytest.raises(InvalidInput, match="before start"):
        await source.series(tenant, ["spend_google_ads"], LAST_DAY, FIRST_DAY)
    with pytest.raises(InvalidInput, match="days per query"):
        await source.series(tenant, ["spend_google_ads"], date(2020, 1, 1), date(2026, 1, 1))


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def test_imported_values_take_precedence_and_are_visible_at_once(
    small_warehouse: tuple[DuckDBSource, str], tmp_path: Path
) -> None:
    source, tenant = small_warehouse
    before = await source.series(tenant, ["cpc_google_ads"], FIRST_DAY, LAST_DAY)  # opens a reader
    file = _write_csv(
        tmp_path / "values.csv",
        [
            {"metric_id": "cpc_google_ads", "date": LAST_DAY.isoformat(), "value": "9.99"},
            {"metric_id": "clicks_google_ads", "date": "2025-01-01", "value": "17"},
        ],
    )
    assert import_values(source.files, tenant, file, UNITS) == 2
    after = await source.series(tenant, ["cpc_google_ads"], FIRST_DAY, LAST_DAY)
    assert after["cpc_google_ads"][-1].value == 9.99
    assert after["cpc_google_ads"][:-1] == before["cpc_google_ads"][:-1]
    old = await source.series(tenant, ["clicks_google_ads"], date(2025, 1, 1), date(2025, 1, 1))
    assert old["clicks_google_ads"][0].value == 17


async def test_parquet_import_round_trips_with_a_campaign_dimension(
    small_warehouse: tuple[DuckDBSource, str], tmp_path: Path
) -> None:
    source, tenant = small_warehouse
    path = tmp_path / "values.parquet"
    table = pa.table(
        {
            "metric_id": ["clicks_google_ads", "clicks_google_ads"],
            "date": pa.array([LAST_DAY, LAST_DAY], type=pa.date32()),
            "value": [11.0, 22.0],
            "dimension": ["campaign", "campaign"],
            "dimension_value": ["brand", "newcomer"],
        }
    )
    pq.write_table(table, path)
    assert import_values(source.files, tenant, path, UNITS) == 2
    detail = await source.series(tenant, ["clicks_google_ads"], LAST_DAY, LAST_DAY, breakdown="campaign")
    assert detail["clicks_google_ads"]["brand"][0].value == 11
    assert detail["clicks_google_ads"]["newcomer"][0].value == 22


BAD_FILES: dict[str, tuple[list[dict[str, object]], str]] = {
    "unknown metric": (
        [{"metric_id": "nope", "date": "2026-09-01", "value": "1"}],
        "line 2: metric_id: unknown",
    ),
    "bad date": ([{"metric_id": "clicks_google_ads", "date": "01/09/2026", "value": "1"}], "line 2: date:"),
    "bad number": (
        [{"metric_id": "clicks_google_ads", "date": "2026-09-01", "value": "ten"}],
        "line 2: value:",
    ),
    "not finite": (
        [{"metric_id": "clicks_google_ads", "date": "2026-09-01", "value": "inf"}],
        "line 2: value:",
    ),
    "negative count": (
        [{"metric_id": "clicks_google_ads", "date": "2026-09-01", "value": "-3"}],
        "line 2: value: -3.0 is negative, which a count metric cannot be",
    ),
    "duplicates": (
        [
            {"metric_id": "clicks_google_ads", "date": "2026-09-01", "value": "3"},
            {"metric_id": "cpc_google_ads", "date": "2026-09-01", "value": "1.5"},
            {"metric_id": "clicks_google_ads", "date": "2026-09-01", "value": "4"},
        ],
        "line 2, line 4: duplicate rows for clicks_google_ads on 2026-09-01",
    ),
    "unknown column": (
        [{"metric_id": "clicks_google_ads", "date": "2026-09-01", "value": "3", "colour": "red"}],
        "header: unknown column 'colour'",
    ),
    "missing column": ([{"metric_id": "clicks_google_ads", "value": "3"}], "header: missing column 'date'"),
    "bad dimension": (
        [
            {
                "metric_id": "clicks_google_ads",
                "date": "2026-09-01",
                "value": "3",
                "dimension": "country",
                "dimension_value": "FR",
            }
        ],
        "line 2: dimension: 'country'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
async def test_a_bad_file_is_refused_whole_and_nothing_is_written(
    small_warehouse: tuple[DuckDBSource, str], tmp_path: Path, case: str
) -> None:
    source, tenant = small_warehouse
    rows, expected = BAD_FILES[case]
    # A good row first: it must not be written either.
    good = {"metric_id": "cpc_google_ads", "date": LAST_DAY.isoformat(), "value": "7.77"}
    keys = list(rows[0])
    file = _write_csv(tmp_path / "bad.csv", [{k: good.get(k, "") for k in keys}, *rows])
    expected = expected.replace("line 2", "line 3").replace("line 4", "line 5")
    inode = source.files.path(tenant).stat().st_ino
    before = await source.series(tenant, ["cpc_google_ads", "clicks_google_ads"], FIRST_DAY, LAST_DAY)
    with pytest.raises(ImportRefused) as refused:
        import_values(source.files, tenant, file, UNITS)
    assert expected in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert source.files.path(tenant).stat().st_ino == inode
    assert await source.series(tenant, ["cpc_google_ads", "clicks_google_ads"], FIRST_DAY, LAST_DAY) == before


def test_unsupported_and_empty_files_are_refused(
    small_warehouse: tuple[DuckDBSource, str], tmp_path: Path
) -> None:
    source, tenant = small_warehouse
    (tmp_path / "values.xlsx").write_text("x")
    with pytest.raises(InvalidInput, match="unsupported file type"):
        import_values(source.files, tenant, tmp_path / "values.xlsx", UNITS)
    (tmp_path / "empty.csv").write_text("metric_id,date,value\n")
    with pytest.raises(ImportRefused, match="no rows"):
        import_values(source.files, tenant, tmp_path / "empty.csv", UNITS)


def test_refresh_rebuilds_only_when_landing_data_changed(small_warehouse: tuple[DuckDBSource, str]) -> None:
    source, tenant = small_warehouse
    inode = source.files.path(tenant).stat().st_ino
    assert source.refresh(tenant) is False
    assert source.files.path(tenant).stat().st_ino == inode
    with source.files.writer(tenant) as connection:
        connection.execute(
            "UPDATE google_ads_fivetran.campaign_stats SET clicks = clicks + 1 WHERE campaign_id = 'c0'"
        )
    assert source.refresh(tenant) is True
    assert source.refresh(tenant) is False
