"""Publish/complete transitions (service and `plangov plans advance`), whole-document edits,
JSON Patch `test` conflicts, refused `start_date` changes and unknown reason codes.

Every date is given explicitly: nothing here depends on today's date.
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from sqlmodel import col, select

from db.models import OutboxEvent, Plan, PlanVersion
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import audit
from plangov_app.services.context import system_context
from plangov_app.services.plans import edits, lifecycle
from tests.support.audit_log import events
from tests.support.cli import run_cli
from tests.support.factories import counts, create_plan, patch, version

COACH, ATHLETE, ADMIN = "coach1@demo.test", "athlete1@demo.test", "admin@demo.test"
NOTES = "/weeks/0/sessions/0/notes"


def _approved(client, token_for, start: str, weeks: int = 4,
              athlete: str = ATHLETE) -> dict:
    """A plan of `athlete` submitted by coach1 and accepted by the athlete."""
    coach = token_for(COACH)
    response = client.post("/api/v1/plans", headers=coach, json={
        "athlete_id": demo_id(athlete), "start_date": start, "weeks": weeks})
    assert response.status_code == 201, response.text
    plan = response.json()
    assert client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach,
                       json={}).status_code == 200
    accepted = client.post(f"/api/v1/plans/{plan['id']}/approve", headers=token_for(athlete),
                           json={"decision": "accept"})
    assert accepted.json()["status"] == "approved", accepted.text
    return accepted.json()


def _advance(day: date) -> dict[str, int]:
    with unit_of_work() as session:
        return lifecycle.advance_lifecycle(session, day, system_context("test advance"))


def _state(plan_id: str) -> tuple[str, list[tuple[int, str, str, str | None]]]:
    """The plan's status and its versions as (number, kind, status, author_role)."""
    with read_session() as session:
        plan = session.get(Plan, plan_id)
        rows = session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                            .order_by(col(PlanVersion.version_number)))
        return plan.status, [(v.version_number, v.kind, v.status, v.author_role) for v in rows]



def _topics(plan_id: str) -> list[str]:
    with read_session() as session:
        return [json.loads(p)["topic"] for p in session.exec(
            select(OutboxEvent.payload_json).where(OutboxEvent.aggregate_id == plan_id)
            .order_by(col(OutboxEvent.created_at)))]


def test_advance_publishes_started_plans_and_completes_ended_ones(client, token_for):
    started = _approved(client, token_for, "2027-01-04")  # ends 2027-02-01 (4 weeks)
    later = _approved(client, token_for, "2027-02-01", athlete="athlete2@demo.test")
    ended = _approved(client, token_for, "2026-11-02", athlete="athlete3@demo.test")
    draft = create_plan(client, token_for(COACH))  # start 2027-01-04, never approved
    assert patch(client, token_for(COACH), draft["id"], draft["active_version_id"],
                 [{"op": "replace", "path": NOTES, "value": "x"}]).status_code == 200
    before = {p["id"]: _state(p["id"]) for p in (started, later, ended, draft)}

    assert _advance(date(2027, 1, 3)) == {"published": 1, "completed": 1}  # only `ended`
    assert {p["id"]: _state(p["id"]) for p in (started, later, draft)} == {
        p["id"]: before[p["id"]] for p in (started, later, draft)}
    status, rows = _state(ended["id"])
    assert status == "completed"
    assert rows[-2:] == [(4, "publish", "published", "system"),
                         (5, "complete", "completed", "system")]

    assert _advance(date(2027, 1, 4)) == {"published": 1, "completed": 0}
    status, rows = _state(started["id"])
    assert status == "published" and rows == before[started["id"]][1] + [
        (4, "publish", "published", "system")]
    assert _state(later["id"]) == before[later["id"]] and _state(draft["id"]) == before[
        draft["id"]]
    with read_session() as session:
        plan = session.get(Plan, started["id"])
        head = session.get(PlanVersion, plan.active_version_id)
        parent = session.get(PlanVersion, head.parent_version_id)
        assert head.author_id is None and head.content_json == parent.content_json
        assert (head.author_kind, head.author_role) == ("system", "system")
        assert parent.version_number == 3 and plan.published_at is not None
    [event] = events("plan.publish", target_id=started["id"])
    assert event.actor_role == "system" and event.actor_id is None
    assert json.loads(event.metadata_json) == {
        "version_id": head.id, "status": {"from": "approved", "to": "published"}}
    assert _topics(started["id"])[-1] == "plan.published"

    assert _advance(date(2027, 1, 4)) == {"published": 0, "completed": 0}  # idempotent
    assert _advance(date(2027, 1, 31)) == {"published": 0, "completed": 0}  # last day, 4th week
    assert _state(started["id"])[0] == "published"

    assert _advance(date(2027, 2, 1)) == {"published": 1, "completed": 1}
    status, rows = _state(started["id"])
    assert status == "completed" and rows[-1] == (5, "complete", "completed", "system")
    assert _state(later["id"])[0] == "published"
    [done] = events("plan.complete", target_id=started["id"])
    assert json.loads(done.metadata_json)["status"] == {"from": "published", "to": "completed"}
    assert _topics(started["id"])[-1] == "plan.completed"
    assert _state(draft["id"]) == before[draft["id"]]
    with read_session() as session:
        assert audit.verify_chain(session).ok


