"""The product's knowledge as shipped in seeds/: counts, the seed document's examples, overrides."""

from __future__ import annotations

import json
import subprocess
import sys

from kg_service.config import Settings
from kg_service.graph.definitions import Compound, Condition, KnowledgeSet, ThresholdKind
from kg_service.graph.seed_files import knowledge_for, known_tenants


def _shared(settings: Settings) -> KnowledgeSet:
    return knowledge_for(settings.seeds_dir, "no_overrides")


def test_the_demo_tenants_have_override_files(settings: Settings) -> None:
    assert known_tenants(settings.seeds_dir) == ["acme", "rare_seeds"]


def test_seed_check_prints_the_counts_and_writes_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kg_service.cli", "seed", "--check"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    summary = json.loads(result.stdout)
    assert summary["valid"] is True
    for tenant in ("acme", "rare_seeds"):
        nodes = summary["tenants"][tenant]["nodes"]
        assert nodes["Metric"] >= 60
        assert nodes["Thoughtlet"] >= 9
        assert nodes["Thought"] >= 12
        assert nodes["Action"] >= 15
        assert summary["tenants"][tenant]["edges"]["AFFECTS"] > nodes["Metric"]


def test_cpc_google_ads_is_the_seed_documents_metric(settings: Settings) -> None:
    cpc = _shared(settings).metric("cpc_google_ads")
    assert (cpc.name, cpc.domain, cpc.subdomain, cpc.source.value) == (
        "Cost Per Click",
        "marketing",
        "paid_search",
        "google_ads",
    )
    assert (cpc.formula, cpc.unit.value, cpc.direction.value) == (
        "spend / clicks",
        "currency",
        "lower_is_better",
    )
    absolute = {
        (t.severity.value, t.operator.value if t.operator else None, t.value)
        for t in cpc.thresholds
        if t.kind is ThresholdKind.ABSOLUTE
    }
    assert absolute == {("warning", ">", 2.50), ("critical", ">", 5.00)}
    assert {(e.metric, e.relationship.value, e.weight) for e in cpc.affects} >= {
        ("roas", "inverse", 0.8),
        ("cpa", "direct", 0.9),
        ("budget_utilization", "direct", 0.5),
    }
    knowledge = _shared(settings)
    into = {
        (m.id, e.relationship.value, e.weight)
        for m in knowledge.metrics
        for e in m.affects
        if e.metric == "cpc_google_ads"
    }
    assert {("quality_score", "inverse", 0.7), ("competition_level", "direct", 0.6)} <= into


def test_ad_efficiency_declining_is_the_seed_documents_thought(settings: Settings) -> None:
    thought = next(t for t in _shared(settings).thoughts if t.id == "ad_efficiency_declining")
    assert (thought.name, thought.priority.value, thought.category) == (
        "Ad Spend Efficiency Declining",
        "high",
        "performance",
    )
    trigger = thought.trigger_conditions
    assert trigger.operator == "AND"
    leaves = [c for c in trigger.conditions if isinstance(c, Condition)]
    assert [(c.metric, c.operator.value if c.operator else None, c.value) for c in leaves] == [
        ("roas", "<", 3.0),
        ("cpc", ">", 2.0),
        ("spend", ">", 10000),
    ]
    assert leaves[0].lookback_days == 7 and leaves[1].change_pct == 20
    assert thought.component_metrics == ("spend", "roas", "cpc", "ctr", "cvr", "impressions")
    assert thought.blast_radius.internal == ("budget_utilization", "revenue", "profit_margin")
    assert thought.blast_radius.external == ("finance.marketing_budget", "finance.cash_flow")
    assert thought.recommended_actions == (
        "pause_underperforming_campaigns",
        "reduce_bids_high_cpc_keywords",
        "reallocate_budget_to_top_performers",
    )


def test_every_trigger_metric_is_a_component(settings: Settings) -> None:
    for thought in _shared(settings).thoughts:
        assert thought.trigger_conditions.metric_ids() <= set(thought.component_metrics), thought.id


def test_some_trigger_nests_and_inside_or(settings: Settings) -> None:
    def nested(compound: Compound) -> bool:
        return compound.operator == "OR" and any(
            isinstance(c, Compound) and c.operator == "AND" for c in compound.conditions
        )

    assert any(nested(t.trigger_conditions) for t in _shared(settings).thoughts)


def test_every_action_is_recommended_somewhere(settings: Settings) -> None:
    knowledge = _shared(settings)
    used = {a for t in knowledge.thoughts for a in t.recommended_actions}
    assert {a.id for a in knowledge.actions} == used
    assert {a.impact_level.value for a in knowledge.actions} == {"low", "medium", "high", "critical"}


def test_tenant_overrides_change_only_that_tenant(settings: Settings) -> None:
    shared = _shared(settings)
    acme = knowledge_for(settings.seeds_dir, "acme")
    rare = knowledge_for(settings.seeds_dir, "rare_seeds")
    assert acme.metric("cpc_google_ads").thresholds != shared.metric("cpc_google_ads").thresholds
    assert len(acme.metrics) > len(shared.metrics)
    assert {m.id for m in shared.metrics} <= {m.id for m in rare.metrics}
    assert sum(not t.is_active for t in rare.thoughts) >= 1
