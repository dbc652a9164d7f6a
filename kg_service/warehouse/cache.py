"""Redis caching of metric values, by tenant, fail-open.

Keys carry the tenant and the tenant's cache generation: `metric:{tenant}:{gen}:{digest}` (60 s)
and `query:{tenant}:{gen}:{name}:{digest}` (300 s). `invalidate(tenant)` bumps the generation, so
every older entry is unreachable at once, including one a slow reader writes after the bump.
When Redis fails, reads go to the warehouse and the outage is logged once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.config import RedisSettings
from kg_service.observability import CACHE_LOOKUPS
from kg_service.warehouse.source import Breakdown, MetricPoint, MetricSource, Series

log = logging.getLogger(__name__)


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:32]


def _encode_points(points: list[MetricPoint]) -> list[Any]:
    """[first day's ordinal, [value or null for each day from there]]: compact, and quick to read."""
    if not points:
        return [0, []]
    first = points[0].date.toordinal()
    values: list[float | None] = [None] * (points[-1].date.toordinal() - first + 1)
    for point in points:
        values[point.date.toordinal() - first] = point.value
    return [first, values]


@lru_cache(maxsize=4096)
def _day(ordinal: int) -> date:
    return date.fromordinal(ordinal)


def _decode_points(raw: list[Any]) -> list[MetricPoint]:
    first, values = raw
    return [MetricPoint(_day(first + i), v) for i, v in enumerate(values) if v is not None]


class TenantCache:
    """Tenant-scoped JSON cache entries under a per-tenant generation."""

    def __init__(self, redis: Redis | None, settings: RedisSettings) -> None:
        self.redis = redis
        self.settings = settings
        self.healthy = True
        self.hits = 0
        self.misses = 0

    def _failed(self, exc: Exception) -> None:
        if self.healthy:
            log.warning("redis unavailable, serving uncached: %s", exc)
        self.healthy = False

    def _recovered(self) -> None:
        if not self.healthy:
            log.info("redis is back, caching again")
        self.healthy = True

    async def _generation(self, tenant: str) -> str:
        assert self.redis is not None
        return (await self.redis.get(f"gen:{tenant}")) or "0"

    async def get(self, tier: Literal["metric", "query"], tenant: str, digest: str) -> Any | None:
        if self.redis is None:
            return None
        try:
            key = f"{tier}:{tenant}:{await self._generation(tenant)}:{digest}"
            raw = await self.redis.get(key)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._recovered()
        if raw is None:
            self.misses += 1
            CACHE_LOOKUPS.labels("miss").inc()
            return None
        self.hits += 1
        CACHE_LOOKUPS.labels("hit").inc()
        return json.loads(raw)

    async def put(
        self, tier: Literal["metric", "query"], tenant: str, digest: str, value: Any, generation: str
    ) -> None:
        if self.redis is None:
            return
        ttl = self.settings.metric_ttl_s if tier == "metric" else self.settings.query_ttl_s
        try:
            await self.redis.set(f"{tier}:{tenant}:{generation}:{digest}", json.dumps(value), ex=ttl)
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def generation(self, tenant: str) -> str | None:
        """The tenant's current generation, read before computing a value that will be cached."""
        if self.redis is None:
            return None
        try:
            return await self._generation(tenant)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None

    async def invalidate(self, tenant: str) -> None:
        if self.redis is None:
            return
        try:
            await self.redis.incr(f"gen:{tenant}")
        except (RedisError, OSError) as exc:
            self._failed(exc)


class CachedSource(MetricSource):
    """A MetricSource that answers repeated reads from Redis (the 60 s metric tier)."""

    def __init__(self, inner: MetricSource, cache: TenantCache) -> None:
        self.inner = inner
        self.cache = cache

    async def totals(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Series:
        digest = _digest("series", sorted(set(metric_ids)), start, end, None)
        cached = await self.cache.get("metric", tenant, digest)
        if cached is not None:
            return {m: _decode_points(p) for m, p in cached.items()}
        generation = await self.cache.generation(tenant)
        series = await self.inner.series(tenant, metric_ids, start, end)
        if generation is not None:
            encoded = {m: _encode_points(p) for m, p in series.items()}
            await self.cache.put("metric", tenant, digest, encoded, generation)
        return series

    async def by_campaign(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Breakdown:
        digest = _digest("series", sorted(set(metric_ids)), start, end, "campaign")
        cached = await self.cache.get("metric", tenant, digest)
        if cached is not None:
            return {m: {c: _decode_points(p) for c, p in by.items()} for m, by in cached.items()}
        generation = await self.cache.generation(tenant)
        detail = await self.inner.series(tenant, metric_ids, start, end, "campaign")
        if generation is not None:
            encoded = {m: {c: _encode_points(p) for c, p in by.items()} for m, by in detail.items()}
            await self.cache.put("metric", tenant, digest, encoded, generation)
        return detail

    async def latest(self, tenant: str, metric_ids: list[str]) -> dict[str, MetricPoint]:
        digest = _digest("latest", sorted(set(metric_ids)))
        cached = await self.cache.get("metric", tenant, digest)
        if cached is not None:
            return {m: MetricPoint(date.fromordinal(d), v) for m, (d, v) in cached.items()}
        generation = await self.cache.generation(tenant)
        latest = await self.inner.latest(tenant, metric_ids)
        if generation is not None:
            encoded = {m: [p.date.toordinal(), p.value] for m, p in latest.items()}
            await self.cache.put("metric", tenant, digest, encoded, generation)
        return latest

    async def last_date(self, tenant: str) -> date | None:
        digest = _digest("last_date")
        cached = await self.cache.get("metric", tenant, digest)
        if cached is not None:
            return date.fromordinal(cached) if cached else None
        generation = await self.cache.generation(tenant)
        newest = await self.inner.last_date(tenant)
        if generation is not None:
            await self.cache.put("metric", tenant, digest, newest.toordinal() if newest else 0, generation)
        return newest

    async def ping(self, tenant: str | None = None) -> None:
        await self.inner.ping(tenant)

    async def invalidate(self, tenant: str) -> None:
        await self.cache.invalidate(tenant)

    async def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()
