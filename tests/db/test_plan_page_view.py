"""The plan page's and the editor's read models (services.views), called without Reflex."""

from __future__ import annotations

import json

import pytest

from db.models import PlanVersion
from db.session import read_session
from plangov_app.services import diffing, versions
from plangov_app.services.errors import InvalidInput, NotFound
from plangov_app.services.versions import document_of
from plangov_app.services.views.editor import editor_preview
from plangov_app.services.views.plan_page import plan_page
from tests.support.factories import actor, create_plan, patch, version

COACH, OTHER_COACH, ATHLETE, ADMIN = ("coach1@demo.test", "coach2@demo.test",
                                      "athlete1@demo.test", "admin@demo.test")


def _page(email: str, plan_id: str, **options):
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, **options)


def _edited(client, coach: dict) -> tuple[dict, dict]:
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    response = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-10"}])
    assert response.status_code == 200, response.text
    return plan, response.json()


def test_what_the_user_may_do_follows_status_and_role(client, token_for):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    assert _page(COACH, plan["id"], editing=True).can_edit
    assert _page(COACH, plan["id"]).version_author == (
        "Generator lp-1.0 (requested by Casey Coach)")
    assert not _page(COACH, plan["id"]).can_edit  # the review page never edits
    athlete_view = _page(ATHLETE, plan["id"], editing=True)
    assert not athlete_view.can_edit and not athlete_view.can_decide
    assert athlete_view.can_comment
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach, json={})
    assert response.status_code == 200, response.text
    assert not _page(COACH, plan["id"], editing=True).can_edit  # waiting for the athlete
    assert _page(ATHLETE, plan["id"]).can_decide
    assert not _page(COACH, plan["id"]).can_decide
    with pytest.raises(NotFound):
        _page(OTHER_COACH, plan["id"])


def test_the_badges_are_the_summary_stored_with_the_version(client, token_for):
    coach = token_for(COACH)
    plan, head = _edited(client, coach)
    page = _page(COACH, plan["id"], editing=True)
    with read_session() as session:
        stored = json.loads(session.get(PlanVersion, head["id"]).diff_summary_json)
        baseline = document_of(session.get(PlanVersion, plan["baseline_version_id"]))
        current = document_of(session.get(PlanVersion, head["id"]))
    assert page.badges == stored["vs_baseline"]["badges"] == ["1 session moved"]
    recomputed = diffing.summarize(baseline, current)
    assert page.impact == diffing.describe(recomputed, baseline, current)
    assert page.version == "2" and page.head_id == head["id"]
    assert page.version_author == "Casey Coach"
    assert [row.number for row in page.timeline] == ["v2", "v1"]
    assert page.timeline[0].current and page.timeline[0].badges == ["1 session moved"]
    assert [row.author for row in page.timeline] == [  # the algorithm wrote v1
        "Casey Coach (coach)", "Generator lp-1.0 (requested by Casey Coach)"]
    marked = [card for week in page.weeks for card in week.cards() if card.change]
    assert [card.change for card in marked] == ["moved"]


def test_a_status_change_carries_the_baseline_summary_forward(client, token_for):
    coach = token_for(COACH)
    plan, head = _edited(client, coach)
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach, json={})
    assert response.status_code == 200, response.text
    with read_session() as session:
        listed = session.get(PlanVersion, response.json()["active_version_id"])
        parent = session.get(PlanVersion, head["id"])
        assert versions.stored_summary(listed)["vs_baseline"] == \
            versions.stored_summary(parent)["vs_baseline"]


def test_the_editor_preview_shows_the_dialog_and_badges_of_unsaved_edits(client, token_for):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    coach_actor = actor(COACH)
    with read_session() as session:
        head = document_of(session.get(PlanVersion, version(client, coach, plan)["id"]))
        strength = next(s for _, s in head.sessions() if s.items and s.items[0].sets)
        item = strength.items[0]
        opened = editor_preview(session, coach_actor, plan["id"], edits=[],
                                open_session=strength.session_id)
        assert opened.weeks is None and opened.badges is None
        assert opened.dialog is not None and opened.dialog.session_id == strength.session_id
        assert opened.dialog.items[0].sets == f"{item.sets:g}"
        assert len(opened.dialog.days) == 7
        edit = {"kind": "set_item", "session_id": strength.session_id,
                "item_id": item.item_id, "field": "sets", "value": item.sets + 1,
                "label": "sets"}
        shown = editor_preview(session, coach_actor, plan["id"], edits=[edit])
        assert shown.dialog is None and shown.weeks
        assert shown.badges is not None
        card = next(c for w in shown.weeks for c in w.cards() if c.id == strength.session_id)
        assert card.change == "changed"
        bad = {**edit, "value": 999}
        with pytest.raises(InvalidInput):
            editor_preview(session, coach_actor, plan["id"], edits=[bad])
        with pytest.raises(NotFound):
            editor_preview(session, actor(OTHER_COACH), plan["id"], edits=[])


def test_athletes_are_shown_no_algorithm_experiment_or_author(client, token_for):
    plan = create_plan(client, token_for("coach1@demo.test"))
    with read_session() as session:
        coach = plan_page(session, actor("coach1@demo.test"), plan["id"])
        athlete = plan_page(session, actor("athlete1@demo.test"), plan["id"])
    assert coach.show_internals and not athlete.show_internals


def test_the_review_opens_with_the_coachs_submit_note(client, token_for):
    coach = token_for(COACH)
    plan, _ = _edited(client, coach)
    assert _page(ATHLETE, plan["id"]).coach_note == ""  # nothing submitted yet
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach,
                           json={"comment": "  Easier start: Tuesday moved to Sunday.  "})
    assert response.status_code == 200, response.text
    page = _page(ATHLETE, plan["id"])
    assert page.coach_note == "Easier start: Tuesday moved to Sunday."
    assert page.coach_note_by.startswith("Casey Coach, ") and page.coach_note_by.endswith(" UTC")
    response = client.post(f"/api/v1/plans/{plan['id']}/approve", headers=token_for(ATHLETE),
                           json={"decision": "request_changes", "comment": "Too easy"})
    assert response.status_code == 200, response.text
    assert _page(ATHLETE, plan["id"]).coach_note == "Easier start: Tuesday moved to Sunday."
    head = version(client, coach, plan)
    response = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-09"}])
    assert response.status_code == 200, response.text
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach, json={})
    assert response.status_code == 200, response.text
    assert _page(ATHLETE, plan["id"]).coach_note == ""  # the latest submit gave no note
