from __future__ import annotations

import time

import jwt
import pytest
from pydantic import SecretStr

from kg_service.api.auth import mint_token, verify_token
from kg_service.config import AuthSettings
from kg_service.errors import InvalidInput, Unauthenticated
from kg_service.identity import Role

SECRET = "x" * 40


def _settings(**overrides: object) -> AuthSettings:
    return AuthSettings(secret=SecretStr(SECRET), **overrides)  # type: ignore[arg-type]


def test_a_minted_token_verifies_to_its_principal() -> None:
    token = mint_token(_settings(), tenant="acme", roles=[Role.ANALYST, Role.VIEWER], sub="ana")
    principal = verify_token(_settings(), token)
    assert principal.sub == "ana" and principal.tenant_id == "acme"
    assert principal.roles == {Role.ANALYST, Role.VIEWER}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"sub", "tenant_id", "roles", "exp", "iat", "aud", "iss"}
    assert claims["exp"] - claims["iat"] == 60 * 60


@pytest.mark.parametrize(
    "claims",
    [
        {"tenant_id": "acme", "roles": ["ADMIN"]},  # no sub
        {"sub": "u", "roles": ["ADMIN"]},  # no tenant
        {"sub": "u", "tenant_id": "acme"},  # no roles
        {"sub": "u", "tenant_id": "acme", "roles": ["GOD"]},  # unknown role
        {"sub": "u", "tenant_id": "ACME; DROP", "roles": ["ADMIN"]},  # malformed tenant
    ],
)
def test_tokens_missing_or_bending_a_claim_are_refused(claims: dict[str, object]) -> None:
    now = int(time.time())
    body = {"aud": "marketing-iq", "iss": "marketing-iq", "iat": now, "exp": now + 60, **claims}
    with pytest.raises(Unauthenticated):
        verify_token(_settings(), jwt.encode(body, SECRET, algorithm="HS256"))


def test_expired_wrong_audience_wrong_key_and_none_algorithm_are_refused() -> None:
    now = int(time.time())
    base = {"sub": "u", "tenant_id": "acme", "roles": ["ADMIN"], "aud": "marketing-iq", "iss": "marketing-iq"}
    expired = jwt.encode({**base, "iat": now - 120, "exp": now - 60}, SECRET, algorithm="HS256")
    audience = jwt.encode({**base, "aud": "other", "iat": now, "exp": now + 60}, SECRET, algorithm="HS256")
    wrong_key = jwt.encode({**base, "iat": now, "exp": now + 60}, "y" * 40, algorithm="HS256")
    unsigned = jwt.encode({**base, "iat": now, "exp": now + 60}, None, algorithm="none")
    for token in (expired, audience, wrong_key, unsigned):
        with pytest.raises(Unauthenticated):
            verify_token(_settings(), token)


def test_minting_refuses_a_short_secret_and_a_bad_tenant() -> None:
    with pytest.raises(InvalidInput, match="KG_JWT_SECRET"):
        mint_token(AuthSettings(secret=SecretStr("short")), tenant="acme", roles=[Role.VIEWER], sub="u")
    with pytest.raises(InvalidInput, match="tenant"):
        mint_token(_settings(), tenant="Bad Tenant", roles=[Role.VIEWER], sub="u")
