"""The graph foundation on the real engine: schema, seeds, constraints, tenant isolation."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ConstraintError

from kg_service.config import Settings
from kg_service.graph import actions, metrics, thoughtlets, thoughts
from kg_service.graph.db import Graph
from kg_service.graph.schema import apply_schema, describe_indexes
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import expected_counts, write_knowledge
from kg_service.graph.tenants import delete_tenant, graph_counts

LABELS = [
    "Metric",
    "Thoughtlet",
    "Thought",
    "Threshold",
    "Action",
    "ThoughtInstance",
    "ActionRequest",
    "AuditEvent",
]


async def test_schema_applies_twice_and_declares_every_key(graph: Graph) -> None:
    first = await apply_schema(graph)
    second = await apply_schema(graph)
    assert first == second
    indexes = {row["name"]: row for row in await describe_indexes(graph)}
    for label in LABELS:
        keyed = [
            row
            for row in indexes.values()
            if row["labelsOrTypes"] == [label] and row["properties"] == ["tenant", "id"]
        ]
        assert keyed, f"no (tenant, id) uniqueness index for {label}"


@pytest.mark.parametrize("name", ["metric_embedding", "thought_embedding", "action_embedding"])
async def test_vector_indexes_have_384_cosine_dimensions(graph: Graph, name: str) -> None:
    indexes = {row["name"]: row for row in await describe_indexes(graph)}
    index = indexes[name]
    assert index["type"] == "VECTOR"
    config = index["options"]["indexConfig"]
    assert config["vector.dimensions"] == 384
    assert config["vector.similarity_function"].lower() == "cosine"


async def test_seeding_twice_gives_the_same_graph(graph: Graph, settings: Settings, tenant: str) -> None:
    knowledge = knowledge_for(settings.seeds_dir, tenant)
    await write_knowledge(graph, tenant, knowledge)
    once = await graph_counts(graph, tenant)
    await write_knowledge(graph, tenant, knowledge)
    twice = await graph_counts(graph, tenant)
    assert once == twice
    assert once == expected_counts(knowledge)
    assert once["nodes"]["Metric"] >= 60


async def test_a_duplicate_tenant_and_id_is_refused(graph: Graph, tenant: str) -> None:
    create = "CREATE (:Metric {tenant: $tenant, id: 'dup'})"
    await graph.write(create, tenant=tenant)
    with pytest.raises(ConstraintError):
        await graph.write(create, tenant=tenant)
    other = f"{tenant}_b"
    try:
        await graph.write(create, tenant=other)  # the same id in another tenant is fine
    finally:
        await delete_tenant(graph, other)


async def test_reseeding_prunes_what_the_seeds_no_longer_declare(
    graph: Graph, settings: Settings, tenant: str
) -> None:
    knowledge = knowledge_for(settings.seeds_dir, tenant)
    await write_knowledge(graph, tenant, knowledge)
    dropped = knowledge.thoughtlets[0]
    smaller = knowledge.model_copy(update={"thoughtlets": knowledge.thoughtlets[1:]})
    await write_knowledge(graph, tenant, smaller)
    remaining = await thoughtlets.list_thoughtlets(graph, tenant)
    assert dropped.id not in {t.id for t in remaining}
    assert await graph_counts(graph, tenant) == expected_counts(smaller)


async def test_another_tenant_sees_nothing_through_any_repository(
    graph: Graph, settings: Settings, tenant: str
) -> None:
    await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, tenant))
    own = await metrics.list_metrics(graph, tenant)
    ids = [m.id for m in own]
    assert len(ids) >= 60
    stranger = f"{tenant}_x"
    assert await metrics.list_metrics(graph, stranger) == []
    assert await metrics.list_metrics(graph, stranger, source="google_ads") == []
    assert await metrics.get_metrics(graph, stranger, ids) == []
    assert await metrics.get_edges(graph, stranger, ids) == []
    assert await metrics.get_edges(graph, stranger) == []
    assert await metrics.get_thresholds(graph, stranger, ids) == []
    assert await thoughtlets.list_thoughtlets(graph, stranger) == []
    assert await thoughts.list_definitions(graph, stranger) == []
    assert await actions.list_actions(graph, stranger) == []
    assert await graph_counts(graph, stranger) == {"nodes": {}, "edges": {}}


async def test_repositories_read_back_what_was_seeded(graph: Graph, settings: Settings, tenant: str) -> None:
    knowledge = knowledge_for(settings.seeds_dir, tenant)
    await write_knowledge(graph, tenant, knowledge)
    cpc = (await metrics.get_metrics(graph, tenant, ["cpc_google_ads"]))[0]
    assert (cpc.unit.value, cpc.direction.value, cpc.source.value) == (
        "currency",
        "lower_is_better",
        "google_ads",
    )
    edges = await metrics.get_edges(graph, tenant, ["cpc_google_ads"])
    out = {(e.target, e.relationship.value, e.weight) for e in edges if e.source == "cpc_google_ads"}
    assert {("roas", "inverse", 0.8), ("cpa", "direct", 0.9), ("budget_utilization", "direct", 0.5)} <= out
    into = {(e.source, e.relationship.value, e.weight) for e in edges if e.target == "cpc_google_ads"}
    assert {("quality_score", "inverse", 0.7), ("competition_level", "direct", 0.6)} <= into
    limits = {
        (t.threshold.severity.value, t.threshold.operator, t.threshold.value)
        for t in await metrics.get_thresholds(graph, tenant, ["cpc_google_ads"])
    }
    assert {("warning", ">", 2.5), ("critical", ">", 5.0)} <= {
        (s, o.value if o else None, v) for s, o, v in limits
    }
    definitions = {d.id: d for d in await thoughts.list_definitions(graph, tenant)}
    assert definitions == {t.id: t for t in knowledge.thoughts}
    assert {a.id for a in await actions.list_actions(graph, tenant)} == {a.id for a in knowledge.actions}
    google = await metrics.list_metrics(graph, tenant, source="google_ads")
    assert google and all(m.source.value == "google_ads" for m in google)
    board = knowledge.thoughtlets[0]
    on_board = await metrics.list_metrics(graph, tenant, thoughtlet=board.id)
    assert [m.id for m in on_board] == sorted(board.metrics)
