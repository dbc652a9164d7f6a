"""The one error tree of the service. Domain code raises these; the API edge maps them to typed errors."""

from __future__ import annotations


class KgError(Exception):
    """Base of every expected failure. `code` is what clients see in `extensions.code`."""

    code = "INTERNAL"


class NotFound(KgError):
    code = "NOT_FOUND"


class InvalidInput(KgError):
    code = "INVALID_INPUT"


class Forbidden(KgError):
    code = "FORBIDDEN"


class Unauthenticated(KgError):
    code = "UNAUTHENTICATED"


class Conflict(KgError):
    code = "CONFLICT"


class RateLimited(KgError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TimedOut(KgError):
    """A request ran past its time limit and was stopped; asking for less will succeed."""

    code = "TIMEOUT"


class UpstreamError(KgError):
    """A dependency (Neo4j, Redis, the warehouse, an LLM) failed in a way retrying will not fix."""

    code = "UPSTREAM_ERROR"


class RetryableError(UpstreamError):
    """A dependency failed transiently; the same call may succeed later."""

    code = "UPSTREAM_UNAVAILABLE"


class SeedError(InvalidInput):
    """A seed file is invalid. The message names the file and the offending key."""

    code = "INVALID_SEED"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid seeds:\n  " + "\n  ".join(problems))
        self.problems = problems
