"""Neo4j driver lifecycle and the two ways to run a catalog query: a read or a write transaction."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, unit_of_work
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired, TransientError

from kg_service.config import Neo4jSettings
from kg_service.errors import RetryableError, UpstreamError
from kg_service.graph.catalog import CypherText
from kg_service.observability import GRAPH_QUERIES

log = logging.getLogger(__name__)
T = TypeVar("T")
BULK_TIMEOUT_S = 120.0
Row = dict[str, Any]


WriteListener = Callable[[str], Awaitable[None]]


class Graph:
    """One driver per process; every call names the database and carries a server-side timeout.

    Every write names its tenant; once it commits, `on_write(tenant)` is awaited (when set), which is
    how caches of answers built from the graph learn that the tenant's graph changed.
    """

    def __init__(self, driver: AsyncDriver, database: str, timeout_s: float) -> None:
        self._driver = driver
        self.database = database
        self.timeout_s = timeout_s
        self.on_write: WriteListener | None = None

    @classmethod
    def connect(cls, settings: Neo4jSettings) -> Graph:
        password = settings.password.get_secret_value()
        driver = AsyncGraphDatabase.driver(
            settings.bolt_uri,
            auth=(settings.user, password) if password else None,
            max_transaction_retry_time=min(settings.query_timeout_s * 2, 15.0),
            connection_acquisition_timeout=settings.query_timeout_s,
            connection_timeout=settings.query_timeout_s,
            notifications_min_severity="OFF",
        )
        return cls(driver, settings.database, settings.query_timeout_s)

    async def close(self) -> None:
        await self._driver.close()

    async def ping(self) -> None:
        try:
            await self._driver.verify_connectivity()
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise RetryableError(f"Neo4j unreachable: {exc}") from exc

    async def read(self, text: CypherText, **params: Any) -> list[Row]:
        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            return await run(tx, text, **params)

        return await self._managed(self._read, work)

    async def write(self, text: CypherText, *, tenant: str, **params: Any) -> list[Row]:
        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            return await run(tx, text, tenant=tenant, **params)

        return await self.write_tx(work, tenant=tenant)

    async def read_tx(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        return await self._managed(self._read, work)

    async def write_tx(
        self,
        work: Callable[[AsyncManagedTransaction], Awaitable[T]],
        *,
        tenant: str,
        timeout_s: float | None = None,
    ) -> T:
        """Runs `work` in one write transaction of `tenant`'s graph: all of it commits, or none of it.
        Bulk work (seeding, embedding) passes a longer `timeout_s` than the per-request default."""

        async def write(work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
            return await self._write(work, timeout_s)

        result = await self._managed(write, work)
        if self.on_write is not None:
            await self.on_write(tenant)
        return result

    async def _read(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        GRAPH_QUERIES.labels("read").inc()
        async with self._driver.session(database=self.database) as session:
            return await session.execute_read(unit_of_work(timeout=self.timeout_s)(work))

    async def _write(
        self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], timeout_s: float | None = None
    ) -> T:
        GRAPH_QUERIES.labels("write").inc()
        async with self._driver.session(database=self.database) as session:
            return await session.execute_write(unit_of_work(timeout=timeout_s or self.timeout_s)(work))

    async def _managed(
        self,
        runner: Callable[[Callable[[AsyncManagedTransaction], Awaitable[T]]], Awaitable[T]],
        work: Callable[[AsyncManagedTransaction], Awaitable[T]],
    ) -> T:
        try:
            return await runner(work)
        except (ServiceUnavailable, SessionExpired, TransientError) as exc:
            raise RetryableError(f"Neo4j unavailable: {exc}") from exc
        except Neo4jError as exc:
            if exc.code and "ConstraintValidationFailed" in exc.code:
                raise
            if exc.code and "TransactionTimedOut" in exc.code:
                raise RetryableError(f"Neo4j transaction timed out: {exc.message}") from exc
            raise UpstreamError(f"Neo4j error {exc.code}: {exc.message}") from exc
        except DriverError as exc:  # e.g. no pooled connection free within the acquisition timeout
            raise RetryableError(f"Neo4j driver: {type(exc).__name__}: {exc}") from exc

    @asynccontextmanager
    async def session_for_schema(self) -> AsyncIterator[Any]:
        """Schema commands must run in auto-commit transactions, outside managed ones."""
        async with self._driver.session(database=self.database) as session:
            yield session


async def run(tx: AsyncManagedTransaction, text: CypherText, **params: Any) -> list[Row]:
    result = await tx.run(text, params)
    return [record.data() async for record in result]
