"""The review's session sheet (plan_page's `sheet`) and the coach's note, read once.

A session card opens that session's conversation: only the threads anchored to it, each
root with its replies beneath, in the order they were started; who may comment decides
whether there is a box.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from db.models import AuditEvent, PlanComment, PlanVersion, clock_at
from db.session import read_session, unit_of_work
from plangov_app.services import comments
from plangov_app.services.context import system_context
from plangov_app.services.views.plan_page import PlanPage, plan_page
from tests.support.factories import actor, create_plan, patch, version

COACH, ATHLETE, SUPPORT = "coach1@demo.test", "athlete1@demo.test", "support@demo.test"


def _page(email: str, plan_id: str, **options: Any) -> PlanPage:
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, **options)


def _post(email: str, plan_id: str, message: str, day: int, **kwargs: Any) -> PlanComment:
    kwargs.setdefault("anchor_id", None)
    with clock_at(datetime(2030, 1, day, tzinfo=UTC)), unit_of_work() as session:
        return comments.create_comment(session, actor(email), plan_id, message=message,
                                       context=system_context(), **kwargs)


@pytest.fixture
def talked(client, token_for: Callable[[str], dict]) -> dict[str, Any]:
    """A plan of athlete1 with threads on its first two sessions and on the whole plan.

    Written out of order on purpose: a second thread on session A starts before the first
    one's replies, and session B's and the plan's threads come in between.
    """
    plan = create_plan(client, token_for(COACH))
    first, second = version(client, token_for(COACH), plan)["content"]["weeks"][0]["sessions"][:2]
    a, b = first["session_id"], second["session_id"]
    root = _post(ATHLETE, plan["id"], "A: can this be shorter?", 1, anchor_id=a)
    _post(COACH, plan["id"], "B: how did it feel?", 2, anchor_id=b)
    _post(COACH, plan["id"], "The whole plan looks fine", 3)
    other = _post(COACH, plan["id"], "A: watch your back", 4, anchor_id=a)
    reply = _post(COACH, plan["id"], "A: yes, 10 minutes less", 5, parent_id=root.id)
    _post(ATHLETE, plan["id"], "A: thanks", 6, parent_id=reply.id)
    _post(COACH, plan["id"], "A: coaches only, knee", 7, anchor_id=a, visibility="coaches")
    with unit_of_work() as session:
        comments.set_resolved(session, actor(COACH), plan["id"], other.id, resolved=True,
                              context=system_context())
    return {"plan": plan, "a": a, "b": b, "title": first["title"]}


def test_a_sessions_sheet_holds_only_its_threads_each_reply_beneath_its_root(talked):
    sheet = _page(ATHLETE, talked["plan"]["id"], open_session=talked["a"]).sheet
    assert (sheet.session_id, sheet.card.id, sheet.card.title) == (
        talked["a"], talked["a"], talked["title"])
    assert sheet.card.threads == 1 and sheet.card.exercises  # the card, as the calendar has it
    assert [(t.message, t.reply, t.resolved) for t in sheet.threads] == [
        ("A: can this be shorter?", False, False),
        ("A: yes, 10 minutes less", True, False),
        ("A: thanks", True, False),
        ("A: watch your back", False, True)]
    assert sheet.can_comment
    coach = _page(COACH, talked["plan"]["id"], open_session=talked["a"]).sheet
    assert [t.message for t in coach.threads][-1] == "A: coaches only, knee"  # theirs to read
    assert coach.card.threads == 2 and coach.can_comment
    other = _page(ATHLETE, talked["plan"]["id"], open_session=talked["b"]).sheet
    assert [t.message for t in other.threads] == ["B: how did it feel?"]


def test_support_reads_a_sheet_without_a_box(talked):
    page = _page(SUPPORT, talked["plan"]["id"], open_session=talked["a"])
    assert not page.can_comment and not page.sheet.can_comment
    assert [t.message for t in page.sheet.threads] == [
        "A: can this be shorter?", "A: yes, 10 minutes less", "A: thanks", "A: watch your back",
        "A: coaches only, knee"]  # staff read coaches-only threads too


def test_no_sheet_without_a_session_on_the_page(talked):
    assert _page(ATHLETE, talked["plan"]["id"]).sheet.session_id == ""
    unknown = _page(ATHLETE, talked["plan"]["id"], open_session="no-such-session").sheet
    assert (unknown.session_id, unknown.threads, unknown.can_comment) == ("", [], False)


def test_a_removed_sessions_threads_are_read_only(client, token_for, talked):
    coach = token_for(COACH)
    head = version(client, coach, talked["plan"])
    removed = patch(client, coach, talked["plan"]["id"], head["id"],
                    [{"op": "remove", "path": "/weeks/0/sessions/1"}])
    assert removed.status_code == 200, removed.text
    sheet = _page(ATHLETE, talked["plan"]["id"], open_session=talked["b"]).sheet
    assert sheet.card.change == "removed"
    assert [t.message for t in sheet.threads] == ["B: how did it feel?"]
    assert not sheet.can_comment  # a comment needs the session in the plan


def test_the_coachs_submit_note_is_read_once_and_kept_on_record(client, token_for):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    note = "Easier start: Tuesday moved to Sunday."
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach,
                           json={"comment": note})
    assert response.status_code == 200, response.text
    page = _page(ATHLETE, plan["id"])
    assert page.coach_note == note  # the card at the top of the review …
    assert [t.message for t in page.threads] == []  # … and not a plan comment as well
    with read_session() as session:
        assert list(session.exec(select(PlanComment.id).where(
            PlanComment.plan_id == plan["id"]))) == []
        submitted = session.get(PlanVersion, response.json()["active_version_id"])
        assert (submitted.kind, submitted.rationale) == ("submit", note)
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.submit",
                                                        AuditEvent.target_id == plan["id"]))
    assert json.loads(event.metadata_json)["comment"] == note
