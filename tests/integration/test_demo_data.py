"""The demo warehouses: complete, exact ratios, visible incidents, deterministic, atomic."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from kg_service.config import ROOT
from kg_service.errors import SeedError
from kg_service.graph.definitions import Aggregation, ComponentRole, KnowledgeSet, Metric
from kg_service.graph.seed_files import knowledge_for
from kg_service.warehouse.demo import DEMO_TABLES, DemoSummary, generate_demo
from kg_service.warehouse.demo_calendar import black_friday
from kg_service.warehouse.demo_profile import SIGNALS, IncidentKind, load_profile, profile_path
from kg_service.warehouse.duckdb_source import DuckDBSource
from kg_service.warehouse.source import MetricPoint

# Each store ends on a flat stretch of its season (seeds: the late-summer trough; outdoor gear:
# the early-summer peak), so a 'flat' control is not confused with seasonal drift.
ENDS = {"rare_seeds": date(2026, 9, 30), "acme": date(2026, 7, 15)}
TENANTS = tuple(ENDS)
SCALES = {1.0, 100.0, 1000.0}


@dataclass
class Demo:
    source: DuckDBSource
    summaries: dict[str, DemoSummary]
    knowledge: dict[str, KnowledgeSet]

    def sql(self, tenant: str, query: str) -> list[tuple[Any, ...]]:
        cursor = self.source.files.reader(tenant)
        assert cursor is not None
        try:
            return cursor.execute(query).fetchall()
        finally:
            cursor.close()

    async def points(
        self, tenant: str, metric_ids: list[str], days: int = 90
    ) -> dict[str, list[MetricPoint]]:
        end = ENDS[tenant]
        return await self.source.series(tenant, metric_ids, end - timedelta(days=days - 1), end)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    source = DuckDBSource(tmp_path_factory.mktemp("demo") / "warehouse")
    summaries = {tenant: generate_demo(source.files, tenant, end=ENDS[tenant]) for tenant in TENANTS}
    knowledge = {tenant: knowledge_for(ROOT / "seeds", tenant) for tenant in TENANTS}
    yield Demo(source, summaries, knowledge)
    source.close()


def by_day(points: list[MetricPoint]) -> dict[date, float]:
    return {point.date: point.value for point in points}


def mean(points: list[MetricPoint], first: date, last: date) -> float:
    values = [p.value for p in points if first <= p.date <= last]
    assert values, f"no values between {first} and {last}"
    return sum(values) / len(values)


@pytest.mark.parametrize("tenant", TENANTS)
async def test_every_metric_has_sane_values_on_the_last_90_days(demo: Demo, tenant: str) -> None:
    metrics = demo.knowledge[tenant].metrics
    series = await demo.points(tenant, [m.id for m in metrics])
    for metric in metrics:
        points = series.get(metric.id, [])
        assert len(points) >= 88, f"{metric.id}: values on {len(points)} of the last 90 days"
        assert all(math.isfinite(p.value) for p in points), metric.id
        if not metric.unit.allows_negative:
            assert min(p.value for p in points) >= 0, metric.id


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_stores_sit_at_their_documented_scale(demo: Demo, tenant: str) -> None:
    """seeds/README.md: rare_seeds ~$1.5-3k spend and ~$8-15k revenue a day, acme ~$6-12k and $35-70k."""
    spend, revenue = demo.sql(
        tenant,
        """SELECT (SELECT SUM(cost) FROM google_ads_fivetran.campaign_stats)
                + (SELECT SUM(spend) FROM meta_ads_fivetran.basic_campaign),
                  (SELECT SUM(grand_total) FROM magento_fivetran.sales_order)""",
    )[0]
    days = demo.summaries[tenant].days
    spend_range, revenue_range = {
        "rare_seeds": ((1500, 3000), (8000, 15000)),
        "acme": ((6000, 12000), (35000, 70000)),
    }[tenant]
    assert spend_range[0] <= spend / days <= spend_range[1]
    assert revenue_range[0] <= revenue / days <= revenue_range[1]


async def test_cpc_is_the_sum_of_cost_over_the_sum_of_clicks_not_a_mean_of_ratios(demo: Demo) -> None:
    tenant = "acme"
    rows = demo.sql(
        tenant,
        """SELECT date, SUM(cost) / SUM(clicks), AVG(cost / clicks)
           FROM google_ads_fivetran.campaign_stats GROUP BY date""",
    )
    landing = {day: (exact, mean_of_ratios) for day, exact, mean_of_ratios in rows}
    points = (await demo.points(tenant, ["cpc_google_ads"]))["cpc_google_ads"]
    for point in points:
        exact, mean_of_ratios = landing[point.date]
        assert point.value == pytest.approx(exact, rel=1e-12)
        assert abs(point.value - mean_of_ratios) > 1e-6 * point.value


async def test_blended_roas_recombines_both_platforms(demo: Demo) -> None:
    tenant = "rare_seeds"
    rows = demo.sql(
        tenant,
        """WITH rows AS (
               SELECT date, conversions_value AS value, cost FROM google_ads_fivetran.campaign_stats
               UNION ALL
               SELECT date, purchase_value, spend FROM meta_ads_fivetran.basic_campaign)
           SELECT date, SUM(value) / SUM(cost), AVG(value / cost) FROM rows GROUP BY date""",
    )
    landing = {day: (exact, mean_of_ratios) for day, exact, mean_of_ratios in rows}
    points = (await demo.points(tenant, ["roas"]))["roas"]
    differs = 0
    for point in points:
        exact, mean_of_ratios = landing[point.date]
        assert point.value == pytest.approx(exact, rel=1e-12)
        differs += abs(point.value - mean_of_ratios) > 0.01 * point.value
    assert differs > 0.9 * len(points)


def _expected(metric: Metric, values: dict[str, dict[date, float]], day: date) -> float | None:
    """The value the metric's components give on `day` (before any percentage scale)."""
    parts = {
        role: [values[c.metric].get(day) for c in metric.components if c.role is role]
        for role in ComponentRole
    }
    if any(v is None for group in parts.values() for v in group):
        return None
    if parts[ComponentRole.ADDEND]:
        return sum(v for v in parts[ComponentRole.ADDEND] if v is not None)
    result = math.prod(
        v for v in parts[ComponentRole.FACTOR] + parts[ComponentRole.NUMERATOR] if v is not None
    )
    denominator = math.prod(v for v in parts[ComponentRole.DENOMINATOR] if v is not None)
    return result / denominator if denominator else None


