"""The knowledge definitions: metrics, thresholds, thoughtlets, thought definitions and actions.

These closed models are the shape of the YAML seeds and of what the graph repositories return.
Cross-references (an edge to an unknown metric, a trigger on a missing metric) are checked by the
seed loader, which sees the whole set; each model checks only itself.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kg_service.config import TENANT_PATTERN

ID_PATTERN = r"^[a-z][a-z0-9_]{0,79}$"
TENANT_RE = re.compile(TENANT_PATTERN)

Identifier = Annotated[str, Field(pattern=ID_PATTERN)]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(StrEnum):
    CURRENCY = "currency"
    PERCENTAGE = "percentage"
    COUNT = "count"
    RATIO = "ratio"

    @property
    def allows_negative(self) -> bool:
        return self in (Unit.CURRENCY, Unit.PERCENTAGE)


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Source(StrEnum):
    GOOGLE_ADS = "google_ads"
    META_ADS = "meta_ads"
    GA4 = "ga4"
    KLAVIYO = "klaviyo"
    MAGENTO = "magento"
    DERIVED = "derived"


class Aggregation(StrEnum):
    """How daily values combine over a window. `ratio` metrics recombine their summed components."""

    SUM = "sum"
    MEAN = "mean"
    LAST = "last"
    RATIO = "ratio"


class ComponentRole(StrEnum):
    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"
    FACTOR = "factor"
    ADDEND = "addend"


class Relationship(StrEnum):
    DIRECT = "direct"
    INVERSE = "inverse"


class Severity(StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


class ThresholdKind(StrEnum):
    ABSOLUTE = "absolute"
    RELATIVE = "relative"
    TREND = "trend"
    ANOMALY = "anomaly"


class Baseline(StrEnum):
    PREVIOUS_PERIOD = "previous_period"
    SAME_WEEKDAY_LAST_WEEK = "same_weekday_last_week"
    TRAILING_MEAN = "trailing_mean"


class Comparison(StrEnum):
    GT = ">"
    GTE = ">="
    LT = "<"
    LTE = "<="


class TrendDirection(StrEnum):
    INCREASING = "increasing"
    DECREASING = "decreasing"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ImpactLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IntegrationType(StrEnum):
    MANUAL = "manual"
    API = "api"
    WEBHOOK = "webhook"


class Component(Closed):
    """One input of a metric's formula, by role: value = Π factors × Σ… / Π denominators."""

    metric: Identifier
    role: ComponentRole


class Threshold(Closed):
    """A rule on one metric's daily series.

    absolute: `operator value` on the window aggregate. relative: change % against `baseline`
    (`value` is the signed change %, e.g. -20 for a 20 % drop; `periods` is the window or trailing
    length in days). trend: `periods` consecutive moves in `trend`. anomaly: robust same-weekday
    z-score of at least `value`, ignored when `min_volume` is not reached.
    """

    id: Identifier | None = None
    severity: Literal[Severity.WARNING, Severity.CRITICAL]
    kind: ThresholdKind
    operator: Comparison | None = None
    value: float | None = None
    baseline: Baseline | None = None
    periods: int | None = Field(default=None, ge=1, le=366)
    trend: TrendDirection | None = None
    min_volume: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Threshold:
        needed: dict[ThresholdKind, tuple[str, ...]] = {
            ThresholdKind.ABSOLUTE: ("operator", "value"),
            ThresholdKind.RELATIVE: ("value", "baseline"),
            ThresholdKind.TREND: ("periods", "trend"),
            ThresholdKind.ANOMALY: ("value",),
        }
        missing = [name for name in needed[self.kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind.value} threshold needs {', '.join(missing)}")
        return self


class Edge(Closed):
    metric: Identifier
    relationship: Relationship
    weight: float = Field(gt=0, le=1)


class Metric(Closed):
    id: Identifier
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=600)
    domain: Identifier
    subdomain: Identifier | None = None
    source: Source
    formula: str = Field(min_length=1, max_length=200)
    components: tuple[Component, ...] = ()
    unit: Unit
    direction: Direction
    aggregation: Aggregation
    scale: float = Field(
        default=1.0, gt=0, description="A ratio's multiplier: 100 for percentages, 1000 per mille."
    )
    view: str = Field(pattern=r"^v_metric_[a-z0-9_]+$")
    thresholds: tuple[Threshold, ...] = ()
    affects: tuple[Edge, ...] = ()

    @model_validator(mode="after")
    def _ratio_has_components(self) -> Metric:
        if self.aggregation is Aggregation.RATIO:
            roles = {c.role for c in self.components}
            if not roles & {ComponentRole.NUMERATOR, ComponentRole.FACTOR} or (
                ComponentRole.DENOMINATOR not in roles and ComponentRole.FACTOR not in roles
            ):
                raise ValueError("a ratio metric needs numerator and denominator (or factor) components")
        if any(e.metric == self.id for e in self.affects):
            raise ValueError("a metric cannot affect itself")
        return self

    def threshold_id(self, index: int) -> str:
        threshold = self.thresholds[index]
        return threshold.id or f"{self.id}__{threshold.severity.value}_{threshold.kind.value}_{index}"


