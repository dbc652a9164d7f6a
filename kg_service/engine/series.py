"""Daily metric series and the window arithmetic every evaluator shares.

The window functions work on 2-D matrices (rows = series, columns = contiguous days, NaN = no value)
so one series and ten thousand go through the same code. Column spans are half-open `[lo, hi)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import ConfigDict

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import (
    Aggregation,
    Baseline,
    Closed,
    Comparison,
    ComponentRole,
    Metric,
    TrendDirection,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]

ONE_DAY = np.timedelta64(1, "D")
WEEK_DAYS = 7
MAD_TO_SIGMA = 1.4826
MEAN_AD_TO_SIGMA = 1.2533
# A move smaller than this share of the median is never scored as extreme, however flat the history.
SCALE_FLOOR_FRACTION = 0.01
SCALE_FLOOR_ABSOLUTE = 1e-9
COMPARE = {
    Comparison.GT: np.greater,
    Comparison.GTE: np.greater_equal,
    Comparison.LT: np.less,
    Comparison.LTE: np.less_equal,
}
MULTIPLICATIVE_ROLES = frozenset({ComponentRole.NUMERATOR, ComponentRole.FACTOR, ComponentRole.DENOMINATOR})


class FiniteResult(Closed):
    """Base of engine results: a NaN or an infinity fails validation instead of reaching a client."""

    model_config = ConfigDict(allow_inf_nan=False)


def as_date(day: np.datetime64) -> date:
    value = day.astype("datetime64[D]").item()
    if not isinstance(value, date):
        raise InvalidInput(f"not a calendar day: {day}")
    return value


@dataclass(frozen=True, slots=True)
class DailySeries:
    """One metric's values on a contiguous run of days; NaN marks a day without a value."""

    metric_id: str
    dates: DateArray
    values: FloatArray

    def __post_init__(self) -> None:
        dates = np.array(self.dates, dtype="datetime64[D]")
        values = np.array(self.values, dtype=np.float64)
        if dates.ndim != 1 or dates.shape != values.shape:
            raise InvalidInput(f"{self.metric_id}: dates and values must be 1-D and of equal length")
        if dates.size > 1 and not bool(np.all(np.diff(dates) == ONE_DAY)):
            raise InvalidInput(f"{self.metric_id}: dates must be contiguous, ascending days")
        values[~np.isfinite(values)] = np.nan
        dates.flags.writeable = False
        values.flags.writeable = False
        # The dataclass is frozen; these are the owned, read-only copies replacing the caller's arrays.
        object.__setattr__(self, "dates", dates)
        object.__setattr__(self, "values", values)

    @classmethod
    def empty(cls, metric_id: str) -> DailySeries:
        return cls(metric_id, np.array([], dtype="datetime64[D]"), np.array([], dtype=np.float64))

    @classmethod
    def from_points(
        cls,
        metric_id: str,
        points: Iterable[tuple[date, float | None]],
        *,
        start: date | None = None,
        end: date | None = None,
    ) -> DailySeries:
        """Lay points on a daily index from `start` (or the first point) to `end` (or the last).

        Days without a point become NaN; points outside an explicit range are left out.
        """
        by_day: dict[date, float] = {}
        for day, value in points:
            if day in by_day:
                raise InvalidInput(f"{metric_id}: two values for {day.isoformat()}")
            by_day[day] = np.nan if value is None else float(value)
        first = start if start is not None else min(by_day, default=None)
        last = end if end is not None else max(by_day, default=None)
        if first is None or last is None:
            return cls.empty(metric_id)
        if last < first:
            raise InvalidInput(f"{metric_id}: end {last.isoformat()} is before start {first.isoformat()}")
        dates = day_range(first, last)
        values = np.full(dates.size, np.nan)
        for day, value in by_day.items():
            offset = (day - first).days
            if 0 <= offset < dates.size:
                values[offset] = value
        return cls(metric_id, dates, values)

    def __len__(self) -> int:
        return int(self.dates.size)

    @property
    def start(self) -> date | None:
        return as_date(self.dates[0]) if len(self) else None

    @property
    def end(self) -> date | None:
        return as_date(self.dates[-1]) if len(self) else None

    def aligned_values(self, dates: DateArray) -> FloatArray:
        """The values on another contiguous daily index, NaN where this series has no day."""
        values = np.full(dates.size, np.nan)
        if not len(self) or not dates.size:
            return values
        offset = int((self.dates[0] - dates[0]) // ONE_DAY)
        lo, hi = max(offset, 0), min(offset + len(self), dates.size)
        if lo < hi:
            values[lo:hi] = self.values[lo - offset : hi - offset]
        return values

    def until(self, end: date) -> DailySeries:
        """The series re-indexed to end on `end`: later days dropped, missing days NaN."""
        if not len(self):
            return self
        start = min(self.start or end, end)
        dates = day_range(start, end)
        return DailySeries(self.metric_id, dates, self.aligned_values(dates))


def day_range(first: date, last: date) -> DateArray:
    return np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + ONE_DAY)


