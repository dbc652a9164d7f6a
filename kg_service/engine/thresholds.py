"""Threshold evaluation: absolute, relative, trend and anomaly rules on daily series.

`evaluate_matrix` is the vectorised kernel (one threshold, many series); `evaluate_threshold` runs the
same kernel on one series and explains the outcome using only the numbers it computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import IntEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import (
    Aggregation,
    Baseline,
    Comparison,
    Direction,
    Metric,
    Severity,
    Threshold,
    ThresholdKind,
    TrendDirection,
)

from .series import (
    WEEK_DAYS,
    BoolArray,
    DailySeries,
    FiniteResult,
    FloatArray,
    IntArray,
    RatioParts,
    baseline_span,
    change_pct,
    compare,
    compare_to_baseline,
    consecutive_moves,
    finite,
    ratio_parts,
    robust_scale,
    row_median,
    volume_reached,
    window_aggregate,
)

SignArray = npt.NDArray[np.int8]

TRAILING_DEFAULT_DAYS = 7
ANOMALY_MIN_WEEKS = 8
ANOMALY_LOOKBACK_WEEKS = 12

SEVERITY_RANK = {Severity.OK: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Outcome(IntEnum):
    EVALUATED = 0
    MISSING_COMPONENTS = 1
    SHORT_HISTORY = 2
    NO_DATA = 3
    NO_BASELINE_DATA = 4
    ZERO_BASELINE = 5
    GAP = 6
    LOW_VOLUME = 7


@dataclass(frozen=True, slots=True)
class MatrixResult:
    """Per-series outcome of one threshold; NaN where a number is undefined, `favourable` is +1/-1/0."""

    breached: BoolArray
    outcome: SignArray
    observed: FloatArray
    baseline: FloatArray
    change_pct: FloatArray
    score: FloatArray
    favourable: SignArray
    points: IntArray


class ThresholdResult(FiniteResult):
    threshold_id: str
    metric_id: str
    kind: ThresholdKind
    severity: Severity
    breached: bool
    favourable: bool | None
    observed: float | None
    baseline: float | None
    change_pct: float | None
    score: float | None
    window_start: date | None
    window_end: date | None
    points: int
    reason: str | None
    explanation: str


def evaluate_matrix(
    values: FloatArray,
    threshold: Threshold,
    *,
    direction: Direction,
    aggregation: Aggregation = Aggregation.SUM,
    parts: RatioParts | None = None,
) -> MatrixResult:
    """Evaluate one threshold over `values[n_series, n_days]`, the last column being the latest day."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise InvalidInput("values must be a 2-D matrix of series × days")
    if parts is not None and any(part.shape != values.shape for part in parts.all):
        raise InvalidInput("ratio components must have the shape of the values")
    kernel = {
        ThresholdKind.ABSOLUTE: _absolute,
        ThresholdKind.RELATIVE: _relative,
        ThresholdKind.TREND: _trend,
        ThresholdKind.ANOMALY: _anomaly,
    }[threshold.kind]
    with np.errstate(invalid="ignore", divide="ignore"):
        return kernel(values, threshold, _Spec(direction, aggregation, parts))


class _Spec(NamedTuple):
    direction: Direction
    aggregation: Aggregation
    parts: RatioParts | None


def _absolute(values: FloatArray, t: Threshold, spec: _Spec) -> MatrixResult:
    (_, aggregation, parts), days, window = spec, values.shape[1], t.periods or 1
    current = window_aggregate(values, days - window, days, aggregation, parts)
    previous = window_aggregate(values, days - 2 * window, days - window, aggregation, parts)
    outcome = _first_failure(
        len(values),
        (_missing_parts(aggregation, parts, window), Outcome.MISSING_COMPONENTS),
        (days < window, Outcome.SHORT_HISTORY),
        (np.isnan(current.value), Outcome.NO_DATA),
    )
    breached = compare(current.value, t.operator, t.value)
    return _finish(outcome, breached, current.value, previous.value, current.points, spec.direction)


def _relative(values: FloatArray, t: Threshold, spec: _Spec) -> MatrixResult:
    assert t.baseline is not None and t.value is not None
    (_, aggregation, parts), days, (window, trailing) = spec, values.shape[1], relative_spans(t)
    lo, hi = baseline_span(t.baseline, days, window, trailing)
    current, base = compare_to_baseline(values, t.baseline, window, trailing, aggregation, parts)
    outcome = _first_failure(
        len(values),
        (_missing_parts(aggregation, parts, max(window, hi - lo)), Outcome.MISSING_COMPONENTS),
        (lo < 0, Outcome.SHORT_HISTORY),
        (np.isnan(current.value), Outcome.NO_DATA),
        (np.isnan(base.value), Outcome.NO_BASELINE_DATA),
        (base.value == 0, Outcome.ZERO_BASELINE),
    )
    change = change_pct(current.value, base.value)
    breached = compare(change, relative_operator(t), t.value)
    points = current.points + base.points
    return _finish(outcome, breached, current.value, base.value, points, spec.direction)


