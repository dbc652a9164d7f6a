"""Thought generation rules on the real engine: dedupe, escalation, auto-resolve, snooze, dismiss,
the daily cap, idempotent runs and insufficient data — on a small knowledge set with exact values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kg_service.engine import thought_status
from kg_service.engine.thoughts import Change
from kg_service.errors import Forbidden, NotFound
from kg_service.graph import audit
from kg_service.graph.action_requests import ActionStatus, list_requests
from kg_service.graph.instances import InstanceStatus
from kg_service.identity import Principal, Role

from .small_world import World, analyst


async def test_a_matched_trigger_creates_one_instance_with_its_evidence(world: World) -> None:
    world.load(recent_cpc=2.5)
    report = await world.run("r1")
    (instance,) = await world.instances()
    assert report.ran and report.changes == {instance.id: Change.CREATED}
    assert instance.status is InstanceStatus.ACTIVE and instance.severity.value == "warning"
    assert {e["metric_id"] for e in instance.evidence} == {"cpc"}
    assert all(e["holds"] for e in instance.evidence)
    change = next(e for e in instance.evidence if e["change_pct"] is not None)
    assert change["observed"] == pytest.approx(2.5) and change["baseline"] == pytest.approx(1.5)
    assert instance.blast_radius is not None
    affected = {i["metric_id"]: i for i in instance.blast_radius["affected"]}
    assert affected["roas"]["impact_pct"] < 0 and affected["cash"]["cross_domain"] is True
    assert "rose" in instance.summary and instance.analyst == "offline"
    requests = await list_requests(world.graph, world.tenant, thought_ids=[instance.id])
    assert {r.action_id for r in requests} == {"lower_bids", "pause_everything"}
    assert all(r.status is ActionStatus.RECOMMENDED for r in requests)


async def test_rerunning_the_same_run_changes_nothing(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    events = await audit.list_events(world.graph, world.tenant, limit=500)
    again = await world.run("r1")
    assert not again.ran and again.skipped_reason and "already completed" in again.skipped_reason
    assert len(await world.instances()) == 1
    assert len(await audit.list_events(world.graph, world.tenant, limit=500)) == len(events)


async def test_a_repeat_updates_quietly_and_a_rise_in_severity_notifies(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    repeat = await world.run("r2")
    (instance,) = await world.instances()
    assert repeat.changes == {instance.id: Change.UPDATED} and repeat.notify == []
    world.load(recent_cpc=3.5)
    escalated = await world.run("r3")
    (instance,) = await world.instances()
    assert escalated.changes == {instance.id: Change.ESCALATED} and escalated.notify == [instance.id]
    assert instance.severity.value == "critical"


async def test_an_instance_resolves_after_staying_clear(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    world.load(recent_cpc=1.5)
    first = await world.run("r2")
    (instance,) = await world.instances()
    assert instance.status is InstanceStatus.ACTIVE and instance.clear_count == 1 and first.notify == []
    second = await world.run("r3")
    (instance,) = await world.instances()
    assert instance.status is InstanceStatus.RESOLVED and second.changes == {instance.id: Change.RESOLVED}
    world.load(recent_cpc=2.5)
    await world.run("r4")
    statuses = sorted(i.status.value for i in await world.instances())
    assert statuses == ["active", "resolved"]


async def test_snooze_is_honoured_until_it_expires(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    (instance,) = await world.instances()
    snoozed = await thought_status.snooze(world.graph, analyst(world.tenant), instance.id, hours=2)
    assert snoozed.status is InstanceStatus.SNOOZED
    quiet = await world.run("r2")
    assert quiet.notify == [] and (await world.instances())[0].status is InstanceStatus.SNOOZED
    later = datetime.now(UTC) + timedelta(hours=3)
    woken = await world.run("r3", now=later)
    assert woken.changes == {instance.id: Change.REACTIVATED}
    assert (await world.instances())[0].status is InstanceStatus.ACTIVE


async def test_a_dismissed_thought_stays_dismissed_while_it_holds(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    (instance,) = await world.instances()
    await thought_status.dismiss(world.graph, analyst(world.tenant), instance.id)
    report = await world.run("r2")
    assert report.notify == []
    (again,) = await world.instances()
    assert again.status is InstanceStatus.DISMISSED


async def test_the_daily_cap_skips_a_third_run_and_says_why(world: World) -> None:
    world.load(recent_cpc=2.5)
    assert (await world.run("r1", runs_per_day=2)).ran
    assert (await world.run("r2", runs_per_day=2)).ran
    third = await world.run("r3", runs_per_day=2)
    assert not third.ran and third.skipped_reason and "daily cap" in third.skipped_reason
    skipped = await audit.list_events(world.graph, world.tenant, action="thoughts.generate", limit=10)
    assert [e.outcome for e in skipped].count("skipped") == 1


async def test_insufficient_data_keeps_existing_thoughts(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    (before,) = await world.instances()
    # Replace the history with only three days: too few for a 7-day window against the week before.
    world.source.files.path(world.tenant).unlink()
    world.load(recent_cpc=2.5, days=3)
    report = await world.run("r2")
    assert report.insufficient == ["cpc_spike"]
    (after,) = await world.instances()
    assert after == before


async def test_no_values_at_all_skips_the_run(world: World) -> None:
    report = await world.run("r1")
    assert not report.ran and report.skipped_reason and "no values" in report.skipped_reason


async def test_roles_are_enforced_on_dismiss_and_snooze(world: World) -> None:
    world.load(recent_cpc=2.5)
    await world.run("r1")
    (instance,) = await world.instances()
    viewer = Principal(sub="v", tenant_id=world.tenant, roles=frozenset({Role.VIEWER}))
    with pytest.raises(Forbidden):
        await thought_status.dismiss(world.graph, viewer, instance.id)
    stranger = Principal(sub="s", tenant_id="someone_else", roles=frozenset({Role.ADMIN}))
    with pytest.raises(NotFound):
        await thought_status.dismiss(world.graph, stranger, instance.id)
    assert (await world.instances())[0].status is InstanceStatus.ACTIVE
