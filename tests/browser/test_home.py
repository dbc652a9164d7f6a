"""Home: the thoughts feed in the API's order, the briefing once the API has it, a phone layout."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import SKIP_WITHOUT_CHROMIUM, Stack, shoot, sign_in

pytestmark = SKIP_WITHOUT_CHROMIUM
FEED = "{ thoughts { id summary severity priority definition { name } } }"


def test_home_shows_the_active_thoughts_most_urgent_first(page: Page, stack: Stack) -> None:
    thoughts = stack.gql(stack.token("acme", "ANALYST"), FEED)["thoughts"]
    assert thoughts, "the demo store should have active thoughts"
    sign_in(page, "acme", "ANALYST")
    cards = page.locator("#feed li.thought")
    expect(cards).to_have_count(len(thoughts))
    assert [c.get_attribute("data-id") for c in cards.all()] == [t["id"] for t in thoughts]
    first = cards.first
    expect(first.locator("h3")).to_have_text(thoughts[0]["definition"]["name"])
    expect(first.locator(".badge").first).to_have_text(thoughts[0]["severity"])
    expect(first.locator(".evidence-chips li").first).to_be_visible()
    expect(first.get_by_role("button", name="Dismiss")).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


SPEECH_RECORDER = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => { window.__spoken.push(utterance.text); };
window.speechSynthesis.cancel = () => {};
"""


def test_home_shows_todays_briefing_and_reads_it_aloud(page: Page, stack: Stack) -> None:
    token = stack.token("acme", "ANALYST")
    if "Query.briefing" not in stack.schema_fields(token):
        pytest.skip("this API has no briefing query yet")
    briefing = stack.gql(token, "{ briefing { headline speech sections { title } } }")["briefing"]
    page.add_init_script(SPEECH_RECORDER)  # the test machine has no voices: record what would be said
    sign_in(page, "acme", "ANALYST")
    card = page.locator("#briefing")
    expect(card.locator(".headline")).to_have_text(briefing["headline"], timeout=60_000)
    expect(card.locator("h3")).to_have_text([s["title"] for s in briefing["sections"]])
    play = page.locator("#briefing-play")
    play.click()
    expect(play).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__spoken") == [briefing["speech"]]
    play.click()
    expect(play).to_have_attribute("aria-pressed", "false")


def test_home_fits_a_phone(page: Page, stack: Stack) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "acme", "ANALYST")
    expect(page.locator("#feed li.thought").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    shoot(page, "home_on_a_phone")


def test_every_control_is_reachable_by_keyboard(page: Page, stack: Stack) -> None:
    sign_in(page, "acme", "ANALYST")
    page.reload()
    page.locator("html[data-ready=home]").wait_for(state="attached")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.textContent.trim() || document.activeElement.id"))
    assert {"Dismiss", "Snooze"} <= seen
