"""Outcomes: workout logs, KPI measurements, satisfaction surveys (spec §4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models.base import new_id, utcnow


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
