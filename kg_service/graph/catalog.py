"""The named Cypher statements of `cypher/`, one statement per file, one function per file.

Cypher never comes from anywhere else: values travel as parameters, and the only identifier ever
interpolated (a label) passes `checked_label` first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import LiteralString

CYPHER_DIR = Path(__file__).resolve().parents[2] / "cypher"
CypherText = LiteralString
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@cache
def load(name: str) -> CypherText:
    """The text of `cypher/<name>.cypher`."""
    path = CYPHER_DIR / f"{name}.cypher"
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise ValueError(f"{path} is empty")
    return text


def checked_label(label: str) -> str:
    if not _LABEL.match(label):
        raise ValueError(f"not a valid label: {label!r}")
    return label


def schema_statements() -> list[tuple[str, CypherText]]:
    """Every `cypher/schema/*.cypher` file, in name order, as (file name, statement)."""
    files = sorted((CYPHER_DIR / "schema").glob("*.cypher"))
    return [(f.name, load(f"schema/{f.stem}")) for f in files]


# Seeds (one write transaction)
def seed_metrics() -> CypherText:
    return load("seed/metrics")


def seed_thresholds() -> CypherText:
    return load("seed/thresholds")


def seed_affects() -> CypherText:
    return load("seed/affects")


def seed_thoughtlets() -> CypherText:
    return load("seed/thoughtlets")


def seed_thoughts() -> CypherText:
    return load("seed/thoughts")


def seed_actions() -> CypherText:
    return load("seed/actions")


def seed_prune() -> CypherText:
    return load("seed/prune")


def seed_cascades() -> CypherText:
    return load("seed/cascades")


# Metrics
def metrics_list() -> CypherText:
    return load("metrics/list")


def metrics_get_by_ids() -> CypherText:
    return load("metrics/get_by_ids")


def metrics_edges() -> CypherText:
    return load("metrics/edges")


def metrics_thresholds() -> CypherText:
    return load("metrics/thresholds")


# Thoughtlets, thought definitions, actions
def thoughtlets_list() -> CypherText:
    return load("thoughtlets/list")


def thoughts_definitions() -> CypherText:
    return load("thoughts/definitions")


def actions_list() -> CypherText:
    return load("actions/list")


# Tenants
def tenant_delete() -> CypherText:
    return load("tenants/delete")


def tenant_node_counts() -> CypherText:
    return load("tenants/node_counts")


def tenant_edge_counts() -> CypherText:
    return load("tenants/edge_counts")


def schema_indexes() -> CypherText:
    return load("schema_info/indexes")


def schema_await() -> CypherText:
    return load("schema_info/await")


# Traversals
def blast_radius() -> CypherText:
    return load("metrics/blast_radius")


# Audit
def audit_write() -> CypherText:
    return load("audit/write")


def audit_list() -> CypherText:
    return load("audit/list")


# Thought instances
def instances_get() -> CypherText:
    return load("instances/get")


def instances_list() -> CypherText:
    return load("instances/list")


def instances_open_by_definition() -> CypherText:
    return load("instances/open_by_definition")


def instances_save() -> CypherText:
    return load("instances/save")


def instances_set_status() -> CypherText:
    return load("instances/set_status")


# Action requests
def action_requests_save() -> CypherText:
    return load("action_requests/save")


def action_requests_list() -> CypherText:
    return load("action_requests/list")


def action_requests_transition() -> CypherText:
    return load("action_requests/transition")


def tenant_list() -> CypherText:
    return load("tenants/list")


# Embeddings and semantic search
def embeddings_sources() -> CypherText:
    return load("embeddings/sources")


def embeddings_store() -> CypherText:
    return load("embeddings/store")


def embeddings_search() -> CypherText:
    return load("embeddings/search")


def embeddings_scan() -> CypherText:
    return load("embeddings/scan")


# Briefings
def briefings_save() -> CypherText:
    return load("briefings/save")


def briefings_get() -> CypherText:
    return load("briefings/get")
