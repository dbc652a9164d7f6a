"""Every query of the contract over real HTTP, checked against the demo stores' real content, and
the dashboard's cost in database round trips, measured with the server's own counters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest
from redis.asyncio import Redis

from kg_service.identity import Role
from kg_service.warehouse.source import TOTAL

from .conftest import STORES, Demo, error_codes

ACME_LAST_DAY = STORES["acme"]
DASHBOARD_FIELDS = """
    id unit aggregation
    latest { date value }
    history(days: 30) { date value }
    changePct
    status
    affects { weight relationship metric { id } }
"""


@pytest.fixture(scope="module")
def acme_values(demo: Demo) -> Iterator[duckdb.DuckDBPyConnection]:
    """The acme snapshot tenant A was copied from, read directly: the truth the API must tell."""
    connection = duckdb.connect(str(demo.make_tenant.snapshots / "acme.duckdb"), read_only=True)
    yield connection
    connection.close()


def daily(values: duckdb.DuckDBPyConnection, metric_id: str, first: date, last: date) -> list[float]:
    rows = values.execute(
        "SELECT value FROM analytics.metric_values WHERE campaign = ? AND metric_id = ? "
        "AND date BETWEEN ? AND ? ORDER BY date",
        [TOTAL, metric_id, first, last],
    ).fetchall()
    return [float(v) for (v,) in rows]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


async def test_me_is_the_tokens_principal(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.ANALYST, sub="ana")
    data = await demo.api.execute(token, "{ me { sub tenantId roles } }")
    assert data["me"] == {"sub": "ana", "tenantId": demo.a.id, "roles": ["ANALYST"]}


async def test_metrics_lists_the_tenants_registry_and_filters_it(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    everything = (await demo.api.execute(token, "{ metrics { id source domain unit direction } }"))["metrics"]
    ids = [m["id"] for m in everything]
    assert ids == sorted(ids) and len(ids) == 98  # 97 shared metrics and acme's own
    assert "high_ticket_orders_magento" in ids
    cpc = by_id(everything)["cpc_google_ads"]
    assert cpc == {
        "id": "cpc_google_ads",
        "source": "google_ads",
        "domain": "marketing",
        "unit": "currency",
        "direction": "LOWER_IS_BETTER",
    }

    google = (await demo.api.execute(token, '{ metrics(source: "google_ads") { id source } }'))["metrics"]
    assert {m["source"] for m in google} == {"google_ads"}
    assert {m["id"] for m in google} == {m["id"] for m in everything if m["source"] == "google_ads"}
    assert len(google) == 14

    boards = (await demo.api.execute(token, "{ thoughtlets { id metrics { id } } }"))["thoughtlets"]
    budget = next(b for b in boards if b["id"] == "budget_control")
    filtered = await demo.api.execute(
        token, "query($t: ID) { metrics(thoughtletId: $t) { id } }", t="budget_control"
    )
    assert [m["id"] for m in filtered["metrics"]] == sorted(m["id"] for m in budget["metrics"])
    unknown = await demo.api.execute(token, '{ metrics(thoughtletId: "no_such_board") { id } }')
    assert unknown["metrics"] == []

    refused = await demo.api.graphql('{ metrics(source: "fax") { id } }', token)
    assert error_codes(refused) == ["INVALID_INPUT"] and refused["data"] is None


async def test_metric_has_its_edges_thresholds_and_dashboards(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = """
    query($id: ID!) {
      metric(id: $id) {
        id name formula aggregation
        affects { weight relationship metric { id } }
        affectedBy { weight relationship metric { id name } }
        thresholds { id severity kind operator value baseline periods }
        thoughtlets { id }
      }
    }
    """
    metric = (await demo.api.execute(token, query, id="cpc_google_ads"))["metric"]
    assert metric["name"] == "Cost Per Click" and metric["aggregation"] == "ratio"
    affected_by = {e["metric"]["id"]: (e["relationship"], e["weight"]) for e in metric["affectedBy"]}
    assert affected_by["quality_score"] == ("INVERSE", 0.7)
    assert affected_by["competition_level"] == ("DIRECT", 0.6)
    affects = {e["metric"]["id"]: (e["relationship"], e["weight"]) for e in metric["affects"]}
    assert affects["roas"][0] == "INVERSE" and affects["cpa"][0] == "DIRECT"
    # acme replaces the shared CPC thresholds with its own, sized for outdoor-gear clicks
    absolute = {
        (t["severity"], t["operator"], t["value"]) for t in metric["thresholds"] if t["kind"] == "absolute"
    }
    assert absolute == {("WARNING", ">", 4.0), ("CRITICAL", ">", 7.0)}
    assert {b["id"] for b in metric["thoughtlets"]} >= {"google_ads"}

    assert (await demo.api.execute(token, query, id="no_such_metric"))["metric"] is None
    malformed = await demo.api.graphql(query, token, id="not an id!")
    assert error_codes(malformed) == ["INVALID_INPUT"]


async def test_a_dashboard_shows_the_stores_real_numbers(
    demo: Demo, acme_values: duckdb.DuckDBPyConnection
) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = f"""
    query($id: ID!) {{
      thoughtlet(id: $id) {{
        id name
        metrics {{
          {DASHBOARD_FIELDS}
          history7: history(days: 7) {{ date }}
          history120: history(days: 120) {{ date }}
          affectedBy {{ weight metric {{ id }} }}
          thresholds {{ id severity }}
          drivers {{ metricId role before after changePct contribution sharePct method }}
        }}
      }}
    }}
    """
    board = (await demo.api.execute(token, query, id="google_ads"))["thoughtlet"]
    assert board["name"] == "Google Ads"
    metrics = by_id(board["metrics"])
    assert len(metrics) == 12

    for metric in metrics.values():
        days = [date.fromisoformat(p["date"]) for p in metric["history"]]
        assert days == [ACME_LAST_DAY - timedelta(days=29 - i) for i in range(30)], metric["id"]
        assert len(metric["history7"]) == 7 and len(metric["history120"]) == 120
        assert metric["latest"] == metric["history"][-1]

    # A ratio's latest value is its components' ratio on the last day, as the warehouse holds it.
    cpc = metrics["cpc_google_ads"]
    spend = metrics["spend_google_ads"]["latest"]["value"]
    clicks = metrics["clicks_google_ads"]["latest"]["value"]
    assert cpc["latest"]["value"] == pytest.approx(spend / clicks, rel=1e-9)
    assert cpc["latest"]["value"] == pytest.approx(
        daily(acme_values, "cpc_google_ads", ACME_LAST_DAY, ACME_LAST_DAY)[0], rel=1e-9
    )
    assert [p["value"] for p in cpc["history"]] == pytest.approx(
        daily(acme_values, "cpc_google_ads", ACME_LAST_DAY - timedelta(days=29), ACME_LAST_DAY)
    )

    # changePct pools a ratio's components over each week; a sum compares its typical days.
    week = ACME_LAST_DAY - timedelta(days=6)
    before = (week - timedelta(days=7), week - timedelta(days=1))
    spend_now, spend_before = (
        sum(daily(acme_values, "spend_google_ads", *w)) for w in ((week, ACME_LAST_DAY), before)
    )
    clicks_now, clicks_before = (
        sum(daily(acme_values, "clicks_google_ads", *w)) for w in ((week, ACME_LAST_DAY), before)
    )
    pooled = (spend_now / clicks_now) / (spend_before / clicks_before) - 1
    assert cpc["changePct"] == pytest.approx(pooled * 100, abs=1e-3)
    assert cpc["changePct"] > 20  # the planted competitor CPC spike
    assert metrics["clicks_google_ads"]["changePct"] == pytest.approx(
        (clicks_now / clicks_before - 1) * 100, abs=1e-3
    )

    # Drivers split the ratio's change between its numerator and denominator.
    drivers = {d["metricId"]: d for d in cpc["drivers"]}
    assert set(drivers) == {"spend_google_ads", "clicks_google_ads"}
    assert drivers["spend_google_ads"]["role"] == "numerator"
    assert drivers["clicks_google_ads"]["role"] == "denominator"
    assert drivers["spend_google_ads"]["after"] == pytest.approx(spend_now)
    assert drivers["clicks_google_ads"]["before"] == pytest.approx(clicks_before)
    assert sum(d["sharePct"] for d in drivers.values()) == pytest.approx(100)
    assert metrics["clicks_google_ads"]["drivers"] == []  # a base metric has nothing to split

    assert {e["metric"]["id"] for e in cpc["affectedBy"]} == {"quality_score", "competition_level"}
    assert {m["status"] for m in metrics.values()} <= {"OK", "WARNING", "CRITICAL"}
    assert cpc["status"] == "WARNING"  # 4.19 a click over the last week: above acme's 4.00 warning line
    assert metrics["search_impression_share_google_ads"]["status"] == "CRITICAL"

    assert (await demo.api.execute(token, query, id="no_such_board"))["thoughtlet"] is None


async def test_history_days_are_checked(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    answer = await demo.api.graphql('{ metric(id: "roas") { history(days: 0) { date } } }', token)
    assert error_codes(answer) == ["INVALID_INPUT"]
    assert answer["errors"][0]["message"] == "days: between 1 and 365"


async def test_thought_definitions_carry_triggers_and_actions(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = """{ thoughtDefinitions { id priority isActive trigger
        componentMetrics { id } recommendedActions { id impactLevel integrationType } } }"""
    definitions = by_id((await demo.api.execute(token, query))["thoughtDefinitions"])
    assert len(definitions) == 15
    spike = definitions["google_cpc_spike"]
    assert spike["isActive"] and spike["priority"] == "HIGH"
    assert "cpc_google_ads" in {m["id"] for m in spike["componentMetrics"]}
    assert {c.get("metric") for c in spike["trigger"]["conditions"]} >= {"cpc_google_ads"}
    # The definition offers four actions; the incident's analysis picked three of them (see below).
    assert [a["id"] for a in spike["recommendedActions"]] == [
        "review_auction_insights",
        "reduce_bids_high_cpc_keywords",
        "add_negative_keywords",
        "improve_landing_page_relevance",
    ]
    assert {a["integrationType"] for a in spike["recommendedActions"]} == {"manual", "api"}


async def test_thoughts_are_the_stores_incidents_most_urgent_first(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = (
        "query($s: ThoughtStatus) { thoughts(status: $s) { id status priority severity definition { id } } }"
    )
    active = (
        await demo.api.execute(token, "{ thoughts { id status priority severity definition { id } } }")
    )["thoughts"]
    assert {t["definition"]["id"] for t in active} == set(demo.a.thoughts)
    assert {t["definition"]["id"] for t in active} >= {"google_cpc_spike", "creative_fatigue"}
    assert {t["status"] for t in active} == {"ACTIVE"}
    order = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
    assert [order[t["priority"]] for t in active] == sorted(order[t["priority"]] for t in active)
    assert (await demo.api.execute(token, query, s="ACTIVE"))["thoughts"] == active
    assert (await demo.api.execute(token, query, s="DISMISSED"))["thoughts"] == []
    assert (await demo.api.execute(token, query, s="RESOLVED"))["thoughts"] == []
    every = (await demo.api.execute(token, query, s=None))["thoughts"]
    assert {t["id"] for t in every} == {t["id"] for t in active}


async def test_a_thought_explains_itself(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = """
    query($id: ID!) {
      thought(id: $id) {
        id status severity summary rootCause confidence dataAsOf
        definition { id name }
        evidence { metricId changePct windowStart windowEnd holds }
        blastRadius { changePct maxDepth trigger { id } affected { impactPct depth path metric { id name } } }
        topCampaigns { metricId campaign before after }
        recommendedActions { id status approval thoughtId action { id name } }
      }
    }
    """
    spike_id = demo.a.thoughts["google_cpc_spike"]
    spike = (await demo.api.execute(token, query, id=spike_id))["thought"]
    assert spike["id"] == spike_id and spike["definition"]["id"] == "google_cpc_spike"
    assert spike["status"] == "ACTIVE" and spike["severity"] == "CRITICAL"
    assert spike["rootCause"] == "increased_competition"
    assert spike["dataAsOf"] == ACME_LAST_DAY.isoformat()
    assert "Cost Per Click rose" in spike["summary"]

    evidence = {e["metricId"]: e for e in spike["evidence"] if e["holds"]}
    assert evidence["cpc_google_ads"]["changePct"] >= 20
    assert evidence["cpc_google_ads"]["windowEnd"] == ACME_LAST_DAY.isoformat()

    radius = spike["blastRadius"]
    assert radius["trigger"]["id"] == "cpc_google_ads" and radius["maxDepth"] == 3
    impacts = {i["metric"]["id"]: i for i in radius["affected"]}
    assert impacts["roas"]["impactPct"] < 0 and impacts["cpa"]["impactPct"] > 0
    assert impacts["cac"]["impactPct"] > 0 and impacts["profit_margin"]["impactPct"] < 0
    assert all(
        i["path"][0] == "cpc_google_ads" and len(i["path"]) == i["depth"] + 1 for i in impacts.values()
    )

    actions = {r["action"]["id"]: r for r in spike["recommendedActions"]}
    assert set(actions) == {
        "review_auction_insights",
        "reduce_bids_high_cpc_keywords",
        "add_negative_keywords",
    }
    assert {r["status"] for r in actions.values()} == {"RECOMMENDED"}
    assert {r["thoughtId"] for r in actions.values()} == {spike_id}
    assert actions["review_auction_insights"]["approval"] == "none"

    assert (await demo.api.execute(token, query, id="ti_000000000000000000000"))["thought"] is None


async def test_action_requests_are_the_thoughts_recommendations(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = """query($s: ActionStatus) {
      actionRequests(status: $s) { id thoughtId status approval impactLevel action { id } }
    }"""
    every = (await demo.api.execute(token, query))["actionRequests"]
    assert {r["thoughtId"] for r in every} == set(demo.a.thoughts.values())
    assert len(every) == 11  # 3 + 2 + 3 + 3 recommendations of acme's four thoughts
    critical = [r for r in every if r["impactLevel"] == "CRITICAL"]
    assert [(r["action"]["id"], r["approval"]) for r in critical] == [
        ("adjust_monthly_marketing_budget", "admin_approval")
    ]
    assert (await demo.api.execute(token, query, s="RECOMMENDED"))["actionRequests"] == every
    assert (await demo.api.execute(token, query, s="EXECUTED"))["actionRequests"] == []


async def test_blast_radius_follows_marketing_logic(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = """query($m: ID!, $c: Float!, $d: Int! = 3) {
      blastRadius(metricId: $m, changePct: $c, maxDepth: $d) {
        changePct maxDepth trigger { id }
        affected { impactPct depth path pathCount crossDomain metric { id } }
      }
    }"""
    radius = (await demo.api.execute(token, query, m="cpc_google_ads", c=25.0))["blastRadius"]
    assert radius["changePct"] == 25 and radius["maxDepth"] == 3
    assert radius["trigger"]["id"] == "cpc_google_ads"
    impacts = {i["metric"]["id"]: i for i in radius["affected"]}
    # cpc → cpa is direct with weight 0.9, cpc → roas inverse with 0.8: one hop each
    assert impacts["cpa"]["impactPct"] == pytest.approx(22.5) and impacts["cpa"]["depth"] == 1
    assert impacts["roas"]["impactPct"] == pytest.approx(-20.0)
    assert impacts["ltv_to_cac"]["impactPct"] < 0 and impacts["ltv_to_cac"]["depth"] == 3
    assert impacts["budget_utilization"]["crossDomain"] is True
    assert max(i["depth"] for i in impacts.values()) == 3

    shallow = (await demo.api.execute(token, query, m="cpc_google_ads", c=25.0, d=1))["blastRadius"]
    assert {i["metric"]["id"] for i in shallow["affected"]} == {
        k for k, v in impacts.items() if v["depth"] == 1
    }
    falling = (await demo.api.execute(token, query, m="cpc_google_ads", c=-25.0))["blastRadius"]
    assert {i["metric"]["id"]: i["impactPct"] for i in falling["affected"]}["roas"] > 0

    for variables, code in (
        ({"m": "no_such_metric", "c": 25.0}, "NOT_FOUND"),
        ({"m": "cpc_google_ads", "c": 25.0, "d": 9}, "INVALID_INPUT"),
        ({"m": "cpc_google_ads", "c": 1e6}, "INVALID_INPUT"),
    ):
        answer = await demo.api.graphql(query, token, **variables)
        assert error_codes(answer) == [code], variables


async def test_search_ranks_metrics_thoughts_and_actions(demo: Demo) -> None:
    token = demo.api.token(demo.a, Role.VIEWER)
    query = "query($t: String!, $n: Int! = 5) { search(text: $t, limit: $n) { kind id name score } }"
    hits = (await demo.api.execute(token, query, t="cost per click google"))["search"]
    assert hits[0] == {
        "kind": "metric",
        "id": "cpc_google_ads",
        "name": "Cost Per Click",
        "score": hits[0]["score"],
    }
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    spike = (await demo.api.execute(token, query, t="Google Ads CPC spike", n=20))["search"]
    assert ("thought", "google_cpc_spike") in {(h["kind"], h["id"]) for h in spike}
    bids = (await demo.api.execute(token, query, t="reduce bids", n=3))["search"]
    assert ("action", "reduce_bids_high_cpc_keywords") in {(h["kind"], h["id"]) for h in bids}
    nonsense = (await demo.api.execute(token, query, t="zzzz qqqq"))["search"]
    assert all(h["score"] < hits[0]["score"] / 2 for h in nonsense), nonsense  # nothing matches well
    for text, limit in (("", 5), ("x" * 201, 5), ("roas", 0), ("roas", 51)):
        answer = await demo.api.graphql(query, token, t=text, n=limit)
        assert error_codes(answer) == ["INVALID_INPUT"], (text[:5], limit)


async def _cold(demo: Demo) -> None:
    """Moves tenant A to a new cache generation, so the next read misses the value cache."""
    redis = Redis.from_url(str(demo.api.settings.redis.url))
    try:
        await redis.incr(f"gen:{demo.a.id}")
    finally:
        await redis.aclose()


async def test_a_dashboard_costs_the_same_few_queries_whatever_its_size(demo: Demo) -> None:
    """All values of a request come from one batched warehouse read (plus the tenant's last-day
    probe, both cached), and the graph reads are a fixed handful: 10 metrics cost what 98 cost.

    Each dashboard is computed twice (a cold value cache, then a warm one) under two operation
    names, so neither is served whole from the answer cache; asked a third time, it is."""
    api = demo.api
    token = api.token(demo.a, Role.VIEWER)
    board = f'query %s {{ thoughtlet(id: "budget_control") {{ metrics {{ {DASHBOARD_FIELDS} }} }} }}'
    listed = f'query %s {{ metrics(thoughtletId: "budget_control") {{ {DASHBOARD_FIELDS} }} }}'
    everything = f"query %s {{ metrics {{ {DASHBOARD_FIELDS} }} }}"

    costs = {}
    for name, query in (("board", board), ("listed", listed), ("everything", everything)):
        await _cold(demo)
        data, costs[name] = await api.measure(lambda q=query % "Cold": api.execute(token, q))
        metrics = data["thoughtlet"]["metrics"] if name == "board" else data["metrics"]
        assert len(metrics) == (98 if name == "everything" else 10)
        assert all(m["latest"] is not None and len(m["history"]) == 30 for m in metrics)
        warm, costs[f"{name} cached"] = await api.measure(lambda q=query % "Warm": api.execute(token, q))
        again, costs[f"{name} answered"] = await api.measure(lambda q=query % "Warm": api.execute(token, q))
        assert warm == data and again == data

    # Computed, not served from the answer cache, until the same operation came again.
    assert {costs[n].cached_answers for n in ("board", "board cached", "everything cached")} == {0}
    assert {costs[f"{n} answered"].cached_answers for n in ("board", "listed", "everything")} == {1}
    assert {costs[f"{n} answered"].warehouse for n in ("board", "listed", "everything")} == {0}

    # Cold: the last-day probe and ONE series read for every metric and component asked for.
    assert costs["board"].warehouse == costs["listed"].warehouse == costs["everything"].warehouse == 2
    # Warm: the series and the last day come from Redis; nothing reaches DuckDB.
    assert {costs[f"{n} cached"].warehouse for n in ("board", "listed", "everything")} == {0}
    # Graph: the definitions (metrics, edges, thresholds, boards) are read at most once per process
    # memo period, never per metric; the first request reads them, the rest reuse them.
    assert costs["board"].graph <= 4
    assert all(costs[n].graph == 0 for n in costs if n != "board")


async def test_a_failing_field_leaves_its_siblings_answering(demo: Demo) -> None:
    """One metric's bad argument nulls its parent; GraphQL then cancels the sibling resolvers that
    wait on the request's shared value batch, and the batch itself must survive that (it once failed
    the whole request with a 500)."""
    token = demo.api.token(demo.a, Role.VIEWER)
    query = """{ thoughtlets { id metrics { id status drivers(days: 0) { metricId } } }
                 metrics(thoughtletId: "google_ads") { id status changePct } }"""
    for _ in range(3):
        answer = await demo.api.graphql(query, token)
        assert set(error_codes(answer)) == {"INVALID_INPUT"}
        assert answer["data"] is None or all(m["status"] for m in answer["data"]["metrics"])
