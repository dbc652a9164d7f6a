"""Every mutation over HTTP, for every role: what each role may do, what it is refused (FORBIDDEN,
nothing changed), and the audit event each change leaves in the real graph."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError
from redis.asyncio import Redis

from kg_service.engine import actions as engine
from kg_service.graph.action_requests import ActionRequest, list_requests
from kg_service.graph.audit import AuditEvent, list_events
from kg_service.graph.db import Graph
from kg_service.graph.instances import get_instance
from kg_service.identity import Principal, Role

from .conftest import Api, Demo, Tenant, error_codes

REQUEST_FIELDS = (
    "id thoughtId status approval decidedBy requestedBy decisionReason scheduledFor executedAt outcome"
)
DISMISS = "mutation($id: ID!) { dismissThought(id: $id) { id status } }"
SNOOZE = "mutation($id: ID!, $h: Int!) { snoozeThought(id: $id, hours: $h) { id status snoozedUntil } }"
REQUEST = (
    f"mutation($t: ID!, $a: ID!) {{ requestAction(thoughtId: $t, actionId: $a) {{ {REQUEST_FIELDS} }} }}"
)
APPROVE = f"mutation($id: ID!) {{ approveAction(id: $id) {{ {REQUEST_FIELDS} }} }}"
REJECT = f"mutation($id: ID!, $r: String) {{ rejectAction(id: $id, reason: $r) {{ {REQUEST_FIELDS} }} }}"
EXECUTE = f"mutation($id: ID!) {{ executeAction(id: $id) {{ {REQUEST_FIELDS} }} }}"
SCHEDULE = f"mutation($id: ID!, $at: DateTime!) {{ scheduleAction(id: $id, at: $at) {{ {REQUEST_FIELDS} }} }}"
REFRESH = "mutation { refreshData { jobId queued } }"
ROLES = [Role.VIEWER, Role.API_USER, Role.ANALYST, Role.ADMIN]
MAY_CHANGE = {Role.ANALYST, Role.ADMIN}


def setup_admin(tenant: Tenant) -> Principal:
    """Prepares requests through the engine itself, as an earlier user of the tenant would have."""
    return Principal(sub="setup-admin", tenant_id=tenant.id, roles=frozenset({Role.ADMIN}))


async def prepared(graph: Graph, tenant: Tenant, thought: str, action: str) -> ActionRequest:
    return await engine.request_action(graph, setup_admin(tenant), tenant.thoughts[thought], action)


async def request_status(graph: Graph, tenant: Tenant, request_id: str) -> str:
    found = await list_requests(graph, tenant.id, ids=[request_id])
    return found[0].status.value


async def audit_by(graph: Graph, tenant: Tenant, resource_id: str, user: str) -> list[AuditEvent]:
    return [e for e in await list_events(graph, tenant.id, resource_id=resource_id) if e.user == user]


async def refused(api: Api, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """The one error the gql client raises for `query`."""
    with pytest.raises(TransportQueryError) as caught:
        await api.execute(token, query, **variables)
    assert caught.value.errors is not None and len(caught.value.errors) == 1
    error: dict[str, Any] = caught.value.errors[0]
    return error


def later(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


@pytest.fixture
async def jobs(demo: Demo) -> AsyncIterator[list[str]]:
    """Pipeline job ids a test queued; taken off the shared Redis queue afterwards."""
    queued: list[str] = []
    yield queued
    redis = Redis.from_url(str(demo.api.settings.redis.url))
    try:
        for job_id in queued:
            await redis.zrem("arq:queue", job_id)
            await redis.delete(f"arq:job:{job_id}", f"arq:result:{job_id}", f"arq:retry:{job_id}")
    finally:
        await redis.aclose()


@dataclass
class Targets:
    """One target in the right state for each mutation, in a tenant of its own."""

    tenant: Tenant
    dismiss: str
    snooze: str
    request: tuple[str, str]
    approve: str
    reject: str
    execute: str
    schedule: str


async def targets_in(demo: Demo, graph: Graph) -> Targets:
    tenant = await demo.make_tenant("acme")
    t = tenant.thoughts
    return Targets(
        tenant=tenant,
        dismiss=t["budget_exhaustion"],
        snooze=t["creative_fatigue"],
        request=(t["google_cpc_spike"], "add_negative_keywords"),
        approve=(await prepared(graph, tenant, "creative_fatigue", "pause_underperforming_campaigns")).id,
        reject=(
            await prepared(graph, tenant, "ad_efficiency_declining", "reallocate_budget_to_top_performers")
        ).id,
        execute=(await prepared(graph, tenant, "google_cpc_spike", "review_auction_insights")).id,
        schedule=(
            await prepared(graph, tenant, "ad_efficiency_declining", "reduce_bids_high_cpc_keywords")
        ).id,
    )


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_every_mutation_for_every_role(demo: Demo, graph: Graph, jobs: list[str], role: Role) -> None:
    targets = await targets_in(demo, graph)
    tenant = targets.tenant
    sub = f"{role.value.lower()}-matrix"
    token = demo.api.token(tenant, role, sub=sub)
    assert await request_status(graph, tenant, targets.approve) == "pending_approval"
    assert await request_status(graph, tenant, targets.execute) == "approved"
    assert await request_status(graph, tenant, targets.schedule) == "approved"
    request_id = engine.request_id(*targets.request)

    calls: list[tuple[str, str, dict[str, Any], str, str, str]] = [
        # (field, query, variables, audited resource, audit action, status when allowed)
        ("dismissThought", DISMISS, {"id": targets.dismiss}, targets.dismiss, "thought.dismiss", "DISMISSED"),
        (
            "snoozeThought",
            SNOOZE,
            {"id": targets.snooze, "h": 2},
            targets.snooze,
            "thought.snooze",
            "SNOOZED",
        ),
        (
            "requestAction",
            REQUEST,
            {"t": targets.request[0], "a": targets.request[1]},
            request_id,
            "action.request",
            "APPROVED",  # medium impact at 0.8 confidence needs no approval
        ),
        ("approveAction", APPROVE, {"id": targets.approve}, targets.approve, "action.approve", "APPROVED"),
        (
            "rejectAction",
            REJECT,
            {"id": targets.reject, "r": "not now"},
            targets.reject,
            "action.reject",
            "REJECTED",
        ),
        ("executeAction", EXECUTE, {"id": targets.execute}, targets.execute, "action.execute", "EXECUTED"),
        (
            "scheduleAction",
            SCHEDULE,
            {"id": targets.schedule, "at": later()},
            targets.schedule,
            "action.schedule",
            "SCHEDULED",
        ),
    ]
    for field, query, variables, resource, action, status in calls:
        if role in MAY_CHANGE:
            data = (await demo.api.execute(token, query, **variables))[field]
            assert data["status"] == status, field
            events = await audit_by(graph, tenant, resource, sub)
            assert action in {e.action for e in events}, (field, events)
        else:
            error = await refused(demo.api, token, query, **variables)
            assert error["extensions"]["code"] == "FORBIDDEN", (field, error)
            assert "needs the" in error["message"] and "role" in error["message"]
            assert action not in {e.action for e in await audit_by(graph, tenant, resource, sub)}, field
            # The refusal itself is audited: who tried what, on which id, and why it was refused.
            tried = [e for e in await list_events(graph, tenant.id, action=field) if e.user == sub]
            assert [(e.outcome, e.resource_type) for e in tried] == [("forbidden", "Mutation")], field
            target = variables.get("id") or variables.get("t")
            assert tried[0].resource_id == target, field
            assert tried[0].metadata["reason"] == error["message"]
            assert set(tried[0].metadata["arguments"].values()) == {str(v) for v in variables.values()}

    # Refused calls changed nothing; allowed ones changed exactly their target.
    dismissed = await get_instance(graph, tenant.id, targets.dismiss)
    assert dismissed is not None
    assert dismissed.status.value == ("dismissed" if role in MAY_CHANGE else "active")
    expected = {
        targets.approve: "approved" if role in MAY_CHANGE else "pending_approval",
        targets.reject: "rejected" if role in MAY_CHANGE else "pending_approval",
        targets.execute: "executed" if role in MAY_CHANGE else "approved",
        targets.schedule: "scheduled" if role in MAY_CHANGE else "approved",
    }
    assert {r: await request_status(graph, tenant, r) for r in expected} == expected
    requested = await list_requests(graph, tenant.id, ids=[request_id])
    assert requested[0].status.value == ("approved" if role in MAY_CHANGE else "recommended")

    if role in MAY_CHANGE:
        refresh = (await demo.api.execute(token, REFRESH))["refreshData"]
        jobs.append(refresh["jobId"])
        assert refresh["jobId"].startswith(f"pipeline:{tenant.id}:")
        events = await audit_by(graph, tenant, tenant.id, sub)
        assert [(e.action, e.metadata["job_id"]) for e in events] == [("data.refresh", refresh["jobId"])]
    else:
        error = await refused(demo.api, token, REFRESH)
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert await audit_by(graph, tenant, tenant.id, sub) == []
        tried = [e for e in await list_events(graph, tenant.id, action="refreshData") if e.user == sub]
        assert [(e.outcome, e.resource_id) for e in tried] == [("forbidden", None)]


@pytest.fixture(scope="module")
async def shop(demo: Demo) -> Tenant:
    """An acme copy of this module's own, so the read-only tests keep tenant A untouched."""
    return await demo.make_tenant("acme")


