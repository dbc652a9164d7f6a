"""A short-lived, per-process memo of a tenant's definitions (metrics, boards, thoughts, actions).

Definitions change only when seeds are loaded, yet every dashboard, thought and answer reads them;
reading them once per `TTL_S` per process instead of once per request takes three graph reads off
each request. A seed load in this process clears the memo at once. Other processes see it within
`TTL_S`, or at once when they `observe` the tenant's graph version (the API does, on every cached
query): an entry is served only under the version that was current when its load began.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
TTL_S = 30.0

_entries: dict[tuple[str, str], tuple[float, str | None, Any]] = {}
_locks: dict[tuple[str, str], asyncio.Lock] = {}
_versions: dict[str, str] = {}


def observe(tenant: str, graph_version: str) -> None:
    """The tenant's graph version as just read from Redis: entries loaded under another are stale."""
    _versions[tenant] = graph_version


def _fresh(key: tuple[str, str]) -> tuple[float, str | None, Any] | None:
    entry = _entries.get(key)
    if entry is None or entry[0] <= time.monotonic() or entry[1] != _versions.get(key[1]):
        return None
    return entry


async def remembered(kind: str, tenant: str, load: Callable[[], Awaitable[T]]) -> T:
    key = (kind, tenant)
    entry = _fresh(key)
    if entry is not None:
        value: T = entry[2]
        return value
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        entry = _fresh(key)
        if entry is not None:
            return entry[2]  # type: ignore[no-any-return]
        version = _versions.get(tenant)
        fresh = await load()
        _entries[key] = (time.monotonic() + TTL_S, version, fresh)
        return fresh


def forget(tenant: str | None = None) -> None:
    """Drops the memo of one tenant (or all): after seeding, so the next read is fresh."""
    for key in [k for k in _entries if tenant is None or k[1] == tenant]:
        _entries.pop(key, None)
