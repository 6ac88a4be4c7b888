"""The append-only, hash-chained audit log (spec §2.3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models.base import new_id, text_column, utcnow


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
    metadata_json: str = text_column(nullable=False, default="{}")
    origin_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
