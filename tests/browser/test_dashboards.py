"""Dashboards, a metric's page and the knowledge graph, with the API's own numbers."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .conftest import SKIP_WITHOUT_CHROMIUM, Stack, go, shoot, sign_in

pytestmark = SKIP_WITHOUT_CHROMIUM
BOARD = """query($id: ID!) { thoughtlet(id: $id) { name metrics {
  id name unit latest { value } changePct status } } }"""


def card_value(value: float, unit: str) -> str | None:
    """What a card shows for values the page prints in full (compact ones are not checked here)."""
    size = abs(value)
    if unit == "percentage":
        return f"{value:.{2 if size < 10 else 1}f}%"
    if unit == "ratio":
        return f"{value:.2f}×"
    if unit == "currency" and size < 1000:
        return f"${value:,.2f}"
    if unit == "currency" and size < 10000:
        return f"${value:,.0f}"
    if unit == "count" and size < 100000 and float(value).is_integer():
        return f"{value:,.0f}"
    return None


def test_a_dashboard_shows_the_api_values_with_units_and_sparklines(page: Page, stack: Stack) -> None:
    board = stack.gql(stack.token("acme", "VIEWER"), BOARD, {"id": "core_performance"})["thoughtlet"]
    sign_in(page, "acme", "VIEWER")
    go(page, "#/dashboards", "dashboards")
    page.get_by_role("link", name=board["name"]).click()
    page.locator("html[data-ready=dashboard]").wait_for(state="attached")
    expect(page.locator("h1")).to_have_text(board["name"])
    checked = 0
    for metric in board["metrics"]:
        card = page.locator(f"[data-metric={metric['id']}]")
        expect(card).to_have_attribute("data-status", metric["status"])
        expect(card.locator("h3")).to_have_text(metric["name"])
        expected = card_value(metric["latest"]["value"], metric["unit"])
        if expected is not None:
            expect(card.locator(".metric-value")).to_have_text(expected)
            checked += 1
        expect(card.locator(".sparkline canvas")).to_have_count(1)
    assert checked >= 5, "too few cards were compared digit for digit"


def metric(stack: Stack, metric_id: str) -> dict[str, Any]:
    query = """query($id: ID!) { metric(id: $id) { name latest { value } thresholds { kind value }
      affects { metric { name } } affectedBy { metric { name } } drivers { metricId } } }"""
    found: dict[str, Any] = stack.gql(stack.token("acme", "VIEWER"), query, {"id": metric_id})["metric"]
    return found


def test_a_metric_page_draws_history_edges_and_drivers(page: Page, stack: Stack) -> None:
    cpc = metric(stack, "cpc")
    sign_in(page, "acme", "VIEWER")
    go(page, "#/metrics/cpc", "metric")
    expect(page.locator("h1")).to_have_text(cpc["name"])
    expect(page.locator(".chart canvas").first).to_be_visible()
    absolute = [t for t in cpc["thresholds"] if t["kind"] == "absolute"]
    assert absolute, "cpc has absolute thresholds to draw as lines"
    history = page.locator("#history-chart")
    expect(history).to_have_attribute("data-threshold-lines", str(len(absolute)))
    assert int(history.get_attribute("data-breaches") or 0) > 0, "the demo cpc rises through its thresholds"
    expect(page.locator("#history-chart canvas, #drivers-chart canvas")).to_have_count(2)
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(len(cpc["thresholds"]))
    for edge in cpc["affects"] + cpc["affectedBy"]:
        expect(
            page.locator(".edge-list").get_by_role("link", name=edge["metric"]["name"], exact=True)
        ).to_be_visible()
    expect(page.get_by_role("heading", name="What drove the last change")).to_be_visible()
    for driver in cpc["drivers"]:
        expect(page.get_by_role("link", name=driver["metricId"], exact=True)).to_be_visible()
    page.get_by_role("link", name=cpc["affects"][0]["metric"]["name"], exact=True).first.click()
    page.locator("html[data-ready=metric]").wait_for(state="attached")
    expect(page.locator("h1")).to_have_text(cpc["affects"][0]["metric"]["name"])


def test_the_graph_explorer_filters_by_source_and_dashboard(page: Page, stack: Stack) -> None:
    token = stack.token("acme", "VIEWER")
    everything = stack.gql(token, "{ metrics { id } }")["metrics"]
    meta = stack.gql(token, '{ metrics(source: "meta_ads") { id } }')["metrics"]
    board = stack.gql(token, '{ metrics(thoughtletId: "google_ads") { id } }')["metrics"]
    sign_in(page, "acme", "VIEWER")
    go(page, "#/graph", "graph")
    count = page.locator(".filters [role=status]")
    expect(count).to_contain_text(f"{len(everything)} metrics")
    expect(page.locator(".chart canvas")).to_have_count(1)
    page.select_option("#graph-source", "meta_ads")
    expect(count).to_contain_text(f"{len(meta)} metrics")
    expect(page.locator(".node-links li")).to_have_count(len(meta))
    page.select_option("#graph-source", "")
    page.select_option("#graph-thoughtlet", "google_ads")
    expect(count).to_contain_text(f"{len(board)} metrics")
    shoot(page, "graph_filtered_to_a_dashboard")
    page.locator(".node-links a").first.click()
    page.locator("html[data-ready=metric]").wait_for(state="attached")
