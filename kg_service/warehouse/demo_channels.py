"""The demo store's channels, each a function from the shared `Store` to landing-table columns.

Every quantity is drawn for all campaigns and days at once (arrays shaped campaigns × days, or one
entry per order for Magento); nothing loops per row. Platform figures are what the platforms
claim; Magento orders are the truth GA4 measures with some loss, so the two agree until a planted
tracking break.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from kg_service.warehouse.demo_calendar import FloatArray, IntArray, Store
from kg_service.warehouse.demo_profile import GoogleCampaign, GoogleKind, IncidentKind

Columns = dict[str, NDArray[Any]]
Tables = dict[str, Columns]


def _col(values: list[float]) -> FloatArray:
    return np.asarray(values, dtype=np.float64)[:, None]


def _spec(items: Sequence[BaseModel], field: str) -> FloatArray:
    """A profile field of every campaign (or message) as a column, to broadcast over days."""
    return _col([float(getattr(item, field)) for item in items])


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def long_rows(store: Store, keys: dict[str, list[str]], **values: NDArray[Any]) -> Columns:
    """Campaign × day arrays as rows: `keys` name each campaign (one list entry per row of arrays)."""
    count = len(next(iter(keys.values())))
    columns: Columns = {"date": np.tile(store.calendar.dates, count)}
    for column, labels in keys.items():
        columns[column] = np.repeat(np.asarray(labels, dtype=object), store.calendar.n)
    columns.update({column: array.ravel() for column, array in values.items()})
    return columns


def google_ads(store: Store) -> tuple[Tables, FloatArray]:
    """CAMPAIGN_STATS and KEYWORD_STATS; returns the tables and the day's clicks."""
    profile, rng = store.profile, store.rng
    campaigns = profile.google_ads.campaigns
    names = list(profile.names("google_ads"))
    shape = (len(campaigns), store.calendar.n)
    spike = store.effect(IncidentKind.CPC_SPIKE, tuple(names))
    base = profile.store.ad_spend_per_day * _spec(campaigns, "budget_share") * store.ad_level
    budget = 1.15 * base
    # a pricier auction makes the account bid up, but the daily budget caps what it can spend
    # (Google overdelivers by up to 10 % on a day)
    desired = base * store.calendar.weekly(profile.google_ads.weekly) * store.noise(shape) * (1 + 0.8 * spike)
    cpc = _spec(campaigns, "cpc") * store.auction * store.noise(shape, 0.4) * (1 + spike)
    clicks = rng.poisson(np.minimum(desired, 1.1 * budget) / cpc)
    ctr = np.minimum(_spec(campaigns, "ctr") * store.noise(shape, 0.3) * (1 - 0.15 * spike), 0.9)
    impressions = clicks + rng.poisson(clicks * (1 / ctr - 1))
    expected = clicks * _spec(campaigns, "cvr") * store.conversion_lift
    conversions = np.round(rng.poisson(expected) * store.noise(shape, 0.2), 2)
    value = np.round(conversions * _spec(campaigns, "value_per_conversion") * store.noise(shape, 0.5), 2)
    lost = 1 - _col([np.nan if c.impression_share is None else c.impression_share for c in campaigns])
    rank_lost = np.clip(0.75 * lost * store.noise(shape, 0.6) + 0.4 * spike, 0, 0.9)
    budget_lost = np.clip(
        0.25 * lost * store.noise(shape, 0.6) + np.maximum(0, 1 - 1.1 * budget / desired), 0, 0.9
    )
    stats = long_rows(
        store,
        {"campaign_id": [f"g-{index + 101}" for index in range(len(names))], "campaign_name": names},
        impressions=impressions,
        clicks=clicks,
        cost=np.round(clicks * cpc, 2),
        conversions=conversions,
        conversions_value=value,
        search_impression_share=np.clip(1 - rank_lost - budget_lost, 0.05, 1),
        search_rank_lost_impression_share=rank_lost,
        search_budget_lost_impression_share=np.where(np.isnan(lost), np.nan, budget_lost),
        daily_budget=np.round(budget, 2),
    )
    keywords = [
        _keyword_rows(store, index, campaign, impressions[index], clicks[index], cpc[index])
        for index, campaign in enumerate(campaigns)
        if campaign.kind in (GoogleKind.BRAND_SEARCH, GoogleKind.NON_BRAND_SEARCH)
    ]
    keyword_stats = {column: np.concatenate([k[column] for k in keywords]) for column in keywords[0]}
    tables = {"google_ads_fivetran.campaign_stats": stats, "google_ads_fivetran.keyword_stats": keyword_stats}
    return tables, clicks.sum(axis=0)


