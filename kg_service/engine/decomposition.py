"""Driver decomposition: how much of a metric's change between two periods each component explains.

Ratio and product metrics split by log change (LMDI): contribution_i = Δ·sign_i·ln(c_i1/c_i0) / Σ_j
sign_j·ln(c_j1/c_j0), whose denominator equals ln(v1/v0), so the parts add up to Δ. Sum metrics split
additively. Where a log is undefined (a zero or negative component), the split falls back to Shapley
shares: each component's marginal effect averaged over every order of switching components from before
to after, which is exact and needs no logs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from itertools import product

import numpy as np

from kg_service.errors import InvalidInput
from kg_service.graph.definitions import ComponentRole, Metric

from .series import (
    DailySeries,
    FiniteResult,
    component_aggregation,
    day_range,
    window_aggregate,
)

MAX_SHAPLEY_COMPONENTS = 12
NO_CHANGE_TOLERANCE = 1e-12
FALLBACK_NOTE = "log change undefined (a zero or negative value): Shapley shares of the change instead"


class DecompositionMethod(StrEnum):
    LOG_CHANGE = "log_change"
    ADDITIVE = "additive"
    SHAPLEY = "shapley"
    NO_CHANGE = "no_change"
    UNDEFINED = "undefined"


class DriverContribution(FiniteResult):
    metric_id: str
    role: ComponentRole
    before: float
    after: float
    change_pct: float | None
    contribution: float | None
    share_pct: float | None


class Decomposition(FiniteResult):
    metric_id: str
    method: DecompositionMethod
    before: float | None
    after: float | None
    change: float | None
    change_pct: float | None
    drivers: tuple[DriverContribution, ...]
    note: str | None = None


def decompose(metric: Metric, before: Mapping[str, float], after: Mapping[str, float]) -> Decomposition:
    """Split the metric's change into its components' contributions.

    `before` and `after` hold each component's total for the two periods, keyed by component metric id.
    """
    additive = _is_additive(metric)
    c0, c1 = _read(metric, before, "before"), _read(metric, after, "after")
    signs = [-1 if c.role is ComponentRole.DENOMINATOR else 1 for c in metric.components]
    scale = metric.scale
    v0, v1 = formula_value(additive, signs, c0, scale), formula_value(additive, signs, c1, scale)
    if v0 is None or v1 is None:
        period = "before" if v0 is None else "after"
        return _assemble(
            metric, DecompositionMethod.UNDEFINED, c0, c1, v0, v1, None, _zero_note(metric, period)
        )
    method, contributions = _split(additive, signs, c0, c1, (v0, v1), scale)
    if not all(math.isfinite(x) for x in (v0, v1, *contributions)):
        raise InvalidInput(f"{metric.id}: the component values are too extreme to split in floating point")
    note = FALLBACK_NOTE if method is DecompositionMethod.SHAPLEY else None
    return _assemble(metric, method, c0, c1, v0, v1, contributions, note)


def component_totals(
    metric: Metric,
    series: Mapping[str, DailySeries],
    start: date,
    end: date,
    definitions: Mapping[str, Metric] | None = None,
) -> dict[str, float]:
    """Each component's total over [start, end], the inputs `decompose` splits.

    Additive components are summed; one that `definitions` show to be a rate or level enters with its
    mean (or latest value), as in threshold windows.
    """
    if end < start:
        raise InvalidInput(f"end {end.isoformat()} is before start {start.isoformat()}")
    dates = day_range(start, end)
    totals: dict[str, float] = {}
    for component in metric.components:
        found = series.get(component.metric)
        values = found.aligned_values(dates) if found is not None else np.full(dates.size, np.nan)
        aggregation = component_aggregation((definitions or {}).get(component.metric))
        total = window_aggregate(values[np.newaxis, :], 0, dates.size, aggregation).value[0]
        if np.isnan(total):
            raise InvalidInput(f"no data for {component.metric} between {start} and {end}")
        totals[component.metric] = float(total)
    return totals


def formula_value(
    additive: bool, signs: Sequence[int], values: Sequence[float], scale: float = 1.0
) -> float | None:
    """Σ addends, or scale × Π numerators·factors / Π denominators; None when a denominator is 0."""
    if additive:
        return math.fsum(values)
    top = scale * math.prod(v for v, s in zip(values, signs, strict=True) if s > 0)
    bottom = math.prod(v for v, s in zip(values, signs, strict=True) if s < 0)
    return top / bottom if bottom != 0 else None


def _is_additive(metric: Metric) -> bool:
    roles = {c.role for c in metric.components}
    if not roles:
        raise InvalidInput(f"{metric.id} has no components to decompose")
    if ComponentRole.ADDEND in roles and len(roles) > 1:
        raise InvalidInput(f"{metric.id} mixes addends with multiplicative components")
    return roles == {ComponentRole.ADDEND}


def _read(metric: Metric, values: Mapping[str, float], period: str) -> list[float]:
    read: list[float] = []
    for component in metric.components:
        value = values.get(component.metric)
        if value is None or not math.isfinite(value):
            raise InvalidInput(f"{metric.id}: no finite {period} value for component {component.metric}")
        read.append(float(value))
    return read


def _split(
    additive: bool,
    signs: Sequence[int],
    c0: Sequence[float],
    c1: Sequence[float],
    values: tuple[float, float],
    scale: float,
) -> tuple[DecompositionMethod, list[float]]:
    v0, v1 = values
    if additive:
        return DecompositionMethod.ADDITIVE, [b - a for a, b in zip(c0, c1, strict=True)]
    # Recombining the same value from different components can differ in the last bit; that is no change.
    if math.isclose(v1, v0, rel_tol=NO_CHANGE_TOLERANCE, abs_tol=0.0):
        return DecompositionMethod.NO_CHANGE, [0.0] * len(c0)
    logs = _log_changes(signs, c0, c1)
    total_log = math.fsum(logs) if logs is not None else 0.0
    if logs is not None and total_log != 0:
        return DecompositionMethod.LOG_CHANGE, [(v1 - v0) * log / total_log for log in logs]
    return DecompositionMethod.SHAPLEY, shapley(signs, c0, c1, scale)


def _log_changes(signs: Sequence[int], c0: Sequence[float], c1: Sequence[float]) -> list[float] | None:
    if any(v <= 0 for v in (*c0, *c1)):
        return None
    return [s * (math.log(b) - math.log(a)) for s, a, b in zip(signs, c0, c1, strict=True)]


def shapley(
    signs: Sequence[int], c0: Sequence[float], c1: Sequence[float], scale: float = 1.0
) -> list[float]:
    """Each component's average marginal effect over every order of switching from c0 to c1."""
    n = len(c0)
    if n > MAX_SHAPLEY_COMPONENTS:
        raise InvalidInput(f"cannot split {n} components; at most {MAX_SHAPLEY_COMPONENTS}")
    value = {
        mask: formula_value(
            False, signs, [b if m else a for a, b, m in zip(c0, c1, mask, strict=True)], scale
        )
        for mask in product((False, True), repeat=n)
    }
    shares = [0.0] * n
    for mask, v in value.items():
        size = sum(mask)
        for i in (i for i in range(n) if not mask[i]):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            grown = value[tuple(True if j == i else m for j, m in enumerate(mask))]
            # Denominators are non-zero in both periods here, so every mixed state is defined.
            assert grown is not None and v is not None
            shares[i] += weight * (grown - v)
    return shares