class Thoughtlet(Closed):
    id: Identifier
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=600)
    metrics: tuple[Identifier, ...] = Field(min_length=1)


class Condition(Closed):
    """A leaf of a trigger: one metric tested over `lookback_days`.

    `operator`+`value` compares the window aggregate; `change_pct` asks for a change of at least that
    many percent against `baseline` (its sign gives the direction); `trend` asks for `periods`
    consecutive moves. Every part given must hold.
    """

    metric: Identifier
    operator: Comparison | None = None
    value: float | None = None
    lookback_days: int = Field(default=7, ge=1, le=365)
    change_pct: float | None = None
    baseline: Baseline = Baseline.PREVIOUS_PERIOD
    trend: TrendDirection | None = None
    periods: int | None = Field(default=None, ge=2, le=90)

    @model_validator(mode="after")
    def _has_a_test(self) -> Condition:
        if (self.operator is None) != (self.value is None):
            raise ValueError("operator and value go together")
        if (self.trend is None) != (self.periods is None):
            raise ValueError("trend and periods go together")
        if self.value is None and self.change_pct is None and self.trend is None:
            raise ValueError("a condition needs operator/value, change_pct or trend")
        return self


class Compound(Closed):
    operator: Literal["AND", "OR"]
    conditions: tuple[Condition | Compound, ...] = Field(min_length=1)

    def metric_ids(self) -> set[str]:
        ids: set[str] = set()
        for condition in self.conditions:
            ids |= condition.metric_ids() if isinstance(condition, Compound) else {condition.metric}
        return ids


class BlastRadiusConfig(Closed):
    internal: tuple[Identifier, ...] = ()
    external: tuple[str, ...] = ()
    max_depth: int = Field(default=3, ge=1, le=5)


class ThoughtDefinition(Closed):
    id: Identifier
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=600)
    priority: Priority
    category: Identifier
    trigger_conditions: Compound
    component_metrics: tuple[Identifier, ...]
    blast_radius: BlastRadiusConfig = BlastRadiusConfig()
    recommended_actions: tuple[Identifier, ...] = ()
    cascades_to: tuple[Identifier, ...] = ()
    is_active: bool = True


class Action(Closed):
    id: Identifier
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=600)
    impact_level: ImpactLevel
    requires_approval: bool
    integration_type: IntegrationType
    platform: Source | None = None


class TenantOverrides(Closed):
    """A tenant's layer over the shared seeds."""

    tenant: str = Field(pattern=TENANT_PATTERN)
    display_name: str = Field(min_length=1, max_length=120)
    metrics: tuple[Metric, ...] = ()
    thresholds: dict[Identifier, tuple[Threshold, ...]] = Field(default_factory=dict)
    disabled_thoughts: tuple[Identifier, ...] = ()


class KnowledgeSet(Closed):
    """Everything one tenant's graph is built from, after overrides."""

    metrics: tuple[Metric, ...]
    thoughtlets: tuple[Thoughtlet, ...]
    thoughts: tuple[ThoughtDefinition, ...]
    actions: tuple[Action, ...]

    def metric(self, metric_id: str) -> Metric:
        for metric in self.metrics:
            if metric.id == metric_id:
                return metric
        raise KeyError(metric_id)
