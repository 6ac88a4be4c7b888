"""PATCH /api/v1/athletes/{id}/profile: goals and injuries/limitations over HTTP.

Each role against its own and others' athletes (200, 403, 404), bad bodies (422 naming the
field), and on every refusal: the rows as they were, no `athlete.profile_update` event.
"""

from __future__ import annotations

import json

import pytest

from db.models import AthleteProfile
from db.session import read_session
from plangov_app.demo import demo_id
from tests.support.audit_log import chain_ok, events

ACTION = "athlete.profile_update"
NOTE = "Right hamstring: no sprints, tempo runs only"
# athlete2 is coach1's athlete in support's team; athlete13 is coach2's, in no team of support
STATUS = {
    ("coach1@demo.test", "athlete2"): 200, ("coach1@demo.test", "athlete13"): 404,
    ("athlete2@demo.test", "athlete2"): 200, ("athlete2@demo.test", "athlete13"): 404,
    ("admin@demo.test", "athlete2"): 200, ("admin@demo.test", "athlete13"): 200,
    ("support@demo.test", "athlete2"): 403, ("support@demo.test", "athlete13"): 404,
    ("compliance@demo.test", "athlete2"): 404, ("ds@demo.test", "athlete2"): 404,
}


def _url(athlete: str) -> str:
    return f"/api/v1/athletes/{demo_id(athlete + '@demo.test')}/profile"


def _stored(athlete: str) -> tuple[str, str]:
    with read_session() as session:
        profile = session.get(AthleteProfile, demo_id(f"{athlete}@demo.test"))
        assert profile is not None
        return profile.goals, profile.limitations


@pytest.mark.parametrize(("email", "athlete"), sorted(STATUS))
def test_each_role_against_own_and_others_athletes(client, token_for, email, athlete):
    before = _stored(athlete)
    response = client.patch(_url(athlete), headers=token_for(email),
                            json={"limitations": f"  {NOTE}  "})
    expected = STATUS[(email, athlete)]
    assert response.status_code == expected, response.text
    if expected == 200:
        body = response.json()
        assert body["athlete_id"] == demo_id(f"{athlete}@demo.test")
        assert (body["goals"], body["limitations"], body["changed"]) == (
            before[0], NOTE, ["limitations"])
        assert body["updated_at"]
        assert _stored(athlete) == (before[0], NOTE)
        [event] = events(ACTION)
        assert json.loads(event.metadata_json) == {"limitations": {"old": "", "new": NOTE}}
        profile = client.get(f"/api/v1/athletes/{demo_id(athlete + '@demo.test')}",
                             headers=token_for(email)).json()
        assert profile["limitations"] == NOTE  # GET includes it
        return
    assert response.headers["content-type"].startswith("application/problem+json")
    if expected == 404:  # the same answer as for an athlete that does not exist
        missing = client.patch("/api/v1/athletes/no-such-athlete/profile",
                               headers=token_for(email), json={"limitations": NOTE})
        assert (missing.status_code, missing.json()["detail"]) == (404,
                                                                   response.json()["detail"])
    assert _stored(athlete) == before
    assert events(ACTION) == []
    assert chain_ok()


@pytest.mark.parametrize(("body", "field"), [
    ({"goals": "x" * 501}, "goals"),
    ({"limitations": "y" * 1000}, "limitations"),
    ({"goals": "fine", "mood": "great"}, "mood"),
    ({"goals": 42}, "goals"),
])
def test_bad_bodies_are_422_naming_the_field_and_write_nothing(client, token_for, body, field):
    before = _stored("athlete2")
    response = client.patch(_url("athlete2"), headers=token_for("coach1@demo.test"), json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["detail"].startswith(f"{field}: ")
    assert field in [e["field"] for e in problem["errors"]]
    assert _stored("athlete2") == before and events(ACTION) == []


def test_a_nul_is_refused_before_the_route_and_writes_nothing(client, token_for):
    """The API's middleware refuses a NUL anywhere in a JSON body (400, as on every route);
    the service's own 422 for NUL (what the page meets) is tested in tests/db."""
    before = _stored("athlete2")
    response = client.patch(_url("athlete2"), headers=token_for("coach1@demo.test"),
                            json={"limitations": "a\u0000b"})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "NUL" in response.json()["detail"]
    assert _stored("athlete2") == before and events(ACTION) == []


def test_an_empty_body_or_the_same_text_changes_nothing(client, token_for):
    coach = token_for("coach1@demo.test")
    before = _stored("athlete2")
    response = client.patch(_url("athlete2"), headers=coach, json={})
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == [] and _stored("athlete2") == before
    response = client.patch(_url("athlete2"), headers=coach,
                            json={"goals": before[0], "limitations": before[1]})
    assert response.json()["changed"] == [] and events(ACTION) == []


def test_malformed_requests_are_clear_errors(client, token_for):
    coach = token_for("coach1@demo.test")
    response = client.patch(_url("athlete2"), headers={**coach, "content-type":
                                                      "application/json"}, content=b"{oops")
    assert response.status_code == 400 and events(ACTION) == []
    assert client.patch(_url("athlete2"), json={"goals": "x"}).status_code == 401
    too_long_id = client.patch("/api/v1/athletes/" + "x" * 37 + "/profile", headers=coach,
                               json={"goals": "x"})
    assert too_long_id.status_code == 422
