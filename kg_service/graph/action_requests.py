"""Action requests: a recommended or requested action on a thought, through its lifecycle."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel, ConfigDict

from kg_service.graph import catalog
from kg_service.graph.db import Graph, run
from kg_service.graph.definitions import ImpactLevel


class ActionStatus(StrEnum):
    RECOMMENDED = "recommended"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    EXECUTING = "executing"
    EXECUTED = "executed"
    REJECTED = "rejected"
    FAILED = "failed"


class ActionRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    thought_id: str
    action_id: str
    status: ActionStatus
    impact_level: ImpactLevel
    approval: str
    confidence: float
    created_at: datetime
    updated_at: datetime
    requested_by: str | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    scheduled_for: datetime | None = None
    executed_at: datetime | None = None
    outcome: str | None = None
    source_data_hash: str


def _parse(row: dict[str, Any]) -> ActionRequest:
    data = {k: (v.to_native() if hasattr(v, "to_native") else v) for k, v in row["request"].items()}
    data.pop("tenant", None)
    data["thought_id"] = row["thought_id"]
    return ActionRequest.model_validate(data)


def _props(request: ActionRequest) -> dict[str, Any]:
    props = request.model_dump(exclude={"id", "thought_id"})
    props["status"] = request.status.value
    props["impact_level"] = request.impact_level.value
    return props


async def save_request(tx: AsyncManagedTransaction, tenant: str, request: ActionRequest) -> ActionRequest:
    """Creates the request unless one with its id exists; returns what is stored."""
    rows = await run(
        tx,
        catalog.action_requests_save(),
        tenant=tenant,
        id=request.id,
        thought_id=request.thought_id,
        props=_props(request),
    )
    return _parse(rows[0])


async def list_requests(
    graph: Graph,
    tenant: str,
    *,
    statuses: list[ActionStatus] | None = None,
    thought_ids: list[str] | None = None,
    ids: list[str] | None = None,
    limit: int = 200,
) -> list[ActionRequest]:
    rows = await graph.read(
        catalog.action_requests_list(),
        tenant=tenant,
        statuses=[s.value for s in statuses] if statuses else None,
        thought_ids=thought_ids,
        ids=ids,
        limit=limit,
    )
    return [_parse(row) for row in rows]


async def read_request(tx: AsyncManagedTransaction, tenant: str, request_id: str) -> ActionRequest | None:
    rows = await run(
        tx,
        catalog.action_requests_list(),
        tenant=tenant,
        statuses=None,
        thought_ids=None,
        ids=[request_id],
        limit=1,
    )
    return _parse(rows[0]) if rows else None


async def transition(
    tx: AsyncManagedTransaction,
    tenant: str,
    request_id: str,
    *,
    allowed_from: list[ActionStatus],
    changes: dict[str, Any],
) -> ActionRequest | None:
    """Applies `changes` only while the status is one of `allowed_from` (compare-and-set)."""
    rows = await run(
        tx,
        catalog.action_requests_transition(),
        tenant=tenant,
        id=request_id,
        **{"from": [s.value for s in allowed_from]},
        changes={k: (v.value if isinstance(v, StrEnum) else v) for k, v in changes.items()},
    )
    return _parse(rows[0]) if rows else None