class WindowStat(NamedTuple):
    """A per-row window aggregate (NaN where undefined) and the number of days that fed it."""

    value: FloatArray
    points: IntArray


@dataclass(frozen=True, slots=True)
class RatioParts:
    """A ratio metric's component matrices, aligned with its values.

    Over a window the metric is scale × Π numerator totals / Π denominator totals. A component is
    totalled by `aggregations` (one per numerator then denominator; summed when empty).
    """

    numerators: tuple[FloatArray, ...]
    denominators: tuple[FloatArray, ...]
    scale: float = 1.0
    aggregations: tuple[Aggregation, ...] = ()

    @property
    def all(self) -> tuple[FloatArray, ...]:
        return self.numerators + self.denominators

    def aggregation(self, index: int) -> Aggregation:
        return self.aggregations[index] if self.aggregations else Aggregation.SUM


def component_aggregation(definition: Metric | None) -> Aggregation:
    """How a component totals over a window: counts and currency sum; a rate or level enters with its
    mean (its own components are not at hand), a `last` metric with its latest value."""
    if definition is None or definition.aggregation is Aggregation.SUM:
        return Aggregation.SUM
    return Aggregation.LAST if definition.aggregation is Aggregation.LAST else Aggregation.MEAN


def ratio_parts(
    metric: Metric,
    components: Mapping[str, DailySeries],
    dates: DateArray,
    definitions: Mapping[str, Metric] | None = None,
) -> RatioParts | None:
    """The component rows a ratio metric recombines over windows, or None when one is missing.

    `definitions` (metric id → Metric) tell which components are not additive; unknown ones are summed.
    """
    if metric.aggregation is not Aggregation.RATIO:
        return None
    if any(c.role not in MULTIPLICATIVE_ROLES for c in metric.components):
        raise InvalidInput(f"{metric.id}: a ratio metric cannot have addend components")
    ordered = sorted(metric.components, key=lambda c: c.role is ComponentRole.DENOMINATOR)
    rows: list[FloatArray] = []
    for component in ordered:
        series = components.get(component.metric)
        if series is None:
            return None
        rows.append(series.aligned_values(dates)[np.newaxis, :])
    split = sum(c.role is not ComponentRole.DENOMINATOR for c in ordered)
    known = definitions or {}
    aggregations = tuple(component_aggregation(known.get(c.metric)) for c in ordered)
    return RatioParts(tuple(rows[:split]), tuple(rows[split:]), metric.scale, aggregations)


def finite(block: FloatArray) -> FloatArray:
    return np.where(np.isfinite(block), block, np.nan)


def undefined(rows: int) -> WindowStat:
    return WindowStat(np.full(rows, np.nan), np.zeros(rows, dtype=np.int64))


def window_aggregate(
    values: FloatArray, lo: int, hi: int, aggregation: Aggregation, parts: RatioParts | None = None
) -> WindowStat:
    """Each row's aggregate over columns [lo, hi), honouring the metric's aggregation."""
    rows, days = values.shape
    if lo < 0 or hi > days or lo >= hi:
        return undefined(rows)
    if aggregation is Aggregation.RATIO:
        return _ratio_window(values, lo, hi, parts)
    window = finite(values[:, lo:hi])
    present = ~np.isnan(window)
    points = present.sum(axis=1, dtype=np.int64)
    if aggregation is Aggregation.LAST:
        last = (hi - lo - 1) - np.argmax(present[:, ::-1], axis=1)
        value = window[np.arange(rows), last]
    else:
        total = np.where(present, window, 0.0).sum(axis=1)
        value = total if aggregation is Aggregation.SUM else total / np.maximum(points, 1)
    return WindowStat(np.where(points > 0, value, np.nan), points)


def daily_level(
    values: FloatArray, lo: int, hi: int, aggregation: Aggregation, parts: RatioParts | None = None
) -> WindowStat:
    """The typical day over [lo, hi): the mean daily value, or for ratios the pooled ratio."""
    level = Aggregation.RATIO if aggregation is Aggregation.RATIO else Aggregation.MEAN
    return window_aggregate(values, lo, hi, level, parts)


def _ratio_window(values: FloatArray, lo: int, hi: int, parts: RatioParts | None) -> WindowStat:
    rows = values.shape[0]
    if parts is None:
        # One day's ratio is the day's value itself; longer windows need the components.
        return window_aggregate(values, lo, hi, Aggregation.LAST) if hi - lo == 1 else undefined(rows)
    # Only days on which every component is present count, so the totals describe the same days.
    blocks = [finite(part[:, lo:hi]) for part in parts.all]
    joint = np.logical_and.reduce([~np.isnan(block) for block in blocks])
    points = joint.sum(axis=1, dtype=np.int64)
    totals = [
        window_aggregate(np.where(joint, block, np.nan), 0, hi - lo, parts.aggregation(i)).value
        for i, block in enumerate(blocks)
    ]
    top = parts.scale * np.prod(totals[: len(parts.numerators)], axis=0)
    bottom = np.prod(totals[len(parts.numerators) :], axis=0) if parts.denominators else np.ones(rows)
    value = np.full(rows, np.nan)
    np.divide(top, bottom, out=value, where=(bottom != 0) & (points > 0))
    return WindowStat(value, points)


