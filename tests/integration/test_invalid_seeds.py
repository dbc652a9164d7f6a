"""Every kind of invalid seed is refused with its file and key named, and nothing is written."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg_service.config import Settings
from kg_service.errors import SeedError
from kg_service.graph.db import Graph
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import graph_counts

Data = dict[str, Any]


def _edit(seeds: Path, name: str, change: Callable[[Data], None]) -> None:
    path = seeds / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _metric(data: Data, metric_id: str) -> Data:
    return next(m for m in data["metrics"] if m["id"] == metric_id)


def _thought(data: Data, thought_id: str) -> Data:
    return next(t for t in data["thoughts"] if t["id"] == thought_id)


CASES: dict[str, tuple[str, Callable[[Data], None], str, str]] = {
    # case: (file, mutation, key expected in the message, words expected in the message)
    "unknown metric in an edge": (
        "metrics/google_ads.yaml",
        lambda d: _metric(d, "cpc_google_ads")["affects"].append(
            {"metric": "no_such_metric", "relationship": "direct", "weight": 0.5}
        ),
        "metrics[",
        "unknown metric 'no_such_metric'",
    ),
    "weight above 1": (
        "metrics/google_ads.yaml",
        lambda d: _metric(d, "cpc_google_ads")["affects"][0].update(weight=1.5),
        "(cpc_google_ads).affects[0].weight",
        "less than or equal to 1",
    ),
    "zero weight": (
        "metrics/google_ads.yaml",
        lambda d: _metric(d, "cpc_google_ads")["affects"][0].update(weight=0),
        "(cpc_google_ads).affects[0].weight",
        "greater than 0",
    ),
    "unknown relationship": (
        "metrics/google_ads.yaml",
        lambda d: _metric(d, "cpc_google_ads")["affects"][0].update(relationship="sideways"),
        "(cpc_google_ads).affects[0].relationship",
        "'direct' or 'inverse'",
    ),
    "unknown unit": (
        "metrics/google_ads.yaml",
        lambda d: _metric(d, "cpc_google_ads").update(unit="furlongs"),
        "(cpc_google_ads).unit",
        "Input should be",
    ),
    "duplicate metric id": (
        "metrics/meta_ads.yaml",
        lambda d: d["metrics"].append(dict(d["metrics"][0])),
        "metrics/meta_ads.yaml",
        "duplicate metric id",
    ),
    "unknown metric in a trigger": (
        "thoughts.yaml",
        lambda d: _thought(d, "ad_efficiency_declining")["trigger_conditions"]["conditions"].append(
            {"metric": "ghost_metric", "operator": ">", "value": 1}
        ),
        "(ad_efficiency_declining).trigger_conditions.conditions[3].metric",
        "unknown metric 'ghost_metric'",
    ),
    "thought without component metrics": (
        "thoughts.yaml",
        lambda d: _thought(d, "ad_efficiency_declining").update(component_metrics=[]),
        "(ad_efficiency_declining).component_metrics",
        "at least one component metric",
    ),
    "unknown action": (
        "thoughts.yaml",
        lambda d: _thought(d, "ad_efficiency_declining")["recommended_actions"].append("launch_rockets"),
        "(ad_efficiency_declining).recommended_actions[3]",
        "unknown action 'launch_rockets'",
    ),
    "unknown key": (
        "actions.yaml",
        lambda d: d["actions"][0].update(colour="blue"),
        "actions[0]",
        "Extra inputs are not permitted",
    ),
}


@pytest.fixture
def seeds_copy(settings: Settings, tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(settings.seeds_dir, target)
    return target


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_seed_names_its_file_and_key(seeds_copy: Path, case: str) -> None:
    file, mutate, key, words = CASES[case]
    _edit(seeds_copy, file, mutate)
    with pytest.raises(SeedError) as caught:
        knowledge_for(seeds_copy, "rare_seeds")
    message = str(caught.value)
    assert f"seeds/{file}" in message
    assert key in message
    assert words in message


def test_broken_yaml_and_duplicate_keys_are_refused(seeds_copy: Path) -> None:
    (seeds_copy / "actions.yaml").write_text("actions:\n  - id: a\n    id: b\n")
    (seeds_copy / "thoughtlets.yaml").write_text("thoughtlets: [unclosed\n")
    with pytest.raises(SeedError) as caught:
        knowledge_for(seeds_copy, "rare_seeds")
    message = str(caught.value)
    assert "seeds/actions.yaml" in message and "duplicate key 'id'" in message
    assert "seeds/thoughtlets.yaml" in message and "not valid YAML" in message


def test_override_naming_an_unknown_metric_is_refused(seeds_copy: Path) -> None:
    path = seeds_copy / "tenants" / "acme.yaml"
    data = yaml.safe_load(path.read_text())
    data.setdefault("thresholds", {})["nonexistent_metric"] = [
        {"severity": "warning", "kind": "absolute", "operator": ">", "value": 1}
    ]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SeedError, match=r"seeds/tenants/acme.yaml: thresholds.nonexistent_metric"):
        knowledge_for(seeds_copy, "acme")


async def test_the_cli_refuses_invalid_seeds_and_writes_nothing(
    graph: Graph, settings: Settings, seeds_copy: Path, tenant: str
) -> None:
    await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, tenant))
    before = await graph_counts(graph, tenant)
    file, mutate, _, words = CASES["unknown metric in an edge"]
    _edit(seeds_copy, file, mutate)
    # A change that would be visible if anything were written: drop a thoughtlet.
    _edit(seeds_copy, "thoughtlets.yaml", lambda d: d["thoughtlets"].pop())
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "kg_service.cli", "seed", "--tenant", tenant],
        env={**os.environ, "KG_SEEDS_DIR": str(seeds_copy)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert words in result.stderr and "seeds/metrics/google_ads.yaml" in result.stderr
    assert await graph_counts(graph, tenant) == before
