"""Whole answers of read-only queries, cached per tenant under the versions they were computed from.

A dashboard asks the same question every few seconds while its numbers change a few times a day, so
an answer is kept (the Redis "query" tier, `REDIS_QUERY_TTL_S`) under the tenant's value generation
and graph version (see `kg_service.warehouse.cache`): new warehouse data or any committed write to
the tenant's graph makes every older answer unreachable at once. The key also holds the caller's
roles and a digest of the query text, operation name and variables; the tenant comes from the token
like everything else, so one tenant can never be served another's answer.

Only queries whose every root field is in `CACHEABLE` are cached: not `me` (the caller's own) nor
`briefing` (its default date is today's, and the first read writes it). Answers carrying an error
are never stored. Each process keeps the answers it served beside Redis, so a repeated answer costs
one Redis round trip (the versions) and no decoding. Without Redis nothing is cached.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, FieldNode, OperationType, get_operation_ast
from strawberry.extensions import SchemaExtension

from kg_service.graph import memo
from kg_service.observability import ANSWER_LOOKUPS
from kg_service.warehouse.cache import TenantCache

# Decoded, an answer takes about five times its JSON (floats and small dicts; measured on a
# dashboard answer with tracemalloc: 20 kB of JSON, 108 kB of objects).
DECODED_PER_JSON_BYTE = 5
CACHEABLE = frozenset(
    {
        "metrics",
        "metric",
        "thoughtlets",
        "thoughtlet",
        "blastRadius",
        "search",
        "thoughtDefinitions",
        "thoughts",
        "thought",
        "actionRequests",
        "__typename",
    }
)


class AnswerCache:
    """The answers store of one process: its own decoded answers in front of the shared Redis tier,
    least recently used dropped first once they would take more than `local_mb` of memory."""

    def __init__(self, cache: TenantCache, local_mb: int) -> None:
        self.cache = cache
        self._local: OrderedDict[str, tuple[float, int, dict[str, Any]]] = OrderedDict()
        self._budget = local_mb * 1024 * 1024
        self._held = 0

    @property
    def held_bytes(self) -> int:
        """The estimated memory of the answers this process holds."""
        return self._held

    async def versions(self, tenant: str) -> tuple[str, str] | None:
        versions = await self.cache.versions(tenant)
        if versions is not None:
            memo.observe(tenant, versions[1])
        return versions

    async def get(self, tenant: str, version: str, digest: str) -> dict[str, Any] | None:
        key = f"{tenant}:{version}:{digest}"
        local = self._local.get(key)
        if local is not None and local[0] > time.monotonic():
            self._local.move_to_end(key)
            ANSWER_LOOKUPS.labels("hit").inc()
            return local[2]
        text = await self.cache.get_text("query", tenant, version, digest)
        if text is None:
            ANSWER_LOOKUPS.labels("miss").inc()
            return None
        ANSWER_LOOKUPS.labels("hit").inc()
        data: dict[str, Any] = json.loads(text)
        self._remember(key, len(text), data)
        return data

    async def put(self, tenant: str, version: str, digest: str, data: dict[str, Any]) -> None:
        text = json.dumps(data)
        self._remember(f"{tenant}:{version}:{digest}", len(text), data)
        await self.cache.put_text("query", tenant, digest, text, version)

    def _remember(self, key: str, json_bytes: int, data: dict[str, Any]) -> None:
        weight = json_bytes * DECODED_PER_JSON_BYTE
        if weight > self._budget:
            return
        previous = self._local.pop(key, None)
        if previous is not None:
            self._held -= previous[1]
        self._local[key] = (time.monotonic() + self.cache.settings.query_ttl_s, weight, data)
        self._held += weight
        while self._held > self._budget:
            _, (_, dropped, _) = self._local.popitem(last=False)
            self._held -= dropped


def cacheable(document: Any, operation_name: str | None) -> bool:
    """True for a query whose root selections are all plain fields named in `CACHEABLE`."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in CACHEABLE
        for selection in operation.selection_set.selections
    )


def answer_digest(roles: list[str], query: str, operation_name: str | None, variables: Any) -> str:
    text = json.dumps([sorted(roles), query, operation_name, variables], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class CachedAnswers(SchemaExtension):
    """Serves a cacheable query's answer from the `AnswerCache`, and stores what it computes."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        # Read by attribute: `Context` imports the services, which import this module.
        context = execution.context
        principal = getattr(context, "principal", None)
        answers: AnswerCache | None = getattr(getattr(context, "services", None), "answers", None)
        if (
            principal is None
            or answers is None
            or execution.query is None
            or not cacheable(execution.graphql_document, execution.operation_name)
        ):
            yield
            return
        tenant = principal.tenant_id
        versions = await answers.versions(tenant)
        if versions is None:  # no Redis, or Redis down: computed every time
            yield
            return
        version = ".".join(versions)
        digest = answer_digest(
            [r.value for r in principal.roles], execution.query, execution.operation_name, execution.variables
        )
        data = await answers.get(tenant, version, digest)
        if data is not None:
            execution.result = ExecutionResult(data=data)
            yield
            return
        yield
        result = execution.result
        if isinstance(result, ExecutionResult) and not result.errors and result.data is not None:
            await answers.put(tenant, version, digest, result.data)
