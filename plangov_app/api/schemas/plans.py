"""Plans, versions, edits, decisions, diffs and the change log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from plangov_app.api.schemas.common import Strict


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
    author_kind: str = Field(description="person, algorithm (a generated version) or system")
    algorithm_version: str | None = Field(
        default=None, description="the algorithm that wrote a generated version")
    requested_by: str | None = Field(
        default=None, description="who asked the algorithm for a generated version")
    requested_by_name: str | None = None
    author_label: str = Field(description='who wrote it, in words: "Coach One" or '
                                          '"Generator lp-1.0 (requested by Coach One)"')
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
    description: str = Field(
        default="", description='The change in words, e.g. "Reps: 5 → 8 (Deadlift, Tue 02 Feb)".')
