"""What a dashboard or an answer says about a metric: latest value, history, change, status, drivers.

All of it computed from one window of daily series (the metric's and its components'), so a
whole dashboard needs a single warehouse read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import Metric, Severity
from kg_service.warehouse.source import MetricPoint

from .decomposition import Decomposition, component_totals, decompose
from .series import DailySeries, as_date, daily_level, ratio_parts, window_aggregate
from .thresholds import evaluate_metric, metric_status

MAX_DAYS = 365
STATUS_WINDOW_DAYS = 120
"""Days read for any metric on a dashboard: enough for 8 same-weekday weeks and trailing baselines."""


def check_days(days: int, name: str = "days") -> None:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"{name}: between 1 and {MAX_DAYS}")


def needed_ids(metric_ids: list[str], metrics: Mapping[str, Metric]) -> list[str]:
    """The metrics plus their formula components: everything their values are computed from."""
    ids = set(metric_ids)
    for metric_id in metric_ids:
        if metric_id in metrics:
            ids |= {c.metric for c in metrics[metric_id].components}
    return sorted(ids)


def to_series(
    points: Mapping[str, list[MetricPoint]], ids: list[str], start: date, end: date
) -> dict[str, DailySeries]:
    return {m: DailySeries.from_points(m, points.get(m, []), start=start, end=end) for m in ids}


def latest(series: DailySeries) -> MetricPoint | None:
    present = np.flatnonzero(~np.isnan(series.values))
    if not present.size:
        return None
    index = int(present[-1])
    return MetricPoint(as_date(series.dates[index]), float(series.values[index]))


def history(series: DailySeries, days: int) -> list[MetricPoint]:
    check_days(days)
    tail_dates, tail_values = series.dates[-days:], series.values[-days:]
    return [
        MetricPoint(as_date(d), float(v))
        for d, v in zip(tail_dates, tail_values, strict=True)
        if not np.isnan(v)
    ]


def change_pct(
    metric: Metric, series: Mapping[str, DailySeries], metrics: Mapping[str, Metric], days: int
) -> float | None:
    """The typical day of the last `days` against the `days` before (pooled for ratios), in %."""
    check_days(days)
    own = series.get(metric.id)
    if own is None or len(own) < 2 * days:
        return None
    parts = ratio_parts(metric, series, own.dates, metrics)
    values = own.values[np.newaxis, :]
    end = len(own)
    now = daily_level(values, end - days, end, metric.aggregation, parts).value[0]
    before = daily_level(values, end - 2 * days, end - days, metric.aggregation, parts).value[0]
    if np.isnan(now) or np.isnan(before) or before == 0:
        return None
    return round(float((now - before) / abs(before) * 100), 4)


def status(metric: Metric, series: Mapping[str, DailySeries], metrics: Mapping[str, Metric]) -> Severity:
    own = series.get(metric.id)
    if own is None or not metric.thresholds:
        return Severity.OK
    return metric_status(evaluate_metric(metric, own, series, metrics))


def drivers(
    metric: Metric, series: Mapping[str, DailySeries], metrics: Mapping[str, Metric], days: int
) -> Decomposition | None:
    """How the metric's components explain its change, last `days` against the `days` before."""
    check_days(days)
    own = series.get(metric.id)
    if not metric.components or own is None or own.end is None:
        return None
    end = own.end
    start = end - timedelta(days=days - 1)
    try:
        before = component_totals(
            metric, series, start - timedelta(days=days), start - timedelta(days=1), metrics
        )
        after = component_totals(metric, series, start, end, metrics)
    except InvalidInput:
        return None
    return decompose(metric, before, after)


def window_total(
    metric: Metric, series: Mapping[str, DailySeries], metrics: Mapping[str, Metric], days: int
) -> float | None:
    """The metric over its last `days` days (summed, averaged or pooled as its aggregation says)."""
    check_days(days)
    own = series.get(metric.id)
    if own is None or len(own) < days:
        return None
    parts = ratio_parts(metric, series, own.dates, metrics)
    value = window_aggregate(
        own.values[np.newaxis, :], len(own) - days, len(own), metric.aggregation, parts
    ).value[0]
    return None if np.isnan(value) else float(value)
