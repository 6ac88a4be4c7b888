"""Authentication support: throttles, known sign-in addresses, revoked tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class Throttle(SQLModel, table=True):
    """A counter that throttles or summarises repeated events for one key.

    `scope` says what is counted (e.g. `login:pair`: one account from one address), `key`
    whose. `failures` is a streak that locks out with exponential back-off; `attempts`
    counts within a fixed window; `reported_at` and `suppressed` let one audit event stand
    for many (sign-in throttling and denied access, services/throttles.py).
    """

    __tablename__ = "throttles"
    scope: str = Field(primary_key=True, max_length=24)
    key: str = Field(primary_key=True, max_length=320)
    failures: int = 0
    last_failure_at: datetime | None = None
    window_started_at: datetime | None = None
    attempts: int = 0
    reported_at: datetime | None = None
    suppressed: int = 0
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class KnownSignInAddress(SQLModel, table=True):
    """An address an account has signed in from successfully.

    Sign-ins from it are exempt from the lockouts that strangers' failures elsewhere can
    cause (services/auth.py).
    """

    __tablename__ = "known_signin_addresses"
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    origin_ip: str = Field(primary_key=True, max_length=64)
    last_seen_at: datetime = Field(default_factory=utcnow)


class RevokedToken(SQLModel, table=True):
    """A JWT that was logged out before it expired."""

    __tablename__ = "revoked_tokens"
    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)
    revoked_at: datetime = Field(default_factory=utcnow)
