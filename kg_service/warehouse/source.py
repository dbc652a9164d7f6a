"""`MetricSource`: the one door to metric values, whatever warehouse holds them."""

from __future__ import annotations

from datetime import date
from typing import Literal, NamedTuple, Protocol, overload

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


class MetricSource(Protocol):
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
        """Daily values of many metrics between `start` and `end` (inclusive), in one warehouse query.

        With `breakdown="campaign"`, per-campaign points for the metrics that have campaigns.
        """
        ...

    async def latest(self, tenant: str, metric_ids: list[str]) -> dict[str, MetricPoint]:
        """The newest point of each metric that has one."""
        ...

    async def last_date(self, tenant: str) -> date | None:
        """The newest day holding any value, or None for an empty warehouse."""
        ...

    async def ping(self, tenant: str | None = None) -> None:
        """Raises RetryableError when the warehouse cannot answer."""
        ...