def _assemble(
    metric: Metric,
    method: DecompositionMethod,
    c0: Sequence[float],
    c1: Sequence[float],
    v0: float | None,
    v1: float | None,
    contributions: Sequence[float] | None,
    note: str | None,
) -> Decomposition:
    change = v1 - v0 if v0 is not None and v1 is not None else None
    drivers = tuple(
        DriverContribution(
            metric_id=component.metric,
            role=component.role,
            before=a,
            after=b,
            change_pct=_pct(b - a, a),
            contribution=contributions[i] if contributions is not None else None,
            share_pct=_share(contributions[i], change) if contributions is not None else None,
        )
        for i, (component, a, b) in enumerate(zip(metric.components, c0, c1, strict=True))
    )
    change_pct = _pct(change, v0) if change is not None else None
    return Decomposition(
        metric_id=metric.id,
        method=method,
        before=v0,
        after=v1,
        change=change,
        change_pct=change_pct,
        drivers=drivers,
        note=note,
    )


def _pct(part: float, whole: float | None) -> float | None:
    if whole is None or whole == 0:
        return None
    share = part / abs(whole) * 100.0
    return share if math.isfinite(share) else None


def _share(part: float, whole: float | None) -> float | None:
    """Signed share of the total change: positive when the part moved the metric the same way."""
    if whole is None or whole == 0:
        return None
    share = part / whole * 100.0
    return share if math.isfinite(share) else None


def _zero_note(metric: Metric, period: str) -> str:
    names = ", ".join(c.metric for c in metric.components if c.role is ComponentRole.DENOMINATOR)
    return f"{metric.id} is undefined {period}: a denominator ({names}) is 0"
