"""SQLModel tables for the whole specification (names as SPEC.md gives them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def new_id() -> str:
    """A new random identifier (UUID4 as text)."""
    return str(uuid.uuid4())


_clock: ContextVar[datetime | None] = ContextVar("plangov_clock", default=None)


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (every timestamp column stores UTC)."""
    return _clock.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make `utcnow()` return `moment` in this context (backfilling history: demo data)."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def _text(*, nullable: bool, default: str | None = None) -> object:
    """A TEXT column (JSON documents, messages) with the same default in Python."""
    return Field(default=default, sa_column=Column(Text, nullable=nullable))


# --- People, teams, assignments -------------------------------------------------


class User(SQLModel, table=True):
    """A person who signs in; `role` is one of rbac.Role."""

    __tablename__ = "users"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=32, index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Team(SQLModel, table=True):
    """A group of athletes (support staff are scoped to teams)."""

    __tablename__ = "teams"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class TeamMember(SQLModel, table=True):
    """Membership of a user (athlete or support) in a team."""

    __tablename__ = "team_members"
    team_id: str = Field(foreign_key="teams.id", primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36, index=True)
    added_at: datetime = Field(default_factory=utcnow)


class CoachAthlete(SQLModel, table=True):
    """A coach's assignment to an athlete."""

    __tablename__ = "coach_athletes"
    coach_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    athlete_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36, index=True)
    assigned_at: datetime = Field(default_factory=utcnow)


class AthleteProfile(SQLModel, table=True):
    """What plan generation and stratification know about an athlete."""

    __tablename__ = "athlete_profiles"
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    sport: str = Field(max_length=40, index=True)
    level: str = Field(max_length=20, index=True)
    days_per_week: int = Field(default=4, ge=1, le=7)
    goals: str = Field(default="", max_length=500)
    experiment_consent: bool = False
    research_consent: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


# --- Plans, versions, changes, comments (spec §1.4) -----------------------------


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
    author_id: str | None = Field(default=None, max_length=36)
    author_role: str | None = Field(default=None, max_length=32)
    diff_summary_json: str = _text(nullable=False, default="{}")
    content_json: str = _text(nullable=False, default="{}")
    reason_codes_json: str = _text(nullable=False, default="[]")
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
    prescribed_work_json: str = _text(nullable=False, default="{}")


class PlanVersionChange(SQLModel, table=True):
    """One field changed by a version against its parent."""

    __tablename__ = "plan_version_changes"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    version_id: str = Field(foreign_key="plan_versions.id", max_length=36, index=True)
    field_path: str = Field(max_length=300)
    old_value: str | None = _text(nullable=True)
    new_value: str | None = _text(nullable=True)
    change_type: str = Field(max_length=20, index=True)
    session_id: str | None = Field(default=None, max_length=36)
    item_id: str | None = Field(default=None, max_length=36)
    comment_id: str | None = Field(default=None, max_length=36)
    reason_codes_json: str = _text(nullable=False, default="[]")


