"""Semantic search on the real engine and the real seeds: refresh is incremental, tenants stay apart,
and the words marketers use find the right metric, thought and action."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import yaml

from kg_service.ai.agent.resolve import search
from kg_service.ai.embeddings import MiniLM, embedder
from kg_service.config import Settings
from kg_service.graph.db import Graph
from kg_service.graph.definitions import KnowledgeSet
from kg_service.graph.embeddings import Kind, SearchResult, refresh_embeddings, semantic_search
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import expected_counts, write_knowledge
from kg_service.graph.tenants import delete_tenant

from ..conftest import new_tenant_id

PARAPHRASES = Path(__file__).resolve().parents[1] / "data" / "search_paraphrases.yaml"
# all-MiniLM-L6-v2 alone ranks the wanted metric first for ~72 % of these phrasings and in the top
# three for ~94 %; the floors below keep that from regressing (see the report printed on failure).
TOP1_FLOOR, TOP3_FLOOR = 0.90, 0.90


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return embedder()


@pytest.fixture(scope="module")
async def acme(graph: Graph, settings: Settings, model: MiniLM) -> AsyncIterator[str]:
    """A fresh tenant seeded and embedded once from the acme seeds, for the tests that only read."""
    tenant = new_tenant_id()
    await _seed(graph, tenant, knowledge_for(settings.seeds_dir, "acme"), model)
    yield tenant
    await delete_tenant(graph, tenant)


async def _seed(graph: Graph, tenant: str, knowledge: KnowledgeSet, model: MiniLM) -> int:
    await write_knowledge(graph, tenant, knowledge)
    return await refresh_embeddings(graph, tenant, model)


async def _search(
    graph: Graph, tenant: str, model: MiniLM, text: str, limit: int = 5, kinds: list[Kind] | None = None
) -> list[SearchResult]:
    vector = (await model.encode_async([text]))[0]
    return await semantic_search(graph, tenant, vector, limit, kinds)


async def test_refresh_embeds_only_what_changed(
    graph: Graph, tenant: str, settings: Settings, model: MiniLM
) -> None:
    knowledge = knowledge_for(settings.seeds_dir, "acme")
    nodes = expected_counts(knowledge)["nodes"]
    assert (
        await _seed(graph, tenant, knowledge, model) == nodes["Metric"] + nodes["Thought"] + nodes["Action"]
    )
    assert await refresh_embeddings(graph, tenant, model) == 0

    before = await graph.read(
        "MATCH (n:Metric {tenant: $tenant}) RETURN n.id AS id, n.embedding AS e ORDER BY id", tenant=tenant
    )
    changed = [
        m.model_copy(update={"description": "What Google charges for one click, on average."})
        if m.id == "cpc_google_ads"
        else m
        for m in knowledge.metrics
    ]
    await write_knowledge(graph, tenant, knowledge.model_copy(update={"metrics": tuple(changed)}))
    assert await refresh_embeddings(graph, tenant, model) == 1
    after = await graph.read(
        "MATCH (n:Metric {tenant: $tenant}) RETURN n.id AS id, n.embedding AS e ORDER BY id", tenant=tenant
    )
    moved = [a["id"] for a, b in zip(after, before, strict=True) if a["e"] != b["e"]]
    assert moved == ["cpc_google_ads"]
    assert await refresh_embeddings(graph, tenant, model) == 0


async def test_another_tenants_nodes_never_appear(
    graph: Graph, tenant: str, settings: Settings, model: MiniLM
) -> None:
    """B holds the same shared metrics as A; A's copies (renamed here) must never answer B's search."""
    acme = knowledge_for(settings.seeds_dir, "acme")
    renamed = tuple(m.model_copy(update={"name": f"{m.name} of tenant A"}) for m in acme.metrics)
    await _seed(graph, tenant, acme.model_copy(update={"metrics": renamed}), model)
    other = new_tenant_id()
    try:
        await write_knowledge(graph, other, knowledge_for(settings.seeds_dir, "rare_seeds"))
        # Not embedded yet: B finds nothing, although A's identical nodes sit in the same indexes.
        assert await _search(graph, other, model, "cost per click on google") == []
        await refresh_embeddings(graph, other, model)
        for text, limit in (("cost per click on google", 5), ("high ticket orders", 50), ("roas", 200)):
            hits = await _search(graph, other, model, text, limit)
            assert hits
            assert not [h for h in hits if h.name.endswith("of tenant A")], text
            assert "high_ticket_orders_magento" not in {h.id for h in hits}  # acme's own metric
        mine = await _search(graph, tenant, model, "cost per click on google")
        assert all(h.name.endswith("of tenant A") for h in mine if h.kind == "metric")
    finally:
        await delete_tenant(graph, other)


async def test_marketer_phrasings_find_the_metric(graph: Graph, acme: str, model: MiniLM) -> None:
    """The product's search (meaning and words together) puts the right metric first for ≥ 90 %."""
    cases = yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))["paraphrases"]
    assert len(cases) >= 30
    top1, misses = 0, []
    for case in cases:
        wanted = case["metric"] if isinstance(case["metric"], list) else [case["metric"]]
        ranked = [h.id for h in await search(graph, acme, case["text"], 3, {"metric"})]
        top1 += bool(ranked) and ranked[0] in wanted
        if not ranked or ranked[0] not in wanted:
            misses.append(f"{case['text']!r}: wanted {wanted[0]}, got {ranked}")
    report = f"top-1 {top1}/{len(cases)}; misses:\n  " + "\n  ".join(misses)
    print(report)
    assert top1 / len(cases) >= TOP1_FLOOR, report


