"""The demo store profiles (`seeds/demo/<tenant>.yaml`): a store's shape and its planted incidents.

Closed pydantic models: an unknown key, a value out of range or an incident on a campaign the
store does not run is refused with the file and the key path named, before anything is written.
Scale figures are the store's level on the series' last day before seasonality; rates are 0..1.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kg_service.config import ROOT, TENANT_PATTERN
from kg_service.errors import SeedError

DEMO_DIR = ROOT / "seeds" / "demo"

Rate = Annotated[float, Field(ge=0, le=1)]
Positive = Annotated[float, Field(gt=0)]
Name = Annotated[str, Field(min_length=1, max_length=80)]
Weekly = Annotated[tuple[float, float, float, float, float, float, float], Field(description="Mon..Sun")]
FLAT_WEEK: Weekly = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Seasonality(Closed):
    strength: Annotated[float, Field(ge=0, lt=1)]
    peak_day_of_year: Annotated[int, Field(ge=1, le=366)]


class Holidays(Closed):
    """Extra demand in the holiday season and on Black Friday / Cyber Monday (0.8 = +80 %)."""

    season_lift: Annotated[float, Field(ge=0, le=2)]
    black_friday: Annotated[float, Field(ge=0, le=5)]
    cyber_monday: Annotated[float, Field(ge=0, le=5)]
    auction_lift: Annotated[float, Field(ge=0, le=2)] = 0.2


class StoreScale(Closed):
    name: Name
    order_id_prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,4}$")]
    ad_spend_per_day: Positive
    growth_per_year: Annotated[float, Field(ge=-0.5, le=3)]
    noise: Annotated[float, Field(ge=0, le=0.5)]
    seasonality: Seasonality
    holidays: Holidays


class Orders(Closed):
    aov: Positive
    aov_spread: Annotated[float, Field(gt=0, le=1.5)]
    items_per_order: Annotated[float, Field(ge=1, le=50)]
    cogs_share: Rate
    discount_share: Rate
    discount_depth: Annotated[float, Field(ge=0, lt=1)]
    refund_rate: Rate
    existing_customers: Annotated[int, Field(ge=1)]


class GoogleKind(StrEnum):
    BRAND_SEARCH = "brand_search"
    NON_BRAND_SEARCH = "non_brand_search"
    SHOPPING = "shopping"
    PERFORMANCE_MAX = "performance_max"


class Keyword(Closed):
    text: Name
    quality_score: Annotated[int, Field(ge=1, le=10)]


class GoogleCampaign(Closed):
    name: Name
    kind: GoogleKind
    budget_share: Rate
    cpc: Positive
    ctr: Rate
    cvr: Rate
    value_per_conversion: Positive
    impression_share: Rate | None = None
    keywords: tuple[Keyword, ...] = ()

    @model_validator(mode="after")
    def _fits_kind(self) -> GoogleCampaign:
        searches = self.kind in (GoogleKind.BRAND_SEARCH, GoogleKind.NON_BRAND_SEARCH)
        if searches and not self.keywords:
            raise ValueError("a search campaign needs keywords")
        if not searches and self.keywords:
            raise ValueError(f"a {self.kind.value} campaign has no keywords")
        if (self.impression_share is None) != (self.kind is GoogleKind.PERFORMANCE_MAX):
            raise ValueError("impression_share is set for search and shopping campaigns only")
        return self


class MetaKind(StrEnum):
    PROSPECTING = "prospecting"
    RETARGETING = "retargeting"
    ADVANTAGE_PLUS = "advantage_plus"


class MetaCampaign(Closed):
    name: Name
    kind: MetaKind
    budget_share: Rate
    cpm: Positive
    link_ctr: Rate
    clicks_per_link_click: Annotated[float, Field(ge=1, le=5)] = 1.7
    frequency: Annotated[float, Field(ge=1, le=20)]
    cvr: Rate
    value_per_conversion: Positive
    ads: Annotated[tuple[Name, ...], Field(min_length=1)]


class Platform(Closed):
    weekly: Weekly = FLAT_WEEK


class GoogleAds(Platform):
    campaigns: Annotated[tuple[GoogleCampaign, ...], Field(min_length=1)]


class MetaAds(Platform):
    campaigns: Annotated[tuple[MetaCampaign, ...], Field(min_length=1)]


class Message(Closed):
    """Per-message engagement: opens and clicks per delivered email, orders per click."""

    name: Name
    open_rate: Rate
    click_rate: Rate
    order_rate: Rate


class EmailCampaign(Message):
    audience_share: Rate
    weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = ()
    holidays: tuple[Literal["black_friday", "cyber_monday"], ...] = ()
    send_probability: Rate = 1.0


class FlowKind(StrEnum):
    WELCOME = "welcome"
    ABANDONED_CART = "abandoned_cart"
    POST_PURCHASE = "post_purchase"
    WINBACK = "winback"


class Flow(Message):
    kind: FlowKind
    recipients_per_day: Positive


class Klaviyo(Closed):
    list_size: Annotated[int, Field(ge=100)]
    subscribers_per_day: Positive
    bounce_rate: Rate
    spam_rate: Rate
    unsubscribe_rate: Rate
    campaigns: Annotated[tuple[EmailCampaign, ...], Field(min_length=1)]
    flows: Annotated[tuple[Flow, ...], Field(min_length=1)]


class TrafficSource(Closed):
    """A GA4 session source/medium: fed by a platform's clicks, or with its own daily sessions."""

    source_medium: Annotated[str, Field(pattern=r"^\S.* / \S.*$", max_length=80)]
    channel: Name
    from_clicks: Literal["google_ads", "meta_ads", "klaviyo"] | None = None
    sessions_per_click: Annotated[float, Field(gt=0, le=3)] | None = None
    sessions: Positive | None = None
    weekly: Weekly = FLAT_WEEK
    engaged_rate: Rate
    new_user_rate: Rate
    conversion_rate: Rate
    new_customer_share: Rate

    @model_validator(mode="after")
    def _one_feed(self) -> TrafficSource:
        if (self.from_clicks is None) == (self.sessions is None):
            raise ValueError("give either from_clicks (with sessions_per_click) or sessions")
        if (self.from_clicks is None) != (self.sessions_per_click is None):
            raise ValueError("sessions_per_click goes with from_clicks")
        return self


