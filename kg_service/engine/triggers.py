"""Compound trigger evaluation: nested AND/OR of metric conditions over daily series.

A condition whose data is missing or too short is undecidable, not false. Nodes combine in three-valued
(Kleene) logic: an OR with a matching branch matches even when another branch lacks data, and an AND
with a failing branch fails; otherwise an undecidable branch makes the whole node undecidable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

import numpy as np

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import Aggregation, Baseline, Compound, Condition, Metric, TrendDirection

from .series import (
    DailySeries,
    FiniteResult,
    FloatArray,
    RatioParts,
    baseline_span,
    change_pct,
    compare,
    compare_to_baseline,
    consecutive_moves,
    ratio_parts,
    window_aggregate,
)

# trailing_mean in a condition: the mean of this many windows before the lookback window.
TRAILING_WINDOWS = 4

Verdict = bool | None


class ConditionEvidence(FiniteResult):
    metric_id: str
    test: str
    observed: float | None = None
    baseline: float | None = None
    change_pct: float | None = None
    window_start: date | None = None
    window_end: date | None = None
    holds: bool
    insufficient_data: bool
    reason: str | None = None


class TriggerResult(FiniteResult):
    matched: bool
    insufficient_data: bool
    evidence: tuple[ConditionEvidence, ...]


class _Inputs(NamedTuple):
    series: Mapping[str, DailySeries]
    metrics: Mapping[str, Metric]
    as_of: date | None


class _Check(NamedTuple):
    verdict: Verdict
    reason: str | None = None


class _Data(NamedTuple):
    metric: Metric
    series: DailySeries
    values: FloatArray
    parts: RatioParts | None


def evaluate_trigger(
    trigger: Compound,
    series: Mapping[str, DailySeries],
    metrics: Mapping[str, Metric],
    *,
    as_of: date | None = None,
) -> TriggerResult:
    """Evaluate a trigger; each metric's window ends at its own latest day, or at `as_of` when given."""
    verdict, evidence = _node(trigger, _Inputs(series, metrics, as_of))
    return TriggerResult(matched=verdict is True, insufficient_data=verdict is None, evidence=tuple(evidence))


def _node(node: Compound | Condition, inputs: _Inputs) -> tuple[Verdict, list[ConditionEvidence]]:
    if isinstance(node, Condition):
        leaf = _condition(node, inputs)
        return (None if leaf.insufficient_data else leaf.holds), [leaf]
    verdicts: list[Verdict] = []
    collected: list[ConditionEvidence] = []
    for child in node.conditions:
        verdict, evidence = _node(child, inputs)
        verdicts.append(verdict)
        collected.extend(evidence)
    return combine(node.operator, verdicts), collected


def combine(operator: Literal["AND", "OR"], verdicts: Sequence[Verdict]) -> Verdict:
    """Kleene AND/OR: the settling value wins, then an unknown, then the other value."""
    settling = operator == "OR"
    if any(v is settling for v in verdicts):
        return settling
    if any(v is None for v in verdicts):
        return None
    return not settling


def _condition(condition: Condition, inputs: _Inputs) -> ConditionEvidence:
    metric = inputs.metrics.get(condition.metric)
    if metric is None:
        raise InvalidInput(f"the trigger tests {condition.metric}, which has no metric definition")
    test = describe(condition, metric)
    series = inputs.series.get(condition.metric)
    if series is None or not len(series):
        return _undecided(condition, test, f"no data for {condition.metric}")
    if inputs.as_of is not None:
        series = series.until(inputs.as_of)
    parts = ratio_parts(metric, inputs.series, series.dates, inputs.metrics)
    data = _Data(metric, series, series.values[np.newaxis, :], parts)
    return _evidence(condition, data, test)


def _evidence(condition: Condition, data: _Data, test: str) -> ConditionEvidence:
    days, window = data.values.shape[1], condition.lookback_days
    current = window_aggregate(data.values, days - window, days, data.metric.aggregation, data.parts)
    observed: float | None = _number(current.value)
    baseline: float | None = None
    checks: list[_Check] = []
    if condition.operator is not None:
        checks.append(_value_check(condition, data, observed))
    if condition.change_pct is not None:
        baseline, check = _change_check(condition, data)
        checks.append(check)
    if condition.trend is not None:
        checks.append(_trend_check(condition, data))
    if condition.operator is None and condition.change_pct is None:
        observed, baseline, window = _run_ends(condition, data.values)
    verdict = combine("AND", [check.verdict for check in checks])
    end = data.series.end
    return ConditionEvidence(
        metric_id=condition.metric,
        test=test,
        observed=observed,
        baseline=baseline,
        change_pct=_change(observed, baseline),
        window_start=end - timedelta(days=window - 1) if end else None,
        window_end=end,
        holds=verdict is True,
        insufficient_data=verdict is None,
        reason="; ".join(c.reason for c in checks if c.reason and c.verdict is None) or None,
    )