async def test_the_vectors_alone_place_the_metric_in_the_top_three(
    graph: Graph, acme: str, model: MiniLM
) -> None:
    cases = yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))["paraphrases"]
    vectors = await model.encode_async([case["text"] for case in cases])
    top3 = 0
    for case, vector in zip(cases, vectors, strict=True):
        wanted = case["metric"] if isinstance(case["metric"], list) else [case["metric"]]
        ranked = [h.id for h in await semantic_search(graph, acme, vector, 3, ["metric"])]
        top3 += bool(set(ranked) & set(wanted))
    assert top3 / len(cases) >= TOP3_FLOOR, f"top-3 {top3}/{len(cases)}"


async def test_thoughts_and_actions_are_found_too(graph: Graph, acme: str, model: MiniLM) -> None:
    tenant = acme
    best = await _search(graph, tenant, model, "creative fatigue on facebook")
    assert (best[0].kind, best[0].id) == ("thought", "creative_fatigue")
    for text, kind, expected in (
        ("google clicks suddenly got more expensive", "thought", "google_cpc_spike"),
        ("emails landing in spam", "thought", "email_deliverability_risk"),
        ("we are going to run out of budget this month", "thought", "budget_exhaustion"),
        ("bid less on expensive keywords", "action", "reduce_bids_high_cpc_keywords"),
        ("new images and videos for facebook ads", "action", "refresh_ad_creatives"),
        ("check that purchases are still tracked in analytics", "action", "audit_tracking_setup"),
    ):
        hits = await _search(graph, tenant, model, text, 3, [kind])
        assert {h.kind for h in hits} == {kind}
        assert hits[0].id == expected, (text, hits)


async def test_results_merge_kinds_best_first_and_both_paths_agree(
    graph: Graph, acme: str, model: MiniLM
) -> None:
    tenant = acme
    hits = await _search(graph, tenant, model, "meta ads performance", limit=12)
    assert len(hits) == 12 and len({h.kind for h in hits}) > 1
    assert hits == sorted(hits, key=lambda h: (-h.score, h.id, h.kind))
    assert all(0.0 <= h.score <= 1.0 for h in hits)

    vector = (await model.encode_async(["meta ads performance"]))[0]
    # 5 of the tenant's 15 thoughts come from the vector index; asking for 50 forces the exact scan.
    indexed = await semantic_search(graph, tenant, vector, 5, ["thought"])
    scanned = (await semantic_search(graph, tenant, vector, 50, ["thought"]))[:5]
    assert [h.id for h in indexed] == [h.id for h in scanned]
    assert [h.score for h in indexed] == pytest.approx([h.score for h in scanned], abs=1e-5)

    # A node's own embedding finds it with a perfect score.
    rows = await graph.read(
        "MATCH (n:Action {tenant: $tenant, id: 'refresh_ad_creatives'}) RETURN n.embedding AS e",
        tenant=tenant,
    )
    own = await semantic_search(graph, tenant, np.array(rows[0]["e"], dtype=np.float32), 1, ["action"])
    assert own[0].id == "refresh_ad_creatives" and own[0].score == pytest.approx(1.0, abs=1e-5)
