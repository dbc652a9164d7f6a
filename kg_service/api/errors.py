"""Errors at the GraphQL edge: expected ones typed with a code, unexpected ones masked and logged."""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from kg_service.errors import KgError, RateLimited, RetryableError, UpstreamError
from kg_service.observability import GRAPHQL_ERRORS

log = logging.getLogger(__name__)
UNEXPECTED = "Unexpected error."


def _typed(error: GraphQLError, code: str, message: str, **extra: object) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )


class ErrorCodes(MaskErrors):
    """Every error leaves with `extensions.code`; only KgError messages and validation messages are
    shown as they are, anything else becomes "Unexpected error." (logged with its traceback)."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._one(error) for error in errors]

    def _one(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, RateLimited):
            GRAPHQL_ERRORS.labels(original.code).inc()
            return _typed(error, original.code, str(original), retryAfter=original.retry_after_s)
        if isinstance(original, UpstreamError):
            # A dependency's own words (hosts, query text) stay in the log, not in the answer.
            GRAPHQL_ERRORS.labels(original.code).inc()
            log.warning("upstream failure in %s: %s", error.path, original)
            retry = " temporarily; try again shortly" if isinstance(original, RetryableError) else ""
            return _typed(error, original.code, f"A service this request needs failed{retry}.")
        if isinstance(original, KgError):
            GRAPHQL_ERRORS.labels(original.code).inc()
            return _typed(error, original.code, str(original))
        if original is None:
            code = str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED"))
            GRAPHQL_ERRORS.labels(code).inc()
            return _typed(error, code, error.message)
        GRAPHQL_ERRORS.labels("INTERNAL").inc()
        log.error("unexpected error in %s", error.path, exc_info=original)
        return _typed(error, "INTERNAL", UNEXPECTED)
