"""`GET/PATCH /api/v1/users/me`: every role reads and chooses its own time zone (issue 11);
a bad body is refused as problem+json naming the field, and nothing is written."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from db.models import AuditEvent, User
from plangov_app.demo import demo_id
from tests.support.factories import counts

ROLES = {"admin@demo.test": "admin", "coach1@demo.test": "coach",
         "athlete1@demo.test": "athlete", "ds@demo.test": "data_scientist",
         "support@demo.test": "support", "compliance@demo.test": "compliance"}
URL = "/api/v1/users/me"


def _zones(session) -> dict[str, str]:
    session.rollback()
    return dict(session.exec(select(User.email, User.time_zone)).all())


def _events(session) -> list[AuditEvent]:
    session.rollback()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "user.time_zone")
                             .order_by(col(AuditEvent.seq))))


@pytest.mark.parametrize("email", list(ROLES))
def test_every_role_reads_and_chooses_its_own_zone(client, token_for, session, email):
    headers = token_for(email)
    me = client.get(URL, headers=headers)
    assert me.status_code == 200 and me.json()["time_zone"] == ""
    changed = client.patch(URL, headers=headers, json={"time_zone": "Europe/Oslo"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["time_zone"] == "Europe/Oslo"
    assert {k: changed.json()[k] for k in ("id", "email", "role")} == {
        "id": demo_id(email), "email": email, "role": ROLES[email]}
    assert client.get(URL, headers=headers).json()["time_zone"] == "Europe/Oslo"
    assert {e: z for e, z in _zones(session).items() if z} == {email: "Europe/Oslo"}
    event, = _events(session)
    assert (event.actor_id, event.actor_role, event.target_id) == (
        demo_id(email), ROLES[email], demo_id(email))
    assert json.loads(event.metadata_json) == {"kind": "time_zone", "old": "",
                                               "new": "Europe/Oslo", "source": "user"}
    again = client.patch(URL, headers=headers, json={"time_zone": "europe/oslo"})
    assert again.status_code == 200 and again.json()["time_zone"] == "Europe/Oslo"
    assert len(_events(session)) == 1  # unchanged: no event


def test_the_api_keeps_its_times_in_utc_whatever_the_zone(client, token_for):
    headers = token_for("coach1@demo.test")
    assert client.patch(URL, headers=headers, json={"time_zone": "Asia/Tokyo"}).status_code \
        == 200
    plan = client.post("/api/v1/plans", headers=headers, json={
        "athlete_id": demo_id("athlete1@demo.test"), "start_date": "2027-01-04", "weeks": 4})
    assert plan.status_code == 201, plan.text
    versions = client.get(f"/api/v1/plans/{plan.json()['id']}/versions", headers=headers)
    stamp = versions.json()[0]["created_at"]
    assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).utcoffset() in (None,
                                                                                 timedelta(0))


@pytest.mark.parametrize(("body", "field"), [
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"time_zone": "Europe"}, "time_zone"),
    ({"time_zone": "localtime"}, "time_zone"),
    ({"time_zone": ""}, "time_zone"),
    ({"time_zone": "E" * 65}, "time_zone"),
    ({"time_zone": 5}, "time_zone"),
    ({"time_zone": None}, "time_zone"),
    ({}, "time_zone"),
    ({"time_zone": "Europe/Oslo", "role": "admin"}, "role"),
    ({"time_zone": "Europe/Oslo", "user_id": "someone-else"}, "user_id"),
    (["Europe/Oslo"], "body"),
])
def test_a_bad_body_is_refused_naming_the_field_and_nothing_is_written(
        client, token_for, session, body, field):
    headers = token_for("athlete1@demo.test")
    before = (_zones(session), counts(session), len(_events(session)))
    response = client.patch(URL, headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    named = {problem.get("field")} | {e["field"] for e in problem.get("errors") or []}
    assert field in named and problem["detail"].startswith(f"{field}:"), problem
    assert (_zones(session), counts(session), len(_events(session))) == before


def test_malformed_json_nul_and_no_token_are_refused(client, token_for, session):
    before = (_zones(session), len(_events(session)))
    headers = {**token_for("athlete1@demo.test"), "content-type": "application/json"}
    for body in (b'{"time_zone": ', b'{"time_zone": "Europe/Oslo\\u0000"}'):
        response = client.patch(URL, headers=headers, content=body)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.patch(URL, json={"time_zone": "Europe/Oslo"}).status_code == 401
    assert client.get(URL).status_code == 401
    assert (_zones(session), len(_events(session))) == before
