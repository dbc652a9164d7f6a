"""The demo store itself: GA4 sessions and funnel, Magento orders at order grain, the finance plan.

Orders are the truth. Each session source converts at its own rate; every order is drawn with its
day, source, customer, basket and refund in one vectorised pass, and GA4 records each purchase with
the profile's coverage (less during a planted tracking break), so GA4 and Magento agree until then.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kg_service.warehouse.demo_calendar import FloatArray, IntArray, Store
from kg_service.warehouse.demo_channels import Columns, long_rows
from kg_service.warehouse.demo_profile import IncidentKind


@dataclass(frozen=True)
class Traffic:
    sessions_table: Columns
    orders: IntArray  # true orders per source × day
    checkouts: IntArray
    add_to_carts: IntArray


def ga4_traffic(store: Store, clicks: dict[str, FloatArray]) -> Traffic:
    """TRAFFIC_SOURCE rows: paid and email sessions follow the platforms' clicks, the rest demand."""
    profile, rng, cal = store.profile, store.rng, store.calendar
    sources = profile.ga4.sources
    shape = (len(sources), cal.n)
    expected = np.stack(
        [
            clicks[s.from_clicks] * (s.sessions_per_click or 0)
            if s.from_clicks
            else (s.sessions or 0) * store.demand * cal.weekly(s.weekly)
            for s in sources
        ]
    )
    sessions = rng.poisson(expected * store.noise(shape, 0.5))
    users = rng.binomial(sessions, 0.86)
    rate = np.asarray([[s.conversion_rate] for s in sources])
    orders = rng.poisson(sessions * rate * store.conversion_lift * store.noise(shape, 0.5))
    checkouts = orders + rng.poisson(orders * (1 / profile.ga4.checkout_completion - 1))
    add_to_carts = checkouts + rng.poisson(checkouts * (1 / profile.ga4.add_to_cart_to_checkout - 1))
    table = long_rows(
        store,
        {"session_source_medium": list(profile.names("ga4"))},
        sessions=sessions,
        engaged_sessions=rng.binomial(sessions, np.asarray([[s.engaged_rate] for s in sources])),
        total_users=users,
        new_users=rng.binomial(users, np.asarray([[s.new_user_rate] for s in sources])),
    )
    return Traffic(table, orders, checkouts, add_to_carts)


@dataclass(frozen=True)
class Orders:
    table: Columns
    day: IntArray
    source: IntArray
    tracked: np.ndarray


def magento_orders(store: Store, orders: IntArray) -> Orders:
    """sales_order at order grain from the true orders per source and day, in one vectorised pass."""
    profile, rng, cal = store.profile, store.rng, store.calendar
    spec, sources = profile.orders, profile.ga4.sources
    per_day = orders.T  # day-major, so customer numbers grow with time
    day = np.repeat(np.arange(cal.n).repeat(len(sources)), per_day.ravel())
    source = np.repeat(np.tile(np.arange(len(sources)), cal.n), per_day.ravel())
    count = day.size
    new_share = np.asarray([s.new_customer_share for s in sources])
    is_new = rng.random(count) < new_share[source]
    new_before_day = np.concatenate([[0], np.cumsum(np.bincount(day[is_new], minlength=cal.n))[:-1]])
    pool = spec.existing_customers + new_before_day[day]
    # a returning order picks any earlier customer; customer k's first order came before today
    customer = np.where(is_new, spec.existing_customers + np.cumsum(is_new) - 1, (rng.random(count) * pool))
    items = 1 + rng.poisson(spec.items_per_order - 1, count)
    sigma = spec.aov_spread
    basket = items / spec.items_per_order * spec.aov * rng.lognormal(-(sigma**2) / 2, sigma, count)
    grand_total = np.round(np.maximum(basket, 1.0), 2)
    peak = (cal.black_friday | cal.cyber_monday | cal.peak_weekend)[day]
    discounted = rng.random(count) < np.where(peak, 3, 1) * spec.discount_share
    depth = np.minimum(spec.discount_depth * np.where(peak, 1.5, 1) * rng.uniform(0.6, 1.4, count), 0.9)
    refunded = rng.random(count) < spec.refund_rate / 0.8  # refunds average 80 % of the order
    refund_part = np.where(rng.random(count) < 0.5, 0.6, 1.0)
    breaks = store.effect(IncidentKind.TRACKING_BREAK, profile.names("ga4"))
    tracked = rng.random(count) < profile.ga4.coverage * (1 - breaks[source, day])
    numbers = pa.array(np.arange(100_000_001, 100_000_001 + count))
    table: Columns = {
        "order_id": pc.binary_join_element_wise(
            profile.store.order_id_prefix, pc.cast(numbers, pa.string()), ""
        ),
        "date": cal.dates[day],
        "customer_id": pc.binary_join_element_wise(
            "C", pc.cast(pa.array(customer.astype(np.int64)), pa.string()), ""
        ),
        "customer_is_new": is_new,
        "channel": np.asarray([s.channel for s in sources], dtype=object)[source],
        "grand_total": grand_total,
        "discount_amount": -np.round(discounted * grand_total * depth / (1 - depth), 2),
        "refunded_amount": np.round(refunded * refund_part * grand_total, 2),
        "total_item_count": items.astype(np.int32),
        "cost_of_goods": np.round(grand_total * spec.cogs_share * store.noise((count,), 0.5), 2),
    }
    return Orders(table, day, source, tracked)


