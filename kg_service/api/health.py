"""Readiness: can this process reach Neo4j, Redis and the warehouse right now?"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from kg_service.services import Services

TIMEOUT_S = 2.0


async def _check(probe: Awaitable[Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe, TIMEOUT_S)
    except Exception as exc:  # a readiness probe reports every failure, whatever its kind
        # The kind of failure only: the endpoint is unauthenticated, so no hosts or messages.
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up", "ms": round((time.perf_counter() - started) * 1000, 2)}


async def readiness(services: Services) -> tuple[bool, dict[str, dict[str, Any]]]:
    checks = {
        "neo4j": await _check(services.graph.ping()),
        "warehouse": await _check(services.values.ping()),
    }
    if services.redis is not None:
        checks["redis"] = await _check(services.redis.ping())
    else:
        checks["redis"] = {"status": "not_configured"}
    ready = all(c["status"] in ("up", "not_configured") for c in checks.values())
    return ready, checks