def test_completed_plans_refuse_edits(client, token_for, session):
    # a published plan is revised instead (tests/api/test_coach_workflow.py)
    coach = token_for(COACH)
    plan = _approved(client, token_for, "2027-01-04")
    _advance(date(2027, 1, 4))
    _advance(date(2027, 2, 1))
    head = client.get(f"/api/v1/plans/{plan['id']}", headers=coach).json()
    assert head["status"] == "completed"
    before = counts(session)
    response = patch(client, coach, plan["id"], head["active_version_id"],
                     [{"op": "replace", "path": NOTES, "value": "late change"}])
    assert response.status_code == 409, response.text
    assert "completed" in response.json()["detail"]
    assert counts(session) == before



def test_cli_plans_advance_moves_plans_and_says_how_many(client, token_for, app_env):
    past = _approved(client, token_for, "2027-01-04")
    future = _approved(client, token_for, "2027-06-07", athlete="athlete2@demo.test")
    assert run_cli("plans", "advance", "--today", "1 March").returncode != 0
    result = run_cli("plans", "advance", "--today", "2027-03-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "published 1, completed 1"
    status, rows = _state(past["id"])
    assert status == "completed" and [r[1] for r in rows[-2:]] == ["publish", "complete"]
    assert _state(future["id"])[0] == "approved"
    assert [e.actor_role for e in events("plan.publish", target_id=past["id"])] == ["system"]
    again = run_cli("plans", "advance", "--today", "2027-03-01")
    assert again.stdout.strip() == "published 0, completed 0"
    assert len(_state(past["id"])[1]) == len(rows)


def test_cli_plans_generate_credits_the_algorithm_and_records_who_asked(client, app_env):
    result = run_cli("plans", "generate", "--athlete", "athlete5@demo.test",
                     "--start", "2027-01-04", "--weeks", "4", "--as", "coach1@demo.test")
    assert result.returncode == 0, result.stderr
    assert "written by Generator lp-1.0, requested by coach1@demo.test" in result.stdout
    plan_id = result.stdout.split()[0]
    with read_session() as session:
        [v1] = session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan_id))
    assert (v1.author_id, v1.author_kind, v1.algorithm_version, v1.requested_by) == (
        None, "algorithm", "lp-1.0", demo_id("coach1@demo.test"))
    [event] = events("plan.generate", target_id=plan_id)
    assert event.actor_id == demo_id("coach1@demo.test")


# --- Whole-document edits --------------------------------------------------------------


def _put(client, headers: dict, plan: dict, base: str, content: dict, reasons=("fatigue",),
         **extra):
    return client.patch(f"/api/v1/plans/{plan['id']}/versions/{base}", headers=headers, json={
        "content": content, "reason_codes": list(reasons), "rationale": "whole plan", **extra})


def _strength(content: dict) -> dict:
    """The first week's first strength session with at least two items (a reference into
    `content`)."""
    return next(s for s in content["weeks"][0]["sessions"] if s["modality"] == "strength"
                and len(s["items"]) >= 2 and s["items"][0]["sets"])


def test_a_whole_document_edit_creates_a_version_with_its_changes(client, token_for, session):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    content = copy.deepcopy(head["content"])
    strength = _strength(content)
    strength["notes"] = "whole-document edit"
    strength["items"][0]["sets"] = strength["items"][0]["sets"] % 20 + 1
    removed = strength["items"].pop(1)
    before = counts(session)
    response = _put(client, coach, plan, head["id"], content, reasons=("time_constraint",))
    assert response.status_code == 200, response.text
    new = response.json()
    assert (new["version_number"], new["parent_version_id"], new["status"]) == (
        2, head["id"], "draft")
    assert new["content"] == content and new["reason_codes"] == ["time_constraint"]
    base = f"sessions/{strength['session_id']}"
    changes = {(c["field_path"], c["change_type"]): c for c in new["changes"]}
    assert changes[(f"{base}/notes", "modified")]["new_value"] == "whole-document edit"
    sets = changes[(f"{base}/items/{strength['items'][0]['item_id']}/sets", "modified")]
    assert sets["new_value"] == strength["items"][0]["sets"]
    assert any(c["change_type"] == "removed" and c["item_id"] == removed["item_id"]
               for c in new["changes"])
    after = counts(session)
    assert after["plan_versions"] == before["plan_versions"] + 1
    assert after["plan_version_changes"] == before["plan_version_changes"] + len(new["changes"])
    stored = version(client, coach, plan, new["id"])
    assert stored["content"] == content
    [event] = events("plan.edit", target_id=plan["id"])
    assert json.loads(event.metadata_json)["version_id"] == new["id"]