async def test_a_critical_action_waits_for_an_admin(demo: Demo, graph: Graph, shop: Tenant) -> None:
    analyst = demo.api.token(shop, Role.ANALYST, sub="ana")
    admin = demo.api.token(shop, Role.ADMIN, sub="adam")
    thought = shop.thoughts["budget_exhaustion"]

    requested = (await demo.api.execute(analyst, REQUEST, t=thought, a="adjust_monthly_marketing_budget"))[
        "requestAction"
    ]
    assert requested["status"] == "PENDING_APPROVAL" and requested["approval"] == "admin_approval"
    assert requested["requestedBy"] == "ana"

    error = await refused(demo.api, analyst, APPROVE, id=requested["id"])
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == "approving this action needs the ADMIN role"
    assert await request_status(graph, shop, requested["id"]) == "pending_approval"
    error = await refused(demo.api, analyst, REJECT, id=requested["id"], r="too risky")
    assert error["extensions"]["code"] == "FORBIDDEN"

    approved = (await demo.api.execute(admin, APPROVE, id=requested["id"]))["approveAction"]
    assert approved["status"] == "APPROVED" and approved["decidedBy"] == "adam"

    executed = (await demo.api.execute(analyst, EXECUTE, id=requested["id"]))["executeAction"]
    assert executed["status"] == "EXECUTED"
    assert executed["outcome"] == "manual task recorded: Change the monthly marketing budget"
    assert executed["executedAt"] is not None

    events = await list_events(graph, shop.id, resource_id=requested["id"])
    assert [(e.action, e.user, e.outcome) for e in reversed(events)] == [
        ("action.request", "ana", "pending_approval"),
        ("approveAction", "ana", "forbidden"),  # refusals are audited too
        ("rejectAction", "ana", "forbidden"),
        ("action.approve", "adam", "approved"),
        ("action.execute_start", "ana", "executing"),
        ("action.execute", "ana", "executed"),
    ]


