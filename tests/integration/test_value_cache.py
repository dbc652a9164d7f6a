"""The Redis value cache on a real Redis: hits, invalidation, tenant separation, fail-open."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.config import RedisSettings, Settings
from kg_service.redis_client import connect_redis
from kg_service.warehouse import transform
from kg_service.warehouse.cache import CachedSource, TenantCache
from kg_service.warehouse.duckdb_source import DuckDBSource

from .conftest import DAYS, FIRST_DAY, warehouse_with

LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
IDS = ["cpc_google_ads", "clicks_google_ads"]


@pytest.fixture
def two_tenants(campaign_stats_snapshot: Path, tmp_path: Path) -> Iterator[DuckDBSource]:
    source = warehouse_with(campaign_stats_snapshot, tmp_path / "warehouse", "shop_a", "shop_b")
    yield source
    source.close()


async def test_a_second_read_is_a_hit_and_invalidation_makes_it_a_miss(
    two_tenants: DuckDBSource, redis: Redis, settings: Settings
) -> None:
    cache = TenantCache(redis, settings.redis)
    cached = CachedSource(two_tenants, cache)
    await cache.invalidate("shop_a")  # a fresh generation for this test
    first = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY)
    assert (cache.hits, cache.misses) == (0, 1)
    second = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY)
    assert (cache.hits, cache.misses) == (1, 1)
    assert second == first
    await cached.invalidate("shop_a")
    third = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY)
    assert (cache.hits, cache.misses) == (1, 2)
    assert third == first
    keys = [k async for k in redis.scan_iter("metric:shop_a:*")]
    assert keys and all(k.startswith("metric:shop_a:") for k in keys)
    ttl = await redis.ttl(keys[0])
    assert 0 < ttl <= settings.redis.metric_ttl_s


async def test_breakdown_and_latest_are_cached_too(
    two_tenants: DuckDBSource, redis: Redis, settings: Settings
) -> None:
    cache = TenantCache(redis, settings.redis)
    cached = CachedSource(two_tenants, cache)
    await cache.invalidate("shop_a")
    detail = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY, breakdown="campaign")
    assert await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY, breakdown="campaign") == detail
    latest = await cached.latest("shop_a", IDS)
    assert await cached.latest("shop_a", IDS) == latest
    assert cache.hits == 2


async def test_one_tenants_entries_never_serve_another(
    two_tenants: DuckDBSource, redis: Redis, settings: Settings
) -> None:
    # Give shop_b different numbers, then read the same request for both tenants.
    with two_tenants.files.writer("shop_b") as connection:
        connection.execute("UPDATE google_ads_fivetran.campaign_stats SET cost = cost * 2")
        transform.build(connection)
    cache = TenantCache(redis, settings.redis)
    cached = CachedSource(two_tenants, cache)
    a = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY)
    b = await cached.series("shop_b", IDS, FIRST_DAY, LAST_DAY)
    assert a["cpc_google_ads"] != b["cpc_google_ads"]
    assert await cached.series("shop_b", IDS, FIRST_DAY, LAST_DAY) == b
    assert await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY) == a
    await cached.invalidate("shop_a")
    assert await cached.series("shop_b", IDS, FIRST_DAY, LAST_DAY) == b
    assert cache.hits >= 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_answers_stay_correct_when_redis_stops(
    two_tenants: DuckDBSource, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--dir",
        str(tmp_path),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        client = connect_redis(RedisSettings(url=f"redis://127.0.0.1:{port}/0"))
        assert client is not None
        for _ in range(50):
            try:
                await client.ping()
                break
            except (OSError, RedisError):
                await asyncio.sleep(0.1)
        cache = TenantCache(client, RedisSettings(url=f"redis://127.0.0.1:{port}/0"))
        cached = CachedSource(two_tenants, cache)
        warm = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY)
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=10)
        with caplog.at_level(logging.WARNING, logger="kg_service.warehouse.cache"):
            for _ in range(3):
                assert await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY) == warm
            await cached.invalidate("shop_a")
        warnings = [r for r in caplog.records if "redis unavailable" in r.getMessage()]
        assert len(warnings) == 1
        assert cache.healthy is False
        await client.aclose()
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()


async def test_without_redis_the_source_serves_uncached(two_tenants: DuckDBSource) -> None:
    cache = TenantCache(None, RedisSettings())
    cached = CachedSource(two_tenants, cache)
    first = await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY)
    assert await cached.series("shop_a", IDS, FIRST_DAY, LAST_DAY) == first
    assert (cache.hits, cache.misses) == (0, 0)
