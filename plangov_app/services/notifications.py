"""In-app notifications with deep links (unread first)."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from db.models import Notification, utcnow
from db.session import read_phase
from plangov_app.services.errors import NotFound
from plangov_app.services.rbac import Actor

MAX_PAGE_SIZE = 100


def notify(session: Session, user_id: str, *, kind: str, title: str, body: str = "",
           link: str = "") -> Notification:
    """Queue a notification for `user_id` in the caller's transaction."""
    note = Notification(user_id=user_id, kind=kind, title=title[:200], body=body[:1000],
                        link=link[:300])
    session.add(note)
    return note


def list_for(session: Session, actor: Actor, *, unread_only: bool = False,
             limit: int = 20) -> tuple[list[Notification], int]:
    """The actor's notifications, unread first then newest; and the unread count."""
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    query = query.order_by(col(Notification.read_at).is_not(None),
                           col(Notification.created_at).desc()).limit(
        max(1, min(limit, MAX_PAGE_SIZE)))
    unread = session.exec(select(func.count()).select_from(Notification).where(
        Notification.user_id == actor.user_id, col(Notification.read_at).is_(None))).one()
    return list(session.exec(query)), unread


def mark_read(session: Session, actor: Actor, notification_id: str | None = None) -> int:
    """Mark one (or, with no id, every) notification of the actor read; return how many."""
    query = update(Notification).where(col(Notification.user_id) == actor.user_id,
                                       col(Notification.read_at).is_(None))
    if notification_id is not None:
        note = session.get(Notification, notification_id)
        if note is None or note.user_id != actor.user_id:
            raise NotFound("No such notification.")
        query = query.where(col(Notification.id) == notification_id)
    result = session.execute(query.values(read_at=utcnow()))
    return result.rowcount or 0


def plan_links(plan_id: str) -> tuple[str, str]:
    """The deep links a plan's notifications carry (the plan page and its review)."""
    return f"/plans/{plan_id}", f"/plans/{plan_id}/review"


def mark_plan_read(session: Session, actor: Actor, plan_id: str) -> int:
    """Opening a plan reads its notifications: mark the actor's unread ones about it read.

    Counted first without the write lock; written only when there is something to mark.
    """
    about_plan = (col(Notification.user_id) == actor.user_id,
                  col(Notification.read_at).is_(None),
                  col(Notification.link).in_(plan_links(plan_id)))
    with read_phase(session):
        unread = session.exec(select(func.count()).select_from(Notification)
                              .where(*about_plan)).one()
    if not unread:
        return 0
    result = session.execute(update(Notification).where(*about_plan).values(read_at=utcnow()))
    return result.rowcount or 0
