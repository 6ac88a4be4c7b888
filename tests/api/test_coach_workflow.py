"""The coach's workflow over HTTP: recall a submitted plan, revise a running one, custom
exercises — each role against its own and others' data, on SQLite and PostgreSQL.

Revisions are made on plans dated far from any real today (2090, or 2020 for a plan whose
weeks are all done), so nothing here depends on the date the suite runs.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from db.models import Notification, Plan
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services.context import system_context
from plangov_app.services.plans import lifecycle
from tests.support.audit_log import chain_ok, events
from tests.support.factories import counts, patch, version

COACH, OTHER_COACH, ADMIN = "coach1@demo.test", "coach2@demo.test", "admin@demo.test"
ATHLETE, SUPPORT, COMPLIANCE, DS = ("athlete1@demo.test", "support@demo.test",
                                    "compliance@demo.test", "ds@demo.test")
FUTURE = "2090-01-02"
NOTES = "/weeks/1/sessions/0/notes"


def _plan(client, token_for, start: str = FUTURE, weeks: int = 4) -> dict:
    response = client.post("/api/v1/plans", headers=token_for(COACH), json={
        "athlete_id": demo_id(ATHLETE), "start_date": start, "weeks": weeks})
    assert response.status_code == 201, response.text
    return response.json()


def _submitted(client, token_for, **kw) -> dict:
    plan = _plan(client, token_for, **kw)
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=token_for(COACH),
                           json={"comment": "Have a look"})
    assert response.status_code == 200, response.text
    return response.json()


def _approved(client, token_for, **kw) -> dict:
    plan = _submitted(client, token_for, **kw)
    response = client.post(f"/api/v1/plans/{plan['id']}/approve",
                           headers=token_for(ATHLETE), json={"decision": "accept"})
    assert response.json()["status"] == "approved", response.text
    return response.json()


def _writes(session) -> dict[str, int]:
    """Row counts of plan writes (a refusal on others' data is audited, so not that table)."""
    return {k: v for k, v in counts(session).items() if k != "audit_events"}


def _notifications(user: str, kind: str) -> list[Notification]:
    with read_session() as session:
        return list(session.exec(select(Notification).where(
            Notification.user_id == demo_id(user), Notification.kind == kind)))


# --- Recall ----------------------------------------------------------------------


@pytest.mark.parametrize("who", [COACH, ADMIN])
def test_the_coach_or_an_admin_recalls_a_submitted_plan(client, token_for, who):
    plan = _submitted(client, token_for)
    response = client.post(f"/api/v1/plans/{plan['id']}/recall", headers=token_for(who),
                           json={"comment": "One more change"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    head = version(client, token_for(COACH), plan)
    assert (head["kind"], head["status"]) == ("recall", "draft")
    assert head["content"] == version(client, token_for(COACH), plan,
                                      plan["active_version_id"])["content"]
    [event] = events("plan.recall", target_id=plan["id"])
    metadata = json.loads(event.metadata_json)
    assert metadata["status"] == {"from": "coach_reviewed", "to": "draft"}
    assert metadata["comment"] == "One more change"
    assert event.actor_id == demo_id(who)
    [note] = _notifications(ATHLETE, "plan.recalled")
    assert note.title == "Your coach withdrew the plan to change it"
    assert "One more change" in note.body and note.link == f"/plans/{plan['id']}/review"
    # the athlete can no longer accept it; the coach can edit and submit it again
    refused = client.post(f"/api/v1/plans/{plan['id']}/approve", headers=token_for(ATHLETE),
                          json={"decision": "accept"})
    assert refused.status_code == 409
    edited = patch(client, token_for(COACH), plan["id"], head["id"],
                   [{"op": "replace", "path": NOTES, "value": "after the recall"}])
    assert edited.status_code == 200 and edited.json()["status"] == "draft"
    assert chain_ok()


@pytest.mark.parametrize(("who", "code"), [(OTHER_COACH, 404), (ATHLETE, 403), (SUPPORT, 403),
                                           (COMPLIANCE, 404), (DS, 404)])
def test_others_may_not_recall(client, token_for, session, who, code):
    plan = _submitted(client, token_for)
    before = _writes(session)
    response = client.post(f"/api/v1/plans/{plan['id']}/recall", headers=token_for(who),
                           json={})
    assert response.status_code == code, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _writes(session) == before
    assert not events("plan.recall")


def test_recall_is_refused_once_the_athlete_decided_or_before_it_was_sent(client, token_for,
                                                                            session):
    coach = token_for(COACH)
    accepted = _approved(client, token_for)
    before = counts(session)
    response = client.post(f"/api/v1/plans/{accepted['id']}/recall", headers=coach, json={})
    assert response.status_code == 409
    assert response.json()["detail"] == ("Cannot recall this plan while it is approved: the "
                                         "athlete has already accepted it.")
    asked = _submitted(client, token_for)
    client.post(f"/api/v1/plans/{asked['id']}/approve", headers=token_for(ATHLETE),
                json={"decision": "request_changes", "comment": "Fewer runs"})
    response = client.post(f"/api/v1/plans/{asked['id']}/recall", headers=coach, json={})
    assert response.status_code == 409 and "already asked for changes" in response.json()[
        "detail"]
    fresh = _plan(client, token_for)
    response = client.post(f"/api/v1/plans/{fresh['id']}/recall", headers=coach, json={})
    assert response.status_code == 409 and "has not been sent" in response.json()["detail"]
    # only the setups wrote versions (generate, submit, request changes; generate)
    assert counts(session)["plan_versions"] == before["plan_versions"] + 4


# --- Revise a running plan ------------------------------------------------------------


def test_a_note_on_an_approved_plan_keeps_the_approval_and_tells_the_athlete(client, token_for):
    plan = _approved(client, token_for)
    response = patch(client, token_for(COACH), plan["id"], plan["active_version_id"],
                     [{"op": "replace", "path": NOTES, "value": "Knee: keep it easy"}],
                     reasons=("injury",))
    assert response.status_code == 200, response.text
    assert (response.json()["kind"], response.json()["status"]) == ("revision", "approved")
    assert client.get(f"/api/v1/plans/{plan['id']}",
                      headers=token_for(COACH)).json()["status"] == "approved"
    [event] = events("plan.revise", target_id=plan["id"])
    metadata = json.loads(event.metadata_json)
    assert metadata["approval"] == "kept: only notes or wording changed"
    assert metadata["status"] == {"from": "approved", "to": "approved"}
    [note] = _notifications(ATHLETE, "plan.amended")
    assert "it stays approved" in note.body
    assert not _notifications(ATHLETE, "plan.revised")


def test_a_lighter_load_on_a_published_plan_goes_back_to_the_athlete(client, token_for):
    plan = _approved(client, token_for)
    with unit_of_work() as session:
        lifecycle.advance_lifecycle(session, date(2090, 1, 2), system_context("test"))
    head = version(client, token_for(COACH), plan)
    assert head["status"] == "published"
    strength = next((w, s, i) for w, week in enumerate(head["content"]["weeks"])
                    for s, sess in enumerate(week["sessions"])
                    for i, item in enumerate(sess["items"]) if item["load_kg"])
    path = "/weeks/{}/sessions/{}/items/{}/load_kg".format(*strength)
    response = patch(client, token_for(COACH), plan["id"], head["id"],
                     [{"op": "replace", "path": path, "value": 20}], reasons=("injury",))
    assert response.status_code == 200, response.text
    assert (response.json()["kind"], response.json()["status"]) == ("revision",
                                                                   "coach_reviewed")
    metadata = json.loads(events("plan.revise", target_id=plan["id"])[-1].metadata_json)
    assert metadata["approval"] == "asked again: load changed"
    assert metadata["status"] == {"from": "published", "to": "coach_reviewed"}
    [note] = _notifications(ATHLETE, "plan.revised")
    assert note.title == "Your coach revised your plan: please review it again"
    # the versions before stay as they were; the athlete approves again
    assert version(client, token_for(COACH), plan, head["id"])["status"] == "published"
    accepted = client.post(f"/api/v1/plans/{plan['id']}/approve", headers=token_for(ATHLETE),
                           json={"decision": "accept"})
    assert accepted.json()["status"] == "approved"
    assert chain_ok()


def test_a_revision_leaves_the_weeks_already_done_untouched(client, token_for, session):
    plan = _approved(client, token_for, start="2020-01-06")  # every week is long done
    with unit_of_work() as s:
        lifecycle.advance_lifecycle(s, date(2020, 1, 6), system_context("test"))
    head = client.get(f"/api/v1/plans/{plan['id']}", headers=token_for(COACH)).json()
    assert head["status"] == "published"
    before = counts(session)
    response = patch(client, token_for(COACH), plan["id"], head["active_version_id"],
                     [{"op": "replace", "path": NOTES, "value": "too late"}])
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "Week 2 (13 Jan to 19 Jan 2020) is already done: a revision leaves the weeks before "
        "today as they were.")
    assert counts(session) == before


@pytest.mark.parametrize(("who", "code"), [(OTHER_COACH, 404), (ATHLETE, 403), (SUPPORT, 403),
                                           (COMPLIANCE, 404)])
def test_others_may_not_revise(client, token_for, session, who, code):
    plan = _approved(client, token_for)
    before = _writes(session)
    response = patch(client, token_for(who), plan["id"], plan["active_version_id"],
                     [{"op": "replace", "path": NOTES, "value": "x"}])
    assert response.status_code == code, response.text
    assert _writes(session) == before
    assert not events("plan.revise")


def test_an_admin_revises_too(client, token_for):
    plan = _approved(client, token_for)
    response = patch(client, token_for(ADMIN), plan["id"], plan["active_version_id"],
                     [{"op": "replace", "path": NOTES, "value": "admin note"}])
    assert response.status_code == 200 and response.json()["status"] == "approved"


# --- Custom exercises ------------------------------------------------------------------


def _add(client, headers, name="Tyre flip", modality="conditioning", unit="duration"):
    return client.post("/api/v1/exercises", headers=headers,
                       json={"name": name, "modality": modality, "unit": unit})


@pytest.mark.parametrize("who", [COACH, ADMIN])
def test_coaches_and_admins_add_custom_exercises_usable_in_plans(client, token_for, who):
    added = _add(client, token_for(who))
    assert added.status_code == 201, added.text
    exercise = added.json()
    assert exercise["name"] == "Tyre flip" and exercise["custom"] is True
    assert (exercise["category"], exercise["unit"]) == ("conditioning", "duration")
    listed = client.get("/api/v1/exercises?q=tyre", headers=token_for(ATHLETE)).json()
    assert [e["key"] for e in listed] == [exercise["key"]]
    assert not any(e["custom"] for e in client.get(
        "/api/v1/exercises?q=squat", headers=token_for(COACH)).json())
    [event] = events("catalogue.exercise_add")
    assert event.actor_id == demo_id(who) and event.target_id == exercise["key"]
    assert json.loads(event.metadata_json) == {"name": "Tyre flip", "modality": "conditioning",
                                               "unit": "duration"}
    plan = _plan(client, token_for)
    item = {"exercise": exercise["key"], "duration_min": 12}
    response = patch(client, token_for(COACH), plan["id"], plan["active_version_id"],
                     [{"op": "add", "path": "/weeks/0/sessions/0/items/-", "value": item}])
    assert response.status_code == 200, response.text
    stored = response.json()["content"]["weeks"][0]["sessions"][0]["items"][-1]
    assert (stored["exercise"], stored["name"]) == (exercise["key"], "Tyre flip")
    assert version(client, token_for(ATHLETE), plan)["id"] == response.json()["id"]


@pytest.mark.parametrize("who", [ATHLETE, SUPPORT, COMPLIANCE, DS])
def test_other_roles_may_not_add_exercises(client, token_for, session, who):
    response = _add(client, token_for(who))
    assert response.status_code == 403
    assert not events("catalogue.exercise_add")


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"name": "  back SQUAT "}, "name",  # a shipped exercise
     "“Back squat” is already in the catalogue; pick it from the search instead."),
    ({"name": "ab"}, "name", "Name must be 3 to 60 characters long."),
    ({"name": "x" * 61}, "name", "Name must be 3 to 60 characters long."),
    ({"modality": "rest"}, "modality",
     "Modality must be one of strength, conditioning, endurance, mobility."),
    ({"unit": "kg"}, "unit", "Unit must be one of reps (sets × reps), duration (minutes), "
                             "distance (kilometres)."),
])
def test_a_bad_exercise_is_refused_naming_the_field(client, token_for, body, field, detail):
    fields = {"name": "Tyre flip", "modality": "conditioning", "unit": "duration", **body}
    response = _add(client, token_for(COACH), **fields)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and response.json()["detail"] == detail
    assert not events("catalogue.exercise_add")


