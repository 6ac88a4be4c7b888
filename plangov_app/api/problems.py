"""RFC 9457 problem+json responses for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from db.session import DatabaseBusy
from plangov_app.api.deps import request_context
from plangov_app.services import denials
from plangov_app.services.errors import DomainError, RetryLater, Unauthorized

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("plangov.api")

TITLES = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Payload too large",
          415: "Unsupported media type", 422: "Invalid input", 429: "Too many attempts",
          500: "Internal error", 503: "Busy"}


def problem(status: int, detail: str, *, title: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title or TITLES.get(status, "Error"),
            "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _request_id(request: Request) -> str:
    return getattr(request.state, "request_id", "")


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    """The error as problem+json; a refusal is audited first (summarised, own transaction)."""
    assert isinstance(error, DomainError)
    denial = denials.denial_of(error, authorization=request.headers.get("authorization"),
                               target=("request", f"{request.method} {request.url.path}"))
    if denial is not None:
        await run_in_threadpool(denials.record_quietly, denial, request_context(request))
    headers: dict[str, str] = {}
    if isinstance(error, RetryLater):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(error.status, error.detail, title=error.title, headers=headers,
                   request_id=_request_id(request), **error.extra)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body",)) or "body"


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"field": _location(e.get("loc", ())), "message": e.get("msg", "invalid"),
               "type": e.get("type", "")} for e in error.errors()]
    json_error = next((e for e in errors if e["type"] == "json_invalid"), None)
    if json_error:
        return problem(400, "The request body is not valid JSON.", errors=errors,
                       request_id=_request_id(request))
    first = errors[0] if errors else {"field": "body", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    return problem(422, detail, errors=errors, request_id=_request_id(request))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return problem(error.status_code, str(error.detail), headers=dict(error.headers or {}),
                   request_id=_request_id(request))


async def _busy(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DatabaseBusy)
    return problem(503, "Too many changes are being saved at once; nothing of this request "
                        f"was stored. Retry in {error.retry_after} s.",
                   headers={"Retry-After": str(error.retry_after)},
                   request_id=_request_id(request))


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Something went wrong on our side; the request id helps us find it.",
                   request_id=_request_id(request))


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on `app`."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DatabaseBusy, _busy)
    app.add_exception_handler(Exception, _unexpected)
