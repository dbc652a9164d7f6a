"""Audit events (§6.4 layer 5): who did what to which resource, when, with what outcome and data."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel, ConfigDict, Field

from kg_service.graph import catalog
from kg_service.graph.db import Graph, run


class AuditEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    at: datetime
    user: str
    action: str
    resource_type: str
    resource_id: str | None = None
    outcome: str
    source_data_hash: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


def data_hash(data: Any) -> str:
    """A stable SHA-256 of JSON-able data (sorted keys), the fingerprint of what a decision used."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def event_id(*key: object) -> str:
    """A deterministic id for the event of an idempotent operation."""
    return "ae_" + hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:32]


def new_event(
    *,
    user: str,
    action: str,
    resource_type: str,
    resource_id: str | None,
    outcome: str,
    source_data_hash: str | None = None,
    metadata: dict[str, Any] | None = None,
    idempotency_key: tuple[object, ...] | None = None,
) -> AuditEvent:
    return AuditEvent(
        id=event_id(*idempotency_key) if idempotency_key else f"ae_{uuid.uuid4().hex}",
        at=datetime.now(UTC),
        user=user,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        outcome=outcome,
        source_data_hash=source_data_hash,
        metadata=metadata or {},
    )


async def record(tx: AsyncManagedTransaction, tenant: str, event: AuditEvent) -> None:
    """Writes the event inside the caller's transaction, so it commits with the change it records."""
    props = event.model_dump(exclude={"id"})
    props["metadata"] = json.dumps(event.metadata, sort_keys=True, default=str)
    await run(tx, catalog.audit_write(), tenant=tenant, id=event.id, props=props)


async def list_events(
    graph: Graph,
    tenant: str,
    *,
    resource_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    rows = await graph.read(
        catalog.audit_list(), tenant=tenant, resource_id=resource_id, action=action, since=since, limit=limit
    )
    events = []
    for row in rows:
        data = dict(row["event"])
        data["at"] = data["at"].to_native()
        data["metadata"] = json.loads(data.get("metadata") or "{}")
        events.append(AuditEvent.model_validate(data))
    return events
