"""Putting pipeline runs on the ARQ queue, coalesced per tenant.

Syncs of one tenant that arrive within the same debounce window share one job id, so they become
one run; a sync during a run lands in a later window and gets a run of its own.
"""

from __future__ import annotations

import time

from arq.connections import ArqRedis

PIPELINE_JOB = "run_pipeline"
DEBOUNCE_S = 5


def pipeline_job_id(tenant: str, now: float | None = None, debounce_s: int = DEBOUNCE_S) -> str:
    window = int((now if now is not None else time.time()) // max(debounce_s, 1))
    return f"pipeline:{tenant}:{window}"


async def enqueue_pipeline(
    queue: ArqRedis, tenant: str, trigger: str, *, now: float | None = None, debounce_s: int = DEBOUNCE_S
) -> tuple[str, bool]:
    """Queues a run for `tenant` (after the debounce window); returns (job id, newly queued)."""
    job_id = pipeline_job_id(tenant, now, debounce_s)
    job = await queue.enqueue_job(PIPELINE_JOB, tenant, trigger, _job_id=job_id, _defer_by=debounce_s or None)
    return job_id, job is not None
