"""Redis caching of metric values and query answers, by tenant, fail-open.

Keys carry the tenant and a version of what the entry was computed from: metric values
`metric:{tenant}:{gen}:{digest}` (60 s) under the tenant's value generation `gen:{tenant}`, query
answers `query:{tenant}:{gen}.{graph}:{digest}` (300 s) under that generation and the tenant's graph
version `graph:{tenant}`. `invalidate(tenant)` bumps the generation (new warehouse data), and every
committed graph write bumps the graph version (`graph_changed`), so every older entry is unreachable
at once, including one a slow reader writes after the bump. When Redis fails, reads go to the
warehouse and the graph, and the outage is logged once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import date
from functools import lru_cache
from typing import Any, Literal, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.config import RedisSettings
from kg_service.observability import CACHE_LOOKUPS
from kg_service.warehouse.source import Breakdown, MetricPoint, MetricSource, Series

log = logging.getLogger(__name__)
T = TypeVar("T")


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

    async def get(
        self, tier: Literal["metric", "query"], tenant: str, generation: str, digest: str
    ) -> Any | None:
        raw = await self.get_text(tier, tenant, generation, digest)
        if raw is None:
            self.miss()
            return None
        self.hit()
        return json.loads(raw)

    async def get_text(
        self, tier: Literal["metric", "query"], tenant: str, generation: str, digest: str
    ) -> str | None:
        """The entry's JSON text, uncounted (callers keep their own hit counts)."""
        if self.redis is None:
            return None
        try:
            raw: str | None = await self.redis.get(f"{tier}:{tenant}:{generation}:{digest}")
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._recovered()
        return raw

    def hit(self) -> None:
        self.hits += 1
        CACHE_LOOKUPS.labels("hit").inc()

    def miss(self) -> None:
        self.misses += 1
        CACHE_LOOKUPS.labels("miss").inc()

    async def put(
        self, tier: Literal["metric", "query"], tenant: str, digest: str, value: Any, generation: str
    ) -> None:
        await self.put_text(tier, tenant, digest, json.dumps(value), generation)

    async def put_text(
        self, tier: Literal["metric", "query"], tenant: str, digest: str, text: str, generation: str
    ) -> None:
        if self.redis is None:
            return
        ttl = self.settings.metric_ttl_s if tier == "metric" else self.settings.query_ttl_s
        try:
            await self.redis.set(f"{tier}:{tenant}:{generation}:{digest}", text, ex=ttl)
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

    async def versions(self, tenant: str) -> tuple[str, str] | None:
        """(value generation, graph version): what a query answer of the tenant is computed from,
        read in one round trip before computing it; None without Redis."""
        if self.redis is None:
            return None
        try:
            generation, graph = await self.redis.mget(f"gen:{tenant}", f"graph:{tenant}")
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._recovered()
        return (generation or "0", graph or "0")

    async def invalidate(self, tenant: str) -> None:
        """The tenant's warehouse values changed: every cached value and answer is stale."""
        await self._bump(f"gen:{tenant}")

    async def graph_changed(self, tenant: str) -> None:
        """A write to the tenant's graph committed: every cached answer is stale (values are not)."""
        await self._bump(f"graph:{tenant}")

    async def _bump(self, key: str) -> None:
        if self.redis is None:
            return
        try:
            await self.redis.incr(key)
        except (RedisError, OSError) as exc:
            self._failed(exc)


class CachedSource(MetricSource):
    """A MetricSource that answers repeated reads from Redis (the 60 s metric tier), with the
    decoded answers of this process kept beside it under the same tenant generation.

    Every read costs one Redis round trip (the generation), so an invalidation anywhere is seen at
    once; a value this process decoded before is then served without decoding it again. Callers
    must not change what they get (the same objects may be handed out again).
    """

    def __init__(self, inner: MetricSource, cache: TenantCache, local_entries: int = 512) -> None:
        self.inner = inner
        self.cache = cache
        self._local: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._local_entries = local_entries

    async def _through(
        self,
        tenant: str,
        digest: str,
        load: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        generation = await self.cache.generation(tenant)
        if generation is None:  # no Redis, or Redis down: uncached
            return await load()
        key = f"{tenant}:{generation}:{digest}"
        local = self._local.get(key)
        if local is not None and local[0] > time.monotonic():
            self._local.move_to_end(key)
            self.cache.hit()
            value: T = local[1]
            return value
        raw = await self.cache.get("metric", tenant, generation, digest)
        if raw is not None:
            value = decode(raw)
        else:
            value = await load()
            await self.cache.put("metric", tenant, digest, encode(value), generation)
        self._local[key] = (time.monotonic() + self.cache.settings.metric_ttl_s, value)
        while len(self._local) > self._local_entries:
            self._local.popitem(last=False)
        return value

    async def totals(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Series:
        return await self._through(
            tenant,
            _digest("series", sorted(set(metric_ids)), start, end, None),
            lambda: self.inner.series(tenant, metric_ids, start, end),
            lambda series: {m: _encode_points(p) for m, p in series.items()},
            lambda raw: {m: _decode_points(p) for m, p in raw.items()},
        )

    async def by_campaign(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Breakdown:
        return await self._through(
            tenant,
            _digest("series", sorted(set(metric_ids)), start, end, "campaign"),
            lambda: self.inner.series(tenant, metric_ids, start, end, "campaign"),
            lambda detail: {m: {c: _encode_points(p) for c, p in by.items()} for m, by in detail.items()},
            lambda raw: {m: {c: _decode_points(p) for c, p in by.items()} for m, by in raw.items()},
        )

    async def latest(self, tenant: str, metric_ids: list[str]) -> dict[str, MetricPoint]:
        return await self._through(
            tenant,
            _digest("latest", sorted(set(metric_ids))),
            lambda: self.inner.latest(tenant, metric_ids),
            lambda latest: {m: [p.date.toordinal(), p.value] for m, p in latest.items()},
            lambda raw: {m: MetricPoint(_day(d), v) for m, (d, v) in raw.items()},
        )

    async def last_date(self, tenant: str) -> date | None:
        return await self._through(
            tenant,
            _digest("last_date"),
            lambda: self.inner.last_date(tenant),
            lambda newest: newest.toordinal() if newest else 0,
            lambda raw: _day(raw) if raw else None,
        )

    async def ping(self, tenant: str | None = None) -> None:
        await self.inner.ping(tenant)

    async def invalidate(self, tenant: str) -> None:
        await self.cache.invalidate(tenant)

    async def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()
