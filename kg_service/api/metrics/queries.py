"""Metric, dashboard and blast radius queries. Every read is within the caller's tenant."""

from __future__ import annotations

import re

import strawberry
from strawberry.types import Info

from kg_service.ai.agent.resolve import search as knowledge_search
from kg_service.api.context import Context
from kg_service.api.metrics.types import BlastRadius, Metric, SearchHit, Thoughtlet
from kg_service.errors import InvalidInput
from kg_service.graph import blast_radius as blast
from kg_service.graph.definitions import ID_PATTERN, Source

Ctx = Info[Context, None]
MAX_ID = 80


def check_id(value: str, name: str) -> None:
    if len(value) > MAX_ID or not re.match(ID_PATTERN, value):
        raise InvalidInput(f"{name}: not a valid id")


@strawberry.type
class MetricQueries:
    @strawberry.field
    async def metrics(
        self, info: Ctx, source: str | None = None, thoughtlet_id: strawberry.ID | None = None
    ) -> list[Metric]:
        if source is not None and source not in {s.value for s in Source}:
            raise InvalidInput(f"source: one of {sorted(s.value for s in Source)}")
        scope = info.context.scope
        registry = await scope.registry()
        chosen = sorted(registry.values(), key=lambda m: m.id)
        if source is not None:
            chosen = [m for m in chosen if m.source.value == source]
        if thoughtlet_id is not None:
            check_id(thoughtlet_id, "thoughtletId")
            board = next((b for b in await scope.thoughtlets() if b.id == thoughtlet_id), None)
            chosen = [m for m in chosen if board is not None and m.id in board.metrics]
        return [Metric.of(m) for m in chosen]

    @strawberry.field(description="Null when absent, or when it belongs to another tenant.")
    async def metric(self, info: Ctx, id: strawberry.ID) -> Metric | None:
        check_id(id, "id")
        found = await info.context.scope.metric(id)
        return Metric.of(found) if found else None

    @strawberry.field
    async def thoughtlets(self, info: Ctx) -> list[Thoughtlet]:
        return [Thoughtlet.of(b) for b in await info.context.scope.thoughtlets()]

    @strawberry.field(description="A whole dashboard with values in one request.")
    async def thoughtlet(self, info: Ctx, id: strawberry.ID) -> Thoughtlet | None:
        check_id(id, "id")
        board = next((b for b in await info.context.scope.thoughtlets() if b.id == id), None)
        return Thoughtlet.of(board) if board else None

    @strawberry.field
    async def blast_radius(
        self, info: Ctx, metric_id: strawberry.ID, change_pct: float, max_depth: int = blast.DEFAULT_DEPTH
    ) -> BlastRadius:
        blast.check_inputs(info.context.tenant, metric_id, change_pct, max_depth)
        result = await blast.blast_radius(
            info.context.services.graph, info.context.tenant, metric_id, change_pct, max_depth
        )
        return BlastRadius.of(result)

    @strawberry.field(description="Metrics, thought definitions and actions ranked by how well they match.")
    async def search(self, info: Ctx, text: str, limit: int = 5) -> list[SearchHit]:
        if not 1 <= len(text.strip()) <= 200:
            raise InvalidInput("text: 1 to 200 characters")
        if not 1 <= limit <= 50:
            raise InvalidInput("limit: between 1 and 50")
        hits = await knowledge_search(info.context.services.graph, info.context.tenant, text, limit)
        return [SearchHit(kind=h.kind, id=strawberry.ID(h.id), name=h.name, score=h.score) for h in hits]