def test_a_custom_name_is_taken_whatever_its_case(client, token_for):
    assert _add(client, token_for(COACH)).status_code == 201
    again = _add(client, token_for(OTHER_COACH), name="TYRE   flip")
    assert again.status_code == 422
    assert again.json()["detail"] == ("“Tyre flip” is already in the catalogue; pick it from "
                                      "the search instead.")


def test_an_unknown_custom_key_is_refused_in_a_plan(client, token_for, session):
    plan = _plan(client, token_for)
    before = counts(session)
    item = {"exercise": "custom-doesnotexist", "duration_min": 12}
    response = patch(client, token_for(COACH), plan["id"], plan["active_version_id"],
                     [{"op": "add", "path": "/weeks/0/sessions/0/items/-", "value": item}])
    assert response.status_code == 422
    assert "not in the catalogue" in response.json()["detail"]
    assert counts(session) == before


def test_a_stored_plan_with_a_custom_exercise_reads_in_a_fresh_process_registry(
        client, token_for):
    from plangov_app.services import catalogue

    key = _add(client, token_for(COACH)).json()["key"]
    plan = _plan(client, token_for)
    response = patch(client, token_for(COACH), plan["id"], plan["active_version_id"], [
        {"op": "add", "path": "/weeks/0/sessions/0/items/-",
         "value": {"exercise": key, "duration_min": 5}}])
    assert response.status_code == 200
    with read_session() as s:  # forget the registry, as another worker process would
        catalogue._custom.clear()
        catalogue._last_reload = 0.0
        assert s.get(Plan, plan["id"]) is not None
    history = client.get(f"/api/v1/plans/{plan['id']}/diff", headers=token_for(ADMIN))
    assert history.status_code == 200
    assert catalogue.get_exercise(key).name == "Tyre flip"
