"""Choosing the warehouse from settings, with the Redis cache in front of it."""

from __future__ import annotations

from redis.asyncio import Redis

from kg_service.config import Settings
from kg_service.warehouse.cache import CachedSource, TenantCache
from kg_service.warehouse.duckdb_source import DuckDBSource
from kg_service.warehouse.snowflake_source import SnowflakeSource


def metric_source(settings: Settings, redis: Redis | None) -> CachedSource:
    """The configured warehouse (DuckDB by default, Snowflake when KG_WAREHOUSE_BACKEND=snowflake)."""
    inner: DuckDBSource | SnowflakeSource
    if settings.warehouse.backend == "snowflake":
        inner = SnowflakeSource(settings.snowflake)
    else:
        inner = DuckDBSource(settings.warehouse_dir)
    return CachedSource(inner, TenantCache(redis, settings.redis))
