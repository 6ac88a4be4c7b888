"""Request and response shapes of the API (what clients see, never table rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None


class Page(BaseModel, Generic[T]):
    """A page of a list, with the cursor for the next page (null at the end)."""

    items: list[T]
    next_cursor: str | None = None


class TokenOut(BaseModel):
    """A bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class SubjectScope(BaseModel):
    """Which athletes and teams the user's permissions reach."""

    athlete_ids: list[str]
    team_ids: list[str]


class MeOut(BaseModel):
    """The signed-in user."""

    id: str
    email: str
    display_name: str
    role: str
    subject_scope: SubjectScope
    permissions: list[str]


class UserOut(BaseModel):
    """A user in the admin list."""

    id: str
    email: str
    display_name: str
    role: str
    is_active: bool
    coach_ids: list[str]
    team_ids: list[str]


class UserList(BaseModel):
    """A page of users (offset-paginated, with the total)."""

    items: list[UserOut]
    total: int
    next_cursor: str | None = None


class RoleChange(Strict):
    """A new role for a user."""

    role: str = Field(min_length=1, max_length=32)


class TeamOut(BaseModel):
    """A team."""

    id: str
    name: str


class AuditEventOut(BaseModel):
    """One audit event, with its place in the hash chain."""

    id: str
    seq: int
    occurred_at: datetime
    actor_id: str | None
    actor_role: str | None
    action: str
    target_type: str | None
    target_id: str | None
    request_id: str | None
    metadata: dict[str, Any]
    origin_ip: str | None
    user_agent: str | None
    prev_hash: str
    hash: str


class ChainOut(BaseModel):
    """The result of verifying the audit chain."""

    ok: bool
    checked: int
    broken_seq: int | None
    reason: str
    message: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}},
           "description": desc}
    for code, desc in {400: "Malformed request", 401: "Missing or invalid token",
                       403: "Not allowed for this role", 404: "Not found or not visible",
                       413: "Body too large", 422: "Invalid input"}.items()
}
