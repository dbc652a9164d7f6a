"""`MetricSource`: the one door to metric values, whatever warehouse holds them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import Literal, NamedTuple, overload

from kg_service.errors import InvalidInput

TOTAL = ""
"""The dimension value of a metric's total (all campaigns together)."""


class MetricPoint(NamedTuple):
    date: date
    value: float


Series = dict[str, list[MetricPoint]]
"""metric id → daily points in date order (days without a value are absent)."""

Breakdown = dict[str, dict[str, list[MetricPoint]]]
"""metric id → campaign → daily points."""


BreakdownDimension = Literal["campaign"]


MAX_METRICS_PER_QUERY = 500
MAX_DAYS_PER_QUERY = 3 * 366


def check_request(metric_ids: list[str], start: date, end: date) -> None:
    if end < start:
        raise InvalidInput(f"end ({end}) is before start ({start})")
    if (end - start).days + 1 > MAX_DAYS_PER_QUERY:
        raise InvalidInput(f"at most {MAX_DAYS_PER_QUERY} days per query")
    if len(metric_ids) > MAX_METRICS_PER_QUERY:
        raise InvalidInput(f"at most {MAX_METRICS_PER_QUERY} metrics per query")


class MetricSource(ABC):
    """The one door to metric values. `series` is written once here (request checks, then totals
    or a per-campaign breakdown); each warehouse implements the reads."""

    @overload
    async def series(
        self, tenant: str, metric_ids: list[str], start: date, end: date, breakdown: None = None
    ) -> Series: ...

    @overload
    async def series(
        self, tenant: str, metric_ids: list[str], start: date, end: date, breakdown: BreakdownDimension
    ) -> Breakdown: ...

    async def series(
        self,
        tenant: str,
        metric_ids: list[str],
        start: date,
        end: date,
        breakdown: BreakdownDimension | None = None,
    ) -> Series | Breakdown:
        check_request(metric_ids, start, end)
        if not metric_ids:
            return {}
        if breakdown is None:
            return await self.totals(tenant, metric_ids, start, end)
        return await self.by_campaign(tenant, metric_ids, start, end)

    @abstractmethod
    async def totals(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Series:
        """Each metric's daily total, in one query."""

    @abstractmethod
    async def by_campaign(self, tenant: str, metric_ids: list[str], start: date, end: date) -> Breakdown:
        """Each metric's daily values per campaign, in one query."""

    @abstractmethod
    async def latest(self, tenant: str, metric_ids: list[str]) -> dict[str, MetricPoint]:
        """The newest point of each metric that has one."""

    @abstractmethod
    async def last_date(self, tenant: str) -> date | None:
        """The newest day holding any value, or None for an empty warehouse."""

    @abstractmethod
    async def ping(self, tenant: str | None = None) -> None:
        """Raises RetryableError when the warehouse cannot answer."""
