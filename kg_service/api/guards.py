"""Per-operation guards: websocket operations re-checked (the token is read once at connect, yet
every operation counts toward the user's rate limit and stops once the token has expired), and
every mutation refused for the caller's role audited."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from graphql import FieldNode, OperationType, get_operation_ast, value_from_ast_untyped
from strawberry.extensions import SchemaExtension

from kg_service.api.context import Context
from kg_service.errors import Forbidden, Unauthenticated
from kg_service.graph import audit

MAX_AUDITED_ARGUMENT = 200


class WebsocketGuards(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and context.over_websocket and context.principal is not None:
            who = context.principal
            if who.expires_at is not None and who.expires_at <= time.time():
                raise Unauthenticated("the token has expired; reconnect with a new one")
            await context.limiter.count_request(who, context.services.settings.api)
        yield


class AuditRefusals(SchemaExtension):
    """A mutation refused for the caller's role leaves an AuditEvent like a change does: the
    mutation's name as the action, outcome "forbidden", the id it targeted and its arguments, so
    probing for rights shows in the tenant's audit trail. (Unauthenticated calls have no tenant to
    audit under; they are logged and answered 401.)"""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        result = execution.result
        if (
            not isinstance(context, Context)
            or context.principal is None
            or result is None
            or not result.errors
            or execution.graphql_document is None
        ):
            return
        operation = get_operation_ast(execution.graphql_document, execution.operation_name)
        if operation is None or operation.operation is not OperationType.MUTATION:
            return
        who = context.principal
        fields = {
            (node.alias or node.name).value: node
            for node in operation.selection_set.selections
            if isinstance(node, FieldNode)
        }
        for error in result.errors:
            node = fields.get(str(error.path[0])) if error.path else None
            if not isinstance(error.original_error, Forbidden) or node is None:
                continue
            arguments = _arguments(node, execution.variables or {})
            target = arguments.get("id") or arguments.get("thoughtId")
            event = audit.new_event(
                user=who.sub,
                action=node.name.value,
                resource_type="Mutation",
                resource_id=target,
                outcome="forbidden",
                metadata={"arguments": arguments, "reason": str(error.original_error)},
            )
            await _record(context, event)


async def _record(context: Context, event: audit.AuditEvent) -> None:
    tenant = context.tenant
    await context.services.graph.write_tx(lambda tx: audit.record(tx, tenant, event), tenant=tenant)


def _arguments(node: FieldNode, variables: dict[str, Any]) -> dict[str, str]:
    """The field's arguments as the caller sent them, each cut to `MAX_AUDITED_ARGUMENT` characters."""
    return {
        argument.name.value: str(value_from_ast_untyped(argument.value, variables))[:MAX_AUDITED_ARGUMENT]
        for argument in node.arguments or ()
    }
