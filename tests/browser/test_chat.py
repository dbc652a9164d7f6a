"""The agent chat panel: a streamed answer that names the right metric, tool notes, a follow-up."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import SKIP_WITHOUT_CHROMIUM, Stack, go, shoot, sign_in

pytestmark = SKIP_WITHOUT_CHROMIUM
ANSWER_TIMEOUT_MS = 90_000


def ask(page: Page, question: str) -> None:
    page.fill("#chat-input", question)
    page.click("#chat-send")
    expect(page.locator("#chat-send")).to_be_enabled(timeout=ANSWER_TIMEOUT_MS)


def test_a_question_streams_an_answer_naming_the_right_metric(page: Page, stack: Stack) -> None:
    token = stack.token("acme", "ANALYST")
    if "Subscription.agentChat" not in stack.schema_fields(token):
        pytest.skip("this API has no agentChat subscription yet")
    cpc = stack.gql(token, '{ metric(id: "cpc") { name } }')["metric"]["name"]
    sign_in(page, "acme", "ANALYST")
    go(page, "#/dashboards", "dashboards")
    page.click("#chat-toggle")
    expect(page.locator("#chat-input")).to_be_focused()
    ask(page, "Why did cost per click go up last week?")
    answers = page.locator("#chat-log .chat-msg.agent")
    expect(answers).to_have_count(1)
    expect(answers.first).to_contain_text(cpc)
    expect(page.locator("#chat-log .chat-tool").first).to_be_visible()
    expect(answers.first.get_by_role("button", name="Read aloud")).to_be_visible()

    ask(page, "and on Meta?")
    expect(answers).to_have_count(2)
    expect(answers.nth(1)).to_contain_text("Meta")
    shoot(page, "chat_with_a_follow_up")
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.locator("#chat-toggle")).to_be_focused()