def relative_spans(t: Threshold) -> tuple[int, int]:
    """(window, trailing) days: trailing_mean compares the latest day with the `periods` days before."""
    if t.baseline is Baseline.TRAILING_MEAN:
        return 1, t.periods or TRAILING_DEFAULT_DAYS
    return t.periods or 1, 0


def relative_operator(t: Threshold) -> Comparison:
    if t.operator is not None:
        return t.operator
    return Comparison.LTE if (t.value or 0.0) < 0 else Comparison.GTE


def _trend(values: FloatArray, t: Threshold, spec: _Spec) -> MatrixResult:
    assert t.periods is not None and t.trend is not None
    rows, days = values.shape
    holds, complete = consecutive_moves(values, t.periods, t.trend)
    short = days < t.periods + 1
    latest = finite(values[:, -1]) if days else np.full(rows, np.nan)
    start = finite(values[:, days - t.periods - 1]) if not short else np.full(rows, np.nan)
    outcome = _first_failure(rows, (short, Outcome.SHORT_HISTORY), (~complete, Outcome.GAP))
    points = np.where(complete, t.periods + 1, 0).astype(np.int64)
    return _finish(outcome, holds, latest, start, points, spec.direction)


def _anomaly(values: FloatArray, t: Threshold, spec: _Spec) -> MatrixResult:
    assert t.value is not None
    rows, days = values.shape
    latest = finite(values[:, -1]) if days else np.full(rows, np.nan)
    lags = WEEK_DAYS * np.arange(1, ANOMALY_LOOKBACK_WEEKS + 1)
    history = finite(values[:, [c for c in (days - 1 - lags) if c >= 0]])
    median, count = row_median(history)
    deviation = np.abs(history - median[:, np.newaxis])
    score = (latest - median) / robust_scale(deviation, median)
    unfavourable = score < 0 if spec.direction is Direction.HIGHER_IS_BETTER else score > 0
    outcome = _first_failure(
        rows,
        (np.isnan(latest), Outcome.NO_DATA),
        (count < ANOMALY_MIN_WEEKS, Outcome.SHORT_HISTORY),
        (~volume_reached(values, t.min_volume, spec.parts), Outcome.LOW_VOLUME),
    )
    breached = unfavourable & (np.abs(score) >= abs(t.value))
    points = count + (~np.isnan(latest)).astype(np.int64)
    result = _finish(outcome, breached, latest, median, points, spec.direction)
    evaluated = result.outcome == Outcome.EVALUATED
    return replace(result, score=np.where(evaluated, score, np.nan))


def _first_failure(rows: int, *checks: tuple[BoolArray | bool, Outcome]) -> SignArray:
    """Per row, the first check that failed, EVALUATED when none did."""
    outcome = np.full(rows, Outcome.EVALUATED, dtype=np.int8)
    for failed, code in reversed(checks):
        outcome = np.where(failed, np.int8(code), outcome)
    return outcome


def _missing_parts(aggregation: Aggregation, parts: RatioParts | None, span: int) -> bool:
    return aggregation is Aggregation.RATIO and parts is None and span > 1


def _finish(
    outcome: SignArray,
    breached: BoolArray,
    observed: FloatArray,
    baseline: FloatArray,
    points: IntArray,
    direction: Direction,
) -> MatrixResult:
    evaluated = outcome == Outcome.EVALUATED
    good = 1 if direction is Direction.HIGHER_IS_BETTER else -1
    move = np.sign(np.nan_to_num(observed - baseline, nan=0.0))
    return MatrixResult(
        breached=breached & evaluated,
        outcome=outcome,
        observed=observed,
        baseline=baseline,
        change_pct=change_pct(observed, baseline),
        score=np.full(len(observed), np.nan),
        favourable=(move * good).astype(np.int8),
        points=np.asarray(points, dtype=np.int64),
    )


class _Row(NamedTuple):
    outcome: Outcome
    breached: bool
    favourable: bool | None
    observed: float | None
    baseline: float | None
    change_pct: float | None
    score: float | None
    points: int


def _row(result: MatrixResult, index: int = 0) -> _Row:
    columns = (result.observed, result.baseline, result.change_pct, result.score)
    numbers = [float(column[index]) for column in columns]
    observed, baseline, change, score = (x if np.isfinite(x) else None for x in numbers)
    sign = int(result.favourable[index])
    favourable = None if sign == 0 else sign > 0
    outcome, breached = Outcome(int(result.outcome[index])), bool(result.breached[index])
    return _Row(outcome, breached, favourable, observed, baseline, change, score, int(result.points[index]))


