"""A fake identity provider for tests: a local HTTP server publishing a JWKS document of RSA keys it
made, and signing tokens with them. Real clients (PyJWT's PyJWKClient, the API server) fetch from it
over HTTP like from any provider."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class Provider:
    """Serves a JWKS document of the public halves of `keys` (kid → private key), counting fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        self.down = False
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                if provider.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps({"keys": [provider.jwk(kid) for kid in provider.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"

    def add_key(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.keys[kid]

    def jwk(self, kid: str) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[kid].public_key()))
        return {**jwk, "kid": kid, "use": "sig"}


@contextmanager
def running_provider() -> Iterator[Provider]:
    provider = Provider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()


def claims(**overrides: Any) -> dict[str, Any]:
    """A complete claim set for tenant acme (ANALYST); an override of None drops the claim."""
    now = int(time.time())
    body = {
        "sub": "idp-user-7",
        "tenant_id": "acme",
        "roles": ["ANALYST"],
        "iat": now,
        "exp": now + 600,
        "aud": "marketing-iq",
        "iss": "marketing-iq",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def signed(key: Any, kid: str | None, algorithm: str = "RS256", **overrides: Any) -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers=headers)
