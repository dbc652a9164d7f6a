"""Benchmark: 10,000 daily series × 365 days against absolute, relative, trend and anomaly thresholds.

Run: .venv/bin/python bench/bench_thresholds.py [--series N] [--days D] [--repeats R]
One repetition evaluates every threshold below over the whole matrix through `evaluate_matrix`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from kg_service.engine.thresholds import evaluate_matrix
from kg_service.graph.definitions import (
    Baseline,
    Comparison,
    Direction,
    Severity,
    Threshold,
    ThresholdKind,
    TrendDirection,
)

TARGET_S = 1.0
SEED = 20240101
THRESHOLDS = (
    Threshold(severity=Severity.WARNING, kind=ThresholdKind.ABSOLUTE, operator=Comparison.GT, value=130.0),
    Threshold(
        severity=Severity.WARNING, kind=ThresholdKind.ABSOLUTE, operator=Comparison.LT, value=600.0, periods=7
    ),
    Threshold(
        severity=Severity.CRITICAL,
        kind=ThresholdKind.RELATIVE,
        value=-20.0,
        baseline=Baseline.PREVIOUS_PERIOD,
        periods=7,
    ),
    Threshold(
        severity=Severity.WARNING,
        kind=ThresholdKind.RELATIVE,
        value=25.0,
        baseline=Baseline.SAME_WEEKDAY_LAST_WEEK,
    ),
    Threshold(
        severity=Severity.WARNING,
        kind=ThresholdKind.RELATIVE,
        value=-15.0,
        baseline=Baseline.TRAILING_MEAN,
        periods=28,
    ),
    Threshold(
        severity=Severity.WARNING, kind=ThresholdKind.TREND, trend=TrendDirection.INCREASING, periods=3
    ),
    Threshold(severity=Severity.CRITICAL, kind=ThresholdKind.ANOMALY, value=3.0, min_volume=10.0),
)


def synthetic_series(n_series: int, n_days: int, seed: int = SEED) -> np.ndarray:
    """Weekly-seasonal positive series with noise, a slow drift and 2 % missing days."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(20.0, 200.0, (n_series, 1))
    weekday = 1.0 + 0.3 * np.sin(2 * np.pi * np.arange(n_days) / 7)
    drift = 1.0 + rng.normal(0.0, 0.0005, (n_series, 1)) * np.arange(n_days)
    values = level * weekday * drift * rng.lognormal(0.0, 0.1, (n_series, n_days))
    values[rng.random(values.shape) < 0.02] = np.nan
    return values


def one_pass(values: np.ndarray) -> int:
    breaches = 0
    for threshold in THRESHOLDS:
        result = evaluate_matrix(values, threshold, direction=Direction.HIGHER_IS_BETTER)
        breaches += int(result.breached.sum())
    return breaches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    values = synthetic_series(args.series, args.days)
    breaches = one_pass(values)  # warm-up, and a sanity number to print
    timings = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        one_pass(values)
        timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    median = statistics.median(timings)
    print(f"series × days      : {args.series:,} × {args.days}  ({len(THRESHOLDS)} thresholds)")
    print(f"cpus available     : {len(os.sched_getaffinity(0))}")
    print(f"breaches per pass  : {breaches:,}")
    print(f"repetitions        : {args.repeats}")
    print(f"median wall time   : {median * 1000:.1f} ms")
    print(f"p95 wall time      : {p95 * 1000:.1f} ms")
    print(f"target             : ≤ {TARGET_S * 1000:.0f} ms  -> {'met' if p95 <= TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
