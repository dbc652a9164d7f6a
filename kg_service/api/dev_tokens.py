"""Demo sign-in for development only: mints a token for a tenant × role. The router is mounted only
when KG_ENV=development, so the endpoint does not exist anywhere else."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from kg_service.api.auth import mint_token
from kg_service.config import TENANT_PATTERN, Settings
from kg_service.identity import Role

DEMO_TTL_MIN = 12 * 60


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(pattern=TENANT_PATTERN)
    role: Role
    sub: str = Field(default="demo-user", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")


class TokenResponse(BaseModel):
    token: str
    tenant: str
    role: Role
    expires_in_s: int


def dev_tokens_router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/dev")

    @router.post("/token")
    async def token(request: TokenRequest) -> TokenResponse:
        minted = mint_token(
            settings.auth, tenant=request.tenant, roles=[request.role], sub=request.sub, ttl_min=DEMO_TTL_MIN
        )
        return TokenResponse(
            token=minted, tenant=request.tenant, role=request.role, expires_in_s=DEMO_TTL_MIN * 60
        )

    return router
