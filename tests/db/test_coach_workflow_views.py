"""Generate plan as typed, and the editor's read models for recall and revisions, called
without Reflex on SQLite and PostgreSQL. Every date is given: nothing depends on today's.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from db.models import Plan, PlanVersion
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services.context import system_context
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plans.creation import (
    generatable_athletes,
    generate_from_form,
    generate_plan,
)
from plangov_app.services.views.editor import editor_preview
from plangov_app.services.views.plan_page import plan_page
from tests.support.audit_log import events
from tests.support.factories import actor, counts, version

COACH, OTHER_COACH, ATHLETE, ADMIN, SUPPORT = ("coach1@demo.test", "coach2@demo.test",
                                               "athlete1@demo.test", "admin@demo.test",
                                               "support@demo.test")
TODAY = date(2027, 3, 10)


def _generate(email: str, **form) -> Plan:
    fields = {"athlete_id": demo_id(ATHLETE), "start": "2027-03-15", "weeks": "8", **form}
    with unit_of_work() as session:
        plan = generate_from_form(session, actor(email), today=TODAY,
                                  context=system_context("test"), **fields)
        session.flush()
        return plan


def test_a_coach_chooses_among_their_own_athletes_in_natural_order(seeded):
    with read_session() as session:
        mine = generatable_athletes(session, actor(COACH))
        everyone = generatable_athletes(session, actor(ADMIN))
        assert generatable_athletes(session, actor(SUPPORT)) == []
        assert generatable_athletes(session, actor(ATHLETE)) == []
    assert [label.split(" (")[0] for _, label in mine] == [f"Athlete {n}" for n in range(1, 13)]
    assert mine[0] == (demo_id(ATHLETE), "Athlete 1 (athlete1@demo.test)")
    assert len(everyone) == 24


@pytest.mark.parametrize(("form", "problems"), [
    ({"athlete_id": ""}, {"athlete_id": "Choose one of your athletes."}),
    ({"athlete_id": demo_id("athlete13@demo.test")},  # coach2's athlete
     {"athlete_id": "Choose one of your athletes."}),
    ({"start": "next week"}, {"start_date": "Start date must be a date (day, month, year)."}),
    ({"start": "2027-03-09"}, {"start_date": "Start date is in the past: choose 10 Mar 2027 or "
                                             "later (weeks already gone cannot be trained)."}),
    ({"weeks": "3"}, {"weeks": "Weeks must be a whole number from 4 to 52."}),
    ({"weeks": "53"}, {"weeks": "Weeks must be a whole number from 4 to 52."}),
    ({"weeks": "2.5"}, {"weeks": "Weeks must be a whole number from 4 to 52."}),
    ({"weeks": "", "start": ""}, {"start_date": "Start date must be a date (day, month, year).",
                                  "weeks": "Weeks must be a whole number from 4 to 52."}),
])
def test_generate_plan_says_beside_each_field_what_is_wrong(seeded, session, form, problems):
    before = counts(session)
    with pytest.raises(InvalidInput) as refused:
        _generate(COACH, **form)
    assert {e["field"]: e["message"] for e in refused.value.extra["errors"]} == problems
    assert counts(session) == before


@pytest.mark.parametrize("who", [COACH, ADMIN])
def test_generate_plan_writes_version_one_by_the_algorithm_at_the_requesters_request(seeded,
                                                                                      who):
    plan = _generate(who, start="2027-03-10", weeks="6")
    with read_session() as session:
        stored = session.get(Plan, plan.id)
        first = session.get(PlanVersion, stored.baseline_version_id)
    assert (stored.status, stored.weeks, stored.start_date) == ("generated", 6, TODAY)
    assert (first.author_kind, first.requested_by) == ("algorithm", demo_id(who))
    [event] = events("plan.generate", target_id=plan.id)
    assert event.actor_id == demo_id(who)
    assert json.loads(event.metadata_json)["requested_by"] == demo_id(who)


def test_generate_plan_with_today_refuses_a_start_before_it(seeded, session):
    before = counts(session)
    with pytest.raises(InvalidInput) as refused, unit_of_work() as s:
        generate_plan(s, actor(COACH), athlete_id=demo_id(ATHLETE), start_date=date(2027, 3, 1),
                      weeks=4, context=system_context("test"), today=TODAY)
    assert refused.value.extra["field"] == "start_date"
    assert counts(session) == before


def _page(email: str, plan_id: str, **options):
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, editing=True, today=TODAY, **options)


def test_the_editor_offers_recall_while_the_athlete_has_not_answered(client, token_for):
    coach = token_for(COACH)
    plan = client.post("/api/v1/plans", headers=coach, json={
        "athlete_id": demo_id(ATHLETE), "start_date": "2027-04-05", "weeks": 4}).json()
    assert not _page(COACH, plan["id"]).can_recall
    client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach, json={})
    assert _page(COACH, plan["id"]).can_recall and _page(ADMIN, plan["id"]).can_recall
    assert not _page(ATHLETE, plan["id"]).can_recall
    assert not _page(SUPPORT, plan["id"]).can_recall
    with read_session() as session:  # the review page (editing=False) offers no recall
        assert not plan_page(session, actor(COACH), plan["id"], today=TODAY).can_recall
    assert _page(ATHLETE, plan["id"]).can_decide
    client.post(f"/api/v1/plans/{plan['id']}/recall", headers=coach, json={})
    assert not _page(ATHLETE, plan["id"]).can_decide  # Accept is no longer offered
    assert not _page(COACH, plan["id"]).can_recall and _page(COACH, plan["id"]).can_edit


def test_the_editor_says_what_saving_a_revision_will_do(client, token_for):
    coach = token_for(COACH)
    plan = client.post("/api/v1/plans", headers=coach, json={
        "athlete_id": demo_id(ATHLETE), "start_date": "2027-03-01", "weeks": 4}).json()
    client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach, json={})
    client.post(f"/api/v1/plans/{plan['id']}/approve", headers=token_for(ATHLETE),
                json={"decision": "accept"})
    page = _page(COACH, plan["id"])
    assert page.can_edit and page.revising and page.done_weeks == 1  # week 1 ended 07 Mar
    assert not _page(ATHLETE, plan["id"]).revising
    content = version(client, coach, plan)["content"]
    later = content["weeks"][2]["sessions"][0]
    item = next(i for i in later["items"])
    note = [{"kind": "set_session", "session_id": later["session_id"], "item_id": None,
             "field": "notes", "value": "Knee", "label": "notes"}]
    dose = [{"kind": "set_item", "session_id": later["session_id"], "item_id": item["item_id"],
             "field": "sets", "value": 1, "label": "sets"}]
    first = content["weeks"][0]["sessions"][0]
    done = [{**note[0], "session_id": first["session_id"]}]
    with read_session() as session:
        kept = editor_preview(session, actor(COACH), plan["id"], edits=note, today=TODAY)
        asked = editor_preview(session, actor(COACH), plan["id"], edits=dose, today=TODAY)
        assert kept.revision == ("The athlete will be told; approval stays (only notes or "
                                 "wording change).")
        assert asked.revision == ("This change will need the athlete's approval again (it "
                                  "changes volume).")
        with pytest.raises(InvalidInput, match=r"Week 1 .* is already done"):
            editor_preview(session, actor(COACH), plan["id"], edits=done, today=TODAY)
        assert editor_preview(session, actor(COACH), plan["id"], edits=[],
                              today=TODAY).revision == ""
