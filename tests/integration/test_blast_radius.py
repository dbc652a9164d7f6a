"""Blast radius on the real engine: known answers, the in-memory oracle, the plan, the real seeds."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Iterator
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kg_service.config import Settings
from kg_service.errors import InvalidInput, NotFound
from kg_service.graph.blast_radius import BlastRadius, Impact, blast_radius, query_plan
from kg_service.graph.db import Graph
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from tests import blast_reference as reference
from tests.blast_reference import RefEdge
from tests.conftest import new_tenant_id

CREATE_METRICS = """
UNWIND $metrics AS m
CREATE (:Metric {tenant: $tenant, id: m.id, domain: m.domain})
"""
CREATE_AFFECTS = """
UNWIND $edges AS e
MATCH (a:Metric {tenant: $tenant, id: e.source}), (b:Metric {tenant: $tenant, id: e.target})
CREATE (a)-[:AFFECTS {weight: e.weight, relationship: e.relationship}]->(b)
"""


def edge(source: str, target: str, weight: float = 1.0, *, inverse: bool = False) -> RefEdge:
    return RefEdge(source, target, weight, inverse)


async def write_graph(graph: Graph, tenant: str, domains: dict[str, str], edges: list[RefEdge]) -> None:
    metrics = [{"id": metric_id, "domain": domain} for metric_id, domain in domains.items()]
    rows = [
        {
            "source": e.source,
            "target": e.target,
            "weight": e.weight,
            "relationship": "inverse" if e.inverse else "direct",
        }
        for e in edges
    ]
    await graph.write(CREATE_METRICS, tenant=tenant, metrics=metrics)
    await graph.write(CREATE_AFFECTS, tenant=tenant, edges=rows)


def same_domain(*ids: str) -> dict[str, str]:
    return dict.fromkeys(ids, "marketing")


def by_id(result: BlastRadius) -> dict[str, Impact]:
    return {impact.metric_id: impact for impact in result.affected}


def as_reference(result: BlastRadius) -> list[reference.RefImpact]:
    return [reference.RefImpact(**impact.model_dump()) for impact in result.affected]


# Known answers


async def test_inverse_edges_flip_the_sign_once_each(graph: Graph, tenant: str) -> None:
    edges = [edge("a", "b", 0.5, inverse=True), edge("b", "c", 0.5, inverse=True), edge("a", "d", 0.3)]
    await write_graph(graph, tenant, same_domain("a", "b", "c", "d"), edges)
    result = by_id(await blast_radius(graph, tenant, "a", 20.0))
    assert result["b"].impact_pct == -10.0
    assert result["c"].impact_pct == 5.0
    assert result["d"].impact_pct == 6.0
    assert result["c"].path == ["a", "b", "c"]
    assert result["c"].depth == 2


async def test_ties_go_to_the_shorter_path_then_the_first_id_list(graph: Graph, tenant: str) -> None:
    edges = [
        edge("a", "c", 1.0),
        edge("a", "b", 1.0),
        edge("b", "d", 0.5),
        edge("c", "d", 0.5),  # d: [a,b,d] and [a,c,d] tie at 5.0 and depth 2
        edge("a", "e", 0.5),
        edge("b", "e", 0.5),  # e: [a,e] and [a,b,e] tie at 5.0; the shorter wins
        edge("a", "f", 0.1),
        edge("b", "f", 0.9),  # f: the longer path is stronger, so it wins
        edge("c", "g", 0.5, inverse=True),
        edge("b", "g", 0.5),  # g: +5 via b and -5 via c; [a,b,g] sorts first
    ]
    await write_graph(graph, tenant, same_domain(*"abcdefg"), edges)
    result = await blast_radius(graph, tenant, "a", 10.0)
    best = {i.metric_id: (i.impact_pct, i.path, i.path_count) for i in result.affected}
    assert best["d"] == (5.0, ["a", "b", "d"], 2)
    assert best["e"] == (5.0, ["a", "e"], 2)
    assert best["f"] == (9.0, ["a", "b", "f"], 2)
    assert best["g"] == (5.0, ["a", "b", "g"], 2)
    assert [i.metric_id for i in result.affected] == ["b", "c", "f", "d", "e", "g"]


async def test_impacts_equal_at_two_decimals_are_ties(graph: Graph, tenant: str) -> None:
    edges = [edge("a", "h", 0.10001), edge("a", "b", 1.0), edge("b", "h", 0.10004)]
    await write_graph(graph, tenant, same_domain("a", "b", "h"), edges)
    result = by_id(await blast_radius(graph, tenant, "a", 100.0))
    assert (result["h"].impact_pct, result["h"].path) == (10.0, ["a", "h"])


async def test_cycles_are_not_revisited_and_the_trigger_is_never_reached(graph: Graph, tenant: str) -> None:
    edges = [edge("a", "b", 0.5), edge("b", "a", 0.5), edge("b", "c", 0.5), edge("c", "a", 0.5)]
    await write_graph(graph, tenant, same_domain("a", "b", "c"), edges)
    result = await blast_radius(graph, tenant, "a", 40.0, max_depth=5)
    assert [(i.metric_id, i.impact_pct, i.path, i.path_count) for i in result.affected] == [
        ("b", 20.0, ["a", "b"], 1),
        ("c", 10.0, ["a", "b", "c"], 1),
    ]


@pytest.mark.parametrize("max_depth", [1, 2, 3, 4, 5])
async def test_the_depth_bound_is_exact(graph: Graph, tenant: str, max_depth: int) -> None:
    chain = [f"m{i}" for i in range(8)]
    await write_graph(graph, tenant, same_domain(*chain), [edge(s, t) for s, t in pairwise(chain)])
    result = await blast_radius(graph, tenant, "m0", 10.0, max_depth=max_depth)
    assert [i.metric_id for i in result.affected] == chain[1 : max_depth + 1]
    assert [i.depth for i in result.affected] == list(range(1, max_depth + 1))
    assert result.max_depth == max_depth


async def test_the_default_depth_is_three(graph: Graph, tenant: str) -> None:
    chain = ["a", "b", "c", "d", "e"]
    await write_graph(graph, tenant, same_domain(*chain), [edge(s, t) for s, t in pairwise(chain)])
    result = await blast_radius(graph, tenant, "a", 10.0)
    assert (result.max_depth, [i.metric_id for i in result.affected]) == (3, ["b", "c", "d"])


async def test_every_simple_path_is_counted(graph: Graph, tenant: str) -> None:
    edges = [edge("a", "b"), edge("a", "c"), edge("b", "c"), edge("c", "b"), edge("b", "d"), edge("c", "d")]
    await write_graph(graph, tenant, same_domain("a", "b", "c", "d"), edges)
    result = by_id(await blast_radius(graph, tenant, "a", 1.0))
    # d: a-b-d, a-c-d, a-b-c-d, a-c-b-d; b: a-b, a-c-b; c: a-c, a-b-c
    assert {k: v.path_count for k, v in result.items()} == {"b": 2, "c": 2, "d": 4}


async def test_cross_domain_compares_with_the_trigger_domain(graph: Graph, tenant: str) -> None:
    domains = {"a": "marketing", "b": "finance", "c": "marketing"}
    await write_graph(graph, tenant, domains, [edge("a", "b", 0.9), edge("b", "c", 0.9)])
    result = await blast_radius(graph, tenant, "a", 10.0)
    assert result.trigger_domain == "marketing"
    assert {i.metric_id: i.cross_domain for i in result.affected} == {"b": True, "c": False}


async def test_a_metric_that_affects_nothing_has_an_empty_radius(graph: Graph, tenant: str) -> None:
    await write_graph(graph, tenant, same_domain("a", "b"), [edge("b", "a")])
    result = await blast_radius(graph, tenant, "a", 10.0)
    assert (result.trigger_id, result.affected) == ("a", [])


async def test_a_zero_change_gives_positive_zeros(graph: Graph, tenant: str) -> None:
    await write_graph(
        graph, tenant, same_domain("a", "b", "c"), [edge("a", "c", inverse=True), edge("a", "b")]
    )
    result = await blast_radius(graph, tenant, "a", 0.0)
    assert [i.metric_id for i in result.affected] == ["b", "c"]
    assert all(math.copysign(1.0, i.impact_pct) == 1.0 for i in result.affected)


async def test_another_tenants_graph_is_never_mixed_in(graph: Graph, tenant: str) -> None:
    other = new_tenant_id()
    try:
        await write_graph(graph, tenant, same_domain("a", "b"), [edge("a", "b", 0.5)])
        await write_graph(
            graph, other, same_domain("a", "b", "c", "x"), [edge("a", "b", 1.0), edge("b", "c")]
        )
        # An ill-formed edge across tenants must not be followed either.
        await graph.write(
            "MATCH (b:Metric {tenant: $tenant, id: 'b'}), (c:Metric {tenant: $other, id: 'c'}) "
            "CREATE (b)-[:AFFECTS {weight: 1.0, relationship: 'direct'}]->(c)",
            tenant=tenant,
            other=other,
        )
        result = await blast_radius(graph, tenant, "a", 10.0)
        assert [(i.metric_id, i.impact_pct, i.path_count) for i in result.affected] == [("b", 5.0, 1)]
        with pytest.raises(NotFound):
            await blast_radius(graph, tenant, "x", 10.0)
    finally:
        await delete_tenant(graph, other)


async def test_an_unknown_metric_and_another_tenants_metric_look_the_same(graph: Graph, tenant: str) -> None:
    other = new_tenant_id()
    try:
        await write_graph(graph, other, same_domain("theirs"), [])
        with pytest.raises(NotFound) as absent:
            await blast_radius(graph, tenant, "theirs", 10.0)
        await delete_tenant(graph, other)
        with pytest.raises(NotFound) as deleted:
            await blast_radius(graph, tenant, "theirs", 10.0)
        assert str(absent.value) == str(deleted.value)
    finally:
        await delete_tenant(graph, other)


@pytest.fixture
async def unreachable(settings: Settings) -> AsyncIterator[Graph]:
    """A Graph whose every query would fail with RetryableError: InvalidInput proves none ran."""
    connection = Graph.connect(settings.neo4j.model_copy(update={"uri": "bolt://127.0.0.1:9"}))
    yield connection
    await connection.close()


@pytest.mark.parametrize("max_depth", [0, 6, -1, None, True, 3.0, "3"])
async def test_a_depth_outside_1_to_5_is_refused(unreachable: Graph, max_depth: Any) -> None:
    with pytest.raises(InvalidInput, match="max_depth"):
        await blast_radius(unreachable, "t_any", "cpc", 10.0, max_depth=max_depth)


@pytest.mark.parametrize("change", [math.nan, math.inf, -math.inf, 10_000.5, -20_000.0, None, "5"])
async def test_a_change_that_is_not_a_finite_bounded_number_is_refused(
    unreachable: Graph, change: Any
) -> None:
    with pytest.raises(InvalidInput, match="change_pct"):
        await blast_radius(unreachable, "t_any", "cpc", change)


@pytest.mark.parametrize(
    ("tenant_id", "metric_id"), [("t_any", "CPC"), ("t_any", "a-b"), ("t_any", ""), ("T!", "cpc")]
)
async def test_bad_ids_are_refused(unreachable: Graph, tenant_id: str, metric_id: str) -> None:
    with pytest.raises(InvalidInput):
        await blast_radius(unreachable, tenant_id, metric_id, 10.0)


# The oracle, on random graphs with cycles

IDS = [f"m{i}" for i in range(7)]
# Mostly a few round weights, so that ties (and the rules that break them) come up often.
WEIGHTS = st.one_of(
    st.sampled_from([1.0, 0.5, 1.0, 0.25, 0.6, 0.8]),
    st.floats(min_value=0.01, max_value=1.0, allow_nan=False),
)
CHANGES = st.one_of(
    st.sampled_from([25.0, -10.0, 100.0, 0.5, 0.0]),
    st.floats(min_value=-10_000, max_value=10_000, allow_nan=False, allow_infinity=False),
)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[dict[str, str], list[RefEdge], str, float, int]:
    ids = IDS[: draw(st.integers(min_value=2, max_value=len(IDS)))]
    domains = {i: draw(st.sampled_from(["marketing", "finance"])) for i in ids}
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
            unique=True,
            max_size=len(ids) * 3,
        )
    )
    edges = [RefEdge(s, t, draw(WEIGHTS), draw(st.booleans())) for s, t in pairs]
    return domains, edges, draw(st.sampled_from(ids)), draw(CHANGES), draw(st.integers(1, 5))


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=random_graphs())
async def test_the_query_matches_the_reference_exactly(
    graph: Graph, case: tuple[dict[str, str], list[RefEdge], str, float, int]
) -> None:
    domains, edges, trigger, change, max_depth = case
    tenant = new_tenant_id()
    try:
        await write_graph(graph, tenant, domains, edges)
        result = await blast_radius(graph, tenant, trigger, change, max_depth=max_depth)
    finally:
        await delete_tenant(graph, tenant)
    assert as_reference(result) == reference.blast_radius(domains, edges, trigger, change, max_depth)


# The plan


def operators(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("children", []):
        yield from operators(child)


def name(operator: dict[str, Any]) -> str:
    return str(operator["operatorType"]).split("@")[0]


@pytest.mark.parametrize("max_depth", [1, 2, 3, 4, 5])
async def test_the_plan_seeks_the_trigger_by_index_and_bounds_the_expansion(
    graph: Graph, max_depth: int
) -> None:
    plan = await query_plan(graph, max_depth)
    leftmost = plan
    while leftmost.get("children"):
        leftmost = leftmost["children"][0]
    assert name(leftmost) == "NodeUniqueIndexSeek"
    assert "Metric(tenant, id)" in leftmost["args"]["Details"]
    names = [name(op) for op in operators(plan)]
    assert not {"AllNodesScan", "NodeByLabelScan"} & set(names)
    expands = [op for op in operators(plan) if "Expand" in name(op)]
    assert [name(op) for op in expands] == ["VarLengthExpand(All)"]
    bound = re.search(r"AFFECTS(?:\*\.\.(\d+))?\]", expands[0]["args"]["Details"])
    assert bound is not None
    assert int(bound.group(1) or 1) == max_depth


# The product's seeds


async def test_the_seed_documents_example_holds_on_the_real_seeds(
    graph: Graph, settings: Settings, tenant: str
) -> None:
    await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, tenant))
    result = by_id(await blast_radius(graph, tenant, "cpc_google_ads", 25.0))
    assert result["roas"].impact_pct < 0
    assert result["cpa"].impact_pct > 0
    assert "cpc_google_ads" not in result
