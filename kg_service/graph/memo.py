"""A short-lived, per-process memo of a tenant's definitions (metrics, boards, thoughts, actions).

Definitions change only when seeds are loaded, yet every dashboard, thought and answer reads them;
reading them once per `TTL_S` per process instead of once per request takes three graph reads off
each request. A seed load in this process clears the memo at once; other processes see it within
`TTL_S`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
TTL_S = 30.0

_entries: dict[tuple[str, str], tuple[float, Any]] = {}
_locks: dict[tuple[str, str], asyncio.Lock] = {}


async def remembered(kind: str, tenant: str, load: Callable[[], Awaitable[T]]) -> T:
    key = (kind, tenant)
    entry = _entries.get(key)
    if entry is not None and entry[0] > time.monotonic():
        value: T = entry[1]
        return value
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]  # type: ignore[no-any-return]
        fresh = await load()
        _entries[key] = (time.monotonic() + TTL_S, fresh)
        return fresh


def forget(tenant: str | None = None) -> None:
    """Drops the memo of one tenant (or all): after seeding, so the next read is fresh."""
    for key in [k for k in _entries if tenant is None or k[1] == tenant]:
        _entries.pop(key, None)