async def test_a_webhook_action_without_a_webhook_url_fails_visibly(demo: Demo, graph: Graph) -> None:
    seeds = await demo.make_tenant("rare_seeds")
    analyst = demo.api.token(seeds, Role.ANALYST, sub="ana")
    requested = (
        await demo.api.execute(
            analyst, REQUEST, t=seeds.thoughts["tracking_breakage"], a="notify_growth_team"
        )
    )["requestAction"]
    assert requested["status"] == "APPROVED" and requested["approval"] == "none"

    failed = (await demo.api.execute(analyst, EXECUTE, id=requested["id"]))["executeAction"]
    assert failed["status"] == "FAILED"
    assert failed["outcome"] == "no executor is configured for webhook actions"
    assert await request_status(graph, seeds, requested["id"]) == "failed"
    events = await list_events(graph, seeds.id, resource_id=requested["id"], action="action.execute")
    assert [(e.user, e.outcome) for e in events] == [("ana", "failed")]

    again = await refused(demo.api, analyst, EXECUTE, id=requested["id"])
    assert again["extensions"]["code"] == "CONFLICT"
    assert again["message"] == "cannot execute_start an action request that is failed"


async def test_a_scheduled_action_runs_when_executed(demo: Demo, graph: Graph, shop: Tenant) -> None:
    analyst = demo.api.token(shop, Role.ANALYST, sub="ana")
    thought = shop.thoughts["google_cpc_spike"]
    requested = (await demo.api.execute(analyst, REQUEST, t=thought, a="review_auction_insights"))[
        "requestAction"
    ]
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    scheduled = (await demo.api.execute(analyst, SCHEDULE, id=requested["id"], at=at.isoformat()))[
        "scheduleAction"
    ]
    assert scheduled["status"] == "SCHEDULED"
    assert datetime.fromisoformat(scheduled["scheduledFor"]) == at
    executed = (await demo.api.execute(analyst, EXECUTE, id=requested["id"]))["executeAction"]
    assert executed["status"] == "EXECUTED"
    actions = [e.action for e in await list_events(graph, shop.id, resource_id=requested["id"])]
    assert sorted(actions) == sorted(
        ["action.request", "action.schedule", "action.execute_start", "action.execute"]
    )


