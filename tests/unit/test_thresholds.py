"""Threshold evaluation on daily series: each kind, the baselines, direction, gaps and the batch path."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import numpy as np
import pytest

from kg_service.engine.series import DailySeries, RatioParts, window_aggregate
from kg_service.engine.thresholds import (
    ThresholdResult,
    evaluate_matrix,
    evaluate_metric,
    evaluate_threshold,
    metric_status,
)
from kg_service.errors import InvalidInput
from kg_service.graph.definitions import (
    Aggregation,
    Baseline,
    Comparison,
    Component,
    ComponentRole,
    Direction,
    Metric,
    Severity,
    Source,
    Threshold,
    ThresholdKind,
    TrendDirection,
    Unit,
)

MONDAY = date(2024, 1, 1)
NAN = float("nan")


def _metric(
    *thresholds: Threshold,
    metric_id: str = "revenue",
    direction: Direction = Direction.HIGHER_IS_BETTER,
    aggregation: Aggregation = Aggregation.SUM,
) -> Metric:
    components: tuple[Component, ...] = ()
    if aggregation is Aggregation.RATIO:
        components = (
            Component(metric="spend", role=ComponentRole.NUMERATOR),
            Component(metric="clicks", role=ComponentRole.DENOMINATOR),
        )
    return Metric(
        id=metric_id,
        name=metric_id,
        description="test metric",
        domain="paid",
        source=Source.GOOGLE_ADS,
        formula="test",
        components=components,
        unit=Unit.CURRENCY,
        direction=direction,
        aggregation=aggregation,
        view=f"v_metric_{metric_id}",
        thresholds=thresholds,
    )


def _series(values: list[float], metric_id: str = "revenue", start: date = MONDAY) -> DailySeries:
    first = np.datetime64(start, "D")
    return DailySeries(metric_id, np.arange(first, first + len(values)), np.array(values, dtype=float))


def _one(
    threshold: Threshold,
    values: list[float],
    metric_id: str = "revenue",
    direction: Direction = Direction.HIGHER_IS_BETTER,
    aggregation: Aggregation = Aggregation.SUM,
) -> ThresholdResult:
    metric = _metric(threshold, metric_id=metric_id, direction=direction, aggregation=aggregation)
    return evaluate_threshold(metric, 0, _series(values, metric.id))


def _absolute(value: float, operator: Comparison = Comparison.GT, periods: int | None = None) -> Threshold:
    return Threshold(
        severity=Severity.WARNING,
        kind=ThresholdKind.ABSOLUTE,
        operator=operator,
        value=value,
        periods=periods,
    )


def _relative(value: float, baseline: Baseline, periods: int | None = None) -> Threshold:
    return Threshold(
        severity=Severity.CRITICAL,
        kind=ThresholdKind.RELATIVE,
        value=value,
        baseline=baseline,
        periods=periods,
    )


def _trend(periods: int, trend: TrendDirection = TrendDirection.INCREASING) -> Threshold:
    return Threshold(severity=Severity.WARNING, kind=ThresholdKind.TREND, periods=periods, trend=trend)


def _anomaly(value: float = 3.0, min_volume: float | None = None) -> Threshold:
    return Threshold(
        severity=Severity.CRITICAL, kind=ThresholdKind.ANOMALY, value=value, min_volume=min_volume
    )


# --- series -----------------------------------------------------------------------------------------


def test_points_land_on_a_contiguous_index_with_nan_for_missing_days() -> None:
    points = [(MONDAY, 1.0), (MONDAY + timedelta(days=3), 4.0), (MONDAY + timedelta(days=1), None)]
    series = DailySeries.from_points("revenue", points)
    assert len(series) == 4
    assert series.start == MONDAY and series.end == MONDAY + timedelta(days=3)
    assert np.array_equal(series.values, [1.0, NAN, NAN, 4.0], equal_nan=True)


def test_an_explicit_range_pads_and_clips() -> None:
    points = [(MONDAY, 1.0), (MONDAY + timedelta(days=5), 6.0)]
    series = DailySeries.from_points(
        "revenue", points, start=MONDAY + timedelta(days=1), end=MONDAY + timedelta(6)
    )
    assert np.array_equal(series.values, [NAN, NAN, NAN, NAN, 6.0, NAN], equal_nan=True)


def test_two_values_for_one_day_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="two values"):
        DailySeries.from_points("revenue", [(MONDAY, 1.0), (MONDAY, 2.0)])


def test_a_series_needs_contiguous_days_and_is_read_only() -> None:
    dates = np.array(["2024-01-01", "2024-01-03"], dtype="datetime64[D]")
    with pytest.raises(InvalidInput, match="contiguous"):
        DailySeries("revenue", dates, np.array([1.0, 2.0]))
    series = _series([1.0, np.inf])
    assert np.isnan(series.values[1])
    with pytest.raises(ValueError, match="read-only"):
        series.values[0] = 5.0


def test_a_ratio_window_divides_summed_components_not_daily_ratios() -> None:
    spend, clicks = np.array([[10.0, 100.0]]), np.array([[1.0, 50.0]])
    cpc = spend / clicks
    pooled = window_aggregate(cpc, 0, 2, Aggregation.RATIO, RatioParts((spend,), (clicks,)))
    assert pooled.value[0] == pytest.approx(110 / 51)
    assert window_aggregate(cpc, 0, 2, Aggregation.MEAN).value[0] == pytest.approx(6.0)


def test_a_ratio_window_uses_only_days_where_every_component_is_present() -> None:
    spend, clicks = np.array([[10.0, 100.0, 30.0]]), np.array([[1.0, NAN, 3.0]])
    stat = window_aggregate(spend / clicks, 0, 3, Aggregation.RATIO, RatioParts((spend,), (clicks,)))
    assert stat.value[0] == pytest.approx(40 / 4) and stat.points[0] == 2


def test_a_scaled_ratio_stays_on_the_scale_of_its_daily_values() -> None:
    clicks, impressions = np.array([[45.0, 90.0]]), np.array([[1000.0, 3000.0]])
    ctr = clicks / impressions * 100
    parts = RatioParts((clicks,), (impressions,), scale=100.0)
    assert window_aggregate(ctr, 0, 2, Aggregation.RATIO, parts).value[0] == pytest.approx(135 / 4000 * 100)


def test_a_component_that_is_itself_a_rate_enters_with_its_mean() -> None:
    aov = np.array([[60.0, 70.0, 80.0]])
    orders_per_customer = np.array([[1.2, 1.3, 1.5]])
    parts = RatioParts((aov, orders_per_customer), (), aggregations=(Aggregation.MEAN, Aggregation.LAST))
    ltv = aov * orders_per_customer
    assert window_aggregate(ltv, 0, 3, Aggregation.RATIO, parts).value[0] == pytest.approx(70.0 * 1.5)


def test_last_aggregation_takes_the_latest_present_day() -> None:
    stat = window_aggregate(np.array([[1.0, 2.0, NAN]]), 0, 3, Aggregation.LAST)
    assert stat.value[0] == 2.0 and stat.points[0] == 2


# --- absolute ---------------------------------------------------------------------------------------


def test_absolute_compares_the_latest_day() -> None:
    breached = _one(_absolute(5.0), [4.0, 5.5], metric_id="cpc", direction=Direction.LOWER_IS_BETTER)
    assert breached.breached and breached.severity is Severity.WARNING
    assert breached.observed == 5.5 and breached.baseline == 4.0 and breached.favourable is False
    assert breached.window_start == breached.window_end == MONDAY + timedelta(days=1)
    assert "5.50" in breached.explanation and "> 5.00" in breached.explanation
    ok = _one(_absolute(5.0), [4.0, 5.0], metric_id="cpc", direction=Direction.LOWER_IS_BETTER)
    assert not ok.breached and ok.severity is Severity.OK and ok.reason is None


def test_absolute_over_a_window_honours_the_aggregation() -> None:
    values = [100.0, 1.0, 2.0, 3.0]
    summed = _one(_absolute(5.0, Comparison.GTE, periods=3), values)
    assert summed.observed == 6.0 and summed.breached and summed.points == 3
    assert summed.window_start == MONDAY + timedelta(days=1)
    averaged = _one(_absolute(5.0, Comparison.GTE, periods=3), values, aggregation=Aggregation.MEAN)
    assert averaged.observed == 2.0 and not averaged.breached


def test_a_gap_inside_the_window_is_skipped_not_counted() -> None:
    result = _one(_absolute(2.0, Comparison.LT, periods=3), [1.0, NAN, 3.0], aggregation=Aggregation.MEAN)
    assert result.observed == 2.0 and result.points == 2 and not result.breached


@pytest.mark.parametrize("values", [[], [NAN, NAN, NAN], [1.0, 2.0, NAN]])
def test_no_data_in_the_window_is_not_a_breach(values: list[float]) -> None:
    result = _one(_absolute(0.0, Comparison.GTE), values)
    assert not result.breached and result.observed is None and result.reason
    assert "not evaluated" in result.explanation
    assert "NaN" not in result.model_dump_json()


def test_a_window_longer_than_the_history_is_not_evaluated() -> None:
    result = _one(_absolute(1.0, periods=7), [5.0, 5.0, 5.0])
    assert not result.breached and result.reason == "not enough history (3 days)"


def test_ratio_thresholds_use_the_metric_scale_and_component_definitions() -> None:
    ctr = _metric(_absolute(3.0, Comparison.LT, periods=2), metric_id="ctr", aggregation=Aggregation.RATIO)
    ctr = ctr.model_copy(update={"scale": 100.0})
    components = {"spend": _series([45.0, 90.0], "spend"), "clicks": _series([1000.0, 3000.0], "clicks")}
    result = evaluate_threshold(ctr, 0, _series([4.5, 3.0], "ctr"), components)
    assert result.observed == pytest.approx(3.375) and not result.breached
    rates = {"spend": _metric(metric_id="spend", aggregation=Aggregation.MEAN)}
    averaged = evaluate_threshold(ctr, 0, _series([4.5, 3.0], "ctr"), components, rates)
    assert averaged.observed == pytest.approx(67.5 / 4000 * 100)


def test_a_multi_day_ratio_window_needs_components() -> None:
    metric = _metric(_absolute(2.0, periods=2), metric_id="cpc", aggregation=Aggregation.RATIO)
    cpc = _series([10.0, 2.0], "cpc")
    missing = evaluate_threshold(metric, 0, cpc)
    assert not missing.breached and missing.reason is not None and "spend, clicks" in missing.reason
    components = {"spend": _series([10.0, 100.0], "spend"), "clicks": _series([1.0, 50.0], "clicks")}
    pooled = evaluate_threshold(metric, 0, cpc, components)
    assert pooled.observed == pytest.approx(110 / 51) and pooled.breached


# --- relative ---------------------------------------------------------------------------------------


def test_a_drop_of_exactly_the_threshold_breaches() -> None:
    week = _one(_relative(-20.0, Baseline.PREVIOUS_PERIOD, periods=7), [10.0] * 7 + [8.0] * 7)
    assert week.breached and week.change_pct == -20.0
    assert week.observed == 56.0 and week.baseline == 70.0 and week.points == 14
    assert week.favourable is False and "-20.0 %" in week.explanation
    smaller = _one(_relative(-20.0, Baseline.PREVIOUS_PERIOD, periods=7), [10.0] * 7 + [8.1] * 7)
    assert not smaller.breached and smaller.change_pct == pytest.approx(-19.0)


def test_a_positive_value_asks_for_a_rise() -> None:
    assert _one(_relative(25.0, Baseline.PREVIOUS_PERIOD), [100.0, 125.0]).breached
    assert not _one(_relative(25.0, Baseline.PREVIOUS_PERIOD), [100.0, 124.0]).breached
    assert not _one(_relative(25.0, Baseline.PREVIOUS_PERIOD), [100.0, 50.0]).breached


def test_same_weekday_last_week_compares_with_seven_days_earlier() -> None:
    values = [100.0] * 14
    values[6], values[12], values[13] = 100.0, 70.0, 70.0
    same_weekday = _one(_relative(-20.0, Baseline.SAME_WEEKDAY_LAST_WEEK), values)
    assert same_weekday.baseline == 100.0 and same_weekday.change_pct == pytest.approx(-30.0)
    assert same_weekday.breached
    previous_day = _one(_relative(-20.0, Baseline.PREVIOUS_PERIOD), values)
    assert previous_day.change_pct == 0.0 and not previous_day.breached


def test_trailing_mean_compares_the_latest_day_with_the_days_before() -> None:
    result = _one(_relative(50.0, Baseline.TRAILING_MEAN, periods=3), [1000.0, 10.0, NAN, 30.0, 40.0])
    assert result.baseline == 20.0 and result.change_pct == 100.0 and result.breached
    assert result.window_start == result.window_end == MONDAY + timedelta(days=4)


def test_trailing_mean_defaults_to_seven_days() -> None:
    result = _one(_relative(50.0, Baseline.TRAILING_MEAN), [1000.0] + [10.0] * 7 + [16.0])
    assert result.baseline == 10.0 and result.breached


def test_a_zero_baseline_leaves_the_change_undefined() -> None:
    result = _one(_relative(10.0, Baseline.PREVIOUS_PERIOD), [0.0, 50.0])
    assert not result.breached and result.change_pct is None and result.baseline == 0.0
    assert result.reason is not None and "is 0" in result.reason


def test_relative_without_enough_history_or_baseline_values() -> None:
    short = _one(_relative(-10.0, Baseline.SAME_WEEKDAY_LAST_WEEK), [5.0] * 5)
    assert not short.breached and short.reason == "not enough history (5 days)"
    empty_baseline = _one(_relative(-10.0, Baseline.PREVIOUS_PERIOD, periods=2), [NAN, NAN, 5.0, 5.0])
    assert not empty_baseline.breached and empty_baseline.reason == "no value in the previous_period window"


def test_a_cpc_drop_is_favourable_and_a_rise_is_not() -> None:
    lower, mean = Direction.LOWER_IS_BETTER, Aggregation.MEAN
    drop = _one(_relative(-20.0, Baseline.PREVIOUS_PERIOD), [2.0, 1.0], "cpc", lower, mean)
    rise = _one(_relative(20.0, Baseline.PREVIOUS_PERIOD), [1.0, 2.0], "cpc", lower, mean)
    assert drop.favourable is True and "favourable" in drop.explanation
    assert rise.favourable is False and "unfavourable" in rise.explanation


# --- trend ------------------------------------------------------------------------------------------


def test_trend_needs_the_full_run_of_strict_moves() -> None:
    three_rises = _one(_trend(3), [9.0, 1.0, 2.0, 3.0, 4.0])
    assert three_rises.breached and three_rises.baseline == 1.0 and three_rises.observed == 4.0
    assert three_rises.points == 4 and three_rises.window_start == MONDAY + timedelta(days=1)
    assert not _one(_trend(3), [9.0, 1.0, 2.0, 4.0]).breached
    assert not _one(_trend(3), [1.0, 2.0, 2.0, 4.0]).breached
    assert _one(_trend(2, TrendDirection.DECREASING), [1.0, 5.0, 4.0, 3.0]).breached
    assert not _one(_trend(2, TrendDirection.DECREASING), [1.0, 5.0, 4.0, 5.0]).breached


def test_a_gap_or_short_history_stops_a_trend() -> None:
    gap = _one(_trend(3), [1.0, 2.0, NAN, 4.0])
    assert not gap.breached and gap.reason == "a day is missing in the last 4 days"
    short = _one(_trend(3), [1.0, 2.0, 3.0])
    assert not short.breached and short.reason == "not enough history (3 days)"


def test_a_rising_cpc_trend_is_unfavourable() -> None:
    result = _one(_trend(2), [1.0, 2.0, 3.0], metric_id="cpc", direction=Direction.LOWER_IS_BETTER)
    assert result.breached and result.favourable is False


# --- anomaly ----------------------------------------------------------------------------------------


def _weekly_cpc(weeks: int = 12, seed: int = 7) -> list[float]:
    """Mondays run at about 3, other days at about 1, with a little noise."""
    rng = np.random.default_rng(seed)
    return [(3.0 if day % 7 == 0 else 1.0) + rng.normal(0, 0.05) for day in range(weeks * 7)]


def _cpc_anomaly(values: list[float], threshold: Threshold | None = None) -> ThresholdResult:
    threshold = threshold or _anomaly()
    return _one(threshold, values, metric_id="cpc", direction=Direction.LOWER_IS_BETTER)


def test_a_monday_high_that_is_normal_for_mondays_does_not_alert() -> None:
    values = _weekly_cpc()
    normal_monday = _cpc_anomaly([*values, 3.05])
    assert not normal_monday.breached and normal_monday.score is not None
    assert abs(normal_monday.score) < 3 and normal_monday.points == 13
    assert normal_monday.baseline == pytest.approx(3.0, abs=0.1)


def test_a_genuine_spike_alerts() -> None:
    values = _weekly_cpc()
    spike = _cpc_anomaly([*values, 6.0])
    assert spike.breached and spike.severity is Severity.CRITICAL and spike.score is not None
    assert spike.score > 3 and spike.favourable is False and "score +" in spike.explanation
    tuesday_at_monday_level = _cpc_anomaly([*values, 3.0, 3.0])
    assert tuesday_at_monday_level.breached


def test_a_cpc_drop_is_good_news_not_an_anomaly() -> None:
    drop = _cpc_anomaly([*_weekly_cpc(), 0.5])
    assert not drop.breached and drop.score is not None and drop.score < -3
    assert drop.favourable is True and drop.reason is None


def test_anomaly_needs_eight_same_weekday_points() -> None:
    values = _weekly_cpc(weeks=12)
    values[0:56:7] = [NAN] * 8
    result = _cpc_anomaly([*values, 6.0])
    assert not result.breached and result.score is None
    assert result.reason == "4 same-weekday points before the latest day, 8 needed"
    assert not _cpc_anomaly([*_weekly_cpc(weeks=7), 6.0]).breached


def test_a_flat_history_still_scores_finitely() -> None:
    flat = [1.0] * 70
    same = _cpc_anomaly([*flat, 1.0])
    assert same.score == 0.0 and not same.breached
    jump = _cpc_anomaly([*flat, 1.5])
    assert jump.score is not None and np.isfinite(jump.score) and jump.breached
    zeros = _cpc_anomaly([*([0.0] * 70), 0.2])
    assert zeros.breached and zeros.score is not None and np.isfinite(zeros.score)


def test_the_volume_guard_skips_small_days() -> None:
    values = [*_weekly_cpc(), 6.0]
    low = _cpc_anomaly(values, _anomaly(min_volume=10.0))
    assert not low.breached and low.reason == "the latest day's volume is below min_volume 10.00"
    assert _cpc_anomaly(values, _anomaly(min_volume=5.0)).breached


def test_a_ratio_metric_guards_on_its_denominator() -> None:
    metric = _metric(
        _anomaly(min_volume=100.0),
        metric_id="cpc",
        direction=Direction.LOWER_IS_BETTER,
        aggregation=Aggregation.RATIO,
    )
    cpc = _series([*_weekly_cpc(), 6.0], "cpc")
    clicks = np.full(len(cpc), 500.0)
    spend = cpc.values * clicks
    few_clicks = {"spend": _series(list(spend), "spend"), "clicks": _series([*clicks[:-1], 50.0], "clicks")}
    assert evaluate_threshold(metric, 0, cpc, few_clicks).reason is not None
    many_clicks = {"spend": _series(list(spend), "spend"), "clicks": _series(list(clicks), "clicks")}
    assert evaluate_threshold(metric, 0, cpc, many_clicks).breached


def test_the_anomaly_score_matches_a_plain_reference() -> None:
    values = _weekly_cpc(weeks=10, seed=3)
    values.append(4.2)
    history = [values[-1 - 7 * k] for k in range(1, 11)]
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    result = _cpc_anomaly(values)
    assert result.score == pytest.approx((4.2 - median) / (1.4826 * mad))


# --- status, batch and results ----------------------------------------------------------------------


def test_metric_status_is_the_highest_breached_severity() -> None:
    metric = _metric(_absolute(1.0), _relative(50.0, Baseline.PREVIOUS_PERIOD), _trend(2))
    rising = evaluate_metric(metric, _series([1.0, 2.0, 4.0]))
    assert [r.breached for r in rising] == [True, True, True]
    assert [r.threshold_id for r in rising][1] == "revenue__critical_relative_1"
    assert metric_status(rising) is Severity.CRITICAL
    assert metric_status(evaluate_metric(metric, _series([3.0, 2.0, 1.5]))) is Severity.WARNING
    assert metric_status(evaluate_metric(metric, _series([3.0, 2.0, 0.5]))) is Severity.OK
    assert metric_status([]) is Severity.OK


def test_a_series_for_another_metric_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        evaluate_threshold(_metric(_absolute(1.0)), 0, _series([1.0], "cpc"))


def test_the_matrix_shape_is_checked() -> None:
    with pytest.raises(InvalidInput):
        evaluate_matrix(np.ones(5), _absolute(1.0), direction=Direction.HIGHER_IS_BETTER)
    parts = RatioParts((np.ones((2, 5)),), (np.ones((2, 4)),))
    with pytest.raises(InvalidInput):
        evaluate_matrix(np.ones((2, 5)), _absolute(1.0), direction=Direction.HIGHER_IS_BETTER, parts=parts)


BATCH_THRESHOLDS = [
    _absolute(95.0, Comparison.LT),
    _absolute(700.0, Comparison.GT, periods=7),
    _relative(-10.0, Baseline.PREVIOUS_PERIOD, periods=7),
    _relative(15.0, Baseline.SAME_WEEKDAY_LAST_WEEK),
    _relative(-15.0, Baseline.TRAILING_MEAN, periods=14),
    _trend(2),
    _trend(3, TrendDirection.DECREASING),
    _anomaly(2.0),
    _anomaly(2.0, min_volume=50.0),
]


@pytest.mark.parametrize("threshold", BATCH_THRESHOLDS, ids=lambda t: f"{t.kind.value}")
@pytest.mark.parametrize("direction", list(Direction))
def test_the_matrix_agrees_with_one_series_at_a_time(threshold: Threshold, direction: Direction) -> None:
    rng = np.random.default_rng(11)
    values = rng.normal(100.0, 10.0, (40, 120))
    values[rng.random(values.shape) < 0.08] = np.nan
    values[:5, -1] = np.nan
    values[5:8, -1] = 300.0
    values[8:11, -1] = 60.0
    values[17:20, -1] = 20.0
    values[11:14, -5:] = [80.0, 90.0, 100.0, 110.0, 120.0]
    values[14:17, -5:] = [120.0, 110.0, 100.0, 90.0, 80.0]
    batch = evaluate_matrix(values, threshold, direction=direction, aggregation=Aggregation.SUM)
    metric = _metric(threshold, direction=direction)
    for row in range(len(values)):
        one = evaluate_threshold(metric, 0, _series(list(values[row])))
        assert one.breached == batch.breached[row]
        for name in ("observed", "baseline", "change_pct", "score"):
            expected = float(getattr(batch, name)[row])
            assert getattr(one, name) == (pytest.approx(expected) if np.isfinite(expected) else None)
        assert one.points == batch.points[row]
    assert batch.breached.any() and not batch.breached.all()
