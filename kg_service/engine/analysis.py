"""What an analyst is given (only pre-fetched, verified data) and the closed structure it returns.

§6.4 of the architecture: layer 1 (constrain input) is `AnalysisContext`, layer 2 (structured
output) is `ThoughtAnalysis`; the validator (layer 3) is in `validation.py`.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from kg_service.graph.audit import data_hash


class RootCause(StrEnum):
    INCREASED_COMPETITION = "increased_competition"
    BUDGET_EXHAUSTION = "budget_exhaustion"
    CREATIVE_FATIGUE = "creative_fatigue"
    AUDIENCE_SATURATION = "audience_saturation"
    SEASONAL_TREND = "seasonal_trend"
    UNKNOWN = "unknown"


Direction = Literal["up", "down", "flat"]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConditionFact(Closed):
    metric_id: str
    metric_name: str
    test: str
    observed: float | None
    baseline: float | None
    change_pct: float | None
    window_start: str | None
    window_end: str | None
    holds: bool


class ImpactFact(Closed):
    metric_id: str
    impact_pct: float
    depth: int
    cross_domain: bool


class DriverFact(Closed):
    metric_id: str
    component_id: str
    before: float
    after: float
    change_pct: float | None
    contribution: float | None
    share_pct: float | None


class CampaignFact(Closed):
    metric_id: str
    campaign: str
    before: float
    after: float
    change: float
    change_pct: float | None


class ActionOption(Closed):
    id: str
    name: str
    impact_level: str


class AnalysisContext(Closed):
    """Everything an analyst may see about one triggered thought, all of it from the data."""

    tenant: str
    thought_id: str
    thought_name: str
    description: str
    category: str
    trigger_metric_id: str
    trigger_metric_name: str
    trigger_change_pct: float | None
    conditions: tuple[ConditionFact, ...]
    blast_radius: tuple[ImpactFact, ...]
    drivers: tuple[DriverFact, ...]
    top_campaigns: tuple[CampaignFact, ...]
    actions: tuple[ActionOption, ...]
    sample_size: int = Field(ge=0, description="Data points behind the conditions (days × metrics).")
    data_as_of: str

    def fingerprint(self) -> str:
        return data_hash(self.model_dump(mode="json"))

    def numbers(self) -> list[float]:
        """Every number in the context, the only numbers an analysis may mention."""
        found: list[float] = []

        def walk(value: Any) -> None:
            if isinstance(value, bool):
                return
            if isinstance(value, int | float) and math.isfinite(value):
                found.append(float(value))
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list | tuple):
                for item in value:
                    walk(item)

        walk(self.model_dump(exclude={"sample_size"}))
        return found


class ThoughtAnalysis(Closed):
    """An analyst's answer: the same closed structure from Claude or the offline analyst."""

    summary: str = Field(min_length=1, max_length=200)
    root_cause: RootCause
    confidence: float = Field(ge=0, le=1)
    direction: Direction = Field(description="Which way the trigger metric moved, as the analysis claims.")
    recommended_actions: tuple[str, ...] = Field(default=(), max_length=3)
    mentioned_values: tuple[float, ...] = Field(default=(), max_length=20)


class Analyst(Protocol):
    name: str

    async def analyze(self, context: AnalysisContext) -> ThoughtAnalysis: ...
