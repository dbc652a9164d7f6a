"""The FastAPI application: GraphQL at /graphql, health, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from kg_service.ai.embeddings import shared_embedder
from kg_service.api import webhooks
from kg_service.api.auth import TokenVerifier, bearer_token
from kg_service.api.context import Context
from kg_service.api.dev_tokens import dev_tokens_router
from kg_service.api.health import readiness
from kg_service.api.limits import RateLimiter, per_minute
from kg_service.api.schema import build_schema
from kg_service.config import ROOT, Environment, Settings, get_settings
from kg_service.errors import RateLimited, TimedOut, Unauthenticated
from kg_service.observability import GRAPHQL_ERRORS, HTTP_LATENCY, configure_logging, request_id_var
from kg_service.services import Services

log = logging.getLogger(__name__)


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(send, self.max_bytes)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"error": "request body over {limit} bytes"}}'.encode()
    await send(
        {"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body})


class RequestIds:
    """Gives every HTTP request an id (X-Request-ID in, or a new one), logs it, times it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode(errors="ignore")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            known = ("/graphql", "/healthz", "/readyz", "/metrics", "/webhooks/fivetran", "/webhooks/dbt")
            route = path if path in known else "other"
            HTTP_LATENCY.labels(route, scope.get("method", ""), str(status)).observe(
                time.perf_counter() - started
            )
            request_id_var.reset(token)


async def _count_failure(limiter: RateLimiter, connection: HTTPConnection, settings: Settings) -> None:
    """Counts a failed authentication against the client's address; past the limit, 429 (HTTP) or
    RateLimited (websocket) instead of another 401. The address is the peer's as this server sees
    it: behind a proxy that is the proxy, so the limit belongs there."""
    address = connection.client.host if connection.client else "unknown"
    try:
        await limiter.check(f"auth-fail:{address}", per_minute(settings.api.auth_failures_per_min))
    except RateLimited as exc:
        log.warning("too many failed authentications from %s", address)
        if connection.scope["type"] == "websocket":
            raise
        raise _too_many(exc) from exc


def _too_many(exc: RateLimited) -> HTTPException:
    return HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after_s)})


@lru_cache(maxsize=512)
def _operation_type(query: str | None, operation_name: str | None) -> OperationType | None:
    """The operation a request runs (None when the document does not parse: GraphQL reports that)."""
    try:
        operation = get_operation_ast(parse(query or ""), operation_name)
    except GraphQLError:
        return None
    return operation.operation if operation is not None else None


class KgGraphQLRouter(GraphQLRouter[Context, None]):
    verifier: TokenVerifier
    query_timeout_s: float

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Runs the operation; a query past `query_timeout_s` is stopped and answered TIMEOUT. Only
        queries: a mutation stopped halfway could leave an action it started without its outcome."""
        run = super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if _operation_type(request_data.query, request_data.operation_name) is not OperationType.QUERY:
            return await run
        try:
            async with asyncio.timeout(self.query_timeout_s):
                return await run
        except TimeoutError:
            stopped = TimedOut(
                f"the query ran longer than {self.query_timeout_s:g} s and was stopped; "
                "ask for less (fewer nested lists, shorter histories)"
            )
            GRAPHQL_ERRORS.labels(stopped.code).inc()
            log.warning("a query was stopped after %.0f s", self.query_timeout_s)
            error = GraphQLError(str(stopped), extensions={"code": stopped.code})
            return ExecutionResult(data=None, errors=[error])

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        try:
            context.principal = await self.verifier.verify(bearer_token(raw))
        except Unauthenticated as exc:
            try:
                if context.request is not None:
                    await _count_failure(context.limiter, context.request, context.services.settings)
            except RateLimited as limited:
                raise ConnectionRejectionError({"reason": str(limited)}) from limited
            raise ConnectionRejectionError({"reason": str(exc)}) from exc
        return {"tenantId": context.principal.tenant_id}


async def _warm_embedder() -> None:
    """Loads the embedding model in the background, so the first search does not wait for it."""
    try:
        await shared_embedder()
    except Exception:  # search reports a missing model itself when asked
        log.warning("the embedding model could not be loaded", exc_info=True)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    development = settings.env is Environment.DEVELOPMENT

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.build(settings)
        app.state.services = services
        app.state.limiter = RateLimiter(services.redis)
        try:
            await services.graph.ping()
        except Exception:  # the service starts anyway; /readyz says what is missing
            log.warning("Neo4j is not reachable at start", exc_info=True)
        warming = asyncio.create_task(_warm_embedder())
        yield
        warming.cancel()
        await services.close()

    verifier = TokenVerifier(settings.auth)

    async def context_getter(connection: HTTPConnection) -> Context:
        services: Services = connection.app.state.services
        request_id = request_id_var.get() or uuid.uuid4().hex
        limiter: RateLimiter = connection.app.state.limiter
        if connection.scope["type"] == "websocket":
            context = Context(services, None, request_id, limiter)
            context.over_websocket = True
            return context
        try:
            principal = await verifier.verify(bearer_token(connection.headers.get("authorization")))
        except Unauthenticated as exc:
            await _count_failure(limiter, connection, settings)
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
        try:
            await limiter.count_request(principal, settings.api)
        except RateLimited as exc:
            raise _too_many(exc) from exc
        return Context(services, principal, request_id, limiter)

    schema = build_schema(settings.api, introspection=development)
    router = KgGraphQLRouter(
        schema,
        context_getter=context_getter,
        graphql_ide="graphiql" if development else None,
        allow_queries_via_get=False,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=settings.api.origins,
        multipart_uploads_enabled=False,
    )
    router.verifier = verifier
    router.query_timeout_s = settings.api.query_timeout_s
    app = FastAPI(title="Marketing IQ", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(router, prefix="/graphql")
    app.include_router(webhooks.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        ready, checks = await readiness(request.app.state.services)
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if development:
        app.include_router(dev_tokens_router(settings))
    web = ROOT / "web"
    if web.is_dir():
        app.mount("/", StaticFiles(directory=web, html=True), name="web")

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.api.origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["authorization", "content-type", "x-request-id"],
        expose_headers=["x-request-id", "retry-after"],
    )
    app.add_middleware(BodyLimit, max_bytes=settings.api.max_body_bytes)
    app.add_middleware(RequestIds)
    return app


def main_app() -> FastAPI:
    """The app uvicorn serves (`kg-service serve`), with JSON logs configured."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
