"""The Redis client: one per process, short timeouts so a dead Redis fails fast (callers fail open)."""

from __future__ import annotations

from redis.asyncio import Redis

from kg_service.config import RedisSettings


def connect_redis(settings: RedisSettings) -> Redis | None:
    """A client for `REDIS_URL`, or None when Redis is not configured. Connects lazily."""
    if settings.url is None:
        return None
    client: Redis = Redis.from_url(
        settings.url,
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=1.0,
        health_check_interval=15,
    )
    return client
