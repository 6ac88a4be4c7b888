"""Sign-in (`POST /auth/token`), sign-out and the signed-in user (`GET/PATCH /users/me`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response

from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep, TokenDep
from plangov_app.api.schemas import (
    ERROR_RESPONSES,
    MeChange,
    MeOut,
    Problem,
    SubjectScope,
    TokenOut,
)
from plangov_app.services import auth, users
from plangov_app.services.rbac import Actor, Permission, can

router = APIRouter(tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/auth/token", response_model=TokenOut,
             responses={429: {"model": Problem, "description": "Too many attempts"}})
def issue_token(
    username: Annotated[str, Form(min_length=1, max_length=254)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    context: ContextDep,
) -> TokenOut:
    """OAuth2 password grant: email as `username`, password → a bearer JWT.

    429 with `Retry-After` when the account (from this address), the account (from new
    addresses) or the address has had too many failures, or the address too many sign-ins.
    """
    outcome = auth.login(username, password, context)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.access_token and outcome.expires_at
    return TokenOut(access_token=outcome.access_token, expires_at=outcome.expires_at)


@router.post("/auth/logout", status_code=204)
def logout(session: SessionDep, token: TokenDep, context: ContextDep) -> Response:
    """Revoke the bearer token."""
    auth.logout(session, token, context)
    return Response(status_code=204)


@router.get("/users/me", response_model=MeOut)
def me(actor: CurrentActor) -> MeOut:
    """Who the token belongs to, their scope, what their role may do and their time zone."""
    return _me(actor, actor.time_zone)


@router.patch("/users/me", response_model=MeOut)
def change_me(body: MeChange, session: SessionDep, actor: CurrentActor,
              context: ContextDep) -> MeOut:
    """Choose the IANA time zone the UI shows times in (audited as `user.time_zone`).

    Any signed-in user, for themself. The API's own times stay UTC ISO 8601.
    """
    zone = users.set_time_zone(session, actor, zone=body.time_zone, context=context)
    return _me(actor, zone)


def _me(actor: Actor, zone: str) -> MeOut:
    return MeOut(
        id=actor.user_id, email=actor.email, display_name=actor.display_name,
        role=actor.role.value, subject_scope=SubjectScope(**actor.subject_scope()),
        permissions=[p.value for p in Permission if can(actor, p)], time_zone=zone,
    )