def _keyword_rows(
    store: Store,
    index: int,
    campaign: GoogleCampaign,
    impressions: IntArray,
    clicks: IntArray,
    cpc: FloatArray,
) -> Columns:
    """The campaign's traffic split over its keywords; better quality scores win more clicks."""
    rng, n = store.rng, store.calendar.n
    count = len(campaign.keywords)
    scores = np.array([k.quality_score for k in campaign.keywords])
    split = rng.multinomial(impressions, rng.dirichlet(np.full(count, 1.5)))
    appeal = scores / 7.0
    ctr = clicks / np.maximum(impressions, 1)
    keyword_clicks = rng.binomial(split, np.clip(ctr[:, None] * appeal / np.average(appeal), 0, 1))
    flicker = (rng.random((n, count)) < 0.03) * rng.choice([-1, 1], (n, count))
    ids = [f"k-{index + 101}-{k + 1:03d}" for k in range(count)]
    return {
        "date": np.repeat(store.calendar.dates, count),
        "campaign_id": np.full(n * count, f"g-{index + 101}", dtype=object),
        "ad_group_id": np.tile(
            np.asarray([f"ag-{index + 101}-{k // 3 + 1}" for k in range(count)], object), n
        ),
        "keyword_id": np.tile(np.asarray(ids, dtype=object), n),
        "keyword_text": np.tile(np.asarray([k.text for k in campaign.keywords], dtype=object), n),
        "impressions": split.ravel(),
        "clicks": keyword_clicks.ravel(),
        "cost": np.round(keyword_clicks * cpc[:, None] * (0.8 + 0.4 * rng.random(count)), 2).ravel(),
        "quality_score": np.clip(scores + flicker, 1, 10).ravel(),
    }


def meta_ads(store: Store) -> tuple[Tables, FloatArray]:
    """BASIC_CAMPAIGN and BASIC_AD; returns the tables and the day's link clicks."""
    profile, rng = store.profile, store.rng
    campaigns = profile.meta_ads.campaigns
    names = list(profile.names("meta_ads"))
    shape = (len(campaigns), store.calendar.n)
    fatigue = store.effect(IncidentKind.CREATIVE_FATIGUE, tuple(names))
    base = profile.store.ad_spend_per_day * _spec(campaigns, "budget_share") * store.ad_level
    desired = base * store.calendar.weekly(profile.meta_ads.weekly) * store.noise(shape)
    cpm = _spec(campaigns, "cpm") * store.auction * store.noise(shape, 0.4) * (1 + 0.15 * fatigue)
    impressions = rng.poisson(np.minimum(desired, 1.1 * base) / cpm * 1000)
    frequency = np.maximum(_spec(campaigns, "frequency") * (1 + 1.5 * fatigue) * store.noise(shape, 0.3), 1)
    link_ctr = _spec(campaigns, "link_ctr") * (1 - fatigue) * store.noise(shape, 0.4)
    link_clicks = rng.binomial(impressions, np.clip(link_ctr, 0, 1))
    other = np.clip(link_ctr * (_spec(campaigns, "clicks_per_link_click") - 1), 0, 1)
    clicks = link_clicks + rng.binomial(impressions, other)
    expected = link_clicks * _spec(campaigns, "cvr") * store.conversion_lift * (1 - 0.2 * fatigue)
    purchases = rng.poisson(expected).astype(np.float64)
    value = np.round(purchases * _spec(campaigns, "value_per_conversion") * store.noise(shape, 0.5), 2)
    spend = np.round(impressions * cpm / 1000, 2)
    reach = np.maximum(np.floor(impressions / frequency), np.minimum(impressions, 1)).astype(np.int64)
    ids = [f"m-{index + 201}" for index in range(len(names))]
    basic_campaign = long_rows(
        store,
        {"campaign_id": ids, "campaign_name": names},
        impressions=impressions,
        reach=reach,
        clicks=clicks,
        link_clicks=link_clicks,
        spend=spend,
        purchases=purchases,
        purchase_value=value,
        daily_budget=np.round(1.1 * base, 2),
    )
    ads = [
        _ad_rows(
            store, ids[index], campaign.ads, impressions[index], reach[index], clicks[index], spend[index]
        )
        for index, campaign in enumerate(campaigns)
    ]
    basic_ad = {column: np.concatenate([a[column] for a in ads]) for column in ads[0]}
    tables = {"meta_ads_fivetran.basic_campaign": basic_campaign, "meta_ads_fivetran.basic_ad": basic_ad}
    return tables, link_clicks.sum(axis=0)


