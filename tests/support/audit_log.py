"""Reading the audit log back in tests (in the process's current database)."""

from __future__ import annotations

from sqlmodel import col, select

from db.models import AuditEvent
from db.session import read_session
from plangov_app.services import audit


def events(action: str | None = None, *, target_id: str | None = None) -> list[AuditEvent]:
    """Stored events, oldest first: all, or those of `action` (and `target_id`)."""
    with read_session() as session:
        query = select(AuditEvent).order_by(col(AuditEvent.seq))
        if action:
            query = query.where(AuditEvent.action == action)
        if target_id:
            query = query.where(AuditEvent.target_id == target_id)
        return list(session.exec(query))


def chain_ok() -> bool:
    """Whether `plangov audit verify` would find the chain intact."""
    with read_session() as session:
        return audit.verify_chain(session).ok
