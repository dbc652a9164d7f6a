"""Demo data: a store's Fivetran-style landing tables generated from its profile, incidents planted.

`generate_demo` replaces a tenant's landing data inside one snapshot write and rebuilds the
metric views, so a failure at any stage leaves the previous snapshot as it was. The result is
deterministic for (profile, days, seed, end).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from kg_service.warehouse import transform
from kg_service.warehouse.demo_calendar import Calendar, FloatArray, Store
from kg_service.warehouse.demo_channels import Columns, Tables, google_ads, klaviyo, meta_ads
from kg_service.warehouse.demo_profile import DemoProfile, IncidentKind, load_profile, profile_path
from kg_service.warehouse.demo_store import finance_plan, ga4_conversions, ga4_traffic, magento_orders
from kg_service.warehouse.duckdb_files import TenantFiles

Progress = Callable[[str, int, int], None]

DEMO_TABLES = (
    "google_ads_fivetran.campaign_stats",
    "google_ads_fivetran.keyword_stats",
    "meta_ads_fivetran.basic_campaign",
    "meta_ads_fivetran.basic_ad",
    "klaviyo_fivetran.campaign",
    "klaviyo_fivetran.flow",
    "klaviyo_fivetran.list_size",
    "ga4_fivetran.traffic_source",
    "ga4_fivetran.conversions_report",
    "magento_fivetran.sales_order",
    "finance.daily_plan",
)
"""Every landing table the generator owns (imported values are the user's and stay)."""

NULLABLE = {
    "search_impression_share",
    "search_rank_lost_impression_share",
    "search_budget_lost_impression_share",
}
STAGES = ("google_ads", "meta_ads", "klaviyo", "ga4", "magento", "finance", "transform")


@dataclass(frozen=True)
class PlantedIncident:
    id: str
    kind: IncidentKind
    first_date: date
    last_date: date
    magnitude: float
    campaigns: tuple[str, ...]


@dataclass(frozen=True)
class DemoSummary:
    tenant: str
    seed: int
    days: int
    first_date: date
    last_date: date
    rows: dict[str, int]
    incidents: tuple[PlantedIncident, ...]


def tenant_seed(tenant: str) -> int:
    """A seed that is stable across processes (Python's str hash is salted per process)."""
    return int.from_bytes(hashlib.sha256(tenant.encode()).digest()[:8], "big")


def generate_demo(
    files: TenantFiles,
    tenant: str,
    *,
    days: int = 400,
    seed: int | None = None,
    end: date | None = None,
    progress: Progress | None = None,
    profile: DemoProfile | None = None,
) -> DemoSummary:
    """Replaces the tenant's landing data with `days` of demo data ending `end` (default: yesterday)."""
    if days < 60:
        raise ValueError("the demo needs at least 60 days (incidents are read against 28-day baselines)")
    profile = profile or load_profile(profile_path(tenant))
    if profile.tenant != tenant:
        raise ValueError(f"the profile is for {profile.tenant!r}, not {tenant!r}")
    last = end or date.today() - timedelta(days=1)
    seed = tenant_seed(tenant) if seed is None else seed
    store = Store(profile, Calendar(last, days), np.random.default_rng(seed))
    report = progress or (lambda stage, done, total: None)
    with files.writer(tenant) as connection:
        # dropped and re-created rather than emptied: DELETE on sales_order's key index takes seconds
        for table in DEMO_TABLES:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in transform.landing_ddl():
            connection.execute(statement)
        rows = _fill(connection, store, report)
        # one thread adds the doubles in one order, so two runs match bit for bit (and it is as fast)
        connection.execute("SET threads = 1")
        transform.build(connection)
        report("transform", len(STAGES), len(STAGES))
    return DemoSummary(
        tenant, seed, days, last - timedelta(days=days - 1), last, rows, _planted(profile, last)
    )


def _fill(connection: duckdb.DuckDBPyConnection, store: Store, report: Progress) -> dict[str, int]:
    rows: dict[str, int] = {}

    def stage(name: str, tables: Tables) -> None:
        for table, columns in tables.items():
            rows[table] = _insert(connection, table, columns)
        report(name, STAGES.index(name) + 1, len(STAGES))

    google, google_clicks = google_ads(store)
    stage("google_ads", google)
    meta, meta_clicks = meta_ads(store)
    stage("meta_ads", meta)
    email = klaviyo(store)
    stage("klaviyo", email.tables)
    traffic = ga4_traffic(
        store, {"google_ads": google_clicks, "meta_ads": meta_clicks, "klaviyo": email.clicks}
    )
    stage("ga4", {"ga4_fivetran.traffic_source": traffic.sessions_table})
    orders = magento_orders(store, traffic.orders)
    stage(
        "magento",
        {
            "magento_fivetran.sales_order": orders.table,
            "ga4_fivetran.conversions_report": ga4_conversions(store, traffic, orders),
        },
    )
    stage("finance", {"finance.daily_plan": finance_plan(store, orders, _daily_spend(store, google, meta))})
    return rows


def _daily_spend(store: Store, google: Tables, meta: Tables) -> FloatArray:
    n = store.calendar.n
    google_cost = google["google_ads_fivetran.campaign_stats"]["cost"].reshape(-1, n).sum(axis=0)
    meta_spend = meta["meta_ads_fivetran.basic_campaign"]["spend"].reshape(-1, n).sum(axis=0)
    return np.asarray(google_cost + meta_spend, dtype=np.float64)


def _insert(connection: duckdb.DuckDBPyConnection, table: str, columns: Columns) -> int:
    arrow = pa.table({name: _arrow(table, name, values) for name, values in columns.items()})
    connection.register("demo_rows", arrow)
    try:
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM demo_rows")  # noqa: S608 (a DEMO_TABLES name)
    finally:
        connection.unregister("demo_rows")
    return int(arrow.num_rows)


def _arrow(table: str, column: str, values: Any) -> Any:
    """One column as Arrow; a non-finite number is a profile error caught here, before it lands."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        missing = ~np.isfinite(values)
        if missing.any() and (column not in NULLABLE or np.isinf(values).any()):
            raise ValueError(f"{table}.{column}: {int(missing.sum())} non-finite values (check the profile)")
        return pa.array(values, mask=missing if missing.any() else None)
    return values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)


def _planted(profile: DemoProfile, last: date) -> tuple[PlantedIncident, ...]:
    return tuple(
        PlantedIncident(
            incident.id,
            incident.kind,
            last - timedelta(days=incident.start_days_before_end - 1),
            last,
            incident.magnitude,
            incident.campaigns,
        )
        for incident in profile.incidents
    )
