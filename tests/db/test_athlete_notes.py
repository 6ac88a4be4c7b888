"""Goals and injuries/limitations on the profile (`athletes.update_profile`), called directly.

Every role against its own and others' athletes: who may note them, who is refused (and
whether the refusal hides the athlete), the rows before and after, and the audit event.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from db.models import AthleteProfile, AuditEvent, User
from db.session import read_session, unit_of_work
from plangov_app import demo
from plangov_app.demo import demo_id
from plangov_app.demo.accounts import LIMITATIONS
from plangov_app.services import athletes, describing
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from plangov_app.services.rbac import load_actor
from plangov_app.services.views.athlete_profile import athlete_profile
from tests.support.audit_log import chain_ok, events
from tests.support.factories import actor

ACTION = "athlete.profile_update"
TODAY = date(2027, 1, 6)
NOTE = "Left ankle sprain: no plyometrics for three weeks"
# (actor, athlete, outcome): athlete2 is coach1's, in support's team; athlete13 is coach2's.
CASES = [
    ("coach1@demo.test", "athlete2", "saved"),
    ("coach1@demo.test", "athlete13", "hidden"),  # another coach's athlete
    ("coach2@demo.test", "athlete2", "hidden"),
    ("athlete2@demo.test", "athlete2", "saved"),  # the athlete themself
    ("athlete2@demo.test", "athlete3", "hidden"),
    ("admin@demo.test", "athlete13", "saved"),
    ("support@demo.test", "athlete2", "forbidden"),  # sees the athlete, may not note
    ("support@demo.test", "athlete13", "hidden"),
    ("compliance@demo.test", "athlete2", "hidden"),
    ("ds@demo.test", "athlete2", "hidden"),
]
ROLES = {"coach1@demo.test": "coach", "athlete2@demo.test": "athlete",
         "admin@demo.test": "admin"}


def _notes(athlete: str) -> tuple[str, str]:
    with read_session() as session:
        profile = session.get(AthleteProfile, demo_id(f"{athlete}@demo.test"))
        assert profile is not None
        return profile.goals, profile.limitations


def _update(email: str, athlete: str, **notes: str | None) -> athletes.ProfileNotes:
    with unit_of_work() as session:
        return athletes.update_profile(session, actor(email), demo_id(f"{athlete}@demo.test"),
                                       context=RequestContext(), **notes)


@pytest.mark.parametrize(("email", "athlete", "outcome"), CASES)
def test_who_may_note_goals_and_limitations(seeded, email: str, athlete: str, outcome: str):
    before = _notes(athlete)
    assert before[1] == ""  # no demo limitation on these two
    if outcome == "saved":
        saved = _update(email, athlete, goals="Sub-3 marathon", limitations=NOTE)
        assert (saved.goals, saved.limitations) == ("Sub-3 marathon", NOTE)
        assert saved.changed == ("goals", "limitations")
        assert _notes(athlete) == ("Sub-3 marathon", NOTE)
        [event] = events(ACTION)
        assert (event.actor_id, event.actor_role) == (demo_id(email), ROLES[email])
        assert (event.target_type, event.target_id) == ("athlete", demo_id(f"{athlete}@demo.test"))
        assert json.loads(event.metadata_json) == {
            "goals": {"old": before[0], "new": "Sub-3 marathon"},
            "limitations": {"old": "", "new": NOTE}}
        assert describing.event_lines(json.loads(event.metadata_json)) == [  # the audit page
            f"Goals: “{before[0]}” → “Sub-3 marathon”",
            f"Injuries and limitations: “” → “{NOTE}”"]
        assert describing.action_label(ACTION) == "Athlete's goals or limitations noted"
        assert chain_ok()
        return
    expected = Forbidden if outcome == "forbidden" else NotFound
    with pytest.raises(expected) as refused:
        _update(email, athlete, goals="Sub-3 marathon", limitations=NOTE)
    if outcome == "hidden":  # the same answer as for an id that does not exist
        assert refused.value.detail == "No such athlete."
    assert _notes(athlete) == before
    assert events(ACTION) == []


def test_only_the_fields_that_changed_are_written_and_audited(seeded):
    goals, _ = _notes("athlete2")
    first = _update("coach1@demo.test", "athlete2", limitations=f"  {NOTE}\n")
    assert first.limitations == NOTE and first.goals == goals  # trimmed; goals left alone
    assert first.changed == ("limitations",)
    second = _update("athlete2@demo.test", "athlete2", goals=goals, limitations=NOTE)
    assert second.changed == ()  # the same text again: nothing written, nothing audited
    cleared = _update("admin@demo.test", "athlete2", limitations="   ")
    assert cleared.limitations == "" and _notes("athlete2") == (goals, "")
    assert [json.loads(e.metadata_json) for e in events(ACTION)] == [
        {"limitations": {"old": "", "new": NOTE}},
        {"limitations": {"old": NOTE, "new": ""}}]
    with unit_of_work() as session:  # updated_at moved with the change
        profile = session.get(AthleteProfile, demo_id("athlete2@demo.test"))
        assert profile is not None and profile.updated_at is not None


@pytest.mark.parametrize(("notes", "field", "message"), [
    ({"goals": "x" * 501}, "goals", "at most 500 characters (501 given)."),
    ({"limitations": "a\x00b"}, "limitations", "must not contain NUL characters."),
    ({"goals": "ok", "limitations": "\ud800"}, "limitations", "is not valid Unicode text."),
])
def test_bad_text_is_refused_naming_the_field_and_nothing_is_written(seeded, notes, field,
                                                                     message):
    before = _notes("athlete2")
    with pytest.raises(InvalidInput) as refused:
        _update("coach1@demo.test", "athlete2", **notes)
    assert refused.value.detail == f"{field}: {message}"
    assert refused.value.extra["field"] == field
    assert refused.value.extra["errors"] == [{"field": field, "message": message}]
    assert _notes("athlete2") == before and events(ACTION) == []


def test_every_bad_field_is_named_at_once_and_limits_count_after_trimming(seeded):
    with pytest.raises(InvalidInput) as refused:
        _update("coach1@demo.test", "athlete2", goals="g" * 600, limitations="l" * 501)
    assert [e["field"] for e in refused.value.extra["errors"]] == ["goals", "limitations"]
    exactly = _update("coach1@demo.test", "athlete2", goals=" " * 10 + "g" * 500 + "\n")
    assert len(exactly.goals) == 500


def test_bidirectional_controls_are_removed(seeded):
    saved = _update("coach1@demo.test", "athlete2", limitations="knee\u202e pain")
    assert saved.limitations == "knee pain"


def test_missing_athletes_and_profiles(seeded):
    with pytest.raises(NotFound) as missing, unit_of_work() as session:
        athletes.update_profile(session, actor("admin@demo.test"), "no-such-user",
                                context=RequestContext(), goals="x")
    assert missing.value.detail == "No such athlete."
    with pytest.raises(NotFound):  # a coach is no athlete
        _update("admin@demo.test", "coach1", goals="x")
    with unit_of_work() as session:  # an athlete without a profile yet
        session.add(User(id="bare-athlete", email="bare@demo.test", display_name="Bare",
                         role="athlete", password_hash="x"))
    with pytest.raises(Conflict), unit_of_work() as session:
        athletes.update_profile(session, load_actor(session, "bare-athlete"), "bare-athlete",
                                context=RequestContext(), goals="x")
    assert events(ACTION) == []


@pytest.mark.parametrize(("email", "athlete", "editable"), [
    ("coach1@demo.test", "athlete2", True), ("athlete2@demo.test", "athlete2", True),
    ("admin@demo.test", "athlete13", True), ("support@demo.test", "athlete2", False),
    ("coach2@demo.test", "athlete13", True)])
def test_the_profile_page_offers_the_form_only_to_those_who_may_note(seeded, email, athlete,
                                                                     editable):
    with read_session() as session:
        page = athlete_profile(session, actor(email), demo_id(f"{athlete}@demo.test"),
                               today=TODAY)
    assert page.can_edit_notes is editable
    assert page.limitations == "None noted" and not page.limitations_noted


def test_the_profile_page_shows_what_was_noted(seeded):
    _update("coach1@demo.test", "athlete2", goals="", limitations=NOTE)
    with read_session() as session:
        page = athlete_profile(session, actor("support@demo.test"),
                               demo_id("athlete2@demo.test"), today=TODAY)
        stored = session.exec(select(AuditEvent).where(AuditEvent.action == ACTION)).all()
    assert (page.limitations, page.limitations_noted, page.notes_limitations) == (NOTE, True,
                                                                                  NOTE)
    assert (page.goals, page.notes_goals) == ("None noted", "")
    assert len(stored) == 1


def test_the_demo_seed_notes_limitations_once_and_respects_an_edit(seeded):
    assert _notes("athlete1")[1] == LIMITATIONS[1]  # a fresh seed notes them
    with unit_of_work() as session:  # a database seeded before limitations existed
        profile = session.get(AthleteProfile, demo_id("athlete1@demo.test"))
        assert profile is not None
        profile.limitations = ""
        session.add(profile)
    with unit_of_work() as session:
        demo.seed(session, with_plans=False)
    assert _notes("athlete1")[1] == LIMITATIONS[1]
    _update("athlete1@demo.test", "athlete1", limitations="")  # the athlete clears it
    with unit_of_work() as session:
        assert demo.seed(session, with_plans=False)["profiles"] == 0  # nothing to add
    assert _notes("athlete1")[1] == ""  # and it stays cleared
