"""Action requests on the real engine: the approval matrix × roles, executors, audit, tenancy."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kg_service.engine import actions
from kg_service.engine.executors import SIGNATURE_HEADER, Executors, ManualExecutor, WebhookExecutor
from kg_service.errors import Conflict, Forbidden, InvalidInput, NotFound
from kg_service.graph import audit
from kg_service.graph.action_requests import ActionStatus
from kg_service.graph.instances import ThoughtInstance
from kg_service.identity import Principal, Role

from .small_world import World

SECRET = "action-webhook-secret"


def who(world: World, *roles: Role, sub: str = "user") -> Principal:
    return Principal(sub=sub, tenant_id=world.tenant, roles=frozenset(roles))


async def thought(world: World) -> ThoughtInstance:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    (instance,) = await world.instances()
    return instance


class Receiver:
    """The outside system an action webhook reaches, played through httpx's mock transport."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        return httpx.Response(self.status, json={"ok": self.status < 400})

    def executors(self) -> Executors:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return Executors(
            webhook=WebhookExecutor("https://hooks.example/actions", SECRET, client), manual=ManualExecutor()
        )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.API_USER])
async def test_readers_cannot_request_approve_or_execute(world: World, role: Role) -> None:
    instance = await thought(world)
    reader = who(world, role)
    with pytest.raises(Forbidden):
        await actions.request_action(world.graph, reader, instance.id, "lower_bids")
    requested = await actions.request_action(
        world.graph, who(world, Role.ANALYST), instance.id, "pause_everything"
    )
    with pytest.raises(Forbidden):
        await actions.approve(world.graph, reader, requested.id)
    with pytest.raises(Forbidden):
        await actions.execute(world.graph, reader, requested.id, Receiver().executors())


async def test_a_medium_action_follows_the_analysis_confidence(world: World) -> None:
    instance = await thought(world)
    request = await actions.request_action(world.graph, who(world, Role.ANALYST), instance.id, "lower_bids")
    expected = ActionStatus.APPROVED if instance.confidence > 0.7 else ActionStatus.PENDING_APPROVAL
    assert request.status is expected
    assert request.requested_by == "user" and request.source_data_hash == instance.source_data_hash


async def test_a_critical_action_needs_an_admin(world: World) -> None:
    instance = await thought(world)
    analyst = who(world, Role.ANALYST, sub="ana")
    request = await actions.request_action(world.graph, analyst, instance.id, "pause_everything")
    assert (request.status, request.approval) == (ActionStatus.PENDING_APPROVAL, "admin_approval")
    with pytest.raises(Forbidden, match="ADMIN"):
        await actions.approve(world.graph, analyst, request.id)
    with pytest.raises(Conflict):
        await actions.execute(world.graph, analyst, request.id, Receiver().executors())
    approved = await actions.approve(world.graph, who(world, Role.ADMIN, sub="boss"), request.id)
    assert approved.status is ActionStatus.APPROVED and approved.decided_by == "boss"
    with pytest.raises(Conflict):
        await actions.approve(world.graph, who(world, Role.ADMIN, sub="boss"), request.id)


async def test_executing_a_webhook_action_posts_a_signed_payload_once(world: World) -> None:
    instance = await thought(world)
    request = await actions.request_action(
        world.graph, who(world, Role.ANALYST), instance.id, "pause_everything"
    )
    await actions.approve(world.graph, who(world, Role.ADMIN), request.id)
    receiver = Receiver()
    done = await actions.execute(world.graph, who(world, Role.ANALYST), request.id, receiver.executors())
    assert done.status is ActionStatus.EXECUTED and done.outcome == "webhook answered 200"
    (call,) = receiver.calls
    body = call.content
    assert call.headers[SIGNATURE_HEADER] == hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    sent = json.loads(body)
    assert (sent["tenant"], sent["action"], sent["request_id"]) == (
        world.tenant,
        "pause_everything",
        request.id,
    )
    with pytest.raises(Conflict):
        await actions.execute(world.graph, who(world, Role.ANALYST), request.id, receiver.executors())
    assert len(receiver.calls) == 1


