"""services/comments.py called directly: every rule, and exactly what each write leaves behind.

The API tests cover the routes; these pin the service's own decisions (validation messages,
reply inheritance, who is notified with which words and link, the audit metadata, the
outbox payload, outdated marks, resolving rules) — mutation testing found them loose.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from db.models import AuditEvent, Notification, OutboxEvent, PlanComment, User, clock_at
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import comments
from plangov_app.services.context import system_context
from plangov_app.services.errors import Forbidden, InvalidInput, NotFound
from tests.support.factories import actor, create_plan, patch, version

COACH = "coach1@demo.test"
ATHLETE, ADMIN = "athlete1@demo.test", "admin@demo.test"
CONTEXT = system_context()



def name_of(email: str) -> str:
    with read_session() as session:
        return session.exec(select(User.display_name).where(User.email == email)).one()


def post(email: str, plan_id: str, message: str = "How does this feel?", **kwargs: Any
         ) -> PlanComment:
    kwargs.setdefault("anchor_id", None)
    with unit_of_work() as session:
        return comments.create_comment(session, actor(email), plan_id, message=message,
                                       context=CONTEXT, **kwargs)


def views(email: str, plan_id: str, version_id: str | None = None
          ) -> list[comments.CommentView]:
    with read_session() as session:
        return comments.list_comments(session, actor(email), plan_id, version_id)


def resolve(email: str, plan_id: str, comment_id: str, resolved: bool = True) -> PlanComment:
    with unit_of_work() as session:
        return comments.set_resolved(session, actor(email), plan_id, comment_id,
                                     resolved=resolved, context=CONTEXT)


def rows(model: Any, *where: Any) -> list[Any]:
    with read_session() as session:
        return list(session.exec(select(model).where(*where)))


@pytest.fixture
def plan(client, token_for: Callable[[str], dict]) -> dict[str, Any]:
    """A generated plan of athlete1 (coach1's athlete) with its head document."""
    created = create_plan(client, token_for(COACH))
    head = version(client, token_for(COACH), created)
    return {**created, "head": head, "sessions": [
        s for week in head["content"]["weeks"] for s in week["sessions"]]}


def test_a_comment_is_stored_audited_announced_and_notified(plan) -> None:
    anchor = plan["sessions"][0]
    comment = post(COACH, plan["id"], "  Lighter squats this week?  ",
                   anchor_id=anchor["session_id"])
    assert comment.message == "Lighter squats this week?"
    assert comment.version_id == plan["head"]["id"] and comment.parent_id is None
    assert json.loads(comment.anchor_snapshot_json) == anchor

    [event] = rows(AuditEvent, AuditEvent.action == "plan.comment")
    assert (event.actor_id, event.target_type, event.target_id) == (
        demo_id(COACH), "plan", plan["id"])
    assert json.loads(event.metadata_json) == {
        "comment_id": comment.id, "anchor_id": anchor["session_id"], "parent_id": None,
        "visibility": "shared", "version_id": plan["head"]["id"],
        "length": len("Lighter squats this week?")}

    [message] = rows(OutboxEvent, OutboxEvent.topic == "plan.comment.created")
    payload = json.loads(message.payload_json)
    assert message.aggregate_id == plan["id"]
    assert (payload["comment_id"], payload["anchored"], payload["version_id"]) == (
        comment.id, True, plan["head"]["id"])
    assert "Lighter" not in message.payload_json  # the bus never carries the text

    [note] = rows(Notification, Notification.kind == "plan.comment")
    assert note.user_id == demo_id(ATHLETE)  # the coach is not told of their own comment
    assert note.title == f"{name_of(COACH)} commented on the plan"
    assert note.body == "Lighter squats this week?"
    assert note.link == f"/plans/{plan['id']}/review"


def test_the_athletes_comment_tells_their_coach_with_the_editor_link(plan) -> None:
    long = "x" * 300
    comment = post(ATHLETE, plan["id"], long)
    assert comment.anchor_id is None and comment.anchor_snapshot_json is None
    [note] = rows(Notification, Notification.kind == "plan.comment")
    assert note.user_id == demo_id(COACH)
    assert note.title == f"{name_of(ATHLETE)} commented on their plan"
    assert note.body == "x" * 140 and note.link == f"/plans/{plan['id']}"
    [message] = rows(OutboxEvent, OutboxEvent.topic == "plan.comment.created")
    assert json.loads(message.payload_json)["anchored"] is False


def test_a_coaches_only_comment_is_hidden_from_the_athlete_and_not_sent_to_them(plan) -> None:
    hidden = post(ADMIN, plan["id"], "Watch the knee", visibility="coaches")
    shared = post(COACH, plan["id"], "Shared note")
    notified = {n.user_id for n in rows(Notification, Notification.kind == "plan.comment")}
    assert demo_id(COACH) in notified
    assert [n.user_id for n in rows(Notification, Notification.title.startswith(
        name_of(ADMIN)))] == [demo_id(COACH)]
    assert [v.comment.id for v in views(ATHLETE, plan["id"])] == [shared.id]
    assert [v.comment.id for v in views(COACH, plan["id"])] == [hidden.id, shared.id]
    seen = views(COACH, plan["id"])[0]
    assert (seen.author_name, seen.author_role) == (name_of(ADMIN), "admin")


@pytest.mark.parametrize("message", ["", "   ", "x" * 4001])
def test_empty_or_overlong_messages_are_refused(plan, message: str) -> None:
    with pytest.raises(InvalidInput, match=r"^message: 1 to 4000 characters\.$"):
        post(COACH, plan["id"], message)
    assert rows(PlanComment) == [] and rows(AuditEvent, AuditEvent.action == "plan.comment") == []


def test_the_longest_message_is_kept_whole(plan) -> None:
    assert post(COACH, plan["id"], "y" * 4000).message == "y" * 4000


def test_visibility_and_anchor_are_checked(plan) -> None:
    with pytest.raises(InvalidInput, match=r"^visibility: use shared or coaches\.$"):
        post(COACH, plan["id"], visibility="public")
    with pytest.raises(Forbidden, match=r"^Athletes cannot post coaches-only comments\.$"):
        post(ATHLETE, plan["id"], visibility="coaches")
    with pytest.raises(InvalidInput,
                       match=r"^anchor_id: the plan's current version has no session nope\.$"):
        post(COACH, plan["id"], anchor_id="nope")
    assert rows(PlanComment) == []


def test_a_reply_takes_its_threads_anchor_and_visibility(plan) -> None:
    anchor = plan["sessions"][1]["session_id"]
    root = post(COACH, plan["id"], "Root", anchor_id=anchor, visibility="coaches")
    reply = post(ADMIN, plan["id"], "Reply", anchor_id=None,
                 parent_id=root.id, visibility="shared")
    assert (reply.parent_id, reply.anchor_id, reply.visibility) == (root.id, anchor, "coaches")
    [event] = [e for e in rows(AuditEvent, AuditEvent.action == "plan.comment")
               if json.loads(e.metadata_json)["comment_id"] == reply.id]
    assert json.loads(event.metadata_json)["parent_id"] == root.id


def test_replies_only_to_threads_the_author_may_read_on_this_plan(plan, client,
                                                                 token_for) -> None:
    hidden = post(COACH, plan["id"], "Coaches only", visibility="coaches")
    with pytest.raises(NotFound, match=f"No comment {hidden.id} on this plan"):
        post(ATHLETE, plan["id"], "Reply", parent_id=hidden.id)
    with pytest.raises(NotFound, match="No comment missing on this plan"):
        post(COACH, plan["id"], "Reply", parent_id="missing")
    other_plan = create_plan(client, token_for(COACH))
    with pytest.raises(NotFound):
        post(COACH, other_plan["id"], "Reply", parent_id=hidden.id)


def test_comments_are_marked_outdated_against_the_version_read(plan, client,
                                                               token_for) -> None:
    kept, changed, dropped = (s["session_id"] for s in plan["sessions"][:3])
    for anchor in (kept, changed, dropped):
        post(COACH, plan["id"], f"About {anchor}", anchor_id=anchor)
    post(COACH, plan["id"], "About the plan")
    content = plan["head"]["content"]
    week = content["weeks"][0]["sessions"]
    assert [s["session_id"] for s in week[:3]] == [kept, changed, dropped]
    response = patch(client, token_for(COACH), plan["id"], plan["head"]["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/1/title", "value": "Renamed"},
        {"op": "remove", "path": "/weeks/0/sessions/2"}])
    assert response.status_code == 200, response.text

    marks = [(v.outdated, v.anchor_missing, v.original is not None)
             for v in views(COACH, plan["id"])]
    assert marks == [(False, False, True), (True, False, True), (True, True, True),
                     (False, False, False)]
    at_first = [(v.outdated, v.anchor_missing) for v in views(COACH, plan["id"],
                                                              plan["head"]["id"])]
    assert at_first == [(False, False)] * 4


