"""The action request lifecycle, with its roles and an audit event for every transition.

recommended → (request) → pending_approval | approved → (approve) approved → (schedule) scheduled
→ (execute) executed | failed; reject from recommended, pending_approval, approved or scheduled.
The approval matrix decides whether a request waits for approval and whose; roles are checked
here, whatever door the call came through. Status changes are compare-and-set, so two people
acting at once cannot both win.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from kg_service.errors import Conflict, Forbidden, InvalidInput, NotFound
from kg_service.graph import action_requests as requests
from kg_service.graph import audit
from kg_service.graph.action_requests import ActionRequest, ActionStatus
from kg_service.graph.actions import list_actions
from kg_service.graph.db import Graph
from kg_service.graph.definitions import Action
from kg_service.graph.instances import ThoughtInstance, get_instance
from kg_service.identity import Principal

from .approvals import Approval, approval_required, can_approve, can_execute, can_request
from .executors import Executors

OPEN = [
    ActionStatus.RECOMMENDED,
    ActionStatus.PENDING_APPROVAL,
    ActionStatus.APPROVED,
    ActionStatus.SCHEDULED,
]
MAX_REASON = 500


def request_id(thought_id: str, action_id: str) -> str:
    return "ar_" + hashlib.sha256(f"{thought_id}/{action_id}".encode()).hexdigest()[:24]


def new_request(
    instance: ThoughtInstance, action: Action, status: ActionStatus, by: str | None
) -> ActionRequest:
    now = datetime.now(UTC)
    return ActionRequest(
        id=request_id(instance.id, action.id),
        thought_id=instance.id,
        action_id=action.id,
        status=status,
        impact_level=action.impact_level,
        approval=approval_required(action.impact_level, instance.confidence).value,
        confidence=instance.confidence,
        created_at=now,
        updated_at=now,
        requested_by=by,
        source_data_hash=instance.source_data_hash,
    )


def _event(
    principal: Principal, verb: str, request: ActionRequest, outcome: str, **metadata: Any
) -> audit.AuditEvent:
    return audit.new_event(
        user=principal.sub,
        action=f"action.{verb}",
        resource_type="ActionRequest",
        resource_id=request.id,
        outcome=outcome,
        source_data_hash=request.source_data_hash,
        metadata={"action_id": request.action_id, "thought_id": request.thought_id, **metadata},
    )


async def _action(graph: Graph, tenant: str, action_id: str) -> Action:
    found = await list_actions(graph, tenant, [action_id])
    if not found:
        raise NotFound(f"action {action_id} not found")
    return found[0]


async def request_action(
    graph: Graph, principal: Principal, thought_id: str, action_id: str
) -> ActionRequest:
    """A user asks for one of a thought's recommended actions; the matrix decides what happens next."""
    if not can_request(principal):
        raise Forbidden("requesting an action needs the ANALYST or ADMIN role")
    tenant = principal.tenant_id
    instance = await get_instance(graph, tenant, thought_id)
    if instance is None:
        raise NotFound(f"thought {thought_id} not found")
    if action_id not in instance.recommended_actions:
        raise InvalidInput(f"action {action_id} is not recommended for thought {thought_id}")
    action = await _action(graph, tenant, action_id)
    approval = approval_required(action.impact_level, instance.confidence)
    status = ActionStatus.APPROVED if approval is Approval.NONE else ActionStatus.PENDING_APPROVAL

    async def work(tx: AsyncManagedTransaction) -> ActionRequest:
        stored = await requests.save_request(
            tx, tenant, new_request(instance, action, ActionStatus.RECOMMENDED, None)
        )
        changed = await requests.transition(
            tx,
            tenant,
            stored.id,
            allowed_from=[ActionStatus.RECOMMENDED],
            changes={"status": status, "requested_by": principal.sub, "updated_at": datetime.now(UTC)},
        )
        if changed is None:
            raise Conflict(
                f"action {action_id} was already requested for this thought (status {stored.status})"
            )
        await audit.record(
            tx, tenant, _event(principal, "request", changed, status.value, approval=approval.value)
        )
        return changed

    return await graph.write_tx(work, tenant=tenant)


