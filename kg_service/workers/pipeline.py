"""One pipeline run for a tenant: refresh → thresholds → thoughts (analysed, stored) → cache → events.

Every stage publishes a `pipeline` event (started, completed or failed) and is timed. A run is keyed
by its ARQ job id: a job that runs again (a retry, or a worker killed mid-run) does not generate
thoughts twice. Runs of one tenant never overlap (a Redis lock); transient failures retry with
backoff, and a run that keeps failing leaves an audit event and a `failed` pipeline event with its
error.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from kg_service.ai.briefing import build_briefing, save_briefing
from kg_service.blocking import run_blocking
from kg_service.engine import metric_values
from kg_service.engine.thoughts import GenerationReport, generate_thoughts
from kg_service.errors import RetryableError, UpstreamError
from kg_service.events import Event
from kg_service.graph import audit
from kg_service.graph.definitions import Severity
from kg_service.graph.metrics import registry
from kg_service.observability import PIPELINE_STAGE_SECONDS
from kg_service.services import Services
from kg_service.warehouse.duckdb_source import DuckDBSource

log = logging.getLogger(__name__)


class PipelineRun:
    def __init__(self, services: Services, tenant: str, job_id: str, trigger: str) -> None:
        self.services = services
        self.tenant = tenant
        self.job_id = job_id
        self.trigger = trigger

    async def publish(self, stage: str, status: str, detail: str | None = None) -> None:
        payload = {
            "job_id": self.job_id,
            "stage": stage,
            "status": status,
            "detail": detail,
            "at": datetime.now(UTC).isoformat(),
        }
        try:
            await self.services.bus.publish(Event(self.tenant, "pipeline", payload))
        except Exception:  # events are best effort; the run's result is in the graph
            log.warning("could not publish a pipeline event for %s", self.tenant, exc_info=True)

    @asynccontextmanager
    async def stage(self, name: str) -> AsyncIterator[None]:
        await self.publish(name, "started")
        started = time.perf_counter()
        try:
            yield
        except BaseException as exc:
            PIPELINE_STAGE_SECONDS.labels(name, "failed").observe(time.perf_counter() - started)
            await self.publish(name, "failed", f"{type(exc).__name__}: {exc}"[:500])
            raise
        PIPELINE_STAGE_SECONDS.labels(name, "completed").observe(time.perf_counter() - started)
        await self.publish(name, "completed")

    async def run(self) -> dict[str, Any]:
        async with self.stage("refresh"):
            await self.refresh()
        async with self.stage("thresholds"):
            breached = await self.thresholds()
        async with self.stage("thoughts"):
            report = await generate_thoughts(
                self.services.graph,
                self.services.values,
                self.services.analyst,
                self.services.fallback,
                self.tenant,
                self.services.settings.engine,
                run_key=self.job_id,
            )
        async with self.stage("cache"):
            await self.services.values.invalidate(self.tenant)
        async with self.stage("publish"):
            await self.announce(report, breached)
        if self.trigger == "daily":
            async with self.stage("briefing"):
                await self.brief()
        return {
            "tenant": self.tenant,
            "ran": report.ran,
            "skipped": report.skipped_reason,
            "changes": {k: v.value for k, v in report.changes.items()},
            "breached": breached,
        }

    async def refresh(self) -> None:
        """DuckDB: rebuild the views and materialised values; Snowflake: run the transform command."""
        inner = self.services.values.inner
        if isinstance(inner, DuckDBSource):
            if inner.files.exists(self.tenant):
                await run_blocking(inner.refresh, self.tenant)
            return
        command = self.services.settings.pipeline.transform_command
        if command:
            await run_transform(
                command.format(tenant=self.tenant), self.services.settings.pipeline.job_timeout_s
            )

    async def thresholds(self) -> list[str]:
        """Metrics whose thresholds are breached on the newest data."""
        metrics = await registry(self.services.graph, self.tenant)
        end = await self.services.values.inner.last_date(self.tenant)
        if end is None or not metrics:
            return []
        start = end - timedelta(days=metric_values.STATUS_WINDOW_DAYS - 1)
        ids = sorted(metrics)
        points = await self.services.values.inner.series(self.tenant, ids, start, end)
        series = metric_values.to_series(points, ids, start, end)
        return [m for m in ids if metric_values.status(metrics[m], series, metrics) is not Severity.OK]

    async def announce(self, report: GenerationReport, breached: list[str]) -> None:
        now = datetime.now(UTC).isoformat()
        bus = self.services.bus
        as_of = report.data_as_of.isoformat() if report.data_as_of else None
        await bus.publish(Event(self.tenant, "metric", {"metric_ids": breached, "as_of": as_of, "at": now}))
        for instance_id in report.notify:
            change = report.changes[instance_id].value
            definition = report.definitions.get(instance_id)
            payload = {"id": instance_id, "change": change, "definition_id": definition, "at": now}
            await bus.publish(Event(self.tenant, "thought", payload))

    async def brief(self) -> None:
        """The morning briefing, after the daily evaluation; announced as a `briefing` event."""
        day = datetime.now(UTC).date()
        briefing = await build_briefing(self.services.graph, self.services.values, self.tenant, day)
        await save_briefing(self.services.graph, self.tenant, briefing)
        payload = {"date": briefing.id, "headline": briefing.headline, "at": datetime.now(UTC).isoformat()}
        await self.services.bus.publish(Event(self.tenant, "briefing", payload))

    async def fail(self, error: BaseException) -> None:
        """Leaves the failure where people look: an audit event and a `failed` pipeline event."""
        detail = f"{type(error).__name__}: {error}"[:500]
        event = audit.new_event(
            user="system:pipeline",
            action="pipeline.failed",
            resource_type="Tenant",
            resource_id=self.tenant,
            outcome="failed",
            metadata={"job_id": self.job_id, "trigger": self.trigger, "error": detail},
            idempotency_key=(self.tenant, "pipeline.failed", self.job_id),
        )
        try:
            await self.services.graph.write_tx(
                lambda tx: audit.record(tx, self.tenant, event), tenant=self.tenant
            )
        except Exception:
            log.exception("could not record the failure of %s", self.job_id)
        await self.publish("run", "failed", detail)


async def run_transform(command: str, timeout_s: int) -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(command), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout_s)
    except TimeoutError as exc:
        process.kill()
        raise RetryableError(f"transform command timed out after {timeout_s} s: {command}") from exc
    if process.returncode != 0:
        tail = output.decode(errors="replace")[-1000:]
        raise UpstreamError(f"transform command failed ({process.returncode}): {command}\n{tail}")