def _ad_rows(
    store: Store,
    campaign_id: str,
    ads: tuple[str, ...],
    impressions: IntArray,
    reach: IntArray,
    clicks: IntArray,
    spend: FloatArray,
) -> Columns:
    rng, n, count = store.rng, store.calendar.n, len(ads)
    split = rng.multinomial(impressions, rng.dirichlet(np.full(count, 2.0)))
    share = split / np.maximum(impressions, 1)[:, None]
    ad_clicks = rng.binomial(split, np.clip(clicks / np.maximum(impressions, 1), 0, 1)[:, None])
    return {
        "date": np.repeat(store.calendar.dates, count),
        "ad_id": np.tile(np.asarray([f"{campaign_id}-ad-{k + 1}" for k in range(count)], dtype=object), n),
        "ad_name": np.tile(np.asarray(ads, dtype=object), n),
        "campaign_id": np.full(n * count, campaign_id, dtype=object),
        "impressions": split.ravel(),
        "reach": np.floor(reach[:, None] * share).astype(np.int64).ravel(),
        "clicks": ad_clicks.ravel(),
        "spend": np.round(spend[:, None] * share, 2).ravel(),
    }


@dataclass(frozen=True)
class Email:
    tables: Tables
    clicks: FloatArray


def klaviyo(store: Store) -> Email:
    """CAMPAIGN rows on send days, FLOW rows daily, and the list size."""
    profile, rng, cal = store.profile, store.rng, store.calendar
    email = profile.klaviyo
    shape_n = (cal.n,)
    new_subscribers = rng.poisson(email.subscribers_per_day * store.demand * store.noise(shape_n))
    audience = email.list_size + np.cumsum(new_subscribers) - new_subscribers
    sends = []
    for campaign in email.campaigns:
        day = np.isin(cal.weekday, campaign.weekdays) & (rng.random(cal.n) < campaign.send_probability)
        for holiday in campaign.holidays:
            day |= cal.black_friday if holiday == "black_friday" else cal.cyber_monday
        sends.append(np.where(day, rng.binomial(audience, campaign.audience_share), 0))
    for flow in email.flows:
        drive = new_subscribers / email.subscribers_per_day if flow.kind == "welcome" else store.demand
        sends.append(rng.poisson(flow.recipients_per_day * drive * store.noise(shape_n, 0.5)))
    messages = (*email.campaigns, *email.flows)
    names = tuple(m.name for m in messages)
    recipients = np.stack(sends)
    shape = recipients.shape
    drop = store.effect(IncidentKind.DELIVERABILITY_DROP, names)
    bounced = rng.binomial(
        recipients, np.clip(email.bounce_rate * (1 + 12 * drop) * store.noise(shape, 0.5), 0, 1)
    )
    delivered = recipients - bounced
    open_rate = _spec(messages, "open_rate")
    opens = rng.binomial(delivered, np.clip(open_rate * (1 - drop) * store.noise(shape, 0.3), 0, 0.95))
    click_share = _spec(messages, "click_rate") / open_rate
    clicks = rng.binomial(opens, np.clip(click_share * store.noise(shape, 0.4), 0, 1))
    unsubscribes = rng.binomial(
        delivered, np.clip(email.unsubscribe_rate * (1 + 2 * drop) * store.noise(shape), 0, 1)
    )
    spam = rng.binomial(delivered, np.clip(email.spam_rate * (1 + 12 * drop) * store.noise(shape), 0, 1))
    orders = rng.binomial(clicks, np.clip(_spec(messages, "order_rate") * store.conversion_lift, 0, 1))
    revenue = np.round(orders * profile.orders.aov * store.noise(shape, 1.5), 2)
    values = {
        "recipients": recipients,
        "delivered": delivered,
        "bounced": bounced,
        "opens": opens,
        "clicks": clicks,
        "unsubscribes": unsubscribes,
        "spam_complaints": spam,
        "orders": orders,
        "attributed_revenue": revenue,
    }
    campaigns = len(email.campaigns)
    flow_names = list(names[campaigns:])
    flows = long_rows(
        store,
        {"flow_id": [f"flow-{slug(name)}" for name in flow_names], "flow_name": flow_names},
        **{column: array[campaigns:] for column, array in values.items()},
    )
    sent = long_rows(
        store,
        {"campaign_id": [slug(name) for name in names[:campaigns]], "campaign_name": list(names[:campaigns])},
        **{column: array[:campaigns] for column, array in values.items()},
    )
    on_send_day = sent["recipients"] > 0
    sent = {column: array[on_send_day] for column, array in sent.items()}
    stamps = np.char.replace(np.datetime_as_string(sent["date"], unit="D"), "-", "")
    sent["campaign_id"] = np.char.add(np.char.add(sent["campaign_id"].astype(str), "-"), stamps).astype(
        object
    )
    subscribed = audience + new_subscribers - np.cumsum(unsubscribes.sum(axis=0))
    tables = {
        "klaviyo_fivetran.campaign": sent,
        "klaviyo_fivetran.flow": flows,
        "klaviyo_fivetran.list_size": {"date": cal.dates, "subscribed_profiles": subscribed},
    }
    return Email(tables, clicks.sum(axis=0).astype(np.float64))
