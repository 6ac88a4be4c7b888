"""In-app notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class NotificationOut(BaseModel):
    """An in-app notification."""

    id: str
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    """The signed-in user's notifications, unread first."""

    items: list[NotificationOut]
    unread: int
    next_cursor: str | None = None