def test_reading_another_plans_or_an_unknown_version_is_not_found(plan, client,
                                                                  token_for) -> None:
    other = create_plan(client, token_for(COACH))
    other_head = version(client, token_for(COACH), other)
    with pytest.raises(NotFound, match=f"Plan {plan['id']} has no version {other_head['id']}"):
        views(COACH, plan["id"], other_head["id"])
    with pytest.raises(NotFound, match="has no version nope"):
        views(COACH, plan["id"], "nope")


def test_resolving_follows_who_may_and_records_only_real_changes(plan) -> None:
    by_coach = post(COACH, plan["id"], "Coach's thread")
    by_athlete = post(ATHLETE, plan["id"], "Athlete's thread")
    with pytest.raises(Forbidden,
                       match=r"^Only the coach or the comment's author can resolve it\.$"):
        resolve(ATHLETE, plan["id"], by_coach.id)

    done = resolve(ATHLETE, plan["id"], by_athlete.id)
    assert done.resolved_by == demo_id(ATHLETE) and done.resolved_at is not None
    again = resolve(ATHLETE, plan["id"], by_athlete.id)  # already resolved: nothing recorded
    assert again.resolved_at == done.resolved_at
    resolve(COACH, plan["id"], by_coach.id)
    reopened = resolve(COACH, plan["id"], by_coach.id, resolved=False)
    assert reopened.resolved_at is None and reopened.resolved_by is None

    recorded = rows(AuditEvent, col(AuditEvent.action).startswith("plan.comment."))
    assert {(e.target_type, e.target_id) for e in recorded} == {("plan", plan["id"])}
    actions = [(e.action, e.actor_id, json.loads(e.metadata_json)["comment_id"])
               for e in recorded]
    assert sorted(actions) == sorted([
        ("plan.comment.resolve", demo_id(ATHLETE), by_athlete.id),
        ("plan.comment.resolve", demo_id(COACH), by_coach.id),
        ("plan.comment.reopen", demo_id(COACH), by_coach.id)])
    reopen_again = resolve(COACH, plan["id"], by_coach.id, resolved=False)
    assert reopen_again.resolved_at is None
    assert len(rows(AuditEvent, AuditEvent.action == "plan.comment.reopen")) == 1


