"""The athlete profile (GET /athletes/{id}): each role against own and others' athletes."""

from __future__ import annotations

import pytest

from tests.plan_helpers import create_plan

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


def test_the_profile_names_sport_coaches_teams_and_plans(client, token_for):
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