@pytest.mark.parametrize("case", ["both", "neither", "unchanged", "invalid", "not_a_plan"])
def test_bad_whole_document_edits_are_refused_and_write_nothing(client, token_for, session,
                                                                case):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    content = copy.deepcopy(head["content"])
    url = f"/api/v1/plans/{plan['id']}/versions/{head['id']}"
    body: dict = {"content": content, "reason_codes": ["fatigue"]}
    expected = {"both": "either", "neither": "either", "unchanged": "changes nothing",
                "invalid": "weeks.0.sessions.0.items", "not_a_plan": "weeks"}[case]
    if case == "both":
        body["operations"] = [{"op": "replace", "path": NOTES, "value": "x"}]
    elif case == "neither":
        del body["content"]
    elif case == "invalid":
        session0 = content["weeks"][0]["sessions"][0]
        session0["items"] = [{**session0["items"][0], "sets": 0}] if session0["items"] else [
            {"item_id": "i1", "exercise": "moonwalk"}]
    elif case == "not_a_plan":
        body["content"] = {"weeks": "many"}
    before = counts(session)
    response = client.patch(url, headers=coach, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert expected in json.dumps(response.json())
    assert counts(session) == before


# --- JSON Patch `test` operations ----------------------------------------------------------


def test_a_failing_test_operation_is_a_409_naming_it(client, token_for, session):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    current = head["content"]["weeks"][0]["sessions"][0]["notes"]
    before = counts(session)
    first = patch(client, coach, plan["id"], head["id"], [
        {"op": "test", "path": NOTES, "value": current + " (someone else's)"},
        {"op": "replace", "path": NOTES, "value": "mine"}])
    assert first.status_code == 409, first.text
    assert first.headers["content-type"].startswith("application/problem+json")
    assert first.json()["detail"].startswith(f"operations[0] (test {NOTES}): test failed")
    assert first.json()["operation"] == 0
    second = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": NOTES, "value": "mine"},
        {"op": "test", "path": NOTES, "value": current}])
    assert second.status_code == 409 and second.json()["operation"] == 1
    assert second.json()["detail"].startswith(f"operations[1] (test {NOTES}): test failed")
    assert counts(session) == before
    assert version(client, coach, plan)["id"] == head["id"]

    passing = patch(client, coach, plan["id"], head["id"], [
        {"op": "test", "path": NOTES, "value": current},
        {"op": "replace", "path": NOTES, "value": "mine"}])
    assert passing.status_code == 200, passing.text
    assert passing.json()["content"]["weeks"][0]["sessions"][0]["notes"] == "mine"


# --- start_date ------------------------------------------------------------------------


def _shifted(content: dict, days: int) -> dict:
    """The same plan moved `days` later: every session, and the start date."""
    moved = copy.deepcopy(content)
    moved["start_date"] = date.fromordinal(
        date.fromisoformat(moved["start_date"]).toordinal() + days).isoformat()
    for week in moved["weeks"]:
        for plan_session in week["sessions"]:
            day = date.fromisoformat(plan_session["day"])
            plan_session["day"] = date.fromordinal(day.toordinal() + days).isoformat()
    return moved


def test_an_edit_cannot_change_the_start_date(client, token_for, session):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    assert head["content"]["start_date"] == "2027-01-04"
    before = counts(session)
    whole = _put(client, coach, plan, head["id"], _shifted(head["content"], 7))
    cleared = patch(client, coach, plan["id"], head["id"],
                    [{"op": "replace", "path": "/start_date", "value": None}])
    for response in (whole, cleared):
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == "start_date cannot be changed by an edit."
    assert counts(session) == before
    with read_session() as s:
        assert s.get(Plan, plan["id"]).start_date == date(2027, 1, 4)


# --- Reason codes --------------------------------------------------------------------------


@pytest.mark.parametrize("reasons", [("bored",), ("fatigue", "made_up"), ("FATIGUE",)])
def test_unknown_reason_codes_are_refused(client, token_for, session, reasons):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    before = counts(session)
    by_ops = patch(client, coach, plan["id"], head["id"],
                   [{"op": "replace", "path": NOTES, "value": "x"}], reasons=reasons)
    content = copy.deepcopy(head["content"])
    content["weeks"][0]["sessions"][0]["notes"] = "x"
    by_content = _put(client, coach, plan, head["id"], content, reasons=reasons)
    unknown = [r for r in reasons if r not in edits.REASON_CODES]
    for response in (by_ops, by_content):
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith("reason_codes: unknown")
        assert all(code in response.json()["detail"] for code in unknown)
    assert counts(session) == before
    known = patch(client, coach, plan["id"], head["id"],
                  [{"op": "replace", "path": NOTES, "value": "x"}],
                  reasons=tuple(edits.REASON_CODES))
    assert known.status_code == 200 and known.json()["reason_codes"] == list(edits.REASON_CODES)
