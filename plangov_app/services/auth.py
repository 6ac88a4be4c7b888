"""Sign-in, sign-out and token resolution, with per-account and per-address throttling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from db.models import LoginFailure, RevokedToken, User, utcnow
from plangov_app.services import audit
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import DomainError, RateLimited, Unauthorized
from plangov_app.services.rbac import Actor, load_actor
from plangov_app.services.security import decode_token, issue_token, verify_password
from plangov_app.settings import get_settings

WRONG_CREDENTIALS = "Incorrect email or password."


@dataclass(frozen=True)
class LoginOutcome:
    """What a sign-in attempt produced: a token, or the error to show (after commit)."""

    actor: Actor | None = None
    access_token: str | None = None
    expires_at: datetime | None = None
    error: DomainError | None = None


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively, without surrounding spaces."""
    return email.strip().lower()


def login(session: Session, email: str, password: str, context: RequestContext) -> LoginOutcome:
    """Check credentials and throttles; record the attempt either way.

    The caller commits the session, then raises `outcome.error` if there is one, so that
    failed attempts are kept even though the request fails.
    """
    email = normalise_email(email)[:254]
    address = context.origin_ip or "unknown"
    wait = _seconds_until_allowed(session, email, address)
    if wait:
        audit.record(session, action="auth.login_throttled", context=context,
                     target_type="user", target_id=email, metadata={"retry_after_s": wait})
        return LoginOutcome(error=RateLimited(
            f"Too many failed sign-in attempts. Try again in {wait} s.", retry_after=wait))
    user = session.exec(select(User).where(User.email == email)).first()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        session.add(LoginFailure(email=email, origin_ip=address))
        audit.record(session, action="auth.login_failed", context=context,
                     actor_id=user.id if user else None, actor_role=user.role if user else None,
                     target_type="user", target_id=email,
                     metadata={"reason": "inactive" if user and password_ok else "bad_credentials"})
        return LoginOutcome(error=Unauthorized(WRONG_CREDENTIALS))
    session.execute(delete(LoginFailure).where(col(LoginFailure.email) == email))
    actor = load_actor(session, user.id)
    token, expires = issue_token(actor)
    audit.record(session, action="auth.login", context=context, actor=actor,
                 target_type="user", target_id=user.id)
    return LoginOutcome(actor=actor, access_token=token, expires_at=expires)


def _seconds_until_allowed(session: Session, email: str, address: str) -> int:
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    since = utcnow() - window
    limits = ((LoginFailure.email, email, settings.login_max_failures),
              (LoginFailure.origin_ip, address, settings.login_max_failures_per_ip))
    wait = 0.0
    for column, value, limit in limits:
        recent = select(LoginFailure.occurred_at).where(
            column == value, LoginFailure.occurred_at >= since)
        count = session.exec(select(func.count()).select_from(recent.subquery())).one()
        if count >= limit:
            newest_allowed = list(session.exec(
                recent.order_by(col(LoginFailure.occurred_at).desc()).limit(limit)))[-1]
            wait = max(wait, (newest_allowed + window - utcnow()).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else 0


def resolve_token(session: Session, token: str) -> Actor:
    """The actor behind a bearer token: signature, claims, revocation and account checked."""
    claims = decode_token(token)
    if session.get(RevokedToken, claims.jti) is not None:
        raise Unauthorized("This session has been signed out.")
    return load_actor(session, claims.sub)


def logout(session: Session, token: str, context: RequestContext) -> None:
    """Revoke the token so it cannot be used again, and audit the sign-out."""
    claims = decode_token(token)
    if session.get(RevokedToken, claims.jti) is not None:
        return
    actor = load_actor(session, claims.sub)
    session.add(RevokedToken(jti=claims.jti, expires_at=claims.exp))
    audit.record(session, action="auth.logout", context=context, actor=actor,
                 target_type="user", target_id=actor.user_id)


def token_for(session: Session, email: str) -> str:
    """A token for an existing account, for scripting (`plangov token EMAIL`)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise Unauthorized(f"No account with email {email!r}.")
    return issue_token(load_actor(session, user.id))[0]