async def _decide(
    graph: Graph,
    principal: Principal,
    request_id_: str,
    *,
    verb: str,
    allowed_from: list[ActionStatus],
    changes: dict[str, Any],
    check: Callable[[ActionRequest], None] | None = None,
) -> ActionRequest:
    tenant = principal.tenant_id

    async def work(tx: AsyncManagedTransaction) -> ActionRequest:
        current = await requests.read_request(tx, tenant, request_id_)
        if current is None:
            raise NotFound(f"action request {request_id_} not found")
        if check is not None:
            check(current)
        changed = await requests.transition(
            tx,
            tenant,
            request_id_,
            allowed_from=allowed_from,
            changes={**changes, "decided_by": principal.sub, "updated_at": datetime.now(UTC)},
        )
        if changed is None:
            raise Conflict(f"cannot {verb} an action request that is {current.status.value}")
        await audit.record(tx, tenant, _event(principal, verb, changed, changed.status.value))
        return changed

    return await graph.write_tx(work, tenant=tenant)


async def approve(graph: Graph, principal: Principal, request_id_: str) -> ActionRequest:
    def check(current: ActionRequest) -> None:
        if not can_approve(principal, Approval(current.approval)):
            needed = "ADMIN" if current.approval == Approval.ADMIN_APPROVAL else "ANALYST or ADMIN"
            raise Forbidden(f"approving this action needs the {needed} role")

    return await _decide(
        graph,
        principal,
        request_id_,
        verb="approve",
        allowed_from=[ActionStatus.PENDING_APPROVAL],
        changes={"status": ActionStatus.APPROVED},
        check=check,
    )


async def reject(graph: Graph, principal: Principal, request_id_: str, reason: str | None) -> ActionRequest:
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput(f"reason: at most {MAX_REASON} characters")

    def check(current: ActionRequest) -> None:
        if not can_approve(principal, Approval(current.approval)):
            raise Forbidden("rejecting this action needs the role that may approve it")

    return await _decide(
        graph,
        principal,
        request_id_,
        verb="reject",
        allowed_from=OPEN,
        changes={"status": ActionStatus.REJECTED, "decision_reason": reason},
        check=check,
    )


async def schedule(graph: Graph, principal: Principal, request_id_: str, at: datetime) -> ActionRequest:
    if not can_execute(principal):
        raise Forbidden("scheduling an action needs the ANALYST or ADMIN role")
    if at.tzinfo is None:
        raise InvalidInput("at: give a time zone (e.g. 2026-12-01T09:00:00Z)")
    if at <= datetime.now(UTC):
        raise InvalidInput("at: must be in the future")
    return await _decide(
        graph,
        principal,
        request_id_,
        verb="schedule",
        allowed_from=[ActionStatus.APPROVED],
        changes={"status": ActionStatus.SCHEDULED, "scheduled_for": at},
    )


async def execute(
    graph: Graph, principal: Principal, request_id_: str, executors: Executors
) -> ActionRequest:
    """Runs an approved (or scheduled) action once and records its outcome: executed or failed.

    The request is first claimed (approved/scheduled → executing, compare-and-set), so two callers
    at once cannot both run the executor.
    """
    if not can_execute(principal):
        raise Forbidden("executing an action needs the ANALYST or ADMIN role")
    claimed = await _decide(
        graph,
        principal,
        request_id_,
        verb="execute_start",
        allowed_from=[ActionStatus.APPROVED, ActionStatus.SCHEDULED],
        changes={"status": ActionStatus.EXECUTING},
    )
    action = await _action(graph, principal.tenant_id, claimed.action_id)
    executor = executors.for_action(action)
    if executor is None:
        succeeded, detail = False, f"no executor is configured for {action.integration_type.value} actions"
    else:
        payload = {
            "request_id": claimed.id,
            "thought_id": claimed.thought_id,
            "requested_by": claimed.requested_by,
        }
        outcome = await executor.execute(principal.tenant_id, action, payload)
        succeeded, detail = outcome.succeeded, outcome.detail
    status = ActionStatus.EXECUTED if succeeded else ActionStatus.FAILED
    return await _decide(
        graph,
        principal,
        request_id_,
        verb="execute",
        allowed_from=[ActionStatus.EXECUTING],
        changes={"status": status, "outcome": detail, "executed_at": datetime.now(UTC)},
    )
