"""The rate limiter on a real Redis: every window counts each use, the first one exceeded refuses
with its own name and wait, and a dead Redis limits nothing."""

from __future__ import annotations

import asyncio
import time
import uuid

from redis.asyncio import Redis

from kg_service.api.limits import HOUR_S, MINUTE_S, Limit, RateLimiter
from kg_service.config import RedisSettings
from kg_service.errors import RateLimited
from kg_service.redis_client import connect_redis


def fresh_key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def uses_before_refusal(limiter: RateLimiter, key: str, *limits: Limit) -> tuple[int, RateLimited]:
    for used in range(1, 100):
        try:
            await limiter.check(key, *limits)
        except RateLimited as refusal:
            return used - 1, refusal
    raise AssertionError("never refused")


async def test_the_tighter_window_refuses_first_and_names_itself(redis: Redis) -> None:
    if time.time() % MINUTE_S > 58:  # all uses must fall in one calendar minute
        await asyncio.sleep(MINUTE_S - time.time() % MINUTE_S + 0.05)
    limiter = RateLimiter(redis)
    allowed, refusal = await uses_before_refusal(limiter, fresh_key(), Limit(3, MINUTE_S), Limit(10, HOUR_S))
    assert allowed == 3
    assert str(refusal).startswith("rate limit of 3 per minute reached")
    assert 1 <= refusal.retry_after_s <= MINUTE_S

    allowed, refusal = await uses_before_refusal(limiter, fresh_key(), Limit(10, MINUTE_S), Limit(4, HOUR_S))
    assert allowed == 4
    assert str(refusal).startswith("rate limit of 4 per hour reached")
    assert 1 <= refusal.retry_after_s <= HOUR_S


async def test_keys_are_counted_apart_and_expire(redis: Redis) -> None:
    limiter = RateLimiter(redis)
    mine, theirs = fresh_key(), fresh_key()
    for _ in range(2):
        await limiter.check(mine, Limit(2, MINUTE_S))
    await limiter.check(theirs, Limit(2, MINUTE_S))  # another key's count starts at one
    counters = [k async for k in redis.scan_iter(f"rate:{mine}:*")]
    assert len(counters) == 1
    assert 0 < await redis.ttl(counters[0]) <= MINUTE_S + 5


async def test_without_redis_nothing_is_limited() -> None:
    dead = connect_redis(RedisSettings(url="redis://127.0.0.1:1/0"))
    limiter = RateLimiter(dead)
    for _ in range(5):
        await limiter.check(fresh_key(), Limit(1, MINUTE_S))
    assert dead is not None
    await dead.aclose()