def test_resolving_unknown_hidden_or_foreign_comments_is_not_found(plan, client,
                                                                   token_for) -> None:
    hidden = post(COACH, plan["id"], "Coaches only", visibility="coaches")
    with pytest.raises(NotFound, match=f"No comment {hidden.id} on this plan"):
        resolve(ATHLETE, plan["id"], hidden.id)
    with pytest.raises(NotFound, match="No comment nope on this plan"):
        resolve(COACH, plan["id"], "nope")
    other = create_plan(client, token_for(COACH))
    with pytest.raises(NotFound):
        resolve(COACH, other["id"], hidden.id)
    assert rows(PlanComment, col(PlanComment.resolved_at).is_not(None)) == []


def test_threads_are_listed_by_when_they_were_written(plan) -> None:
    """Oldest first by time, not by the order the rows happen to be stored in."""
    with clock_at(datetime(2030, 1, 2, tzinfo=UTC)):
        later = post(COACH, plan["id"], "Written second")
    with clock_at(datetime(2030, 1, 1, tzinfo=UTC)):
        earlier = post(COACH, plan["id"], "Written first")
    assert [v.comment.id for v in views(COACH, plan["id"])] == [earlier.id, later.id]


def test_replies_are_listed_under_their_own_thread(plan) -> None:
    """A reply to thread A comes before thread B, even when B was written in between."""
    with clock_at(datetime(2030, 1, 1, tzinfo=UTC)):
        a = post(COACH, plan["id"], "Thread A")
    with clock_at(datetime(2030, 1, 2, tzinfo=UTC)):
        b = post(ATHLETE, plan["id"], "Thread B")
    with clock_at(datetime(2030, 1, 3, tzinfo=UTC)):
        to_a = post(ATHLETE, plan["id"], "Reply to A", parent_id=a.id)
    with clock_at(datetime(2030, 1, 4, tzinfo=UTC)):
        to_b = post(COACH, plan["id"], "Reply to B", parent_id=b.id)
    with clock_at(datetime(2030, 1, 5, tzinfo=UTC)):
        to_reply = post(COACH, plan["id"], "Reply to the reply to A", parent_id=to_a.id)
    listed = [v.comment.id for v in views(COACH, plan["id"])]
    assert listed == [a.id, to_a.id, to_reply.id, b.id, to_b.id]


def test_someone_without_a_name_is_someone(plan) -> None:
    with unit_of_work() as session:
        coach = session.exec(select(User).where(User.email == COACH)).one()
        coach.display_name = ""
        session.add(coach)
    post(COACH, plan["id"], "Nameless")
    [note] = rows(Notification, Notification.kind == "plan.comment")
    assert note.title == "Someone commented on the plan"


def test_a_message_holding_nul_is_refused_by_name(plan) -> None:
    with pytest.raises(InvalidInput, match=r"^message: must not contain NUL characters\.$"):
        post(COACH, plan["id"], "before\x00after")
    assert rows(PlanComment) == []


def test_the_page_offers_resolve_only_where_the_service_allows_it(plan) -> None:
    """An athlete was shown Resolve on their coach's thread, then refused: the plan page's
    threads now say per thread whether the reader may resolve it, by the service's rule."""
    from plangov_app.services.views.plan_page import plan_page

    by_coach = post(COACH, plan["id"], "Coach's thread")
    by_athlete = post(ATHLETE, plan["id"], "Athlete's thread")
    offered = {}
    for email in (ATHLETE, COACH, ADMIN, "support@demo.test"):  # support reads, never resolves
        with read_session() as session:
            page = plan_page(session, actor(email), plan["id"])
        offered[email] = {t.id: t.can_resolve for t in page.threads}
    assert offered[ATHLETE] == {by_coach.id: False, by_athlete.id: True}
    assert offered[COACH] == offered[ADMIN] == {by_coach.id: True, by_athlete.id: True}
    assert offered["support@demo.test"] == {by_coach.id: False, by_athlete.id: False}
    with read_session() as session:
        stored = session.get(PlanComment, by_coach.id)
        assert not comments.may_resolve(actor(ATHLETE), stored)
        assert comments.may_resolve(actor(COACH), stored)
