"""series() of 60 metrics × 90 days: DuckDB uncached, and through the Redis cache.

Targets (CI's 2 cores): uncached p95 ≤ 50 ms, cached p95 ≤ 2 ms.
Run: `REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/bench_values.py` (any Redis you
can flush entries into). Generates acme's demo data in a temporary directory first.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from kg_service.config import Settings
from kg_service.redis_client import connect_redis
from kg_service.warehouse.cache import CachedSource, TenantCache
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_source import DuckDBSource


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(name: str, samples: list[float], target_ms: float) -> None:
    ms = [s * 1000 for s in samples]
    p95 = percentile(ms, 95)
    verdict = "meets" if p95 <= target_ms else "MISSES"
    print(
        f"{name:<22} n={len(ms):<5} p50={statistics.median(ms):7.3f} ms  p95={p95:7.3f} ms  "
        f"p99={percentile(ms, 99):7.3f} ms  (target p95 ≤ {target_ms} ms: {verdict})"
    )


async def main(calls: int) -> None:
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        source = DuckDBSource(Path(tmp) / "warehouse")
        summary = generate_demo(source.files, "acme", days=400, seed=7)
        end = summary.last_date
        start = end - timedelta(days=89)
        ids = _all_metric_ids(source, "acme")[:60]
        assert len(ids) == 60, f"only {len(ids)} metrics have values"
        points = await source.series("acme", ids, start, end)
        print(f"acme: {len(ids)} metrics × 90 days = {sum(len(p) for p in points.values())} points per call")

        uncached = []
        for _ in range(calls):
            began = time.perf_counter()
            await source.series("acme", ids, start, end)
            uncached.append(time.perf_counter() - began)
        report("uncached (DuckDB)", uncached, 50)

        redis = connect_redis(settings.redis)
        if redis is None:
            print("REDIS_URL is not set: cached figures skipped")
            return
        cache = TenantCache(redis, settings.redis)
        cached_source = CachedSource(source, cache)
        await cache.invalidate("acme")
        await cached_source.series("acme", ids, start, end)
        cached = []
        for _ in range(calls):
            began = time.perf_counter()
            await cached_source.series("acme", ids, start, end)
            cached.append(time.perf_counter() - began)
        report("cached (Redis)", cached, 2)
        print(f"cache hits {cache.hits}, misses {cache.misses}")
        await redis.aclose()
        source.close()


def _all_metric_ids(source: DuckDBSource, tenant: str) -> list[str]:
    cursor = source.files.reader(tenant)
    assert cursor is not None
    rows = cursor.execute("SELECT DISTINCT metric_id FROM analytics.metric_values ORDER BY 1").fetchall()
    return [r[0] for r in rows]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    asyncio.run(main(parser.parse_args().calls))