def evaluate_threshold(
    metric: Metric,
    index: int,
    series: DailySeries,
    components: Mapping[str, DailySeries] | None = None,
    definitions: Mapping[str, Metric] | None = None,
) -> ThresholdResult:
    """Evaluate `metric.thresholds[index]` on the series.

    `components` (metric id → series) feed ratio recombination; `definitions` say which are not additive.
    """
    if series.metric_id != metric.id:
        raise InvalidInput(f"series of {series.metric_id} given for metric {metric.id}")
    threshold = metric.thresholds[index]
    parts = ratio_parts(metric, components or {}, series.dates, definitions)
    result = evaluate_matrix(
        series.values[np.newaxis, :],
        threshold,
        direction=metric.direction,
        aggregation=metric.aggregation,
        parts=parts,
    )
    row = _row(result)
    reason = _reason(metric, threshold, series, row)
    start, end = window_dates(threshold, series.end)
    numbers = {name: value for name, value in row._asdict().items() if name != "outcome"}
    return ThresholdResult(
        threshold_id=metric.threshold_id(index),
        metric_id=metric.id,
        kind=threshold.kind,
        severity=threshold.severity if row.breached else Severity.OK,
        window_start=start,
        window_end=end,
        reason=reason,
        explanation=_explain(metric, threshold, row, reason),
        **numbers,
    )


def evaluate_metric(
    metric: Metric,
    series: DailySeries,
    components: Mapping[str, DailySeries] | None = None,
    definitions: Mapping[str, Metric] | None = None,
) -> tuple[ThresholdResult, ...]:
    indexes = range(len(metric.thresholds))
    return tuple(evaluate_threshold(metric, i, series, components, definitions) for i in indexes)


def metric_status(results: Iterable[ThresholdResult]) -> Severity:
    """The highest severity among breached results, OK when none is breached."""
    return max(
        (r.severity for r in results if r.breached), key=SEVERITY_RANK.__getitem__, default=Severity.OK
    )


def window_dates(t: Threshold, end: date | None) -> tuple[date | None, date | None]:
    if end is None:
        return None, None
    spans = {
        ThresholdKind.ABSOLUTE: t.periods or 1,
        ThresholdKind.RELATIVE: relative_spans(t)[0],
        ThresholdKind.TREND: (t.periods or 1) + 1,
        ThresholdKind.ANOMALY: 1,
    }
    return end - timedelta(days=spans[t.kind] - 1), end


def _reason(metric: Metric, t: Threshold, series: DailySeries, row: _Row) -> str | None:
    baseline = t.baseline.value if t.baseline else "baseline"
    reasons = {
        Outcome.EVALUATED: None,
        Outcome.MISSING_COMPONENTS: "a multi-day ratio window needs the component series "
        + ", ".join(c.metric for c in metric.components),
        Outcome.SHORT_HISTORY: f"not enough history ({len(series)} days)",
        Outcome.NO_DATA: "no value in the window",
        Outcome.NO_BASELINE_DATA: f"no value in the {baseline} window",
        Outcome.ZERO_BASELINE: f"the {baseline} value is 0, so the change % is undefined",
        Outcome.GAP: f"a day is missing in the last {(t.periods or 1) + 1} days",
        Outcome.LOW_VOLUME: f"the latest day's volume is below min_volume {_num(t.min_volume or 0.0)}",
    }
    if row.outcome is not Outcome.EVALUATED and not len(series):
        return "the series is empty"
    if row.outcome is Outcome.SHORT_HISTORY and t.kind is ThresholdKind.ANOMALY:
        return f"{row.points - 1} same-weekday points before the latest day, {ANOMALY_MIN_WEEKS} needed"
    return reasons[row.outcome]


def _explain(metric: Metric, t: Threshold, row: _Row, reason: str | None) -> str:
    if reason is not None:
        return f"{metric.id} {t.kind.value} check not evaluated: {reason}"
    verdict = "breached" if row.breached else "not breached"
    mood = {None: "", True: ", favourable", False: ", unfavourable"}[row.favourable]
    if t.kind is ThresholdKind.ABSOLUTE:
        assert t.operator is not None and t.value is not None
        days = t.periods or 1
        span = "on the latest day" if days == 1 else f"over the last {days} days ({metric.aggregation.value})"
        head = f"{metric.id} {span} is {_num(row.observed)}"
        before = "previous day" if days == 1 else f"previous {days} days"
        context = (
            f"; {before} {_num(row.baseline)} ({_pct(row.change_pct)})" if row.baseline is not None else ""
        )
        return f"{head}, threshold {t.operator.value} {_num(t.value)}: {verdict}{context}{mood}"
    if t.kind is ThresholdKind.RELATIVE:
        assert t.baseline is not None
        rule = f"{relative_operator(t).value} {_pct(t.value)}"
        head = f"{metric.id} {_num(row.observed)} vs {_num(row.baseline)} ({t.baseline.value})"
        return f"{head}: {_pct(row.change_pct)}, threshold {rule}: {verdict}{mood}"
    if t.kind is ThresholdKind.TREND:
        past, verb = ("rose", "rise") if t.trend is TrendDirection.INCREASING else ("fell", "fall")
        moves = past if row.breached else f"did not {verb}"
        path = f"{_num(row.baseline)} → {_num(row.observed)} ({_pct(row.change_pct)})"
        return f"{metric.id} {moves} on each of the last {t.periods} days, {path}: {verdict}{mood}"
    head = f"{metric.id} {_num(row.observed)} vs same-weekday median {_num(row.baseline)}"
    rule = f"score {row.score or 0.0:+.2f}, threshold ±{abs(t.value or 0.0):.1f}"
    return f"{head} over {row.points - 1} prior weeks: {rule}: {verdict}{mood}"


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} %"
