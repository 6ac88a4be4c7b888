"""Threaded comments on plans, anchored to sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models.base import new_id, text_column, utcnow


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
    message: str = text_column(nullable=False, default="")
    visibility: str = Field(default="shared", max_length=20)
    anchor_snapshot_json: str | None = text_column(nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=36)
