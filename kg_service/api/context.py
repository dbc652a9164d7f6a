"""Per-request state: who is calling, and loaders that batch and memoise reads for this request only.

A websocket keeps one context for its whole connection, so subscriptions take a fresh `Scope` for
every event they deliver: nothing read for one event is served for the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from kg_service.api.limits import RateLimiter
from kg_service.engine.metric_values import STATUS_WINDOW_DAYS, needed_ids, to_series
from kg_service.engine.series import DailySeries
from kg_service.errors import Unauthenticated
from kg_service.graph import action_requests, actions, instances, metrics, thoughtlets, thoughts
from kg_service.graph.action_requests import ActionRequest
from kg_service.graph.definitions import Action, Metric, ThoughtDefinition, Thoughtlet
from kg_service.graph.memo import remembered
from kg_service.identity import Principal
from kg_service.services import Services
from kg_service.warehouse.source import MetricPoint

T = TypeVar("T")


class _Once:
    """Memoises one coroutine's result for the life of a scope."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Future[Any]] = {}

    async def get(self, key: str, make: Callable[[], Awaitable[T]]) -> T:
        if key not in self._tasks:
            self._tasks[key] = asyncio.ensure_future(make())
        result: T = await shared(self._tasks[key])
        return result


async def shared(future: Awaitable[T]) -> T:
    """Awaits a future other resolvers wait on too. When GraphQL cancels this resolver (a sibling
    failed), the future itself must go on: cancelling it would fail every other waiter with a
    CancelledError, which no field error handling catches."""
    return await asyncio.shield(future)


class Scope:
    """Reads for one request (or one subscription event), each done at most once or in one batch."""

    def __init__(self, services: Services, tenant: str) -> None:
        self.services = services
        self.tenant = tenant
        self._once = _Once()
        self.series: dict[str, DailySeries] = {}
        self._computed: dict[tuple[object, ...], Any] = {}
        self._values: DataLoader[str, DailySeries] = DataLoader(self._load_values)
        self._requests: DataLoader[str, list[ActionRequest]] = DataLoader(self._load_requests)

    def computed(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per request for each key: a metric reached along several paths of one
        query (boards within boards) has its status and drivers worked out once."""
        if key not in self._computed:
            self._computed[key] = compute()
        value: T = self._computed[key]
        return value

    async def values(self, metric_id: str) -> DailySeries:
        """The metric's dashboard window; every metric asked for in one tick is read in one query."""
        return await shared(self._values.load(metric_id))

    async def requests_for(self, thought_id: str) -> list[ActionRequest]:
        """The thought's action requests; every thought asked for in one tick, in one graph read."""
        return await shared(self._requests.load(thought_id))

    async def registry(self) -> dict[str, Metric]:
        return await self._once.get("registry", lambda: metrics.registry(self.services.graph, self.tenant))

    async def thoughtlets(self) -> list[Thoughtlet]:
        return await self._once.get(
            "thoughtlets",
            lambda: remembered(
                "thoughtlets",
                self.tenant,
                lambda: thoughtlets.list_thoughtlets(self.services.graph, self.tenant),
            ),
        )

    async def definitions(self) -> dict[str, ThoughtDefinition]:
        async def load() -> dict[str, ThoughtDefinition]:
            return {d.id: d for d in await thoughts.list_definitions(self.services.graph, self.tenant)}

        return await self._once.get("definitions", lambda: remembered("definitions", self.tenant, load))

    async def actions(self) -> dict[str, Action]:
        async def load() -> dict[str, Action]:
            return {a.id: a for a in await actions.list_actions(self.services.graph, self.tenant)}

        return await self._once.get("actions", lambda: remembered("actions", self.tenant, load))

    async def metric(self, metric_id: str) -> Metric | None:
        return (await self.registry()).get(metric_id)

    async def _load_values(self, keys: list[str]) -> list[DailySeries]:
        """One warehouse read for every metric asked for in this tick, with their components."""
        registry = await self.registry()
        ids = needed_ids(list(keys), registry)
        # The window ends on the tenant's newest data, as the engine's does: anchored on today, a
        # store whose data stopped weeks ago would show a shortened (or empty) window.
        end = await self.services.values.last_date(self.tenant) or datetime.now(UTC).date()
        start = end - timedelta(days=STATUS_WINDOW_DAYS - 1)
        points = await self.services.values.series(self.tenant, ids, start, end)
        loaded = to_series(points, ids, start, _last_day(points, end))
        self.series.update(loaded)
        return [self.series[k] for k in keys]

    async def long_history(self, metric_id: str, days: int) -> list[MetricPoint]:
        """A metric's last `days` days, for histories longer than the shared dashboard window."""
        end = await self.services.values.last_date(self.tenant)
        if end is None:
            return []
        start = end - timedelta(days=days - 1)
        return (await self.services.values.series(self.tenant, [metric_id], start, end)).get(metric_id, [])

    async def _load_requests(self, thought_ids: list[str]) -> list[list[ActionRequest]]:
        found = await action_requests.list_requests(
            self.services.graph, self.tenant, thought_ids=list(thought_ids), limit=1000
        )
        by_thought: dict[str, list[ActionRequest]] = {t: [] for t in thought_ids}
        for request in found:
            by_thought[request.thought_id].append(request)
        return [sorted(by_thought[t], key=lambda r: r.action_id) for t in thought_ids]

    async def instance(self, instance_id: str) -> instances.ThoughtInstance | None:
        return await instances.get_instance(self.services.graph, self.tenant, instance_id)


def _last_day(points: dict[str, list[Any]], fallback: date) -> date:
    """The newest day holding any value, so windows end on real data rather than on today."""
    newest = [series[-1].date for series in points.values() if series]
    return max(newest) if newest else fallback


class Context(BaseContext):
    def __init__(
        self, services: Services, principal: Principal | None, request_id: str, limiter: RateLimiter
    ) -> None:
        super().__init__()
        self.services = services
        self.limiter = limiter
        self.principal = principal
        self.request_id = request_id
        self.connection_params: dict[str, Any] | None = None
        self.over_websocket = False
        self._scope: Scope | None = None

    @property
    def who(self) -> Principal:
        if self.principal is None:
            raise Unauthenticated("authentication required")
        return self.principal

    @property
    def tenant(self) -> str:
        return self.who.tenant_id

    @property
    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = Scope(self.services, self.tenant)
        return self._scope

    def fresh_scope(self) -> Scope:
        self._scope = Scope(self.services, self.tenant)
        return self._scope