def _value_check(condition: Condition, data: _Data, observed: float | None) -> _Check:
    problem = _coverage(data, condition.lookback_days, condition.lookback_days)
    if problem or observed is None:
        return _Check(None, problem or f"no value in the last {condition.lookback_days} days")
    holds = compare(np.array([observed]), condition.operator, condition.value)
    return _Check(bool(holds[0]))


def _change_check(condition: Condition, data: _Data) -> tuple[float | None, _Check]:
    assert condition.change_pct is not None
    window, days = condition.lookback_days, data.values.shape[1]
    trailing = TRAILING_WINDOWS * window
    lo, hi = baseline_span(condition.baseline, days, window, trailing)
    current, base = compare_to_baseline(
        data.values, condition.baseline, window, trailing, data.metric.aggregation, data.parts
    )
    baseline = _number(base.value)
    problem = _coverage(data, days - lo, max(window, hi - lo))
    if problem or baseline is None or _number(current.value) is None:
        return baseline, _Check(
            None, problem or f"no value in the window or its {condition.baseline} baseline"
        )
    if baseline == 0:
        return baseline, _Check(None, f"the {condition.baseline} baseline is 0, so the change % is undefined")
    change = float(change_pct(current.value, base.value)[0])
    holds = change >= condition.change_pct if condition.change_pct >= 0 else change <= condition.change_pct
    return baseline, _Check(holds)


def _trend_check(condition: Condition, data: _Data) -> _Check:
    assert condition.periods is not None and condition.trend is not None
    holds, complete = consecutive_moves(data.values, condition.periods, condition.trend)
    if not complete[0]:
        return _Check(None, f"the last {condition.periods + 1} days are not all present")
    return _Check(bool(holds[0]))


def _run_ends(condition: Condition, values: FloatArray) -> tuple[float | None, float | None, int]:
    """The trend run's last and first values and its length in days."""
    span = (condition.periods or 1) + 1
    row = values[0]
    first = _number(row[-span : -span + 1]) if row.size >= span else None
    return _number(row[-1:]), first, span


def _coverage(data: _Data, needed_days: int, span: int) -> str | None:
    days = data.values.shape[1]
    if days < needed_days:
        return f"needs {needed_days} days of history, has {days}"
    if data.metric.aggregation is Aggregation.RATIO and data.parts is None and span > 1:
        names = ", ".join(c.metric for c in data.metric.components)
        return f"a multi-day ratio window needs the component series {names}"
    return None


def _undecided(condition: Condition, test: str, reason: str) -> ConditionEvidence:
    return ConditionEvidence(
        metric_id=condition.metric, test=test, holds=False, insufficient_data=True, reason=reason
    )


def describe(condition: Condition, metric: Metric) -> str:
    """What a condition tests, in words."""
    window = f"over the last {condition.lookback_days} days"
    parts: list[str] = []
    if condition.operator is not None:
        parts.append(f"{metric.aggregation.value} {window} {condition.operator.value} {condition.value:g}")
    if condition.change_pct is not None:
        sign = ">=" if condition.change_pct >= 0 else "<="
        basis = "trailing mean" if condition.baseline is Baseline.TRAILING_MEAN else condition.baseline.value
        parts.append(f"change {window} vs {basis} {sign} {condition.change_pct:+g} %")
    if condition.trend is not None:
        moves = "increases" if condition.trend is TrendDirection.INCREASING else "decreases"
        parts.append(f"{condition.periods} consecutive daily {moves}")
    return f"{condition.metric}: " + " and ".join(parts)


def _number(array: FloatArray) -> float | None:
    value = float(array[0]) if array.size else float("nan")
    return value if np.isfinite(value) else None


def _change(observed: float | None, baseline: float | None) -> float | None:
    if observed is None or baseline is None or baseline == 0:
        return None
    return (observed - baseline) / abs(baseline) * 100.0
