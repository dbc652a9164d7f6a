"""Per-operation checks for websockets, where the token is read once at connect: every operation
still counts toward the user's rate limit and stops working once the token has expired."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from kg_service.api.context import Context
from kg_service.errors import Unauthenticated


class WebsocketGuards(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and context.over_websocket and context.principal is not None:
            who = context.principal
            if who.expires_at is not None and who.expires_at <= time.time():
                raise Unauthenticated("the token has expired; reconnect with a new one")
            limit = context.services.settings.api.rate_limit_per_min
            await context.limiter.check(f"api:{who.tenant_id}:{who.sub}", limit)
        yield
