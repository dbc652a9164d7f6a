"""A plain in-memory blast radius, the oracle the Cypher query is checked against.

It enumerates every simple path from the trigger by depth-first search and applies the product's
rules directly. Arithmetic follows the same order as the query (change × w1 × w2 …, sign flipped
per inverse edge, which is exact), and rounding follows Neo4j's `round(x, 2)`: half up on the
shortest decimal form of the double, which is what `Decimal(repr(x))` is in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class RefEdge:
    source: str
    target: str
    weight: float
    inverse: bool


@dataclass(frozen=True)
class RefImpact:
    metric_id: str
    impact_pct: float
    depth: int
    path: list[str]
    path_count: int
    cross_domain: bool


def round2(value: float) -> float:
    """Neo4j's round(value, 2) on a non-negative value."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def simple_paths(
    edges: list[RefEdge], trigger: str, max_depth: int, change_pct: float
) -> Iterator[tuple[list[str], float]]:
    """Every simple path of 1..max_depth edges from `trigger`, with the impact carried along it."""
    out: dict[str, list[RefEdge]] = defaultdict(list)
    for edge in edges:
        out[edge.source].append(edge)

    def walk(path: list[str], impact: float) -> Iterator[tuple[list[str], float]]:
        if len(path) > max_depth:
            return
        for edge in out[path[-1]]:
            if edge.target in path:
                continue
            carried = impact * edge.weight
            carried = -carried if edge.inverse else carried
            yield [*path, edge.target], carried
            yield from walk([*path, edge.target], carried)

    yield from walk([trigger], change_pct)


def blast_radius(
    domains: dict[str, str], edges: list[RefEdge], trigger: str, change_pct: float, max_depth: int
) -> list[RefImpact]:
    """The expected `affected` list: best path per metric, strongest |impact| first, then by id."""
    reached: dict[str, list[tuple[float, int, list[str], float]]] = defaultdict(list)
    for path, impact in simple_paths(edges, trigger, max_depth, float(change_pct)):
        magnitude = round2(abs(impact))
        signed = -magnitude if impact < 0 and magnitude else magnitude
        reached[path[-1]].append((magnitude, len(path) - 1, path, signed))
    results = []
    for metric_id, candidates in reached.items():
        magnitude, depth, path, signed = min(candidates, key=lambda c: (-c[0], c[1], c[2], -c[3]))
        results.append(
            RefImpact(
                metric_id=metric_id,
                impact_pct=signed,
                depth=depth,
                path=path,
                path_count=len(candidates),
                cross_domain=domains[metric_id] != domains[trigger],
            )
        )
    return sorted(results, key=lambda r: (-abs(r.impact_pct), r.metric_id))