@pytest.mark.parametrize("tenant", TENANTS)
async def test_each_derived_metric_equals_its_components_every_day(demo: Demo, tenant: str) -> None:
    """A sum equals its addends; a ratio its numerators × factors over its denominators (× 1, 100 or 1000)."""
    metrics = [m for m in demo.knowledge[tenant].metrics if m.components]
    ids = sorted({m.id for m in metrics} | {c.metric for m in metrics for c in m.components})
    series = await demo.points(tenant, ids)
    values = {metric_id: by_day(series.get(metric_id, [])) for metric_id in ids}
    for metric in metrics:
        checked, scales = 0, set()
        for day, value in values[metric.id].items():
            expected = _expected(metric, values, day)
            if expected is None:
                continue
            if metric.aggregation is Aggregation.RATIO and expected != 0:
                scale = min(SCALES, key=lambda s: abs(s * expected - value))
                assert value == pytest.approx(scale * expected, rel=1e-9), (metric.id, day)
                scales.add(scale)
            else:
                assert value == pytest.approx(expected, rel=1e-9), (metric.id, day)
            checked += 1
        assert checked >= 85, f"{metric.id}: only {checked} days comparable with its components"
        assert len(scales) <= 1, f"{metric.id}: the scale changes from day to day"


@pytest.mark.parametrize("tenant", TENANTS)
async def test_every_planted_incident_shows_in_the_series(demo: Demo, tenant: str) -> None:
    summary = demo.summaries[tenant]
    assert len(summary.incidents) >= 2
    for incident in summary.incidents:
        signals = SIGNALS[incident.kind]
        series = await demo.points(tenant, [s.metric_id for s in signals])
        length = (incident.last_date - incident.first_date).days + 1
        window_start = incident.last_date - timedelta(days=min(length, 7) - 1)
        baseline_end = incident.first_date - timedelta(days=1)
        baseline_start = baseline_end - timedelta(days=27)
        for signal in signals:
            points = series[signal.metric_id]
            before = mean(points, baseline_start, baseline_end)
            change = mean(points, window_start, incident.last_date) / before - 1
            where = f"{tenant} {incident.id}: {signal.metric_id} moved {change:+.0%}"
            if signal.change == "up":
                assert change > 0.15, where
            elif signal.change == "down":
                assert change < -0.15, where
            else:
                assert abs(change) < 0.1, where


