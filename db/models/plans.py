"""Plans, their immutable versions, sessions and field changes (spec §1.4); reference data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import new_id, text_column, utcnow


class Plan(SQLModel, table=True):
    """A training plan for one athlete; its content lives in immutable versions."""

    __tablename__ = "plans"
    __table_args__ = (
        Index("ix_plans_athlete_status", "athlete_id", "status"),
        Index("ix_plans_status_updated", "status", "updated_at"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    athlete_id: str = Field(foreign_key="users.id", max_length=36)
    status: str = Field(max_length=20)
    active_version_id: str | None = Field(default=None, max_length=36)
    baseline_version_id: str | None = Field(default=None, max_length=36)
    experiment_arm: str | None = Field(default=None, max_length=64)
    algorithm_version: str = Field(max_length=40)
    generation_seed: str = Field(default="", max_length=200)
    start_date: date
    weeks: int = Field(ge=1, le=52)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=36)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None


class PlanVersion(SQLModel, table=True):
    """One immutable snapshot of a plan's document."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "version_number", name="uq_plan_versions_number"),
        UniqueConstraint("plan_id", "idempotency_key", name="uq_plan_versions_idempotency"),
        Index("ix_plan_versions_plan_created", "plan_id", "created_at"),
        Index("ix_plan_versions_author_created", "author_id", "created_at"),
        Index("ix_plan_versions_plan_kind", "plan_id", "kind"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    plan_id: str = Field(foreign_key="plans.id", max_length=36)
    version_number: int = Field(ge=1)
    parent_version_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=20)
    kind: str = Field(default="edit", max_length=20)  # generated|edit|submit|decision|override
    author_id: str | None = Field(default=None, max_length=36)  # a person; None: see author_kind
    author_role: str | None = Field(default=None, max_length=32)
    # who wrote it: "person" (author_id), "algorithm" (algorithm_version, at the request of
    # requested_by) or "system"; None on versions stored before it was recorded
    author_kind: str | None = Field(default=None, max_length=16)
    algorithm_version: str | None = Field(default=None, max_length=40)
    requested_by: str | None = Field(default=None, max_length=36)
    diff_summary_json: str = text_column(nullable=False, default="{}")
    content_json: str = text_column(nullable=False, default="{}")
    reason_codes_json: str = text_column(nullable=False, default="[]")
    rationale: str = Field(default="", max_length=2000)
    idempotency_key: str | None = Field(default=None, max_length=128)
    idempotency_fingerprint: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class PlanSession(SQLModel, table=True):
    """A session of a version; `session_id` is stable across versions."""

    __tablename__ = "plan_sessions"
    version_id: str = Field(foreign_key="plan_versions.id", primary_key=True, max_length=36)
    session_id: str = Field(primary_key=True, max_length=36, index=True)
    week_index: int = 0
    day: date
    modality: str = Field(max_length=20)
    prescribed_work_json: str = text_column(nullable=False, default="{}")


class PlanVersionChange(SQLModel, table=True):
    """One field changed by a version against its parent."""

    __tablename__ = "plan_version_changes"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    version_id: str = Field(foreign_key="plan_versions.id", max_length=36, index=True)
    field_path: str = Field(max_length=300)
    old_value: str | None = text_column(nullable=True)
    new_value: str | None = text_column(nullable=True)
    change_type: str = Field(max_length=20, index=True)
    session_id: str | None = Field(default=None, max_length=36)
    item_id: str | None = Field(default=None, max_length=36)
    comment_id: str | None = Field(default=None, max_length=36)
    reason_codes_json: str = text_column(nullable=False, default="[]")


class OverrideReasonCode(SQLModel, table=True):
    """A reason a coach may give for overriding the generated plan (spec §5.1)."""

    __tablename__ = "override_reason_codes"
    code: str = Field(primary_key=True, max_length=40)
    label: str = Field(max_length=80)
    description: str = Field(default="", max_length=300)


class AlgorithmVersion(SQLModel, table=True):
    """A plan-generation algorithm release."""

    __tablename__ = "algorithm_versions"
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=500)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
