"""Bearer tokens: who the caller is, which tenant they act for, and what their roles allow.

The tenant comes only from a verified token. Two kinds are accepted: HS256 signed with
`KG_JWT_SECRET` (what `kg-service token` mints), and RS256 from an identity provider whose public
keys are read from `KG_JWT_JWKS_URL`. Each algorithm is pinned to its own key source, so a public key
can never stand in for an HMAC secret. `exp`, `iat`, `aud`, `iss`, `sub`, `tenant_id` and `roles`
are required either way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import jwt
from jwt import PyJWKClient
from pydantic import ValidationError

from kg_service.config import TENANT_PATTERN, AuthSettings
from kg_service.errors import InvalidInput, Unauthenticated
from kg_service.graph.definitions import TENANT_RE
from kg_service.identity import Principal, Role

log = logging.getLogger(__name__)
HS_ALGORITHM = "HS256"
RS_ALGORITHM = "RS256"
MIN_SECRET_LENGTH = 32
REFUSED = "invalid or expired token"


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
    return _verified(settings, token, _secret(settings), HS_ALGORITHM)


def _verified(settings: AuthSettings, token: str, key: Any, algorithm: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
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
        raise Unauthenticated(REFUSED) from exc


class TokenVerifier:
    """Verifies bearer tokens of both kinds; the token's header says which, and a kind that is not
    configured (no secret, no JWKS URL) is refused."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self.keys = JwksKeys(settings.jwks_url, settings.jwks_cache_s) if settings.jwks_url else None

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated(REFUSED) from exc
        algorithm = header.get("alg")
        if algorithm == HS_ALGORITHM and self.settings.secret.get_secret_value():
            return verify_token(self.settings, token)
        if algorithm == RS_ALGORITHM and self.keys is not None:
            return _verified(self.settings, token, await self.keys.key(header.get("kid")), RS_ALGORITHM)
        raise Unauthenticated(REFUSED)


class JwksKeys:
    """An identity provider's RS256 signing keys by key id, fetched from its JWKS URL in a thread (the
    event loop never waits on the network): when a token names an unknown key id, and once the keys
    are older than `lifespan_s`. Fetches are at least `min_refetch_s` apart, so tokens naming made-up
    key ids cannot flood the provider; when a fetch fails, the keys already known stay in use."""

    def __init__(self, url: str, lifespan_s: float, min_refetch_s: float = 30.0) -> None:
        self.client = PyJWKClient(url, cache_jwk_set=False, timeout=5)
        self.lifespan_s = lifespan_s
        self.min_refetch_s = min_refetch_s
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: object) -> Any:
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated(REFUSED)
        fresh = self._fetched_at is not None and time.monotonic() - self._fetched_at < self.lifespan_s
        if kid not in self._keys or not fresh:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated(REFUSED)
        return key

    async def _refresh(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._fetched_at is not None and now - self._fetched_at < self.min_refetch_s:
                return  # fetched moments ago, perhaps for a request waiting on the same lock
            self._fetched_at = now
            try:
                found = await asyncio.to_thread(self.client.get_signing_keys)
            except jwt.PyJWKClientError as exc:
                known = len(self._keys)
                log.warning("JWKS keys could not be fetched (%d known stay in use): %s", known, exc)
                return
            # Only RSA keys meant for RS256 (a JWK without "alg" of type RSA counts as RS256).
            self._keys = {k.key_id: k.key for k in found if k.key_id and k.algorithm_name == RS_ALGORITHM}


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