class PlanComment(SQLModel, table=True):
    """A threaded comment anchored to a session (or the whole plan)."""

    __tablename__ = "plan_comments"
    __table_args__ = (Index("ix_plan_comments_plan_created", "plan_id", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    plan_id: str = Field(foreign_key="plans.id", max_length=36)
    version_id: str = Field(foreign_key="plan_versions.id", max_length=36)
    anchor_id: str | None = Field(default=None, max_length=36)
    parent_id: str | None = Field(default=None, max_length=36)
    author_id: str = Field(foreign_key="users.id", max_length=36)
    message: str = _text(nullable=False, default="")
    visibility: str = Field(default="shared", max_length=20)
    anchor_snapshot_json: str | None = _text(nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=36)


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


# --- Audit (spec §2.3) ----------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """An append-only, hash-chained audit record."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_actor_occurred", "actor_id", "occurred_at"),
        Index("ix_audit_events_target", "target_type", "target_id", "occurred_at"),
        Index("ix_audit_events_action_occurred", "action", "occurred_at"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    seq: int = Field(unique=True, ge=1)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: str | None = Field(default=None, max_length=36)
    actor_role: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=64)
    target_type: str | None = Field(default=None, max_length=40)
    target_id: str | None = Field(default=None, max_length=254)
    request_id: str | None = Field(default=None, max_length=64)
    metadata_json: str = _text(nullable=False, default="{}")
    origin_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


# --- Authentication support -----------------------------------------------------


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


# --- Notifications and the outbox ------------------------------------------------


class Notification(SQLModel, table=True):
    """An in-app message to one user, with a deep link."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", max_length=36)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=1000)
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class OutboxEvent(SQLModel, table=True):
    """A message for the telemetry bus, written in the same transaction as its cause."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    topic: str = Field(max_length=64, index=True)
    aggregate_id: str | None = Field(default=None, max_length=36)
    payload_json: str = _text(nullable=False, default="{}")
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    attempts: int = 0


# --- Experiments (spec §3) -------------------------------------------------------


class Experiment(SQLModel, table=True):
    """An A/B/n experiment on the plan-generation algorithm."""

    __tablename__ = "experiments"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    key: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    status: str = Field(default="draft", max_length=20, index=True)
    start_at: datetime | None = None
    end_at: datetime | None = None
    variant_weights: str = _text(nullable=False, default="{}")
    stratification_keys: str = _text(nullable=False, default="[]")
    holdout_percentage: float = Field(default=0.0, ge=0, le=100)
    seed: str = Field(default="", max_length=80)
    owner_id: str | None = Field(default=None, foreign_key="users.id", max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ExperimentAssignment(SQLModel, table=True):
    """A subject's deterministic variant in an experiment."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (
        UniqueConstraint("experiment_id", "subject_id", name="uq_assignment_subject"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    subject_id: str = Field(max_length=36, index=True)
    experiment_id: str = Field(foreign_key="experiments.id", max_length=36)
    variant: str = Field(max_length=64)
    bucket: int
    stratum: str = Field(default="", max_length=120)
    is_holdout: bool = False
    assigned_at: datetime = Field(default_factory=utcnow)


class ExposureEvent(SQLModel, table=True):
    """A subject was exposed to their variant (e.g. a plan was generated with it)."""

    __tablename__ = "exposure_events"
    __table_args__ = (Index("ix_exposure_experiment_at", "experiment_id", "occurred_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    experiment_id: str = Field(foreign_key="experiments.id", max_length=36)
    subject_id: str = Field(max_length=36)
    variant: str = Field(max_length=64)
    context: str = Field(default="plan.generated", max_length=64)
    plan_id: str | None = Field(default=None, max_length=36)
    occurred_at: datetime = Field(default_factory=utcnow)


class FeatureFlag(SQLModel, table=True):
    """A UI or behaviour toggle with targeting rules."""

    __tablename__ = "feature_flags"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    key: str = Field(max_length=80, unique=True)
    description: str = Field(default="", max_length=500)
    enabled: bool = False
    rules_json: str = _text(nullable=False, default="{}")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=36)


# --- Outcomes (spec §4) ----------------------------------------------------------


class WorkoutLog(SQLModel, table=True):
    """An athlete's record of a scheduled session: completed, partial or skipped."""

    __tablename__ = "workout_logs"
    __table_args__ = (
        Index("ix_workout_logs_athlete_date", "athlete_id", "scheduled_date"),
        Index("ix_workout_logs_plan", "plan_id", "session_id"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    athlete_id: str = Field(foreign_key="users.id", max_length=36)
    plan_id: str | None = Field(default=None, foreign_key="plans.id", max_length=36)
    session_id: str | None = Field(default=None, max_length=36)
    scheduled_date: date
    status: str = Field(max_length=20)
    planned_volume: float | None = None
    completed_volume: float | None = None
    rpe: float | None = Field(default=None, ge=0, le=10)
    notes: str = Field(default="", max_length=1000)
    logged_at: datetime = Field(default_factory=utcnow)


class KpiMeasurement(SQLModel, table=True):
    """A performance indicator measurement (max reps, power output, …)."""

    __tablename__ = "kpi_measurements"
    __table_args__ = (Index("ix_kpi_athlete_kpi_at", "athlete_id", "kpi", "measured_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    athlete_id: str = Field(foreign_key="users.id", max_length=36)
    kpi: str = Field(max_length=60)
    value: float
    unit: str = Field(default="", max_length=20)
    measured_at: datetime = Field(default_factory=utcnow)


class CsatResponse(SQLModel, table=True):
    """A post-cycle satisfaction survey answer (1–5)."""

    __tablename__ = "csat_responses"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    athlete_id: str = Field(foreign_key="users.id", max_length=36, index=True)
    plan_id: str | None = Field(default=None, foreign_key="plans.id", max_length=36)
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)
    submitted_at: datetime = Field(default_factory=utcnow)