def ga4_conversions(store: Store, traffic: Traffic, orders: Orders) -> Columns:
    """CONVERSIONS_REPORT: the funnel GA4 saw, and the purchases it recorded (tracked orders)."""
    cal, rng, coverage = store.calendar, store.rng, store.profile.ga4.coverage
    cells = traffic.orders.shape
    cell = orders.source * cal.n + orders.day
    purchases = np.bincount(cell, weights=orders.tracked, minlength=cells[0] * cal.n).reshape(cells)
    revenue = np.bincount(
        cell, weights=orders.tracked * orders.table["grand_total"], minlength=cells[0] * cal.n
    ).reshape(cells)
    return long_rows(
        store,
        {"session_source_medium": list(store.profile.names("ga4"))},
        add_to_carts=rng.binomial(traffic.add_to_carts, coverage),
        begin_checkouts=rng.binomial(traffic.checkouts, coverage),
        purchases=purchases.astype(np.int64),
        purchase_revenue=np.round(revenue, 2),
    )


def finance_plan(store: Store, orders: Orders, ad_spend: FloatArray) -> Columns:
    """daily_plan: the month's budget and revenue plan phased by day, fixed costs, operating cash."""
    cal, profile = store.calendar, store.profile
    plan = profile.finance

    def daily(column: str) -> FloatArray:
        return np.bincount(orders.day, weights=orders.table[column], minlength=cal.n).astype(np.float64)

    revenue, refunds, cogs = daily("grand_total"), daily("refunded_amount"), daily("cost_of_goods")
    # monthly totals, phased over the month's days along the holiday curve (Black Friday gets more)
    budget_phase = store.ad_holidays / cal.month_mean(store.ad_holidays)
    budget = (
        cal.month_mean(profile.store.ad_spend_per_day * store.ad_level)
        * plan.budget_plan_factor
        * budget_phase
    )
    sales_curve = cal.holidays(profile.store.holidays) * store.conversion_lift
    target = cal.month_mean(revenue) * plan.revenue_target_factor * cal.month_draw(store.rng, 0.03)
    target *= sales_curve / cal.month_mean(sales_curve)
    fixed = plan.fixed_costs_per_month / cal.days_in_month
    # suppliers are paid in a Monday run, so cash is lumpy while costs are not
    supplier_run = np.where(cal.weekday == 0, 1.6, 0.9)
    cash = 0.97 * (revenue - refunds) - supplier_run * cogs - ad_spend - fixed
    cash += store.rng.normal(0, 0.05, cal.n) * revenue
    return {
        "date": cal.dates,
        "marketing_budget": np.round(budget, 2),
        "revenue_target": np.round(target, 2),
        "operating_cash_flow": np.round(cash, 2),
        "fixed_costs": np.round(fixed, 2),
    }
