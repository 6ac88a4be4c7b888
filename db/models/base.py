"""What every table module shares: ids, the clock and TEXT columns."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field


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


def text_column(*, nullable: bool, default: str | None = None) -> object:
    """A TEXT column (JSON documents, messages) with the same default in Python."""
    return Field(default=default, sa_column=Column(Text, nullable=nullable))
