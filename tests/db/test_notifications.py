"""services/notifications.py: opening a plan reads its notifications, and only its own."""

from __future__ import annotations

from sqlmodel import col, select

from db.models import Notification
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import notifications
from tests.support.factories import actor

ATHLETE, OTHER = "athlete1@demo.test", "athlete2@demo.test"


def notify(email: str, link: str) -> None:
    with unit_of_work() as session:
        notifications.notify(session, demo_id(email), kind="plan.submitted", title="A plan",
                             link=link)


def unread_links(email: str) -> list[str]:
    with read_session() as session:
        return sorted(session.exec(select(Notification.link).where(
            Notification.user_id == demo_id(email), col(Notification.read_at).is_(None))))


def test_opening_a_plan_reads_its_notifications_and_no_others(seeded) -> None:
    for link in ("/plans/p1/review", "/plans/p1", "/plans/p2/review", "/plans/p10"):
        notify(ATHLETE, link)
    notify(OTHER, "/plans/p1/review")  # someone else's, about the same plan
    with unit_of_work() as session:
        marked = notifications.mark_plan_read(session, actor(ATHLETE), "p1")
    assert marked == 2
    assert unread_links(ATHLETE) == ["/plans/p10", "/plans/p2/review"]
    assert unread_links(OTHER) == ["/plans/p1/review"]
    with unit_of_work() as session:  # nothing left to mark: nothing written
        assert notifications.mark_plan_read(session, actor(ATHLETE), "p1") == 0
