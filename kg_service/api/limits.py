"""Rate limits in Redis: fixed windows (a minute, an hour) per key, fail-open when Redis is down."""

from __future__ import annotations

import logging
import time
from typing import NamedTuple

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.config import ApiSettings
from kg_service.errors import RateLimited
from kg_service.identity import Principal

log = logging.getLogger(__name__)
MINUTE_S = 60
HOUR_S = 3600


class Limit(NamedTuple):
    most: int
    window_s: int

    @property
    def label(self) -> str:
        names = {MINUTE_S: "minute", HOUR_S: "hour"}
        return f"{self.most} per {names.get(self.window_s, f'{self.window_s} s')}"


def per_minute(count: int) -> Limit:
    return Limit(count, MINUTE_S)


def per_hour(count: int) -> Limit:
    return Limit(count, HOUR_S)


def request_limits(api: ApiSettings) -> tuple[Limit, Limit]:
    """Every GraphQL request of a user (§9.4 of the architecture: 100 a minute, 1,000 an hour)."""
    return per_minute(api.rate_limit_per_min), per_hour(api.rate_limit_per_hour)


def agent_limits(api: ApiSettings) -> tuple[Limit, Limit]:
    """Questions to the agent, on top of the request limits (10 a minute, 100 an hour)."""
    return per_minute(api.agent_rate_limit_per_min), per_hour(api.agent_rate_limit_per_hour)


class RateLimiter:
    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis
        self._warned = False

    async def count_request(self, who: Principal, api: ApiSettings) -> None:
        """One GraphQL request of `who`, over HTTP or a websocket alike: the same counters."""
        await self.check(f"api:{who.tenant_id}:{who.sub}", *request_limits(api))

    async def check(self, key: str, *limits: Limit) -> None:
        """Counts one use of `key` in each limit's current window (one round trip for all of them);
        raises RateLimited, naming the limit and when it frees, once any is exceeded."""
        if self.redis is None or not limits:
            return
        now = time.time()
        windows = [int(now // limit.window_s) for limit in limits]
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for limit, window in zip(limits, windows, strict=True):
                    name = f"rate:{key}:{limit.window_s}:{window}"
                    pipe.incr(name)
                    pipe.expire(name, limit.window_s + 5)
                replies = await pipe.execute()
        except (RedisError, OSError) as exc:
            if not self._warned:
                log.warning("rate limiter cannot reach Redis, not limiting: %s", exc)
                self._warned = True
            return
        self._warned = False
        for limit, window, count in zip(limits, windows, replies[0::2], strict=True):
            if int(count) > limit.most:
                retry_after = max(1, int((window + 1) * limit.window_s - now))
                raise RateLimited(
                    f"rate limit of {limit.label} reached; retry in {retry_after} s", retry_after
                )
