"""Request and response shapes of the API (what clients see, never table rows)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

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


class AthletePlanOut(BaseModel):
    """One of an athlete's plans, on their profile."""

    plan_id: str
    start_date: date
    weeks: int
    status: str
    version: int
    algorithm: str
    arm: str | None
    adherence: float | None = Field(description="completed / scheduled sessions so far")


class AthleteOut(BaseModel):
    """An athlete's profile: sport, level, consents, coaches, teams and recent plans."""

    athlete_id: str
    name: str
    sport: str
    level: str
    days_per_week: int | None
    goals: str
    experiment_consent: bool
    research_consent: bool
    coaches: list[str]
    teams: list[str]
    plans: list[AthletePlanOut]


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
                       409: "Conflict (stale version, illegal transition)",
                       413: "Body too large", 422: "Invalid input"}.items()
}


# --- Plans -----------------------------------------------------------------------


class PlanCreate(Strict):
    """Generate a plan for an athlete."""

    athlete_id: str = Field(min_length=1, max_length=36)
    start_date: date
    weeks: int = Field(ge=4, le=52, strict=True)
    algorithm: str | None = Field(default=None, max_length=40)
    seed: str = Field(default="", max_length=200)


class VersionBase(BaseModel):
    """What every view of a version carries: who made it, when, why."""

    id: str
    version_number: int
    parent_version_id: str | None
    status: str
    kind: str
    author_id: str | None
    author_name: str | None = None
    author_role: str | None
    created_at: datetime
    reason_codes: list[str]
    rationale: str


class VersionBrief(VersionBase):
    """A version in a list (no document)."""

    badges: list[str]
    change_count: int


class PlanOut(BaseModel):
    """A plan header with its latest version summary."""

    id: str
    athlete_id: str
    athlete_name: str | None = None
    sport: str | None = None
    level: str | None = None
    status: str
    active_version_id: str | None
    baseline_version_id: str | None
    experiment_arm: str | None
    algorithm_version: str
    start_date: date
    weeks: int
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    open_comments: int = 0
    latest_version: VersionBrief | None = None


class ChangeOut(BaseModel):
    """One field change of a version against its parent."""

    field_path: str
    change_type: str
    old_value: Any
    new_value: Any
    session_id: str | None
    item_id: str | None
    comment_id: str | None = None


class ApprovalOut(BaseModel):
    """A decision on the plan (the athlete's, or an admin's override)."""

    version_id: str
    version_number: int
    status: str
    kind: str
    author_id: str | None
    author_role: str | None
    created_at: datetime
    comment: str


class VersionOut(VersionBase):
    """A version with its document, change markers and the plan's decisions so far."""

    plan_id: str
    diff_summary: dict[str, Any]
    content: dict[str, Any]
    changes: list[ChangeOut]
    approvals: list[ApprovalOut]


class PatchOperation(Strict):
    """One RFC 6902 operation."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str = Field(max_length=300)
    value: Any = None
    from_: str | None = Field(default=None, alias="from", max_length=300)


class VersionEdit(Strict):
    """An edit of the head version: operations or a whole document, with why."""

    operations: list[PatchOperation] | None = Field(default=None, max_length=500)
    content: dict[str, Any] | None = None
    reason_codes: list[str] = Field(default_factory=list, max_length=6)
    rationale: str = Field(default="", max_length=2000)


class SubmitIn(Strict):
    """Submit for approval, with an optional note to the athlete."""

    comment: str = Field(default="", max_length=4000)


class DecisionIn(Strict):
    """The athlete's decision."""

    decision: Literal["accept", "request_changes"]
    comment: str = Field(default="", max_length=4000)


class CommentIn(Strict):
    """A new comment or reply."""

    anchor_id: str | None = Field(default=None, max_length=36)
    message: str = Field(min_length=1, max_length=4000)
    parent_id: str | None = Field(default=None, max_length=36)
    visibility: Literal["shared", "coaches"] = "shared"


class CommentOut(BaseModel):
    """A comment with its thread position and outdated state."""

    id: str
    plan_id: str
    version_id: str
    anchor_id: str | None
    parent_id: str | None
    author_id: str
    author_name: str
    author_role: str
    message: str
    visibility: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    outdated: bool
    anchor_missing: bool
    original: dict[str, Any] | None


class DiffOut(BaseModel):
    """The changes and impact summary between two versions."""

    from_version_id: str
    to_version_id: str
    from_version_number: int
    to_version_number: int
    changes: list[ChangeOut]
    summary: dict[str, Any]


class ChangelogEntry(BaseModel):
    """One row of the change log."""

    id: str
    version_number: int
    version_id: str
    created_at: datetime
    author_id: str | None
    author_name: str | None
    author_role: str | None
    change_type: str
    field_path: str
    session_id: str | None
    item_id: str | None
    old_value: Any
    new_value: Any
    reason_codes: list[str]
    rationale: str


class NotificationOut(BaseModel):
    """An in-app notification."""

    id: str
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    """The signed-in user's notifications, unread first."""

    items: list[NotificationOut]
    unread: int
    next_cursor: str | None = None


class ExerciseOut(BaseModel):
    """A catalogue exercise."""

    key: str
    name: str
    category: str
    pattern: str
    equipment: str
    loaded: bool
    unit: str
