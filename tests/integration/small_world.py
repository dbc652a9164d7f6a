"""A small knowledge set with exact values: three metrics, one thought, two actions."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.config import EngineSettings
from kg_service.engine.thoughts import GenerationReport, generate_thoughts
from kg_service.graph.db import Graph
from kg_service.graph.definitions import KnowledgeSet
from kg_service.graph.instances import ThoughtInstance, list_instances
from kg_service.identity import Principal, Role
from kg_service.warehouse.duckdb_source import DuckDBSource
from kg_service.warehouse.importer import import_values

LAST = date(2026, 11, 26)
KNOWLEDGE = KnowledgeSet.model_validate(
    {
        "metrics": [
            {
                "id": "cpc",
                "name": "Cost Per Click",
                "description": "Blended CPC",
                "domain": "marketing",
                "source": "derived",
                "formula": "spend / clicks",
                "unit": "currency",
                "direction": "lower_is_better",
                "aggregation": "mean",
                "view": "v_metric_cpc",
                "thresholds": [
                    {"severity": "warning", "kind": "absolute", "operator": ">", "value": 2.0},
                    {"severity": "critical", "kind": "absolute", "operator": ">", "value": 3.0},
                ],
                "affects": [{"metric": "roas", "relationship": "inverse", "weight": 0.8}],
            },
            {
                "id": "roas",
                "name": "ROAS",
                "description": "Return on ad spend",
                "domain": "marketing",
                "source": "derived",
                "formula": "value / spend",
                "unit": "ratio",
                "direction": "higher_is_better",
                "aggregation": "mean",
                "view": "v_metric_roas",
                "affects": [{"metric": "cash", "relationship": "direct", "weight": 0.5}],
            },
            {
                "id": "cash",
                "name": "Cash",
                "description": "Cash flow",
                "domain": "finance",
                "source": "derived",
                "formula": "in - out",
                "unit": "currency",
                "direction": "higher_is_better",
                "aggregation": "sum",
                "view": "v_metric_cash",
            },
        ],
        "thoughtlets": [{"id": "board", "name": "Board", "description": "All", "metrics": ["cpc", "roas"]}],
        "thoughts": [
            {
                "id": "cpc_spike",
                "name": "CPC Spike",
                "description": "CPC jumped",
                "priority": "high",
                "category": "performance",
                "trigger_conditions": {
                    "operator": "AND",
                    "conditions": [
                        {"metric": "cpc", "operator": ">", "value": 2.0, "lookback_days": 7},
                        {"metric": "cpc", "change_pct": 20, "lookback_days": 7},
                    ],
                },
                "component_metrics": ["cpc", "roas"],
                "recommended_actions": ["lower_bids", "pause_everything"],
            }
        ],
        "actions": [
            {
                "id": "lower_bids",
                "name": "Lower bids",
                "description": "Lower CPC bids",
                "impact_level": "medium",
                "requires_approval": False,
                "integration_type": "manual",
            },
            {
                "id": "pause_everything",
                "name": "Pause all paid",
                "description": "Stop all spend",
                "impact_level": "critical",
                "requires_approval": True,
                "integration_type": "webhook",
            },
        ],
    }
)
UNITS = {m.id: m.unit for m in KNOWLEDGE.metrics}


@dataclass
class World:
    graph: Graph
    source: DuckDBSource
    tenant: str
    directory: Path
    imports: int = 0

    def load(self, recent_cpc: float, days: int = 70, with_roas: bool = True) -> None:
        """cpc 1.50 for the older days, `recent_cpc` for the last 7; roas 4.0 throughout."""
        path = self.directory / f"values-{self.imports}.csv"
        self.imports += 1
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["metric_id", "date", "value"])
            for offset in range(days):
                day = LAST - timedelta(days=offset)
                writer.writerow(["cpc", day.isoformat(), recent_cpc if offset < 7 else 1.5])
                if with_roas:
                    writer.writerow(["roas", day.isoformat(), 4.0])
        import_values(self.source.files, self.tenant, path, UNITS)

    async def run(self, key: str, now: datetime | None = None, runs_per_day: int = 24) -> GenerationReport:
        settings = EngineSettings(max_runs_per_day=runs_per_day, auto_resolve_after=2)
        return await generate_thoughts(
            self.graph,
            self.source,
            OfflineAnalyst(),
            OfflineAnalyst(),
            self.tenant,
            settings,
            run_key=key,
            now=now,
        )

    async def instances(self) -> list[ThoughtInstance]:
        return await list_instances(self.graph, self.tenant)


def analyst(tenant: str) -> Principal:
    return Principal(sub="ana", tenant_id=tenant, roles=frozenset({Role.ANALYST}))
