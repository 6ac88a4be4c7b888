"""The transactional outbox of telemetry bus messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from db.models.base import new_id, text_column, utcnow


class OutboxEvent(SQLModel, table=True):
    """A message for the telemetry bus, written in the same transaction as its cause."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    topic: str = Field(max_length=64, index=True)
    aggregate_id: str | None = Field(default=None, max_length=36)
    payload_json: str = text_column(nullable=False, default="{}")
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    attempts: int = 0
