"""Bearer tokens: who the caller is, which tenant they act for, and what their roles allow.

The tenant comes only from a verified token. Algorithms are pinned; `exp`, `iat`, `aud`, `iss`, `sub`,
`tenant_id` and `roles` are required.
"""

from __future__ import annotations

import time

import jwt
from pydantic import ValidationError

from kg_service.config import TENANT_PATTERN, AuthSettings
from kg_service.errors import InvalidInput, Unauthenticated
from kg_service.graph.definitions import TENANT_RE
from kg_service.identity import Principal, Role

HS_ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32


def _secret(settings: AuthSettings) -> str:
    secret = settings.secret.get_secret_value()
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidInput(f"KG_JWT_SECRET must be set to at least {MIN_SECRET_LENGTH} characters")
    return secret


def mint_token(
    settings: AuthSettings, *, tenant: str, roles: list[Role], sub: str, ttl_min: int | None = None
) -> str:
    if not TENANT_RE.match(tenant):
        raise InvalidInput(f"tenant {tenant!r} is not a valid tenant id ({TENANT_PATTERN})")
    ttl = settings.default_ttl_min if ttl_min is None else ttl_min
    if not 1 <= ttl <= 60 * 24 * 30:
        raise InvalidInput("ttl must be between 1 minute and 30 days")
    now = int(time.time())
    claims = {
        "sub": sub,
        "tenant_id": tenant,
        "roles": sorted(r.value for r in roles),
        "iat": now,
        "exp": now + ttl * 60,
        "aud": settings.audience,
        "iss": settings.issuer,
    }
    return jwt.encode(claims, _secret(settings), algorithm=HS_ALGORITHM)


def verify_token(settings: AuthSettings, token: str) -> Principal:
    """The principal of a valid HS256 token; `Unauthenticated` for anything else."""
    try:
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=[HS_ALGORITHM],
            audience=settings.audience,
            issuer=settings.issuer,
            options={"require": ["exp", "iat", "aud", "iss", "sub"]},
        )
        return Principal.model_validate(
            {
                "sub": claims["sub"],
                "tenant_id": claims.get("tenant_id"),
                "roles": claims.get("roles"),
                "expires_at": claims["exp"],
            }
        )
    except (jwt.PyJWTError, ValidationError) as exc:
        raise Unauthenticated("invalid or expired token") from exc


def bearer_token(header: object) -> str:
    """The token of an `Authorization: Bearer …` value (or of a bare token in a websocket payload)."""
    if not isinstance(header, str) or not header.strip():
        raise Unauthenticated("missing bearer token")
    scheme, _, rest = header.strip().partition(" ")
    if rest:
        if scheme.lower() != "bearer":
            raise Unauthenticated("the Authorization scheme must be Bearer")
        return rest.strip()
    return scheme
