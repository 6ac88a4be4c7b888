"""Experiments, assignments, exposures and feature flags (spec §3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import new_id, text_column, utcnow


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
    variant_weights: str = text_column(nullable=False, default="{}")
    stratification_keys: str = text_column(nullable=False, default="[]")
    holdout_percentage: float = Field(default=0.0, ge=0, le=100)
    seed: str = Field(default="", max_length=80)
    owner_id: str | None = Field(default=None, foreign_key="users.id", max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # issue 12 (migration 0008): the rest of what a data scientist configures
    hypothesis: str | None = text_column(nullable=True, default="")
    randomization: str | None = Field(default="hash", max_length=32)
    #: [{"key", "weight", "algorithm_version"}] in bucket-range order
    variants_json: str | None = text_column(nullable=True, default="[]")
    #: {"sports": [...], "levels": [...], "team_ids": [...]}
    eligibility_json: str | None = text_column(nullable=True, default="{}")
    #: [{"metric", "max_relative_drop"}]
    guardrails_json: str | None = text_column(nullable=True, default="[]")
    #: a deliberate new phase re-randomises everyone (new seed suffix)
    phase: int | None = Field(default=1)


class ExperimentAssignment(SQLModel, table=True):
    """A subject's deterministic variant in an experiment."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (
        UniqueConstraint("experiment_id", "phase", "subject_id",
                         name="uq_assignment_subject_phase"),
        Index("ix_assignment_stratum", "experiment_id", "phase", "stratum"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    subject_id: str = Field(max_length=36, index=True)
    experiment_id: str = Field(foreign_key="experiments.id", max_length=36)
    #: the experiment's phase when assigned: a new phase re-randomises (sticky per phase)
    phase: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    #: "" for a holdout (is_holdout), who gets the default algorithm
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
    phase: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
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
    rules_json: str = text_column(nullable=False, default="{}")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=36)
