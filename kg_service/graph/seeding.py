"""Writing a tenant's knowledge set into the graph: MERGE everything in one transaction."""

from __future__ import annotations

import json
from typing import Any

from neo4j import AsyncManagedTransaction

from kg_service.graph import catalog
from kg_service.graph.db import BULK_TIMEOUT_S, Graph, run
from kg_service.graph.definitions import KnowledgeSet, Metric, ThoughtDefinition
from kg_service.graph.memo import forget

Params = dict[str, Any]


def _metric_row(metric: Metric) -> Params:
    props = metric.model_dump(mode="json", exclude={"id", "thresholds", "affects", "components"})
    props["components"] = json.dumps([c.model_dump(mode="json") for c in metric.components])
    return {"id": metric.id, "props": props}


def _threshold_rows(metric: Metric) -> list[Params]:
    rows = []
    for index, threshold in enumerate(metric.thresholds):
        props = threshold.model_dump(mode="json", exclude={"id"}, exclude_none=True)
        rows.append({"metric": metric.id, "id": metric.threshold_id(index), "props": props})
    return rows


def _thought_row(thought: ThoughtDefinition) -> Params:
    props = thought.model_dump(
        mode="json",
        exclude={
            "id",
            "trigger_conditions",
            "blast_radius",
            "component_metrics",
            "recommended_actions",
            "cascades_to",
        },
    )
    props["trigger"] = thought.trigger_conditions.model_dump_json(exclude_defaults=True)
    props["blast_radius"] = thought.blast_radius.model_dump_json()
    props["component_metrics"] = list(thought.component_metrics)
    return {
        "id": thought.id,
        "props": props,
        "components": list(thought.component_metrics),
        "actions": list(thought.recommended_actions),
    }


def seed_parameters(knowledge: KnowledgeSet) -> dict[str, Any]:
    """The parameters of every seed statement, and the keys the prune statement keeps."""
    metrics = knowledge.metrics
    thresholds = [row for m in metrics for row in _threshold_rows(m)]
    edges = [
        {"source": m.id, "target": e.metric, "weight": e.weight, "relationship": e.relationship.value}
        for m in metrics
        for e in m.affects
    ]
    thoughtlets = [
        {"id": t.id, "props": {"name": t.name, "description": t.description}, "metrics": list(t.metrics)}
        for t in knowledge.thoughtlets
    ]
    actions = [{"id": a.id, "props": a.model_dump(mode="json", exclude={"id"})} for a in knowledge.actions]
    thoughts = [_thought_row(t) for t in knowledge.thoughts]
    cascades = [
        {"source": t.id, "target": c, "rank": rank}
        for t in knowledge.thoughts
        for rank, c in enumerate(t.cascades_to)
    ]
    keep = {
        "metrics": [m.id for m in metrics],
        "thresholds": [t["id"] for t in thresholds],
        "thoughtlets": [t["id"] for t in thoughtlets],
        "actions": [a["id"] for a in actions],
        "thoughts": [t["id"] for t in thoughts],
        "affects": [f"{e['source']}>{e['target']}" for e in edges],
        "belongs_to": [f"{m}>{t['id']}" for t in thoughtlets for m in t["metrics"]],
        "composes": [f"{m}>{t['id']}" for t in thoughts for m in t["components"]],
        "triggers": [f"{t['id']}>{a}" for t in thoughts for a in t["actions"]],
        "cascades": [f"{c['source']}>{c['target']}" for c in cascades],
    }
    return {
        "metrics": [_metric_row(m) for m in metrics],
        "thresholds": thresholds,
        "edges": edges,
        "thoughtlets": thoughtlets,
        "actions": actions,
        "thoughts": thoughts,
        "cascades": cascades,
        "keep": keep,
    }


def expected_counts(knowledge: KnowledgeSet) -> dict[str, dict[str, int]]:
    """Node and edge counts the graph holds for a tenant once `knowledge` is seeded."""
    params = seed_parameters(knowledge)
    keep = params["keep"]
    return {
        "nodes": {
            "Metric": len(keep["metrics"]),
            "Threshold": len(keep["thresholds"]),
            "Thoughtlet": len(keep["thoughtlets"]),
            "Thought": len(keep["thoughts"]),
            "Action": len(keep["actions"]),
        },
        "edges": {
            "AFFECTS": len(keep["affects"]),
            "BELONGS_TO": len(keep["belongs_to"]),
            "COMPOSES": len(keep["composes"]),
            "TRIGGERS": len(keep["triggers"]),
            "CASCADES_TO": len(keep["cascades"]),
            "HAS_THRESHOLD": len(keep["thresholds"]),
        },
    }


async def write_knowledge(graph: Graph, tenant: str, knowledge: KnowledgeSet) -> None:
    """Upserts the tenant's definitions and prunes what the seeds no longer declare, atomically."""
    params = seed_parameters(knowledge)

    async def work(tx: AsyncManagedTransaction) -> None:
        await run(tx, catalog.seed_metrics(), tenant=tenant, metrics=params["metrics"])
        await run(tx, catalog.seed_thresholds(), tenant=tenant, thresholds=params["thresholds"])
        await run(tx, catalog.seed_affects(), tenant=tenant, edges=params["edges"])
        await run(tx, catalog.seed_thoughtlets(), tenant=tenant, thoughtlets=params["thoughtlets"])
        await run(tx, catalog.seed_actions(), tenant=tenant, actions=params["actions"])
        await run(tx, catalog.seed_thoughts(), tenant=tenant, thoughts=params["thoughts"])
        await run(tx, catalog.seed_cascades(), tenant=tenant, cascades=params["cascades"])
        await run(tx, catalog.seed_prune(), tenant=tenant, keep=params["keep"])

    await graph.write_tx(work, tenant=tenant, timeout_s=BULK_TIMEOUT_S)
    forget(tenant)
