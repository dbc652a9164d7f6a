"""Metric values from Snowflake: database `CLIENT_<TENANT>_DB`, views in its `ANALYTICS` schema.

dbt (or the statements of `transform.model_statements`) maintains `ANALYTICS.V_METRIC_VALUES`
there. One connection per tenant database is kept and reused; every statement binds its values
(the id list travels as one JSON string, expanded by FLATTEN) and carries a timeout.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import date
from typing import Any

import snowflake.connector
from snowflake.connector.errors import DatabaseError, Error, OperationalError

from kg_service.blocking import run_blocking
from kg_service.config import SnowflakeSettings
from kg_service.errors import InvalidInput, RetryableError, UpstreamError
from kg_service.graph.definitions import TENANT_RE
from kg_service.observability import WAREHOUSE_QUERIES
from kg_service.warehouse.source import TOTAL, Breakdown, MetricPoint, MetricSource, Series

_IDS = "(SELECT f.value::VARCHAR FROM TABLE(FLATTEN(INPUT => PARSE_JSON(%(ids)s))) AS f)"
_SERIES = f"""
SELECT metric_id, date, value
FROM ANALYTICS.V_METRIC_VALUES
WHERE campaign = %(total)s AND metric_id IN {_IDS} AND date BETWEEN %(start)s AND %(end)s
ORDER BY metric_id, date
"""  # noqa: S608 - constant fragments only
_BREAKDOWN = f"""
SELECT metric_id, campaign, date, value
FROM ANALYTICS.V_METRIC_VALUES
WHERE campaign <> %(total)s AND metric_id IN {_IDS} AND date BETWEEN %(start)s AND %(end)s
ORDER BY metric_id, campaign, date
"""  # noqa: S608 - constant fragments only
_LATEST = f"""
SELECT metric_id, MAX(date) AS date, MAX_BY(value, date) AS value
FROM ANALYTICS.V_METRIC_VALUES
WHERE campaign = %(total)s AND metric_id IN {_IDS} AND value IS NOT NULL
GROUP BY metric_id
"""  # noqa: S608 - constant fragments only
_LAST_DATE = "SELECT MAX(date) FROM ANALYTICS.V_METRIC_VALUES WHERE campaign = %(total)s"


def database_for(tenant: str) -> str:
    if not TENANT_RE.match(tenant):
        raise InvalidInput(f"not a tenant id: {tenant!r}")
    return f"CLIENT_{tenant.upper()}_DB"


class SnowflakeSource(MetricSource):
    def __init__(self, settings: SnowflakeSettings) -> None:
        self.settings = settings
        self._connections: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def _connect(self, database: str) -> Any:
        password = self.settings.password.get_secret_value() if self.settings.password else None
        return snowflake.connector.connect(
            account=self.settings.account,
            user=self.settings.user,
            password=password,
            warehouse=self.settings.warehouse,
            role=self.settings.role,
            database=database,
            schema="ANALYTICS",
            login_timeout=self.settings.query_timeout_s,
            network_timeout=self.settings.query_timeout_s,
            paramstyle="pyformat",
        )

    def _fetch(self, tenant: str, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        database = database_for(tenant)
        WAREHOUSE_QUERIES.labels("snowflake").inc()
        with self._guard:
            lock = self._locks[database]
        with lock:
            try:
                connection = self._connections.get(database)
                if connection is None or connection.is_closed():
                    connection = self._connections[database] = self._connect(database)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params, timeout=self.settings.query_timeout_s)
                    return list(cursor.fetchall())
            except OperationalError as exc:
                self._connections.pop(database, None)
                raise RetryableError(f"Snowflake unavailable for {database}: {exc}") from exc
            except (DatabaseError, Error) as exc:
                raise UpstreamError(f"Snowflake query failed for {database}: {exc}") from exc

    async def totals(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Series:
        rows = await run_blocking(self._fetch, tenant, _SERIES, self._params(metric_ids, start, end))
        series: dict[str, list[MetricPoint]] = defaultdict(list)
        for metric_id, day, value in rows:
            if value is not None:
                series[metric_id].append(MetricPoint(_as_date(day), float(value)))
        return dict(series)

    async def by_campaign(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Breakdown:
        rows = await run_blocking(self._fetch, tenant, _BREAKDOWN, self._params(metric_ids, start, end))
        detail: dict[str, dict[str, list[MetricPoint]]] = defaultdict(lambda: defaultdict(list))
        for metric_id, campaign, day, value in rows:
            if value is not None:
                detail[metric_id][campaign].append(MetricPoint(_as_date(day), float(value)))
        return {m: dict(c) for m, c in detail.items()}

    @staticmethod
    def _params(metric_ids: list[str], start: date, end: date) -> dict[str, Any]:
        return {"total": TOTAL, "ids": json.dumps(metric_ids), "start": start, "end": end}

    async def latest(self, tenant: str, metric_ids: list[str]) -> dict[str, MetricPoint]:
        if not metric_ids:
            return {}
        rows = await run_blocking(
            self._fetch, tenant, _LATEST, {"total": TOTAL, "ids": json.dumps(metric_ids)}
        )
        return {m: MetricPoint(_as_date(d), float(v)) for m, d, v in rows if v is not None}

    async def last_date(self, tenant: str) -> date | None:
        rows = await run_blocking(self._fetch, tenant, _LAST_DATE, {"total": TOTAL})
        return _as_date(rows[0][0]) if rows and rows[0][0] is not None else None

    async def ping(self, tenant: str | None = None) -> None:
        if tenant is not None:
            await run_blocking(self._fetch, tenant, "SELECT 1", {})

    def close(self) -> None:
        with self._guard:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
