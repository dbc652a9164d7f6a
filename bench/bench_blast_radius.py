"""Blast radius latency over Bolt on a 500-metric graph (out-degree 4-8, cycles, a few domains).

Run: `. /tmp/kgdev/env.sh && .venv/bin/python bench/bench_blast_radius.py` (reads NEO4J_* settings).
The graph is seeded through the product's own seed writer into a dedicated tenant, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import time
from collections.abc import Awaitable, Callable

from neo4j import AsyncManagedTransaction

from kg_service.config import Settings
from kg_service.graph.blast_radius import blast_radius, statement
from kg_service.graph.db import Graph
from kg_service.graph.definitions import (
    Aggregation,
    Direction,
    Edge,
    KnowledgeSet,
    Metric,
    Relationship,
    Source,
    Unit,
)
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant

TENANT = "bench_blast_radius"
DOMAINS = ["marketing", "finance", "operations", "customer"]
TARGET_P95_MS = 10.0


def build_knowledge(n_metrics: int, seed: int) -> KnowledgeSet:
    rng = random.Random(seed)
    ids = [f"m{i:04d}" for i in range(n_metrics)]

    def edges(source: str) -> tuple[Edge, ...]:
        targets = rng.sample([i for i in ids if i != source], rng.randint(4, 8))
        return tuple(
            Edge(
                metric=target,
                relationship=rng.choice([Relationship.DIRECT, Relationship.INVERSE]),
                weight=round(rng.uniform(0.05, 1.0), 2),
            )
            for target in sorted(targets)
        )

    metrics = tuple(
        Metric(
            id=metric_id,
            name=f"Metric {metric_id}",
            description="A synthetic metric of the blast radius benchmark.",
            domain=rng.choice(DOMAINS),
            source=Source.DERIVED,
            formula=metric_id,
            unit=Unit.COUNT,
            direction=Direction.HIGHER_IS_BETTER,
            aggregation=Aggregation.SUM,
            view=f"v_metric_{metric_id}",
            affects=edges(metric_id),
        )
        for metric_id in ids
    )
    return KnowledgeSet(metrics=metrics, thoughtlets=(), thoughts=(), actions=())


def percentile(sorted_ms: list[float], q: float) -> float:
    index = min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms)) - 1))
    return sorted_ms[index]


async def measure(graph: Graph, triggers: list[str], depth: int) -> tuple[list[float], list[int], list[int]]:
    latencies, affected, paths = [], [], []
    for trigger in triggers:
        started = time.perf_counter()
        result = await blast_radius(graph, TENANT, trigger, 25.0, max_depth=depth)
        latencies.append((time.perf_counter() - started) * 1000)
        affected.append(len(result.affected))
        paths.append(sum(i.path_count for i in result.affected))
    return latencies, affected, paths


async def engine_ms(graph: Graph, triggers: list[str], depth: int) -> list[float]:
    """The engine's own time per call (planning cached, execution and streaming), from the summary."""

    def work_for(trigger: str) -> Callable[[AsyncManagedTransaction], Awaitable[float]]:
        async def work(tx: AsyncManagedTransaction) -> float:
            result = await tx.run(statement(depth), tenant=TENANT, metric_id=trigger, change_pct=25.0)
            await result.single()
            summary = await result.consume()
            return float((summary.result_available_after or 0) + (summary.result_consumed_after or 0))

        return work

    return [await graph.read_tx(work_for(trigger)) for trigger in triggers]


def summary_line(label: str, values: list[float]) -> str:
    ms = sorted(values)
    quantiles = "  ".join(f"p{round(q * 100)} {percentile(ms, q):.2f} ms" for q in (0.50, 0.95, 0.99))
    return f"{label}: {quantiles}  mean {statistics.fmean(ms):.2f} ms"


async def main(n_metrics: int, calls: int, warmup: int, depth: int, seed: int) -> None:
    graph = Graph.connect(Settings().neo4j)
    try:
        await delete_tenant(graph, TENANT)
        knowledge = build_knowledge(n_metrics, seed)
        await write_knowledge(graph, TENANT, knowledge)
        ids = [m.id for m in knowledge.metrics]
        rng = random.Random(seed + 1)
        await measure(graph, rng.choices(ids, k=warmup), depth)
        order = rng.sample(ids, len(ids))  # every metric a trigger in turn, not a few hot ones
        triggers = [order[i % len(order)] for i in range(calls)]
        latencies, affected, paths = await measure(graph, triggers, depth)
        engine = await engine_ms(graph, triggers, depth)
    finally:
        await delete_tenant(graph, TENANT)
        await graph.close()
    p95 = percentile(sorted(latencies), 0.95)
    edges = sum(len(m.affects) for m in knowledge.metrics)
    codec = "Rust (neo4j-rust-ext)" if importlib.util.find_spec("neo4j._rust") else "pure Python"
    print(f"graph: {n_metrics} metrics, {edges} AFFECTS edges, seed {seed}; depth {depth}, {calls} calls")
    print(f"driver packstream codec: {codec}")
    print(summary_line("blast_radius() over Bolt", latencies))
    print(summary_line("engine time (summary)  ", engine))
    print(f"mean affected metrics {statistics.fmean(affected):.1f}", end=", ")
    print(f"mean simple paths {statistics.fmean(paths):.1f}")
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(f"target p95 <= {TARGET_P95_MS:g} ms over Bolt: {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=500)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.metrics, args.calls, args.warmup, args.depth, args.seed))