class Ga4(Closed):
    coverage: Rate
    add_to_cart_to_checkout: Rate
    checkout_completion: Rate
    sources: Annotated[tuple[TrafficSource, ...], Field(min_length=1)]


class Finance(Closed):
    budget_plan_factor: Positive = 1.0
    revenue_target_factor: Positive = 1.04
    fixed_costs_per_month: Annotated[float, Field(ge=0)]


class IncidentKind(StrEnum):
    CPC_SPIKE = "cpc_spike"
    CREATIVE_FATIGUE = "creative_fatigue"
    DELIVERABILITY_DROP = "deliverability_drop"
    TRACKING_BREAK = "tracking_break"


class Signal(NamedTuple):
    """A metric an incident moves (or leaves alone: `flat`), read on the tenant's total."""

    metric_id: str
    change: Literal["up", "down", "flat"]


SIGNALS: dict[IncidentKind, tuple[Signal, ...]] = {
    IncidentKind.CPC_SPIKE: (
        Signal("cpc_google_ads", "up"),
        Signal("roas_google_ads", "down"),
        Signal("competition_level", "up"),
        Signal("quality_score", "flat"),
    ),
    IncidentKind.CREATIVE_FATIGUE: (
        Signal("frequency_meta_ads", "up"),
        Signal("ctr_meta_ads", "down"),
        Signal("spend_meta_ads", "flat"),
    ),
    IncidentKind.DELIVERABILITY_DROP: (
        Signal("bounce_rate_klaviyo", "up"),
        Signal("spam_rate_klaviyo", "up"),
        Signal("open_rate_klaviyo", "down"),
    ),
    IncidentKind.TRACKING_BREAK: (
        Signal("conversions_ga4", "down"),
        Signal("ga4_tracking_coverage", "down"),
        Signal("conversions", "flat"),
        Signal("orders_magento", "flat"),
    ),
}
"""What each kind of incident shows. Magnitudes: cpc_spike raises CPC by `magnitude` (0.5 = +50 %);
creative_fatigue cuts link CTR by `magnitude` at its end while frequency climbs 1.5× as much;
deliverability_drop cuts opens by `magnitude` and multiplies bounce and spam rates by
1 + 12 × `magnitude`; tracking_break loses `magnitude` of GA4's purchase events."""

