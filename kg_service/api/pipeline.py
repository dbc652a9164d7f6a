"""`refreshData`: a user asks for fresh numbers; the same pipeline as a warehouse webhook runs."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.errors import Forbidden, RetryableError
from kg_service.graph import audit
from kg_service.identity import Role
from kg_service.workers.queue import enqueue_pipeline


@strawberry.type
class RefreshResult:
    job_id: str
    queued: bool = strawberry.field(description="False when a run for this window was already queued.")


@strawberry.type
class PipelineMutations:
    @strawberry.mutation
    async def refresh_data(self, info: Info[Context, None]) -> RefreshResult:
        context = info.context
        who = context.who
        if not who.has_any(Role.ANALYST, Role.ADMIN):
            raise Forbidden("refreshing data needs the ANALYST or ADMIN role")
        queue = await context.services.queue()
        if queue is None:
            raise RetryableError("the pipeline queue (Redis) is not configured")
        job_id, queued = await enqueue_pipeline(queue, who.tenant_id, f"manual:{who.sub}")
        event = audit.new_event(
            user=who.sub,
            action="data.refresh",
            resource_type="Tenant",
            resource_id=who.tenant_id,
            outcome="queued" if queued else "coalesced",
            metadata={"job_id": job_id},
        )
        await context.services.graph.write_tx(
            lambda tx: audit.record(tx, who.tenant_id, event), tenant=who.tenant_id
        )
        return RefreshResult(job_id=job_id, queued=queued)