async def test_dismissing_and_snoozing_move_a_thought_between_lists(
    demo: Demo, graph: Graph, shop: Tenant
) -> None:
    analyst = demo.api.token(shop, Role.ANALYST, sub="ana")
    viewer = demo.api.token(shop, Role.VIEWER)
    fatigue, spike = shop.thoughts["creative_fatigue"], shop.thoughts["google_cpc_spike"]

    snoozed = (await demo.api.execute(analyst, SNOOZE, id=fatigue, h=3))["snoozeThought"]
    assert snoozed["status"] == "SNOOZED"
    until = datetime.fromisoformat(snoozed["snoozedUntil"])
    assert timedelta(hours=2, minutes=59) < until - datetime.now(UTC) <= timedelta(hours=3)
    dismissed = (await demo.api.execute(analyst, DISMISS, id=spike))["dismissThought"]
    assert dismissed == {"id": spike, "status": "DISMISSED"}

    lists = await demo.api.execute(
        viewer,
        """{ active: thoughts { id } snoozed: thoughts(status: SNOOZED) { id }
             dismissed: thoughts(status: DISMISSED) { id } }""",
    )
    assert {t["id"] for t in lists["snoozed"]} == {fatigue}
    assert {t["id"] for t in lists["dismissed"]} == {spike}
    assert not {fatigue, spike} & {t["id"] for t in lists["active"]}

    events = await list_events(graph, shop.id, resource_id=spike, action="thought.dismiss")
    assert [(e.user, e.outcome) for e in events] == [("ana", "dismissed")]
    again = await refused(demo.api, analyst, DISMISS, id=spike)
    assert again["extensions"]["code"] == "CONFLICT"
    assert again["message"] == "cannot dismiss a thought that is dismissed"


async def test_refresh_data_queues_one_pipeline_run_per_window(
    demo: Demo, graph: Graph, shop: Tenant, jobs: list[str]
) -> None:
    analyst = demo.api.token(shop, Role.ANALYST, sub="ana")
    for _ in range(3):  # two calls may straddle a debounce window; the next pair will not
        first = (await demo.api.execute(analyst, REFRESH))["refreshData"]
        second = (await demo.api.execute(analyst, REFRESH))["refreshData"]
        jobs.extend([first["jobId"], second["jobId"]])
        if first["jobId"] == second["jobId"]:
            break
    assert first["jobId"] == second["jobId"] and first["jobId"].startswith(f"pipeline:{shop.id}:")
    assert second["queued"] is False
    events = await list_events(graph, shop.id, resource_id=shop.id, action="data.refresh")
    outcomes = {(e.metadata["job_id"], e.outcome) for e in events}
    assert (second["jobId"], "coalesced") in outcomes


async def test_mutations_refuse_bad_input_and_impossible_transitions(demo: Demo, shop: Tenant) -> None:
    api = demo.api
    analyst = api.token(shop, Role.ANALYST, sub="ana")
    budget = shop.thoughts["budget_exhaustion"]
    ok = (await api.execute(analyst, REQUEST, t=budget, a="cap_daily_campaign_budgets"))["requestAction"]
    assert ok["status"] == "PENDING_APPROVAL" and ok["approval"] == "user_confirmation"

    cases: list[tuple[str, dict[str, Any], str, str | None]] = [
        (REQUEST, {"t": budget, "a": "cap_daily_campaign_budgets"}, "CONFLICT", None),
        (REQUEST, {"t": budget, "a": "pause_all_paid_media"}, "INVALID_INPUT", None),
        (REQUEST, {"t": budget, "a": "no_such_action"}, "INVALID_INPUT", None),
        (
            REQUEST,
            {"t": "ti_doesnotexist", "a": "cap_daily_campaign_budgets"},
            "NOT_FOUND",
            "thought ti_doesnotexist not found",
        ),
        (
            EXECUTE,
            {"id": ok["id"]},
            "CONFLICT",
            "cannot execute_start an action request that is pending_approval",
        ),
        (SCHEDULE, {"id": ok["id"], "at": later()}, "CONFLICT", None),
        (
            SCHEDULE,
            {"id": ok["id"], "at": "2020-01-01T00:00:00+00:00"},
            "INVALID_INPUT",
            "at: must be in the future",
        ),
        (SCHEDULE, {"id": ok["id"], "at": "2030-01-01T00:00:00"}, "INVALID_INPUT", None),
        (REJECT, {"id": ok["id"], "r": "x" * 501}, "INVALID_INPUT", "reason: at most 500 characters"),
        (APPROVE, {"id": "ar_doesnotexist"}, "NOT_FOUND", "action request ar_doesnotexist not found"),
        (SNOOZE, {"id": budget, "h": 0}, "INVALID_INPUT", "hours: between 1 and 720"),
        (SNOOZE, {"id": budget, "h": 721}, "INVALID_INPUT", None),
        (DISMISS, {"id": "not an id"}, "INVALID_INPUT", "id: not a valid id"),
        (DISMISS, {"id": "ti_doesnotexist"}, "NOT_FOUND", "thought ti_doesnotexist not found"),
    ]
    for query, variables, code, message in cases:
        answer = await api.graphql(query, analyst, **variables)
        assert error_codes(answer) == [code], (query, variables, answer)
        if message is not None:
            assert answer["errors"][0]["message"] == message

    status = await api.execute(
        api.token(shop, Role.VIEWER), "query($id: ID!) { thought(id: $id) { status } }", id=budget
    )
    assert status["thought"]["status"] == "ACTIVE"
