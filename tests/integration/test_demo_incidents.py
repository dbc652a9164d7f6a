"""Each planted incident of the demo stores becomes the thought it should, with evidence, a blast
radius whose signs follow marketing logic, and drivers that add up to the change they explain."""

from __future__ import annotations

import math
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.config import Settings
from kg_service.engine.decomposition import formula_value
from kg_service.engine.thoughts import generate_thoughts
from kg_service.graph.db import Graph
from kg_service.graph.definitions import ComponentRole, KnowledgeSet
from kg_service.graph.instances import ThoughtInstance, list_instances
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_source import DuckDBSource

from ..conftest import new_tenant_id

# Ends on calm stretches of each store's season, so the incidents stand out from the calendar.
STORES = {"acme": date(2026, 7, 15), "rare_seeds": date(2026, 9, 30)}


@dataclass
class Store:
    demo: str
    tenant: str
    knowledge: KnowledgeSet
    thoughts: dict[str, ThoughtInstance]


@pytest.fixture(scope="module")
async def stores(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Store]]:
    made: dict[str, Store] = {}
    source = DuckDBSource(tmp_path_factory.mktemp("warehouse"))
    for demo, end in STORES.items():
        generate_demo(source.files, demo, days=400, end=end)
        tenant = new_tenant_id()
        shutil.copyfile(source.files.path(demo), source.files.path(tenant))
        knowledge = knowledge_for(settings.seeds_dir, demo)
        await write_knowledge(graph, tenant, knowledge)
        analyst = OfflineAnalyst()
        report = await generate_thoughts(
            graph, source, analyst, analyst, tenant, settings.engine, run_key="demo"
        )
        assert report.ran, report.skipped_reason
        instances = {i.definition_id: i for i in await list_instances(graph, tenant)}
        made[demo] = Store(demo, tenant, knowledge, instances)
    yield made
    source.close()
    for store in made.values():
        await delete_tenant(graph, store.tenant)


def impacts(instance: ThoughtInstance) -> dict[str, float]:
    assert instance.blast_radius is not None
    return {i["metric_id"]: i["impact_pct"] for i in instance.blast_radius["affected"]}


def holding(instance: ThoughtInstance) -> dict[str, dict[str, object]]:
    return {e["metric_id"]: e for e in instance.evidence if e["holds"]}


async def test_the_competitor_cpc_spike_is_a_google_cpc_thought(stores: dict[str, Store]) -> None:
    spike = stores["acme"].thoughts["google_cpc_spike"]
    assert spike.blast_radius is not None and spike.blast_radius["trigger_id"] == "cpc_google_ads"
    assert float(holding(spike)["cpc_google_ads"]["change_pct"]) >= 20  # type: ignore[arg-type]
    affected = impacts(spike)
    assert affected["roas"] < 0 and affected["cpa"] > 0 and affected["cac"] > 0
    assert affected["profit_margin"] < 0
    assert spike.root_cause == "increased_competition"


async def test_creative_fatigue_shows_frequency_up_and_ctr_down(stores: dict[str, Store]) -> None:
    fatigue = stores["acme"].thoughts["creative_fatigue"]
    evidence = holding(fatigue)
    assert float(evidence["frequency_meta_ads"]["change_pct"]) > 0  # type: ignore[arg-type]
    assert float(evidence["ctr_meta_ads"]["change_pct"]) < 0  # type: ignore[arg-type]
    affected = impacts(fatigue)
    assert affected["ctr_meta_ads"] < 0 and affected["cpc_meta_ads"] > 0 and affected["roas_meta_ads"] < 0
    assert fatigue.root_cause == "creative_fatigue"


async def test_the_deliverability_drop_is_an_email_thought(stores: dict[str, Store]) -> None:
    email = stores["rare_seeds"].thoughts["email_deliverability_risk"]
    assert email.severity.value == "critical"
    affected = impacts(email)
    assert affected["open_rate_klaviyo"] < 0 and affected["revenue_klaviyo"] < 0


async def test_the_tracking_break_is_caught_while_ad_platforms_hold(stores: dict[str, Store]) -> None:
    breakage = stores["rare_seeds"].thoughts["tracking_breakage"]
    evidence = {e["metric_id"]: e for e in breakage.evidence}
    assert float(evidence["conversions_ga4"]["change_pct"]) <= -40  # type: ignore[arg-type]
    assert impacts(breakage)["ga4_tracking_coverage"] < 0


async def test_the_stores_do_not_share_thoughts(stores: dict[str, Store]) -> None:
    assert "creative_fatigue" not in stores["rare_seeds"].thoughts
    assert "tracking_breakage" not in stores["acme"].thoughts


@pytest.mark.parametrize("demo", sorted(STORES))
async def test_drivers_add_up_to_the_change_they_explain(stores: dict[str, Store], demo: str) -> None:
    store = stores[demo]
    checked = 0
    for instance in store.thoughts.values():
        by_metric: dict[str, list[dict[str, object]]] = {}
        for driver in instance.decomposition:
            by_metric.setdefault(str(driver["metric_id"]), []).append(driver)
        for metric_id, drivers in by_metric.items():
            metric = store.knowledge.metric(metric_id)
            if any(d["contribution"] is None for d in drivers):
                continue
            signs = [-1 if c.role is ComponentRole.DENOMINATOR else 1 for c in metric.components]
            additive = all(c.role is ComponentRole.ADDEND for c in metric.components)
            order = [c.metric for c in metric.components]
            found = {str(d["component_id"]): d for d in drivers}
            before = formula_value(additive, signs, [float(found[m]["before"]) for m in order], metric.scale)  # type: ignore[arg-type]
            after = formula_value(additive, signs, [float(found[m]["after"]) for m in order], metric.scale)  # type: ignore[arg-type]
            assert before is not None and after is not None
            total = sum(float(d["contribution"]) for d in drivers)  # type: ignore[arg-type]
            assert math.isclose(total, after - before, rel_tol=1e-4, abs_tol=1e-4), (
                instance.definition_id,
                metric_id,
            )
            checked += 1
    assert checked >= 3
