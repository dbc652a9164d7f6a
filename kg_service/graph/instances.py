"""Thought instances: triggered insights, what users see as "a thought"."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel, ConfigDict

from kg_service.graph import catalog
from kg_service.graph.db import Graph, run
from kg_service.graph.definitions import Severity

JSON_FIELDS = ("evidence", "blast_radius", "decomposition", "top_campaigns", "mentioned_values", "validation")


class InstanceStatus(StrEnum):
    ACTIVE = "active"
    DISMISSED = "dismissed"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class ThoughtInstance(BaseModel):
    """A stored instance. The JSON fields hold the engine's closed models, dumped."""

    model_config = ConfigDict(frozen=True)

    id: str
    definition_id: str
    status: InstanceStatus
    severity: Severity
    priority: str
    triggered_at: datetime
    updated_at: datetime
    snoozed_until: datetime | None = None
    resolved_at: datetime | None = None
    summary: str
    root_cause: str
    confidence: float
    analyst: str
    analysis_note: str | None = None
    clear_count: int = 0
    notified_severity: Severity | None = None
    source_data_hash: str
    data_as_of: str
    evidence: list[dict[str, Any]]
    blast_radius: dict[str, Any] | None = None
    decomposition: list[dict[str, Any]]
    top_campaigns: list[dict[str, Any]]
    mentioned_values: list[float]
    validation: list[str]
    recommended_actions: list[str]


def _native(value: Any) -> Any:
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _parse(row: dict[str, Any]) -> ThoughtInstance:
    data = {key: _native(value) for key, value in row["instance"].items()}
    for key in JSON_FIELDS:
        if key in data and isinstance(data[key], str):
            data[key] = json.loads(data[key])
    data["definition_id"] = row["definition_id"]
    data.pop("tenant", None)
    return ThoughtInstance.model_validate(data)


def to_properties(instance: ThoughtInstance) -> dict[str, Any]:
    props = instance.model_dump(mode="python", exclude={"id", "definition_id"})
    for key in JSON_FIELDS:
        props[key] = json.dumps(props[key], sort_keys=True, default=str)
    for key in ("status", "severity", "notified_severity"):
        if props[key] is not None:
            props[key] = str(props[key])
    return props


async def get_instance(graph: Graph, tenant: str, instance_id: str) -> ThoughtInstance | None:
    rows = await graph.read(catalog.instances_get(), tenant=tenant, id=instance_id)
    return _parse(rows[0]) if rows else None


async def list_instances(
    graph: Graph,
    tenant: str,
    *,
    statuses: list[InstanceStatus] | None = None,
    definition_ids: list[str] | None = None,
    ids: list[str] | None = None,
    limit: int = 200,
) -> list[ThoughtInstance]:
    rows = await graph.read(
        catalog.instances_list(),
        tenant=tenant,
        statuses=[s.value for s in statuses] if statuses else None,
        definition_ids=definition_ids,
        ids=ids,
        limit=limit,
    )
    return [_parse(row) for row in rows]


async def open_instances(tx: AsyncManagedTransaction, tenant: str) -> dict[str, ThoughtInstance]:
    """definition id → its unresolved instance."""
    rows = await run(tx, catalog.instances_open_by_definition(), tenant=tenant)
    return {row["definition_id"]: _parse(row) for row in rows}


async def save_instance(tx: AsyncManagedTransaction, tenant: str, instance: ThoughtInstance) -> None:
    await run(
        tx,
        catalog.instances_save(),
        tenant=tenant,
        id=instance.id,
        definition_id=instance.definition_id,
        props=to_properties(instance),
    )


async def set_status(
    tx: AsyncManagedTransaction,
    tenant: str,
    instance_id: str,
    *,
    allowed_from: list[InstanceStatus],
    changes: dict[str, Any],
) -> ThoughtInstance | None:
    rows = await run(
        tx,
        catalog.instances_set_status(),
        tenant=tenant,
        id=instance_id,
        **{"from": [s.value for s in allowed_from]},
        changes=changes,
    )
    return _parse(rows[0]) if rows else None
