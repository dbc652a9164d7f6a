"""The embedded warehouse: a DuckDB file per tenant under `<KG_DATA_DIR>/warehouse/`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from kg_service.blocking import run_blocking
from kg_service.errors import RetryableError
from kg_service.observability import WAREHOUSE_QUERIES
from kg_service.warehouse import transform
from kg_service.warehouse.duckdb_files import TenantFiles
from kg_service.warehouse.source import TOTAL, Breakdown, MetricPoint, MetricSource, Series

_SERIES = """
SELECT metric_id, date, value
FROM analytics.metric_values
WHERE campaign = ? AND metric_id IN (SELECT unnest(?::VARCHAR[])) AND date BETWEEN ? AND ?
ORDER BY metric_id, date
"""
_BREAKDOWN = """
SELECT metric_id, campaign, date, value
FROM analytics.metric_values
WHERE campaign <> ? AND metric_id IN (SELECT unnest(?::VARCHAR[])) AND date BETWEEN ? AND ?
ORDER BY metric_id, campaign, date
"""
_LATEST = """
SELECT metric_id, max(date) AS date, arg_max(value, date) AS value
FROM analytics.metric_values
WHERE campaign = ? AND metric_id IN (SELECT unnest(?::VARCHAR[]))
GROUP BY metric_id
"""
_LAST_DATE = "SELECT max(date) FROM analytics.metric_values WHERE campaign = ?"


class DuckDBSource(MetricSource):
    """Reads `analytics.metric_values` of the tenant's current snapshot."""

    def __init__(self, directory: Path) -> None:
        self.files = TenantFiles(directory)

    async def totals(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Series:
        return await run_blocking(self._series, tenant, metric_ids, start, end)

    async def by_campaign(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Breakdown:
        return await run_blocking(self._breakdown, tenant, metric_ids, start, end)

    async def latest(self, tenant: str, metric_ids: list[str]) -> dict[str, MetricPoint]:
        if not metric_ids:
            return {}
        rows = await run_blocking(self._fetch, tenant, _LATEST, [TOTAL, metric_ids])
        return {metric_id: MetricPoint(day, value) for metric_id, day, value in rows}

    async def last_date(self, tenant: str) -> date | None:
        rows = await run_blocking(self._fetch, tenant, _LAST_DATE, [TOTAL])
        return rows[0][0] if rows else None

    async def ping(self, tenant: str | None = None) -> None:
        await run_blocking(self._ping)

    def _ping(self) -> None:
        try:
            duckdb.connect(":memory:").execute("SELECT 1").fetchall()
        except duckdb.Error as exc:
            raise RetryableError(f"DuckDB unavailable: {exc}") from exc

    def _fetch(self, tenant: str, sql: str, params: list[object]) -> list[tuple[Any, ...]]:
        WAREHOUSE_QUERIES.labels("duckdb").inc()
        cursor = self.files.reader(tenant)
        if cursor is None:
            return []
        try:
            return cursor.execute(sql, params).fetchall()
        except duckdb.CatalogException:
            return []  # a file without materialised values yet (landing tables only)
        except duckdb.Error as exc:
            raise RetryableError(f"DuckDB query failed for tenant {tenant}: {exc}") from exc
        finally:
            cursor.close()

    def _series(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Series:
        result: Series = defaultdict(list)
        for metric_id, day, value in self._fetch(tenant, _SERIES, [TOTAL, metric_ids, start, end]):
            result[metric_id].append(MetricPoint(day, value))
        return dict(result)

    def _breakdown(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Breakdown:
        result: dict[str, dict[str, list[MetricPoint]]] = defaultdict(lambda: defaultdict(list))
        for metric_id, campaign, day, value in self._fetch(
            tenant, _BREAKDOWN, [TOTAL, metric_ids, start, end]
        ):
            result[metric_id][campaign].append(MetricPoint(day, value))
        return {metric_id: dict(campaigns) for metric_id, campaigns in result.items()}

    def refresh(self, tenant: str) -> bool:
        """Rebuilds the materialised values when the landing data or the SQL changed since the last
        build (a new snapshot); returns whether it did."""
        cursor = self.files.reader(tenant)
        if cursor is not None:
            try:
                if transform.is_current(cursor):
                    return False
            finally:
                cursor.close()
        with self.files.writer(tenant) as connection:
            transform.build(connection)
        return True

    def close(self) -> None:
        self.files.close()
