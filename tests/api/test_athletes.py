"""The athlete profile (GET /athletes/{id}): each role against own and others' athletes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest

from db.models import WorkoutLog
from db.session import read_session, unit_of_work
from plangov_app.api.athletes import server_today
from plangov_app.demo import demo_id
from plangov_app.services import athletes
from plangov_app.services.rbac import load_actor
from tests.support.factories import create_plan, version

START = date(2027, 1, 4)  # create_plan's start date (a Monday)

# athlete1 is coach1's athlete in support's team; athlete13 is coach2's, in no team of support.
VISIBLE = {"admin@demo.test": {"athlete1", "athlete13"},
           "coach1@demo.test": {"athlete1"}, "coach2@demo.test": {"athlete13"},
           "athlete1@demo.test": {"athlete1"}, "athlete13@demo.test": {"athlete13"},
           "support@demo.test": {"athlete1"}, "ds@demo.test": set(),
           "compliance@demo.test": set()}


def _id(client, admin: dict, email: str) -> str:
    found = client.get("/api/v1/users", headers=admin, params={"search": email}).json()
    return found["items"][0]["id"]


@pytest.mark.parametrize("email", sorted(VISIBLE))
def test_each_role_sees_only_the_athletes_whose_plans_it_may_view(client, token_for, email):
    admin = token_for("admin@demo.test")
    headers = token_for(email)
    for athlete in ("athlete1", "athlete13"):
        response = client.get(f"/api/v1/athletes/{_id(client, admin, athlete + '@demo.test')}",
                              headers=headers)
        expected = 200 if athlete in VISIBLE[email] else 404
        assert response.status_code == expected, (email, athlete, response.text)
        if expected == 404:
            assert response.headers["content-type"].startswith("application/problem+json")


@pytest.fixture
def on_day(client) -> Iterator[Callable[[date], None]]:
    """`on_day(d)`: the API answers as if today were `d` (never the real clock)."""

    def fix(day: date) -> None:
        client.app.dependency_overrides[server_today] = lambda: day

    yield fix
    client.app.dependency_overrides.pop(server_today, None)


def test_the_profile_names_sport_coaches_teams_and_plans(client, token_for, on_day):
    on_day(date(2027, 1, 3))  # the day before the plan starts
    coach = token_for("coach1@demo.test")
    admin = token_for("admin@demo.test")
    plan = create_plan(client, coach, weeks=6)
    athlete_id = _id(client, admin, "athlete1@demo.test")
    body = client.get(f"/api/v1/athletes/{athlete_id}", headers=coach).json()
    assert body["name"] == "Athlete 1" and body["sport"] and body["level"]
    assert body["coaches"] == ["Casey Coach"] and body["teams"]
    assert [(p["plan_id"], p["weeks"], p["status"], p["version"]) for p in body["plans"]] == [
        (plan["id"], 6, "generated", 1)]
    assert body["plans"][0]["adherence"] is None  # not started yet


def test_not_an_athlete_unknown_or_malformed_ids_are_clear_errors(client, token_for):
    admin = token_for("admin@demo.test")
    coach_id = _id(client, admin, "coach1@demo.test")
    for path, status in ((coach_id, 404), ("no-such-user", 404), ("x" * 37, 422)):
        response = client.get(f"/api/v1/athletes/{path}", headers=admin)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/athletes/{coach_id}").status_code == 401


def _profile_adherence(client, headers: dict, athlete_id: str) -> float | None:
    body = client.get(f"/api/v1/athletes/{athlete_id}", headers=headers).json()
    [plan] = body["plans"]
    return plan["adherence"]


def test_adherence_counts_sessions_before_the_given_day_not_the_clock(client, token_for, on_day):
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=4)
    athlete_id = demo_id("athlete1@demo.test")
    sessions = [s for w in version(client, coach, plan)["content"]["weeks"]
                for s in w["sessions"] if s["modality"] != "rest"]
    week_later = date(2027, 1, 11)
    first_week = [s for s in sessions if date.fromisoformat(s["day"]) < week_later]
    assert first_week and len(first_week) < len(sessions)

    on_day(START)  # the first day: nothing was due before it
    assert _profile_adherence(client, coach, athlete_id) is None
    on_day(week_later)  # a week on, nothing logged: every due session missed
    assert _profile_adherence(client, coach, athlete_id) == 0.0
    with unit_of_work() as session:
        session.add(WorkoutLog(athlete_id=athlete_id, plan_id=plan["id"],
                               session_id=first_week[0]["session_id"],
                               scheduled_date=date.fromisoformat(first_week[0]["day"]),
                               status="completed"))
    assert _profile_adherence(client, coach, athlete_id) == round(1 / len(first_week), 3)
    on_day(START + timedelta(weeks=4))  # after the last week: every session was due
    assert _profile_adherence(client, coach, athlete_id) == round(1 / len(sessions), 3)

    with read_session() as session:
        actor = load_actor(session, demo_id("coach1@demo.test"))
        before = athletes.athlete_summary(session, actor, athlete_id, today=START)
        after = athletes.athlete_summary(session, actor, athlete_id, today=week_later)
    assert [p.adherence for p in before.plans] == [None]
    assert [p.adherence for p in after.plans] == [round(1 / len(first_week), 3)]