async def test_a_failing_webhook_leaves_a_failed_request_with_its_error(world: World) -> None:
    instance = await thought(world)
    request = await actions.request_action(
        world.graph, who(world, Role.ADMIN), instance.id, "pause_everything"
    )
    await actions.approve(world.graph, who(world, Role.ADMIN), request.id)
    failed = await actions.execute(
        world.graph, who(world, Role.ADMIN), request.id, Receiver(status=503).executors()
    )
    assert failed.status is ActionStatus.FAILED and "503" in (failed.outcome or "")


async def test_without_a_webhook_configured_the_action_fails_visibly(world: World) -> None:
    instance = await thought(world)
    request = await actions.request_action(
        world.graph, who(world, Role.ADMIN), instance.id, "pause_everything"
    )
    await actions.approve(world.graph, who(world, Role.ADMIN), request.id)
    failed = await actions.execute(
        world.graph, who(world, Role.ADMIN), request.id, Executors(webhook=None, manual=ManualExecutor())
    )
    assert failed.status is ActionStatus.FAILED and "no executor" in (failed.outcome or "")


async def test_reject_schedule_and_the_audit_trail(world: World) -> None:
    instance = await thought(world)
    analyst = who(world, Role.ANALYST, sub="ana")
    request = await actions.request_action(world.graph, analyst, instance.id, "pause_everything")
    rejected = await actions.reject(
        world.graph, who(world, Role.ADMIN, sub="boss"), request.id, "too drastic"
    )
    assert rejected.status is ActionStatus.REJECTED and rejected.decision_reason == "too drastic"
    with pytest.raises(Conflict):
        await actions.request_action(world.graph, analyst, instance.id, "pause_everything")
    trail = await audit.list_events(world.graph, world.tenant, resource_id=request.id)
    assert [(e.action, e.user, e.outcome) for e in reversed(trail)] == [
        ("action.request", "ana", "pending_approval"),
        ("action.reject", "boss", "rejected"),
    ]
    assert all(e.source_data_hash == instance.source_data_hash for e in trail)


async def test_scheduling_needs_an_approved_request_and_a_future_time(world: World) -> None:
    instance = await thought(world)
    admin = who(world, Role.ADMIN)
    request = await actions.request_action(world.graph, admin, instance.id, "pause_everything")
    at = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(Conflict):
        await actions.schedule(world.graph, admin, request.id, at)
    await actions.approve(world.graph, admin, request.id)
    with pytest.raises(InvalidInput):
        await actions.schedule(world.graph, admin, request.id, datetime.now(UTC) - timedelta(hours=1))
    scheduled = await actions.schedule(world.graph, admin, request.id, at)
    assert scheduled.status is ActionStatus.SCHEDULED and scheduled.scheduled_for == at
    done = await actions.execute(world.graph, admin, request.id, Receiver().executors())
    assert done.status is ActionStatus.EXECUTED


async def test_other_tenants_and_unrecommended_actions_are_refused(world: World) -> None:
    instance = await thought(world)
    with pytest.raises(InvalidInput):
        await actions.request_action(world.graph, who(world, Role.ANALYST), instance.id, "no_such_action")
    stranger = Principal(sub="x", tenant_id="another_shop", roles=frozenset({Role.ADMIN}))
    with pytest.raises(NotFound):
        await actions.request_action(world.graph, stranger, instance.id, "lower_bids")
    request = await actions.request_action(
        world.graph, who(world, Role.ANALYST), instance.id, "pause_everything"
    )
    for attempt in (
        actions.approve(world.graph, stranger, request.id),
        actions.reject(world.graph, stranger, request.id, None),
    ):
        with pytest.raises(NotFound):
            await attempt
