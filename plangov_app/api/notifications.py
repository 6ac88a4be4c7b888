"""The signed-in user's notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from plangov_app.api.deps import CurrentActor, SessionDep
from plangov_app.api.schemas import ERROR_RESPONSES, NotificationList, NotificationOut
from plangov_app.services import notifications

router = APIRouter(tags=["notifications"], responses=ERROR_RESPONSES)


@router.get("/notifications", response_model=NotificationList)
def list_notifications(
    session: SessionDep, actor: CurrentActor,
    unread_only: bool = False, limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NotificationList:
    """Unread first, then newest."""
    rows, unread = notifications.list_for(session, actor, unread_only=unread_only, limit=limit)
    return NotificationList(items=[NotificationOut(**n.model_dump()) for n in rows],
                            unread=unread)


@router.post("/notifications/{notification_id}/read", response_model=NotificationList)
def mark_read(notification_id: Annotated[str, Path(max_length=36)], session: SessionDep,
              actor: CurrentActor) -> NotificationList:
    """Mark one notification read."""
    notifications.mark_read(session, actor, notification_id)
    rows, unread = notifications.list_for(session, actor)
    return NotificationList(items=[NotificationOut(**n.model_dump()) for n in rows],
                            unread=unread)


@router.post("/notifications/read-all", response_model=NotificationList)
def mark_all_read(session: SessionDep, actor: CurrentActor) -> NotificationList:
    """Mark every notification read."""
    notifications.mark_read(session, actor)
    rows, unread = notifications.list_for(session, actor)
    return NotificationList(items=[NotificationOut(**n.model_dump()) for n in rows],
                            unread=unread)

