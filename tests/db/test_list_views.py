"""The list pages' read models (plans, audit log, users, athlete, history) without Reflex."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import audit, users
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, InvalidInput, NotFound
from plangov_app.services.views import audit_log, plan_history, plans_list, users_admin
from plangov_app.services.views.athlete_profile import athlete_profile
from tests.support.factories import actor, create_plan

COACH, ATHLETE, ADMIN, COMPLIANCE = ("coach1@demo.test", "athlete1@demo.test",
                                     "admin@demo.test", "compliance@demo.test")
EMPTY = dict.fromkeys(audit_log.FILTER_FIELDS, "")


def test_the_plan_list_heading_filter_and_links_follow_the_role(client, token_for):
    plan = create_plan(client, token_for(COACH))
    with read_session() as session:
        coach = plans_list.plans_list(session, actor(COACH), status_filter="pending")
        athlete = plans_list.plans_list(session, actor(ATHLETE), status_filter="pending")
        drafts = plans_list.plans_list(session, actor(COACH), status_filter="draft")
    assert (coach.heading, coach.status_filter) == ("Pending Plans", "pending")
    assert (athlete.heading, athlete.status_filter) == ("My Plans", "all")
    assert {r.status for r in coach.rows} <= {"generated", "draft", "needs_revision"}
    mine = next(r for r in athlete.rows if r.id == plan["id"])
    assert mine.link == f"/plans/{plan['id']}/review"
    assert next(r for r in coach.rows if r.id == plan["id"]).link == f"/plans/{plan['id']}"
    assert all(r.status == "draft" for r in drafts.rows)


def test_an_athlete_sees_their_plans_as_cards_in_plain_words(client, token_for):
    plan = create_plan(client, token_for(COACH), weeks=8)  # starts Mon 04 Jan 2027
    submitted = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=token_for(COACH),
                            json={"comment": "Yours"})
    assert submitted.status_code == 200, submitted.text
    with read_session() as session:
        athlete = plans_list.plans_list(session, actor(ATHLETE), status_filter="pending")
        coach = plans_list.plans_list(session, actor(COACH), status_filter="all")
    card = next(r for r in athlete.rows if r.id == plan["id"])
    assert athlete.as_cards and not coach.as_cards
    assert (card.dates, card.status_label) == ("04 Jan – 28 Feb 2027", "Coach reviewed")
    assert card.for_me == "Waiting for your answer: accept or ask for changes"
    assert next(r for r in coach.rows if r.id == plan["id"]).for_me == ""
    assert plans_list.plan_dates(date(2026, 12, 28), 2) == "28 Dec 2026 – 10 Jan 2027"


def test_the_plan_list_heading_says_what_it_shows_and_counts_it(client, token_for):
    for weeks in (4, 5, 6):
        create_plan(client, token_for(COACH), weeks=weeks)
    with read_session() as session:
        shown = {f: plans_list.plans_list(session, actor(COACH), status_filter=f)
                 for f in ("pending", "all", "published", "needs_revision")}
        assert {f: page.heading for f, page in shown.items()} == {
            "pending": "Pending Plans", "all": "All plans", "published": "Published plans",
            "needs_revision": "Plans needing revision"}
        assert plans_list.plans_list(session, actor(ADMIN), status_filter="all"
                                     ).heading == "All plans"
        assert shown["all"].total == 3 == len(shown["all"].rows)
        first = plans_list.plans_list(session, actor(ADMIN), status_filter="all")
    assert first.total == 3


def test_only_plans_that_wait_on_someone_show_how_long():
    since = datetime(2030, 1, 1, tzinfo=UTC)
    later = since + timedelta(hours=5)
    assert [plans_list.waiting_for(s, since, later) for s in (
        "generated", "draft", "needs_revision", "coach_reviewed")] == ["5 h"] * 4
    assert [plans_list.waiting_for(s, since, later) for s in (
        "approved", "published", "completed")] == ["—"] * 3


def test_users_are_listed_as_people_count(client):
    with read_session() as session:
        first = users_admin.users_page(session, actor(ADMIN), search="", role="athlete",
                                       offset=0)
        second = users_admin.users_page(session, actor(ADMIN), search="", role="athlete",
                                        offset=users_admin.PAGE_SIZE)
    names = [r.name for r in first.rows + second.rows]
    assert names[:12] == [f"Athlete {n}" for n in range(1, 13)]
    assert names == sorted(names, key=users.natural_key) and len(names) == first.total
    assert users.natural_key("Athlete 2") < users.natural_key("athlete 10")


def test_the_audit_page_rows_and_export_match_the_api(client, token_for):
    create_plan(client, token_for(COACH))
    values = {**EMPTY, "actor": COACH.upper()}
    with read_session() as session:
        page = audit_log.audit_page(session, actor(COMPLIANCE), values)
        assert page.rows and {r.actor for r in page.rows} == {COACH}
        planned = next(r for r in page.rows if r.action == "plan.generate")
        assert planned.link == ""  # compliance may not open Plan History: no link there
        assert planned.target == "Plan of Athlete 1 from 04 Jan 2027"
        with pytest.raises(InvalidInput):
            audit_log.audit_page(session, actor(COMPLIANCE), {**EMPTY, "date_from": "soon"})
        with pytest.raises(Forbidden):
            audit_log.audit_page(session, actor(COACH), EMPTY)
    with unit_of_work() as session:
        done = audit_log.export(session, actor(COMPLIANCE), values, RequestContext())
    rows = list(csv.reader(io.StringIO(done.data)))
    assert rows[0] == audit.CSV_COLUMNS and "user_agent" in rows[0]
    assert done.written == len(rows) - 1 and not done.more
    api = client.get("/api/v1/audit/export", headers=token_for(COMPLIANCE),
                     params={"actor_id": demo_id(COACH)})
    api_rows = list(csv.reader(io.StringIO(api.text)))
    assert api_rows[:len(rows)] == rows  # the same cells, the same format


def test_users_athlete_and_history_read_models(client, token_for):
    plan = create_plan(client, token_for(COACH))
    with read_session() as session:
        users = users_admin.users_page(session, actor(ADMIN), search="", role="coach",
                                       offset=0)
        assert users.total == len(users.rows) and {r.role for r in users.rows} == {"coach"}
        assert [c.name for c in users.coaches] == sorted(c.name for c in users.coaches)
        profile = athlete_profile(session, actor(COACH), demo_id(ATHLETE), today=date.today())
        assert any(p.link == f"/plans/{plan['id']}" for p in profile.plans)
        timeline = plan_history.athlete_history(session, actor(ATHLETE), demo_id(ATHLETE))
        row = next(r for r in timeline.rows if r.plan_id == plan["id"])
        assert (row.author, row.role) == ("Generator lp-1.0", "requested by Casey Coach")
        detail = plan_history.version_detail(session, actor(ATHLETE), plan["id"], row.id)
        assert detail.label == "v1" and detail.changes == [] and detail.against_id == ""
        assert [a.heading.split(" · ")[2] for a in detail.audit] == [
            "Plan generated by Casey Coach (coach)"]
        with pytest.raises(NotFound):
            plan_history.athlete_history(session, actor("coach2@demo.test"),
                                         demo_id(ATHLETE))
