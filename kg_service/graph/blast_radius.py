"""Blast radius: what else a change in one metric drags along over weighted AFFECTS edges.

One bounded Cypher query (`cypher/metrics/blast_radius.cypher`) enumerates the simple paths from
the trigger and picks, per reached metric, its path of largest |impact| at the reported precision
(2 decimals), ties going to the shorter path, then to the path whose id list sorts first.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction, Record

from kg_service.errors import InvalidInput, NotFound
from kg_service.graph import catalog
from kg_service.graph.catalog import CypherText
from kg_service.graph.db import Graph
from kg_service.graph.definitions import ID_PATTERN, TENANT_RE, Closed

DEFAULT_DEPTH = 3
MAX_DEPTH = 5
MAX_CHANGE_PCT = 10_000.0
_ID_RE = re.compile(ID_PATTERN)
_BOUND = "*1..__MAX_DEPTH__"
# The only text ever put in place of the bound: literals, so the statement stays a LiteralString.
_BOUNDS: dict[int, LiteralString] = {1: "*1..1", 2: "*1..2", 3: "*1..3", 4: "*1..4", 5: "*1..5"}


class Impact(Closed):
    """One reached metric: its strongest path from the trigger and how many simple paths reach it."""

    metric_id: str
    impact_pct: float
    depth: int
    path: list[str]
    path_count: int
    cross_domain: bool


class BlastRadius(Closed):
    """What a change of `change_pct` % in the trigger drags along within `max_depth` edges."""

    trigger_id: str
    trigger_domain: str
    change_pct: float
    max_depth: int
    affected: list[Impact]


def check_depth(max_depth: int) -> None:
    """Raises InvalidInput unless `max_depth` is an int (not a bool) from 1 to MAX_DEPTH."""
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or not 1 <= max_depth <= MAX_DEPTH:
        raise InvalidInput(f"max_depth must be an integer from 1 to {MAX_DEPTH}, not {max_depth!r}")


def check_inputs(tenant: str, metric_id: str, change_pct: float, max_depth: int) -> None:
    """Raises InvalidInput for any argument the query must not see."""
    check_depth(max_depth)
    if isinstance(change_pct, bool) or not isinstance(change_pct, int | float):
        raise InvalidInput(f"change_pct must be a number, not {change_pct!r}")
    if not math.isfinite(change_pct) or abs(change_pct) > MAX_CHANGE_PCT:
        raise InvalidInput(f"change_pct must be finite and within ±{MAX_CHANGE_PCT:g}, not {change_pct!r}")
    if not isinstance(metric_id, str) or not _ID_RE.match(metric_id):
        raise InvalidInput(f"not a metric id: {metric_id!r}")
    if not isinstance(tenant, str) or not TENANT_RE.match(tenant):
        raise InvalidInput(f"not a tenant id: {tenant!r}")


@cache
def statement(max_depth: int) -> CypherText:
    """The query bounded at `max_depth` edges.

    Cypher accepts no parameter as a variable-length bound, so the file holds a placeholder that
    is replaced here by one of five literal bounds, chosen by a depth already checked to be 1..5:
    no caller-supplied text ever reaches the statement. Cached, so each depth is built once.
    """
    check_depth(max_depth)
    text = catalog.blast_radius()
    if text.count(_BOUND) != 1:
        raise ValueError(f"blast_radius.cypher must hold {_BOUND} exactly once")
    return text.replace(_BOUND, _BOUNDS[max_depth])


async def _read_one(graph: Graph, text: CypherText, **params: Any) -> Record | None:
    """The query's one record, or None.

    Not `Graph.read`: its `record.data()` walks every nested value again to turn graph entities
    into dicts (≈5 ms for 200 reached metrics), and this result holds none, only lists and maps.
    """

    async def work(tx: AsyncManagedTransaction) -> Record | None:
        result = await tx.run(text, params)
        return await result.single(strict=False)

    return await graph.read_tx(work)


async def blast_radius(
    graph: Graph, tenant: str, metric_id: str, change_pct: float, max_depth: int = DEFAULT_DEPTH
) -> BlastRadius:
    """The metrics a `change_pct` % change in `metric_id` reaches, strongest impact first.

    Raises InvalidInput for bad arguments, NotFound when the tenant has no such metric.
    """
    check_inputs(tenant, metric_id, change_pct, max_depth)
    row = await _read_one(
        graph, statement(max_depth), tenant=tenant, metric_id=metric_id, change_pct=float(change_pct)
    )
    if row is None:
        raise NotFound(f"no metric {metric_id}")
    return BlastRadius(
        trigger_id=row["trigger_id"],
        trigger_domain=row["trigger_domain"],
        change_pct=float(change_pct),
        max_depth=max_depth,
        affected=[Impact.model_validate(impact) for impact in row["affected"]],
    )


async def query_plan(graph: Graph, max_depth: int = DEFAULT_DEPTH) -> dict[str, Any]:
    """The planner's plan (EXPLAIN: nothing runs) of the query at `max_depth`."""
    check_depth(max_depth)
    text = "EXPLAIN " + statement(max_depth)

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        result = await tx.run(text, tenant="plan", metric_id="plan", change_pct=0.0)
        summary = await result.consume()
        return dict(summary.plan or {})

    return await graph.read_tx(work)