def test_the_incidents_cover_all_four_kinds(demo: Demo) -> None:
    kinds = {i.kind for summary in demo.summaries.values() for i in summary.incidents}
    assert kinds == set(IncidentKind)


async def test_fatigue_hits_the_prospecting_campaign_and_spares_the_others(demo: Demo) -> None:
    incident = next(i for i in demo.summaries["acme"].incidents if i.kind is IncidentKind.CREATIVE_FATIGUE)
    end = ENDS["acme"]

    async def per_campaign(first: date, last: date) -> dict[str, float]:
        detail = await demo.source.series("acme", ["ctr_meta_ads"], first, last, breakdown="campaign")
        return {name: mean(points, first, last) for name, points in detail["ctr_meta_ads"].items()}

    before = await per_campaign(
        incident.first_date - timedelta(days=28), incident.first_date - timedelta(days=1)
    )
    after = await per_campaign(end - timedelta(days=6), end)
    assert set(before) == set(after) and len(before) == 3
    for campaign, baseline in before.items():
        change = after[campaign] / baseline - 1
        if campaign in incident.campaigns:
            assert change < -0.3, campaign
        else:
            assert abs(change) < 0.12, campaign


async def test_black_friday_and_cyber_monday_are_peaks(demo: Demo) -> None:
    tenant = "acme"
    peak = black_friday(2025)
    assert peak == date(2025, 11, 28)
    series = (await demo.source.series(tenant, ["revenue"], date(2025, 10, 1), date(2025, 12, 31)))["revenue"]
    values = by_day(series)
    october = mean(series, date(2025, 10, 1), date(2025, 10, 28))
    assert values[peak] > 2 * october
    assert values[peak + timedelta(days=3)] > 1.7 * october
    assert max(values, key=lambda day: values[day]) in {peak, peak + timedelta(days=3)}


@pytest.mark.parametrize(
    ("tenant", "metric_id"),
    [
        ("acme", "spend_google_ads"),
        ("acme", "spend"),
        ("rare_seeds", "orders_magento"),
        ("rare_seeds", "sessions_ga4"),
        ("rare_seeds", "delivered_klaviyo"),
    ],
)
async def test_a_breakdown_adds_up_to_the_total(demo: Demo, tenant: str, metric_id: str) -> None:
    end = ENDS[tenant]
    start = end - timedelta(days=29)
    detail = (await demo.source.series(tenant, [metric_id], start, end, breakdown="campaign"))[metric_id]
    total = (await demo.source.series(tenant, [metric_id], start, end))[metric_id]
    assert len(detail) >= 3
    for point in total:
        summed = sum(values.get(point.date, 0.0) for values in map(by_day, detail.values()))
        assert summed == pytest.approx(point.value, rel=1e-9)


