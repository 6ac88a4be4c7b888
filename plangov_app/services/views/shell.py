"""The app shell: the bell's notifications."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session

from plangov_app.services import describing, notifications
from plangov_app.services.rbac import Actor

NOTES_SHOWN = 8


@dataclasses.dataclass
class Note:
    """A notification as the bell lists it."""

    id: str = ""
    title: str = ""
    link: str = ""
    read: bool = False
    when: str = ""


def notes_of(session: Session, actor: Actor) -> tuple[list[Note], int]:
    """The newest notifications of `actor` and how many are unread."""
    rows, unread = notifications.list_for(session, actor)
    return [Note(id=n.id, title=n.title, link=n.link, read=n.read_at is not None,
                 when=describing.moment(n.created_at, actor.time_zone, short=True))
            for n in rows[:NOTES_SHOWN]], unread
