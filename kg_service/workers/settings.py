"""The ARQ worker: the pipeline job, the daily run per tenant, and their settings."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from arq import Retry, cron
from arq.connections import RedisSettings as ArqRedisSettings

from kg_service.config import Settings, get_settings
from kg_service.errors import RetryableError
from kg_service.graph.tenants import list_tenants
from kg_service.services import Services
from kg_service.workers.pipeline import PipelineRun
from kg_service.workers.queue import enqueue_pipeline

log = logging.getLogger(__name__)
LOCK_WAIT_S = 5


async def run_pipeline(ctx: dict[str, Any], tenant: str, trigger: str) -> dict[str, Any]:
    services: Services = ctx["services"]
    settings = services.settings.pipeline
    job_id, attempt = str(ctx["job_id"]), int(ctx["job_try"])
    assert services.redis is not None  # a worker only runs with Redis
    lock = services.redis.lock(f"lock:pipeline:{tenant}", timeout=settings.job_timeout_s, blocking=False)
    if not await lock.acquire():
        raise Retry(defer=LOCK_WAIT_S)  # another run of this tenant is in progress
    run = PipelineRun(services, tenant, job_id, trigger)
    try:
        return await run.run()
    except RetryableError as exc:
        if attempt >= settings.max_tries:
            await run.fail(exc)
            raise
        log.warning("pipeline %s for %s: transient failure, retry %d: %s", job_id, tenant, attempt, exc)
        raise Retry(defer=min(60, 2**attempt)) from exc
    except Exception as exc:
        await run.fail(exc)
        raise
    finally:
        await lock.release()


async def daily_evaluation(ctx: dict[str, Any]) -> list[str]:
    """The morning run: one pipeline job per tenant."""
    services: Services = ctx["services"]
    queue = await services.queue()
    assert queue is not None
    queued = []
    for tenant in await list_tenants(services.graph):
        job_id, _ = await enqueue_pipeline(
            queue, tenant, "daily", debounce_s=services.settings.pipeline.debounce_s
        )
        queued.append(job_id)
    return queued


def worker_options(settings: Settings, *, burst: bool = False) -> dict[str, Any]:
    """Keyword arguments of `arq.Worker` for this service."""
    if settings.redis.url is None:
        raise RuntimeError("the worker needs Redis: set REDIS_URL")
    pipeline = settings.pipeline

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["services"] = Services.build(settings)

    async def shutdown(ctx: dict[str, Any]) -> None:
        services: Services | None = ctx.get("services")
        if services is not None:
            await services.close()

    return {
        "functions": [run_pipeline],
        "cron_jobs": [cron(daily_evaluation, hour={pipeline.daily_hour}, minute={0}, run_at_startup=False)],
        "redis_settings": ArqRedisSettings.from_dsn(settings.redis.url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_tries": pipeline.max_tries,
        "job_timeout": pipeline.job_timeout_s,
        "keep_result": 24 * 3600,
        "max_jobs": 4,
        "poll_delay": 0.1,
        "burst": burst,
        "timezone": ZoneInfo(pipeline.timezone),
    }


def __getattr__(name: str) -> Any:
    """`WorkerSettings` for the `arq` command (`arq kg_service.workers.settings.WorkerSettings`),
    built on first access from the environment; `kg-service worker` uses `worker_options` directly."""
    if name == "WorkerSettings":
        return type("WorkerSettings", (), worker_options(get_settings()))
    raise AttributeError(name)
