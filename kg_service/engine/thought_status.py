"""What users do to a thought: dismiss it, or snooze it for some hours. Role-checked and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from neo4j import AsyncManagedTransaction

from kg_service.errors import Conflict, Forbidden, InvalidInput, NotFound
from kg_service.graph import audit
from kg_service.graph.db import Graph
from kg_service.graph.instances import InstanceStatus, ThoughtInstance, get_instance, set_status
from kg_service.identity import Principal, Role

MAX_SNOOZE_HOURS = 24 * 30


def _check_role(principal: Principal, verb: str) -> None:
    if not principal.has_any(Role.ANALYST, Role.ADMIN):
        raise Forbidden(f"{verb} a thought needs the ANALYST or ADMIN role")


async def _change(
    graph: Graph, principal: Principal, instance_id: str, verb: str, changes: dict[str, object]
) -> ThoughtInstance:
    tenant = principal.tenant_id
    allowed = [InstanceStatus.ACTIVE, InstanceStatus.SNOOZED]

    async def work(tx: AsyncManagedTransaction) -> ThoughtInstance:
        changed = await set_status(tx, tenant, instance_id, allowed_from=allowed, changes=changes)
        if changed is None:
            current = await get_instance(graph, tenant, instance_id)
            if current is None:
                raise NotFound(f"thought {instance_id} not found")
            raise Conflict(f"cannot {verb} a thought that is {current.status.value}")
        await audit.record(
            tx,
            tenant,
            audit.new_event(
                user=principal.sub,
                action=f"thought.{verb}",
                resource_type="ThoughtInstance",
                resource_id=instance_id,
                outcome=changed.status.value,
                source_data_hash=changed.source_data_hash,
                metadata={k: str(v) for k, v in changes.items()},
            ),
        )
        return changed

    return await graph.write_tx(work, tenant=tenant)


async def dismiss(graph: Graph, principal: Principal, instance_id: str) -> ThoughtInstance:
    _check_role(principal, "dismissing")
    now = datetime.now(UTC)
    return await _change(graph, principal, instance_id, "dismiss", {"status": "dismissed", "updated_at": now})


async def snooze(graph: Graph, principal: Principal, instance_id: str, hours: int) -> ThoughtInstance:
    _check_role(principal, "snoozing")
    if not 1 <= hours <= MAX_SNOOZE_HOURS:
        raise InvalidInput(f"hours: between 1 and {MAX_SNOOZE_HOURS}")
    now = datetime.now(UTC)
    until = now + timedelta(hours=hours)
    return await _change(
        graph,
        principal,
        instance_id,
        "snooze",
        {"status": "snoozed", "snoozed_until": until, "updated_at": now},
    )
