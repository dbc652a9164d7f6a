"""Compound triggers: each kind of condition, nesting, three-valued logic and missing data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import numpy as np
import pytest

from kg_service.engine.series import DailySeries
from kg_service.engine.triggers import combine, evaluate_trigger
from kg_service.errors import InvalidInput
from kg_service.graph.definitions import (
    Aggregation,
    Baseline,
    Comparison,
    Component,
    ComponentRole,
    Compound,
    Condition,
    Direction,
    Metric,
    Source,
    TrendDirection,
    Unit,
)

START = date(2024, 1, 1)
DAYS = 35
LAST = START + timedelta(days=DAYS - 1)


def _metric(metric_id: str, aggregation: Aggregation = Aggregation.SUM, *components: Component) -> Metric:
    return Metric(
        id=metric_id,
        name=metric_id,
        description="test metric",
        domain="paid",
        source=Source.GOOGLE_ADS,
        formula="test",
        components=components,
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER_IS_BETTER,
        aggregation=aggregation,
        view=f"v_metric_{metric_id}",
    )


METRICS = {
    "spend": _metric("spend"),
    "clicks": _metric("clicks"),
    "revenue": _metric("revenue"),
    "cpc": _metric(
        "cpc",
        Aggregation.RATIO,
        Component(metric="spend", role=ComponentRole.NUMERATOR),
        Component(metric="clicks", role=ComponentRole.DENOMINATOR),
    ),
    "roas": _metric(
        "roas",
        Aggregation.RATIO,
        Component(metric="revenue", role=ComponentRole.NUMERATOR),
        Component(metric="spend", role=ComponentRole.DENOMINATOR),
    ),
}


def _series(metric_id: str, values: list[float] | np.ndarray, start: date = START) -> DailySeries:
    first = np.datetime64(start, "D")
    return DailySeries(metric_id, np.arange(first, first + len(values)), np.asarray(values, dtype=float))


def _store(spend: float = 100.0, clicks: float = 50.0, revenue: float = 300.0) -> dict[str, DailySeries]:
    """Five weeks of flat daily totals; the derived ratios are consistent with them."""
    data = {
        "spend": _series("spend", [spend] * DAYS),
        "clicks": _series("clicks", [clicks] * DAYS),
        "revenue": _series("revenue", [revenue] * DAYS),
    }
    return _with_ratios(data)


def _with_ratios(data: dict[str, DailySeries]) -> dict[str, DailySeries]:
    spend, clicks, revenue = data["spend"].values, data["clicks"].values, data["revenue"].values
    with np.errstate(divide="ignore", invalid="ignore"):
        data["cpc"] = _series("cpc", spend / clicks)
        data["roas"] = _series("roas", revenue / spend)
    return data


def _last_week(data: dict[str, DailySeries], metric_id: str, daily: float) -> dict[str, DailySeries]:
    values = data[metric_id].values.copy()
    values[-7:] = daily
    data[metric_id] = _series(metric_id, values)
    return _with_ratios(data)


def _when(*conditions: Condition | Compound, operator: Literal["AND", "OR"] = "AND") -> Compound:
    return Compound(operator=operator, conditions=conditions)


def test_a_value_condition_tests_the_window_aggregate() -> None:
    data = _store()
    result = evaluate_trigger(
        _when(Condition(metric="spend", operator=Comparison.GTE, value=700)), data, METRICS
    )
    assert result.matched and not result.insufficient_data
    (evidence,) = result.evidence
    assert evidence.observed == 700.0 and evidence.holds and evidence.window_end == LAST
    assert evidence.window_start == LAST - timedelta(days=6)
    assert evidence.test == "spend: sum over the last 7 days >= 700"
    assert not evaluate_trigger(
        _when(Condition(metric="spend", operator=Comparison.GT, value=700)), data, METRICS
    ).matched


def test_a_ratio_condition_divides_the_summed_components() -> None:
    data = _store()
    clicks = data["clicks"].values.copy()
    clicks[-1] = 1.0  # one day's CPC of 100 must not dominate the week
    data["clicks"] = _series("clicks", clicks)
    data = _with_ratios(data)
    condition = Condition(metric="cpc", operator=Comparison.GT, value=2.5, lookback_days=7)
    result = evaluate_trigger(_when(condition), data, METRICS)
    assert result.evidence[0].observed == pytest.approx(700 / 301)
    assert not result.matched


def test_a_percentage_ratio_condition_is_on_the_percentage_scale() -> None:
    utilization = _metric(
        "budget_utilization",
        Aggregation.RATIO,
        Component(metric="spend", role=ComponentRole.NUMERATOR),
        Component(metric="marketing_budget", role=ComponentRole.DENOMINATOR),
    ).model_copy(update={"scale": 100.0})
    data = _last_week(_store(), "spend", 110.0)
    data["marketing_budget"] = _series("marketing_budget", [100.0] * DAYS)
    data["budget_utilization"] = _series("budget_utilization", data["spend"].values)
    definitions = {
        **METRICS,
        "budget_utilization": utilization,
        "marketing_budget": _metric("marketing_budget"),
    }
    over = Condition(metric="budget_utilization", operator=Comparison.GT, value=105)
    result = evaluate_trigger(_when(over), data, definitions)
    assert result.matched and result.evidence[0].observed == pytest.approx(110.0)


def test_change_pct_sign_gives_the_direction() -> None:
    rising = _last_week(_store(), "spend", 125.0)
    up = Condition(metric="spend", change_pct=20)
    down = Condition(metric="spend", change_pct=-15)
    assert evaluate_trigger(_when(up), rising, METRICS).matched
    assert not evaluate_trigger(_when(down), rising, METRICS).matched
    falling = _last_week(_store(), "spend", 80.0)
    result = evaluate_trigger(_when(down), falling, METRICS)
    assert result.matched
    evidence = result.evidence[0]
    assert evidence.observed == 560.0 and evidence.baseline == 700.0 and evidence.change_pct == -20.0
    assert not evaluate_trigger(_when(Condition(metric="spend", change_pct=-25)), falling, METRICS).matched


def test_same_weekday_last_week_and_trailing_mean_baselines() -> None:
    data = _store()
    spend = data["spend"].values.copy()
    spend[-8] = 200.0  # the latest day's weekday, one week earlier
    spend[-1] = 150.0
    data["spend"] = _series("spend", spend)
    same_day = Condition(
        metric="spend", lookback_days=1, change_pct=40, baseline=Baseline.SAME_WEEKDAY_LAST_WEEK
    )
    assert evaluate_trigger(_when(same_day), data, METRICS).evidence[0].baseline == 200.0
    assert not evaluate_trigger(_when(same_day), data, METRICS).matched
    trailing = Condition(metric="spend", lookback_days=7, change_pct=3, baseline=Baseline.TRAILING_MEAN)
    evidence = evaluate_trigger(_when(trailing), data, METRICS).evidence[0]
    assert evidence.observed == 750.0
    assert evidence.baseline == pytest.approx(700.0 + 100.0 / 4)
    assert evidence.holds


def test_a_trend_condition_counts_consecutive_moves() -> None:
    data = _store()
    spend = data["spend"].values.copy()
    spend[-4:] = [100.0, 110.0, 120.0, 130.0]
    data["spend"] = _series("spend", spend)
    three = Condition(metric="spend", trend=TrendDirection.INCREASING, periods=3)
    four = Condition(metric="spend", trend=TrendDirection.INCREASING, periods=4)
    result = evaluate_trigger(_when(three), data, METRICS)
    assert result.matched and result.evidence[0].baseline == 100.0 and result.evidence[0].observed == 130.0
    assert result.evidence[0].window_start == LAST - timedelta(days=3)
    assert not evaluate_trigger(_when(four), data, METRICS).matched


def test_every_part_of_a_condition_must_hold() -> None:
    rising = _last_week(_store(), "spend", 125.0)
    both = Condition(metric="spend", operator=Comparison.GT, value=800, change_pct=20)
    assert evaluate_trigger(_when(both), rising, METRICS).matched
    too_high = Condition(metric="spend", operator=Comparison.GT, value=900, change_pct=20)
    assert not evaluate_trigger(_when(too_high), rising, METRICS).matched


def test_nested_and_or() -> None:
    data = _last_week(_store(), "spend", 150.0)  # CPC 3, ROAS 2 over the last week
    expensive = Condition(metric="cpc", operator=Comparison.GT, value=2.5)
    unprofitable = Condition(metric="roas", operator=Comparison.LT, value=2.5)
    cheap = Condition(metric="cpc", operator=Comparison.LT, value=1)
    spend_up = Condition(metric="spend", change_pct=40)
    trigger = _when(_when(expensive, unprofitable), _when(cheap, spend_up, operator="OR"))
    result = evaluate_trigger(trigger, data, METRICS)
    assert result.matched and [e.holds for e in result.evidence] == [True, True, False, True]
    flipped = _when(_when(expensive, cheap), _when(unprofitable, spend_up, operator="OR"), operator="OR")
    assert evaluate_trigger(flipped, data, METRICS).matched
    assert not evaluate_trigger(_when(expensive, cheap), data, METRICS).matched


def test_a_missing_metric_makes_the_trigger_undecidable() -> None:
    data = _store()
    del data["revenue"], data["roas"]
    result = evaluate_trigger(
        _when(Condition(metric="revenue", operator=Comparison.GT, value=0)), data, METRICS
    )
    assert not result.matched and result.insufficient_data
    assert result.evidence[0].insufficient_data and result.evidence[0].reason == "no data for revenue"


def test_too_little_history_is_undecidable() -> None:
    short = {"spend": _series("spend", [100.0] * 10)}
    week_change = Condition(metric="spend", change_pct=10, lookback_days=7)
    result = evaluate_trigger(_when(week_change), short, METRICS)
    assert result.insufficient_data and not result.matched
    assert result.evidence[0].reason == "needs 14 days of history, has 10"
    month = Condition(metric="spend", operator=Comparison.GT, value=0, lookback_days=30)
    assert evaluate_trigger(_when(month), short, METRICS).insufficient_data
    trend = Condition(metric="spend", trend=TrendDirection.INCREASING, periods=10)
    assert evaluate_trigger(_when(trend), short, METRICS).insufficient_data


def test_a_ratio_without_its_components_is_undecidable() -> None:
    data = {"cpc": _store()["cpc"]}
    result = evaluate_trigger(_when(Condition(metric="cpc", operator=Comparison.GT, value=1)), data, METRICS)
    assert result.insufficient_data
    assert "spend, clicks" in (result.evidence[0].reason or "")


def test_a_zero_baseline_is_undecidable() -> None:
    data = {"spend": _series("spend", [0.0] * 7 + [50.0] * 7)}
    result = evaluate_trigger(_when(Condition(metric="spend", change_pct=10)), data, METRICS)
    assert result.insufficient_data and result.evidence[0].change_pct is None
    assert "is 0" in (result.evidence[0].reason or "")


def test_kleene_logic_decides_what_it_can() -> None:
    data = _store()
    del data["revenue"], data["roas"]
    true = Condition(metric="spend", operator=Comparison.GT, value=0)
    false = Condition(metric="spend", operator=Comparison.LT, value=0)
    unknown = Condition(metric="revenue", operator=Comparison.GT, value=0)
    assert evaluate_trigger(_when(true, unknown, operator="OR"), data, METRICS).matched
    decided_false = evaluate_trigger(_when(false, unknown), data, METRICS)
    assert not decided_false.matched and not decided_false.insufficient_data
    assert evaluate_trigger(_when(true, unknown), data, METRICS).insufficient_data
    assert evaluate_trigger(_when(false, unknown, operator="OR"), data, METRICS).insufficient_data
    assert len(decided_false.evidence) == 2


@pytest.mark.parametrize(
    ("operator", "verdicts", "expected"),
    [
        ("AND", [True, True], True),
        ("AND", [True, None], None),
        ("AND", [False, None], False),
        ("OR", [False, False], False),
        ("OR", [False, None], None),
        ("OR", [True, None], True),
    ],
)
def test_combine_truth_table(
    operator: Literal["AND", "OR"], verdicts: list[bool | None], expected: bool | None
) -> None:
    assert combine(operator, verdicts) is expected


def test_as_of_evaluates_an_earlier_window() -> None:
    data = _last_week(_store(), "spend", 200.0)
    condition = Condition(metric="spend", operator=Comparison.LTE, value=700)
    assert not evaluate_trigger(_when(condition), data, METRICS).matched
    earlier = evaluate_trigger(_when(condition), data, METRICS, as_of=LAST - timedelta(days=7))
    assert earlier.matched and earlier.evidence[0].window_end == LAST - timedelta(days=7)


def test_an_unknown_metric_definition_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="no metric definition"):
        evaluate_trigger(
            _when(Condition(metric="mystery", operator=Comparison.GT, value=0)), _store(), METRICS
        )