def change_pct(observed: FloatArray, baseline: FloatArray) -> FloatArray:
    """Signed change in % against |baseline|; NaN where either side is missing or the baseline is 0."""
    out = np.full(np.shape(observed), np.nan)
    defined = np.isfinite(observed) & np.isfinite(baseline) & (baseline != 0)
    np.divide((observed - baseline) * 100.0, np.abs(baseline), out=out, where=defined)
    return out


def baseline_span(baseline: Baseline, days: int, window: int, trailing: int) -> tuple[int, int]:
    """Columns [lo, hi) of the baseline for a window made of the last `window` of `days` columns."""
    if baseline is Baseline.PREVIOUS_PERIOD:
        return days - 2 * window, days - window
    if baseline is Baseline.SAME_WEEKDAY_LAST_WEEK:
        return days - window - WEEK_DAYS, days - WEEK_DAYS
    return days - window - trailing, days - window


def compare_to_baseline(
    values: FloatArray,
    baseline: Baseline,
    window: int,
    trailing: int,
    aggregation: Aggregation,
    parts: RatioParts | None = None,
) -> tuple[WindowStat, WindowStat]:
    """The latest window's aggregate and its baseline in the same units.

    trailing_mean scales the trailing daily level to the window (× days for sums), so a missing day in
    the trailing span lowers nothing.
    """
    days = values.shape[1]
    lo, hi = baseline_span(baseline, days, window, trailing)
    current = window_aggregate(values, days - window, days, aggregation, parts)
    if baseline is not Baseline.TRAILING_MEAN:
        return current, window_aggregate(values, lo, hi, aggregation, parts)
    level = daily_level(values, lo, hi, aggregation, parts)
    scale = window if aggregation is Aggregation.SUM else 1
    return current, WindowStat(level.value * scale, level.points)


def consecutive_moves(values: FloatArray, periods: int, trend: TrendDirection) -> tuple[BoolArray, BoolArray]:
    """Per row: whether the last `periods` day-over-day moves all go `trend`, and whether all
    `periods + 1` days needed are present."""
    rows, days = values.shape
    if days < periods + 1:
        return np.zeros(rows, dtype=np.bool_), np.zeros(rows, dtype=np.bool_)
    run = finite(values[:, days - periods - 1 :])
    complete: BoolArray = np.asarray(~np.isnan(run).any(axis=1))
    moves = np.diff(run, axis=1)
    strict = moves > 0 if trend is TrendDirection.INCREASING else moves < 0
    return np.asarray(strict.all(axis=1)) & complete, complete


def compare(observed: FloatArray, operator: Comparison | None, value: float | None) -> BoolArray:
    assert operator is not None and value is not None
    return np.asarray(COMPARE[operator](observed, value), dtype=np.bool_)


def row_median(block: FloatArray) -> tuple[FloatArray, IntArray]:
    """Each row's median ignoring NaN (without np.nanmedian's all-NaN warning) and its point count."""
    rows, width = block.shape
    count = (~np.isnan(block)).sum(axis=1, dtype=np.int64)
    if width == 0:
        return np.full(rows, np.nan), count
    ordered = np.sort(block, axis=1)
    lo = np.maximum((count - 1) // 2, 0)[:, np.newaxis]
    hi = (count // 2)[:, np.newaxis]
    middle = (np.take_along_axis(ordered, lo, 1) + np.take_along_axis(ordered, hi, 1))[:, 0] / 2
    return np.where(count > 0, middle, np.nan), count


def robust_scale(deviation: FloatArray, median: FloatArray) -> FloatArray:
    """1.4826·MAD, else 1.2533·mean absolute deviation when MAD is 0, never below a small floor."""
    mad, count = row_median(deviation)
    mean_ad = np.where(np.isnan(deviation), 0.0, deviation).sum(axis=1) / np.maximum(count, 1)
    scale = np.where(mad > 0, MAD_TO_SIGMA * mad, MEAN_AD_TO_SIGMA * mean_ad)
    floor = np.maximum(SCALE_FLOOR_FRACTION * np.abs(median), SCALE_FLOOR_ABSOLUTE)
    return np.fmax(scale, floor)


def volume_reached(values: FloatArray, min_volume: float | None, parts: RatioParts | None) -> BoolArray:
    """The latest day's volume (each denominator's, for a ratio metric) reaches `min_volume`."""
    if min_volume is None:
        return np.ones(len(values), dtype=np.bool_)
    if not values.shape[1]:
        return np.zeros(len(values), dtype=np.bool_)
    sources = parts.denominators if parts is not None and parts.denominators else (values,)
    checks = [finite(source[:, -1]) >= min_volume for source in sources]
    return np.asarray(np.logical_and.reduce(checks), dtype=np.bool_)
