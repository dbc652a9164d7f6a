"""RS256 tokens from an identity provider, verified with the keys its JWKS URL serves. The provider
is a local HTTP server (an outside service, faked); the keys are fetched by PyJWT's own client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr, ValidationError

from kg_service.api.auth import JwksKeys, TokenVerifier, mint_token
from kg_service.config import AuthSettings
from kg_service.errors import Unauthenticated
from kg_service.identity import Role
from tests.identity_provider import Provider, claims, running_provider, signed

SECRET = "y" * 40


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


def settings_for(provider: Provider, **overrides: Any) -> AuthSettings:
    return AuthSettings(secret=SecretStr(SECRET), jwks_url=provider.url, **overrides)


async def test_a_providers_token_verifies_to_its_principal(provider: Provider) -> None:
    key = provider.add_key("k1")
    verifier = TokenVerifier(settings_for(provider))
    principal = await verifier.verify(signed(key, "k1"))
    assert (principal.sub, principal.tenant_id, principal.roles) == ("idp-user-7", "acme", {Role.ANALYST})
    # Minted HS256 tokens keep working beside them.
    minted = mint_token(settings_for(provider), tenant="acme", roles=[Role.VIEWER], sub="svc")
    assert (await verifier.verify(minted)).sub == "svc"
    # The keys are fetched once, then served from memory.
    for _ in range(5):
        await verifier.verify(signed(key, "k1"))
    assert provider.fetches == 1


async def test_forged_and_incomplete_tokens_are_refused(provider: Provider) -> None:
    key = provider.add_key("k1")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    verifier = TokenVerifier(settings_for(provider))
    forged = {
        "signed by another key under the provider's kid": signed(stranger, "k1"),
        "no kid": signed(key, None),
        "unknown kid": signed(key, "k9"),
        "RS512 instead of RS256": signed(key, "k1", algorithm="RS512"),
        "HS256 keyed with the public key": jwt.encode(claims(), public_pem.hex(), algorithm="HS256"),
        "no tenant": signed(key, "k1", tenant_id=None),
        "wrong audience": signed(key, "k1", aud="someone-else"),
        "expired": signed(key, "k1", iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
        "unsigned": jwt.encode(claims(), None, algorithm="none"),
    }
    for name, token in forged.items():
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)
            pytest.fail(f"accepted: {name}")


async def test_without_a_jwks_url_rs256_is_refused(provider: Provider) -> None:
    key = provider.add_key("k1")
    with pytest.raises(Unauthenticated):
        await TokenVerifier(AuthSettings(secret=SecretStr(SECRET))).verify(signed(key, "k1"))
    assert provider.fetches == 0


async def test_a_rotated_key_is_fetched_and_a_flood_of_made_up_kids_is_not(provider: Provider) -> None:
    provider.add_key("old")
    keys = JwksKeys(provider.url, lifespan_s=300, min_refetch_s=0.2)
    assert await keys.key("old") is not None
    new = provider.add_key("new")
    await asyncio.sleep(0.25)
    verifier = TokenVerifier(settings_for(provider))
    verifier.keys = keys
    assert (await verifier.verify(signed(new, "new"))).tenant_id == "acme"  # refetched for the new kid
    fetches = provider.fetches
    for n in range(20):
        with pytest.raises(Unauthenticated):
            await keys.key(f"made-up-{n}")
    assert provider.fetches <= fetches + 1


async def test_keys_already_known_outlive_a_provider_outage(provider: Provider) -> None:
    key = provider.add_key("k1")
    keys = JwksKeys(provider.url, lifespan_s=0.1, min_refetch_s=0.1)
    assert await keys.key("k1") is not None
    provider.down = True
    await asyncio.sleep(0.15)
    assert await keys.key("k1") is not None  # the refetch failed; the known key stays in use
    assert provider.fetches == 2
    verifier = TokenVerifier(settings_for(provider))
    verifier.keys = keys
    assert (await verifier.verify(signed(key, "k1"))).sub == "idp-user-7"


def test_the_jwks_url_must_be_https_off_this_machine() -> None:
    with pytest.raises(ValidationError, match="must be https"):
        AuthSettings(jwks_url="http://login.example.com/jwks.json")
    assert AuthSettings(jwks_url="https://login.example.com/jwks.json").jwks_url is not None
    assert AuthSettings(jwks_url="http://127.0.0.1:9999/jwks.json").jwks_url is not None
    assert AuthSettings(jwks_url="").jwks_url is None
