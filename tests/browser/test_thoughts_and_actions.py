"""Thoughts arriving live from the pipeline, a thought's page, and actions through the approval matrix."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import SKIP_WITHOUT_CHROMIUM, Stack, go, shoot, sign_in

pytestmark = SKIP_WITHOUT_CHROMIUM
THOUGHTS = """{ thoughts { id status severity priority definition { id name }
  recommendedActions { id status approval impactLevel action { id name integrationType } } } }"""
REQUEST = "query($id: ID!) { thought(id: $id) { recommendedActions { id status requestedBy decidedBy } } }"


def active_thoughts(stack: Stack, tenant: str = "acme") -> list[dict[str, Any]]:
    thoughts: list[dict[str, Any]] = stack.gql(stack.token(tenant, "ADMIN"), THOUGHTS)["thoughts"]
    return thoughts


def test_a_signed_fivetran_webhook_brings_a_new_thought_live(page: Page, stack: Stack) -> None:
    if stack.runs_left_today("acme") < 1:
        pytest.skip("acme's 24 thought generation runs for today (UTC) are used up")
    untouched = [
        t
        for t in active_thoughts(stack)
        if all(
            r["status"] == "RECOMMENDED" and r["approval"] != "admin_approval"
            for r in t["recommendedActions"]
        )
    ]
    assert untouched, "acme should have an active thought that nobody acted on"
    target = untouched[-1]
    name = target["definition"]["name"]

    listening = stack.listeners("acme")
    sign_in(page, "acme", "ANALYST")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.evaluate("window.__sameDocument = true")
    feed = page.locator("#feed li.thought")
    # Dismissing it here takes it off the feed; a dismissed thought stays quiet when it triggers
    # again, so it is then deleted for the pipeline run to create it anew.
    feed.filter(has_text=name).get_by_role("button", name=f"Dismiss {name}").click()
    expect(feed.filter(has_text=name)).to_have_count(0)
    expect(page.locator("#feed-announcer")).to_have_text(f"Dismissed “{name}”.")
    stack.delete_instance("acme", target["id"])

    stack.wait_for_listeners("acme", more_than=listening)
    answer = stack.webhook(f"browser-{uuid.uuid4().hex[:12]}")
    assert answer.status_code == 202, answer.text
    arrived = feed.filter(has_text=name)
    try:
        expect(arrived).to_have_count(1, timeout=90_000)
    except AssertionError as missing:
        state = page.locator("#live-status").get_attribute("data-state")
        raise AssertionError(
            f"{name} did not arrive (live: {state})\n--- worker\n{stack.log_tail('worker')}"
            f"\n--- api\n{stack.log_tail('api')}"
        ) from missing
    expect(arrived).to_have_class(re.compile(r"\bis-new\b"))
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    assert arrived.get_attribute("data-id") != target["id"]
    shoot(page, "a_thought_arrived_live")


def critical_request(stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    for thought in active_thoughts(stack):
        for request in thought["recommendedActions"]:
            if request["status"] == "RECOMMENDED" and request["approval"] == "admin_approval":
                return thought, request
    raise AssertionError(
        "acme has no critical action left to request (the session fixture should refresh one)"
    )


def test_an_analyst_requests_a_critical_action_and_an_admin_approves_it(page: Page, stack: Stack) -> None:
    thought, request = critical_request(stack)
    action = request["action"]["name"]
    sign_in(page, "acme", "ANALYST")
    go(page, f"#/thoughts/{thought['id']}", "thought")
    item = page.locator(f"[data-request={request['id']}]")
    item.get_by_role("button", name=f"Request: {action}").click()
    expect(item).to_have_attribute("data-status", "PENDING_APPROVAL")
    expect(item.get_by_role("button", name=f"Approve: {action}")).to_have_count(0)
    expect(item).to_contain_text("Waiting for an ADMIN to approve.")
    shoot(page, "analyst_requested_a_critical_action")

    page.click("#sign-out")
    sign_in(page, "acme", "ADMIN")
    go(page, "#/actions", "actions")
    pending = page.locator(f"#main .action-item[data-request={request['id']}]")
    expect(pending).to_contain_text("requested by demo-analyst")
    pending.get_by_role("button", name=f"Approve: {action}").click()
    row = page.locator(f"#main tr[data-request={request['id']}]")
    expect(row).to_contain_text("Approved")
    expect(row).to_contain_text("demo-admin")
    expect(pending).to_have_count(0)
    shoot(page, "admin_approved_the_action")

    stored = stack.gql(stack.token("acme", "VIEWER"), REQUEST, {"id": thought["id"]})["thought"]
    mine = next(r for r in stored["recommendedActions"] if r["id"] == request["id"])
    assert mine == {
        "id": request["id"],
        "status": "APPROVED",
        "requestedBy": "demo-analyst",
        "decidedBy": "demo-admin",
    }

    go(page, f"#/thoughts/{thought['id']}", "thought")
    item = page.locator(f"[data-request={request['id']}]")
    item.get_by_role("button", name=f"Execute: {action}").click()
    # Manual actions are recorded as done; the test server has no webhook for the others.
    manual = request["action"]["integrationType"] == "manual"
    expect(item).to_have_attribute("data-status", "EXECUTED" if manual else "FAILED")
    outcome = "manual task recorded" if manual else "no executor is configured"
    expect(item.locator(".audit")).to_contain_text(f"outcome: {outcome}")
    expect(item.get_by_role("button")).to_have_count(0)


def test_a_viewer_sees_thoughts_and_actions_but_no_buttons(page: Page, stack: Stack) -> None:
    thought = next(t for t in active_thoughts(stack) if t["recommendedActions"])
    sign_in(page, "acme", "VIEWER")
    expect(page.locator("#feed li.thought").first).to_be_visible()
    expect(page.locator("#feed button")).to_have_count(0)
    go(page, f"#/thoughts/{thought['id']}", "thought")
    expect(page.locator(".action-item")).to_have_count(len(thought["recommendedActions"]))
    expect(page.locator(".action-item button, .action-item summary")).to_have_count(0)
    expect(page.locator("#blast-title")).to_be_visible()
    go(page, "#/actions", "actions")
    expect(page.locator("#main .action-item button")).to_have_count(0)


def test_a_thought_page_shows_evidence_analysis_and_blast_radius(page: Page, stack: Stack) -> None:
    query = """query($id: ID!) { thought(id: $id) { definition { name } confidence evidence { test }
      blastRadius { affected { metric { id name } } } topCampaigns { campaign } } }"""
    token = stack.token("acme", "ANALYST")
    ids = [t["id"] for t in active_thoughts(stack)]
    detail = next(
        (
            d
            for d in (stack.gql(token, query, {"id": i})["thought"] | {"id": i} for i in ids)
            if d["blastRadius"]
        ),
        None,
    )
    assert detail is not None, "some active thought should carry a blast radius"
    sign_in(page, "acme", "ANALYST")
    go(page, f"#/thoughts/{detail['id']}", "thought")
    expect(page.locator("h1")).to_have_text(detail["definition"]["name"])
    expect(page.locator("#main table").first.locator("tbody tr")).to_have_count(len(detail["evidence"]))
    expect(page.locator(".confidence")).to_contain_text(f"{round(detail['confidence'] * 100)}%")
    expect(page.locator("section[aria-labelledby=blast-title] canvas")).to_have_count(1)
    page.get_by_text(f"All {len(detail['blastRadius']['affected'])} affected metrics").click()
    first = detail["blastRadius"]["affected"][0]["metric"]
    expect(page.get_by_role("link", name=first["name"], exact=True).first).to_be_visible()
    if detail["topCampaigns"]:
        expect(page.get_by_text(detail["topCampaigns"][0]["campaign"]).first).to_be_visible()
