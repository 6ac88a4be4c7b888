"""Request-scoped dependencies: context, database session, the signed-in actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from db.session import read_session, unit_of_work
from plangov_app.services.auth import resolve_token
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Unauthorized
from plangov_app.services.rbac import Actor

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token")


def request_context(request: Request) -> RequestContext:
    """Request id, client address and user agent, for the audit log.

    The address is the raw peer of the ASGI scope, resolved with our own trusted-proxy
    rules (`client_address`); the request id is always the server's, and the client's
    X-Request-ID travels apart as `client_request_id`.
    """
    peer = request.scope.get("client")
    return RequestContext.from_connection(
        peer=peer[0] if peer else None,
        forwarded_for=request.headers.getlist("x-forwarded-for"),
        user_agent=request.headers.get("user-agent"),
        request_id=getattr(request.state, "request_id", ""),
        client_request_id=getattr(request.state, "client_request_id", None),
    )


def db_session(request: Request) -> Iterator[Session]:
    """A read session for GET, a unit of work (committed on success) otherwise.

    Used with `scope="function"`: the commit happens when the route function returns,
    before the response is built, so a 2xx is only ever sent for a stored write, and a
    failed commit becomes an error response.
    """
    factory = read_session if request.method in READ_METHODS else unit_of_work
    with factory() as session:
        yield session


def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The raw bearer token, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
    return credentials.credentials


def current_actor(token: Annotated[str, Depends(bearer_token)]) -> Actor:
    """The signed-in actor (scope resolved from current assignments), or 401.

    Read in its own short session, so checking a token never takes (or waits for) the
    write lock of the request's unit of work.
    """
    with read_session() as session:
        return resolve_token(session, token)


ContextDep = Annotated[RequestContext, Depends(request_context)]
SessionDep = Annotated[Session, Depends(db_session, scope="function")]
TokenDep = Annotated[str, Depends(bearer_token)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