def _landing_fingerprint(path: Path) -> dict[str, tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            table: connection.execute(
                f"SELECT COUNT(*), md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM {table} AS t"  # noqa: S608
            ).fetchall()[0]
            for table in (*DEMO_TABLES, "analytics.metric_values")
        }


def test_same_seed_and_end_give_identical_data(tmp_path: Path) -> None:
    first, second = DuckDBSource(tmp_path / "a"), DuckDBSource(tmp_path / "b")
    end = date(2026, 3, 31)
    generate_demo(first.files, "rare_seeds", days=120, seed=7, end=end)
    generate_demo(second.files, "rare_seeds", days=120, seed=7, end=end)
    assert _landing_fingerprint(first.files.path("rare_seeds")) == _landing_fingerprint(
        second.files.path("rare_seeds")
    )
    generate_demo(second.files, "rare_seeds", days=120, seed=8, end=end)
    assert _landing_fingerprint(first.files.path("rare_seeds")) != _landing_fingerprint(
        second.files.path("rare_seeds")
    )


def test_the_two_demo_stores_differ(demo: Demo) -> None:
    revenue = {
        tenant: demo.sql(tenant, "SELECT AVG(value) FROM analytics.metric_values WHERE metric_id = 'aov'")[0][
            0
        ]
        for tenant in TENANTS
    }
    assert revenue["acme"] > 1.8 * revenue["rare_seeds"]
    acme, seeds = (set(demo.sql(t, "SELECT DISTINCT flow_name FROM klaviyo_fivetran.flow")) for t in TENANTS)
    assert acme != seeds


def _snapshot(source: DuckDBSource, tenant: str) -> tuple[object, ...]:
    cursor = source.files.reader(tenant)
    assert cursor is not None
    try:
        return cursor.execute(
            """SELECT COUNT(*), SUM(grand_total), (SELECT COUNT(*) FROM analytics.metric_values)
               FROM magento_fivetran.sales_order"""
        ).fetchall()[0]
    finally:
        cursor.close()


def test_a_failure_mid_generation_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    source = DuckDBSource(tmp_path / "warehouse")
    tenant, end = "rare_seeds", date(2026, 5, 31)
    generate_demo(source.files, tenant, days=90, end=end)
    before = _snapshot(source, tenant)
    profile = load_profile(profile_path(tenant))
    # model_copy skips validation: the NaN is only caught when the orders are about to land
    broken = profile.model_copy(update={"orders": profile.orders.model_copy(update={"cogs_share": math.nan})})
    stages: list[str] = []
    with pytest.raises(ValueError, match=r"sales_order\.cost_of_goods"):
        generate_demo(
            source.files, tenant, days=200, end=end, profile=broken, progress=lambda s, d, t: stages.append(s)
        )
    assert stages == ["google_ads", "meta_ads", "klaviyo", "ga4"]  # it failed half-way, after writing

    def stop_before_transform(stage: str, done: int, total: int) -> None:
        if stage == "finance":
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        generate_demo(source.files, tenant, days=200, end=end, progress=stop_before_transform)
    assert _snapshot(source, tenant) == before
    assert sorted(p.name for p in (tmp_path / "warehouse").iterdir()) == [
        "rare_seeds.duckdb",
        "rare_seeds.lock",
    ]
    source.close()


def test_a_bad_profile_is_refused_with_its_file_and_key(tmp_path: Path) -> None:
    data = yaml.safe_load(profile_path("acme").read_text())
    data["orders"]["aov"] = -5
    data["incidents"][0]["campaigns"] = ["No Such Campaign"]
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SeedError) as refused:
        load_profile(path)
    assert any("acme.yaml: orders.aov:" in problem for problem in refused.value.problems)
    data["orders"]["aov"] = 145
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SeedError, match=r"incidents\[0\]\.campaigns\[0\]: 'No Such Campaign'"):
        load_profile(path)
