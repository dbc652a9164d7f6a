"""Driver decomposition: log-change splits for ratios and products, additive splits, fallbacks."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg_service.engine.decomposition import (
    DecompositionMethod,
    DriverContribution,
    component_totals,
    decompose,
)
from kg_service.engine.series import DailySeries
from kg_service.errors import InvalidInput
from kg_service.graph.definitions import (
    Aggregation,
    Component,
    ComponentRole,
    Direction,
    Metric,
    Source,
    Unit,
)


def _metric(metric_id: str, aggregation: Aggregation, *roles: tuple[str, ComponentRole]) -> Metric:
    return Metric(
        id=metric_id,
        name=metric_id,
        description="test metric",
        domain="paid",
        source=Source.DERIVED,
        formula="test",
        components=tuple(Component(metric=name, role=role) for name, role in roles),
        unit=Unit.RATIO,
        direction=Direction.HIGHER_IS_BETTER,
        aggregation=aggregation,
        view=f"v_metric_{metric_id}",
    )


ROAS = _metric(
    "roas", Aggregation.RATIO, ("revenue", ComponentRole.NUMERATOR), ("spend", ComponentRole.DENOMINATOR)
)
REVENUE = _metric(
    "revenue",
    Aggregation.RATIO,
    ("sessions", ComponentRole.FACTOR),
    ("conversion_rate", ComponentRole.FACTOR),
    ("order_value", ComponentRole.FACTOR),
)
SPEND = _metric(
    "total_spend",
    Aggregation.SUM,
    ("google_spend", ComponentRole.ADDEND),
    ("meta_spend", ComponentRole.ADDEND),
)


def _total(drivers: tuple[DriverContribution, ...]) -> float:
    assert all(d.contribution is not None for d in drivers)
    return math.fsum(d.contribution or 0.0 for d in drivers)


def test_a_roas_drop_splits_between_revenue_and_spend() -> None:
    result = decompose(ROAS, {"revenue": 3500.0, "spend": 1000.0}, {"revenue": 3360.0, "spend": 1200.0})
    assert result.method is DecompositionMethod.LOG_CHANGE
    assert (
        result.before == 3.5 and result.after == pytest.approx(2.8) and result.change == pytest.approx(-0.7)
    )
    assert result.change_pct == pytest.approx(-20.0)
    revenue, spend = result.drivers
    log_total = math.log(2.8 / 3.5)
    assert revenue.contribution == pytest.approx(-0.7 * math.log(0.96) / log_total)
    assert spend.contribution == pytest.approx(-0.7 * -math.log(1.2) / log_total)
    assert spend.role is ComponentRole.DENOMINATOR and spend.change_pct == pytest.approx(20.0)
    assert spend.contribution is not None and revenue.contribution is not None
    assert spend.contribution < revenue.contribution < 0
    assert _total(result.drivers) == pytest.approx(-0.7)
    assert spend.share_pct is not None and revenue.share_pct is not None
    assert spend.share_pct + revenue.share_pct == pytest.approx(100.0)
    assert spend.share_pct > 50


def test_a_product_splits_by_log_change() -> None:
    before = {"sessions": 1000.0, "conversion_rate": 0.02, "order_value": 50.0}
    after = {"sessions": 1100.0, "conversion_rate": 0.02, "order_value": 45.0}
    result = decompose(REVENUE, before, after)
    assert result.before == pytest.approx(1000.0) and result.after == pytest.approx(990.0)
    sessions, rate, order_value = result.drivers
    assert rate.contribution == 0.0 and rate.change_pct == 0.0
    assert sessions.contribution is not None and sessions.contribution > 0
    assert order_value.contribution is not None and order_value.contribution < 0
    assert _total(result.drivers) == pytest.approx(-10.0)


def test_the_metric_scale_applies_to_the_values_not_the_shares() -> None:
    ctr = _metric(
        "ctr",
        Aggregation.RATIO,
        ("clicks", ComponentRole.NUMERATOR),
        ("impressions", ComponentRole.DENOMINATOR),
    ).model_copy(update={"scale": 100.0})
    result = decompose(ctr, {"clicks": 45.0, "impressions": 1000.0}, {"clicks": 45.0, "impressions": 1500.0})
    assert result.before == pytest.approx(4.5) and result.after == pytest.approx(3.0)
    clicks, impressions = result.drivers
    assert clicks.contribution == 0.0 and impressions.contribution == pytest.approx(-1.5)
    assert impressions.share_pct == pytest.approx(100.0)


def test_a_sum_splits_additively() -> None:
    result = decompose(
        SPEND, {"google_spend": 600.0, "meta_spend": 400.0}, {"google_spend": 700.0, "meta_spend": 250.0}
    )
    assert result.method is DecompositionMethod.ADDITIVE and result.change == -50.0
    google, meta = result.drivers
    assert google.contribution == 100.0 and meta.contribution == -150.0
    assert google.share_pct == -200.0 and meta.share_pct == 300.0


def test_no_change_gives_zero_contributions() -> None:
    result = decompose(ROAS, {"revenue": 300.0, "spend": 100.0}, {"revenue": 330.0, "spend": 110.0})
    assert result.method is DecompositionMethod.NO_CHANGE and result.change == 0.0
    assert [d.contribution for d in result.drivers] == [0.0, 0.0]
    assert [d.share_pct for d in result.drivers] == [None, None]
    assert result.drivers[0].change_pct == pytest.approx(10.0)


def test_a_zero_component_falls_back_to_labelled_shapley_shares() -> None:
    before = {"sessions": 1000.0, "conversion_rate": 0.0, "order_value": 50.0}
    after = {"sessions": 1200.0, "conversion_rate": 0.02, "order_value": 50.0}
    result = decompose(REVENUE, before, after)
    assert result.method is DecompositionMethod.SHAPLEY and result.note is not None
    assert "Shapley" in result.note
    sessions, rate, order_value = result.drivers
    # Revenue is 0 unless the conversion rate moves: sessions share the interaction, the rate takes the rest.
    assert sessions.contribution == pytest.approx(0.5 * (1200 - 1000) * 0.02 * 50)
    assert rate.contribution == pytest.approx(0.5 * (1000 + 1200) * 0.02 * 50)
    assert order_value.contribution == pytest.approx(0.0)
    assert rate.change_pct is None
    assert _total(result.drivers) == pytest.approx(1200.0)
    assert "NaN" not in result.model_dump_json()


def test_negative_values_fall_back_without_nan() -> None:
    margin = _metric(
        "margin",
        Aggregation.RATIO,
        ("profit", ComponentRole.NUMERATOR),
        ("orders", ComponentRole.DENOMINATOR),
    )
    result = decompose(margin, {"profit": -200.0, "orders": 100.0}, {"profit": 300.0, "orders": 150.0})
    assert result.method is DecompositionMethod.SHAPLEY
    assert _total(result.drivers) == pytest.approx(2.0 - -2.0)


def test_a_zero_denominator_leaves_the_split_undefined() -> None:
    result = decompose(ROAS, {"revenue": 0.0, "spend": 0.0}, {"revenue": 500.0, "spend": 100.0})
    assert result.method is DecompositionMethod.UNDEFINED
    assert result.before is None and result.after == 5.0 and result.change is None
    assert all(d.contribution is None and d.share_pct is None for d in result.drivers)
    assert result.note == "roas is undefined before: a denominator (spend) is 0"


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="spend"):
        decompose(ROAS, {"revenue": 1.0}, {"revenue": 1.0, "spend": 1.0})
    with pytest.raises(InvalidInput, match="finite"):
        decompose(ROAS, {"revenue": 1.0, "spend": float("nan")}, {"revenue": 1.0, "spend": 1.0})
    with pytest.raises(InvalidInput, match="no components"):
        decompose(_metric("clicks", Aggregation.SUM), {}, {})
    mixed = _metric("odd", Aggregation.SUM, ("a", ComponentRole.ADDEND), ("b", ComponentRole.FACTOR))
    with pytest.raises(InvalidInput, match="mixes"):
        decompose(mixed, {"a": 1.0, "b": 1.0}, {"a": 2.0, "b": 2.0})


def test_component_totals_sum_each_component_over_the_period() -> None:
    start = date(2024, 1, 1)
    first = np.datetime64(start, "D")
    series = {
        "revenue": DailySeries(
            "revenue", np.arange(first, first + 4), np.array([10.0, float("nan"), 30.0, 40.0])
        ),
        "spend": DailySeries("spend", np.arange(first, first + 4), np.array([1.0, 2.0, 3.0, 4.0])),
    }
    assert component_totals(ROAS, series, start, start + timedelta(days=2)) == {"revenue": 40.0, "spend": 6.0}
    rates = {"spend": _metric("spend", Aggregation.MEAN)}
    averaged = component_totals(ROAS, series, start, start + timedelta(days=2), rates)
    assert averaged == {"revenue": 40.0, "spend": 2.0}
    with pytest.raises(InvalidInput, match="no data for revenue between 2024-01-11 and 2024-01-13"):
        component_totals(ROAS, series, start + timedelta(days=10), start + timedelta(days=12))
    with pytest.raises(InvalidInput, match="before start"):
        component_totals(ROAS, series, start, start - timedelta(days=1))
    with pytest.raises(InvalidInput, match="no data for revenue"):
        component_totals(ROAS, {"spend": series["spend"]}, start, start)


positive = st.floats(min_value=1e-3, max_value=1e6)


@given(before=st.tuples(positive, positive, positive), after=st.tuples(positive, positive, positive))
def test_log_change_contributions_add_up_to_the_change(
    before: tuple[float, float, float], after: tuple[float, float, float]
) -> None:
    metric = _metric(
        "blend",
        Aggregation.RATIO,
        ("a", ComponentRole.NUMERATOR),
        ("b", ComponentRole.FACTOR),
        ("c", ComponentRole.DENOMINATOR),
    )
    result = decompose(metric, dict(zip("abc", before, strict=True)), dict(zip("abc", after, strict=True)))
    assert result.change is not None
    scale = max(abs(result.before or 0), abs(result.after or 0))
    assert _total(result.drivers) == pytest.approx(result.change, rel=1e-9, abs=1e-9 * scale)
    assert result.method in (DecompositionMethod.LOG_CHANGE, DecompositionMethod.NO_CHANGE)


# Money-like values (cents), zeros and negatives included; float dust such as 1e-300 is not a total.
signed = st.integers(-1_000_000, 1_000_000).map(lambda cents: cents / 100)


@given(before=st.tuples(signed, signed), after=st.tuples(signed, signed))
def test_every_split_adds_up_even_with_zeros_and_negatives(
    before: tuple[float, float], after: tuple[float, float]
) -> None:
    metric = _metric("product", Aggregation.RATIO, ("a", ComponentRole.FACTOR), ("b", ComponentRole.FACTOR))
    result = decompose(metric, dict(zip("ab", before, strict=True)), dict(zip("ab", after, strict=True)))
    assert result.change is not None
    # Rounding is relative to the largest mixed state the split passes through.
    scale = max(abs(a * b) for a in (before[0], after[0]) for b in (before[1], after[1]))
    assert _total(result.drivers) == pytest.approx(result.change, rel=1e-9, abs=1e-9 * scale)
