"""Who is acting: the principal of a verified token (or a named system actor such as the pipeline)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from kg_service.config import TENANT_PATTERN


class Role(StrEnum):
    ADMIN = "ADMIN"
    ANALYST = "ANALYST"
    VIEWER = "VIEWER"
    API_USER = "API_USER"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sub: str = Field(min_length=1, max_length=200)
    tenant_id: str = Field(pattern=TENANT_PATTERN)
    roles: frozenset[Role] = Field(min_length=1)
    expires_at: int | None = Field(default=None, description="The token's `exp` (seconds since the epoch).")

    def has(self, role: Role) -> bool:
        return role in self.roles

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def system_principal(tenant: str, name: str = "pipeline") -> Principal:
    """The actor of automatic work (the pipeline); it may analyse and recommend, never approve."""
    return Principal(sub=f"system:{name}", tenant_id=tenant, roles=frozenset({Role.API_USER}))
