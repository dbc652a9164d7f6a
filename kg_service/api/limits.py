"""Per-user rate limits in Redis: a fixed one-minute window, fail-open when Redis is down."""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kg_service.errors import RateLimited

log = logging.getLogger(__name__)
WINDOW_S = 60


class RateLimiter:
    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis
        self._warned = False

    async def check(self, key: str, per_minute: int) -> None:
        """Counts one use of `key`; raises RateLimited past `per_minute` in the current minute."""
        if self.redis is None:
            return
        now = time.time()
        window = int(now // WINDOW_S)
        name = f"rate:{key}:{window}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, WINDOW_S + 5)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            if not self._warned:
                log.warning("rate limiter cannot reach Redis, not limiting: %s", exc)
                self._warned = True
            return
        self._warned = False
        if int(count) > per_minute:
            retry_after = max(1, int((window + 1) * WINDOW_S - now))
            raise RateLimited(
                f"rate limit of {per_minute} per minute reached; retry in {retry_after} s", retry_after
            )
