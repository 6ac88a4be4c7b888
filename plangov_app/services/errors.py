"""Domain errors, mapped once to problem+json by the API and to a toast by the UI."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(DomainError):
    """The request is well-formed but its values are not acceptable."""

    status = 422
    title = "Invalid input"


class Unauthorized(DomainError):
    """No valid credentials."""

    status = 401
    title = "Not signed in"


class Forbidden(DomainError):
    """Signed in, but this role or scope may not do this."""

    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    """It does not exist, or the actor may not know that it does."""

    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request clashes with the current state (stale version, illegal transition)."""

    status = 409
    title = "Conflict"


class RetryLater(DomainError):
    """Refused for now; `retry_after` seconds until the next try may succeed."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class RateLimited(RetryLater):
    """Too many attempts."""

    status = 429
    title = "Too many attempts"


class Busy(RetryLater):
    """The database could not take the change in time; nothing was stored."""

    status = 503
    title = "Busy"