INCIDENT_PLATFORM = {
    IncidentKind.CPC_SPIKE: "google_ads",
    IncidentKind.CREATIVE_FATIGUE: "meta_ads",
    IncidentKind.DELIVERABILITY_DROP: "klaviyo",
    IncidentKind.TRACKING_BREAK: "ga4",
}


class Incident(Closed):
    """A problem planted over the series' last `start_days_before_end` days."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,79}$")]
    kind: IncidentKind
    start_days_before_end: Annotated[int, Field(ge=1, le=60)]
    magnitude: Annotated[float, Field(gt=0, le=1)]
    campaigns: tuple[Name, ...] = Field(
        default=(), description="campaigns (GA4: source/mediums) hit; empty = all of the platform's"
    )
    note: str = ""


class DemoProfile(Closed):
    tenant: Annotated[str, Field(pattern=TENANT_PATTERN)]
    store: StoreScale
    orders: Orders
    google_ads: GoogleAds
    meta_ads: MetaAds
    klaviyo: Klaviyo
    ga4: Ga4
    finance: Finance
    incidents: tuple[Incident, ...] = ()

    def names(self, platform: str) -> tuple[str, ...]:
        """Campaign names on a platform (GA4: its source/mediums; Klaviyo: campaigns and flows)."""
        if platform == "google_ads":
            return tuple(c.name for c in self.google_ads.campaigns)
        if platform == "meta_ads":
            return tuple(c.name for c in self.meta_ads.campaigns)
        if platform == "klaviyo":
            return tuple(m.name for m in (*self.klaviyo.campaigns, *self.klaviyo.flows))
        return tuple(s.source_medium for s in self.ga4.sources)

    @model_validator(mode="after")
    def _consistent(self) -> DemoProfile:
        problems = []
        shares = sum(c.budget_share for c in self.google_ads.campaigns) + sum(
            c.budget_share for c in self.meta_ads.campaigns
        )
        if abs(shares - 1) > 0.005:
            problems.append(f"google_ads/meta_ads campaigns: budget_share adds up to {shares:.3f}, not 1")
        all_names = [*self.names("google_ads"), *self.names("meta_ads"), *self.names("klaviyo")]
        for name in sorted({n for n in all_names if all_names.count(n) > 1}):
            problems.append(f"campaign name {name!r} is used twice (names key the per-campaign breakdown)")
        if len(set(self.names("ga4"))) != len(self.ga4.sources):
            problems.append("ga4.sources: a source_medium is listed twice")
        for index, incident in enumerate(self.incidents):
            known = self.names(INCIDENT_PLATFORM[incident.kind])
            for position, name in enumerate(incident.campaigns):
                if name not in known:
                    problems.append(
                        f"incidents[{index}].campaigns[{position}]: {name!r} is not a "
                        f"{INCIDENT_PLATFORM[incident.kind]} campaign of this store"
                    )
        ids = [i.id for i in self.incidents]
        if len(set(ids)) != len(ids):
            problems.append("incidents: an id is used twice")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def profile_path(tenant: str, demo_dir: Path = DEMO_DIR) -> Path:
    return demo_dir / f"{tenant}.yaml"


def load_profile(path: Path) -> DemoProfile:
    """Reads and validates one profile; every problem names the file and the key."""
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError([f"{where}: cannot be read: {exc}".replace("\n", " ")]) from exc
    try:
        profile = DemoProfile.model_validate(data)
    except ValidationError as exc:
        raise SeedError([_problem(where, error["loc"], error["msg"]) for error in exc.errors()]) from exc
    if path.stem != profile.tenant:
        raise SeedError([f"{where}: tenant: says {profile.tenant!r} but the file is for {path.stem!r}"])
    return profile


def _problem(where: str, loc: tuple[int | str, ...], message: str) -> str:
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    message = message.removeprefix("Value error, ")
    return f"{where}: {key}: {message}" if key else f"{where}: {message}"
