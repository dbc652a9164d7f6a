"""Who the caller is, as the token says."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kg_service.api.context import Context
from kg_service.api.enums import Role


@strawberry.type
class Viewer:
    sub: str
    tenant_id: strawberry.ID
    roles: list[Role]


@strawberry.type
class ViewerQueries:
    @strawberry.field
    def me(self, info: Info[Context, None]) -> Viewer:
        who = info.context.who
        return Viewer(sub=who.sub, tenant_id=strawberry.ID(who.tenant_id), roles=sorted(who.roles))
