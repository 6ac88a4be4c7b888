"""One summary, one vocabulary: what the coach's editor and the athlete's phone say about
the same change (issue 11, point 8)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALGORITHM, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

OLD_MIXED_TOTAL = re.compile(r"^Volume [↑↓]")  # a total over kg·reps and minutes


def _plan_with_an_added_exercise(app_url: str) -> dict:
    """Athlete 20's new plan with one exercise (a timed plank) added, sent for approval."""
    coach = _api(app_url, "coach2@demo.test")
    athlete = next(a for a in coach.get("/users/me").json()["subject_scope"]["athlete_ids"]
                   if coach.get(f"/athletes/{a}").json()["name"] == "Athlete 20")
    plan = coach.post("/plans", json={"athlete_id": athlete, "start_date": "2027-05-03",
                                      "weeks": 4, "algorithm": ALGORITHM}).json()
    first = plan["active_version_id"]
    content = coach.get(f"/plans/{plan['id']}/versions/{first}").json()["content"]
    place = next((w, s) for w, week in enumerate(content["weeks"])
                 for s, session in enumerate(week["sessions"])
                 if session["modality"] == "strength")
    edited = coach.patch(f"/plans/{plan['id']}/versions/{first}", json={
        "operations": [{"op": "add", "path": "/weeks/{}/sessions/{}/items/-".format(*place),
                        "value": {"item_id": "added-plank", "exercise": "plank",
                                  "name": "Plank", "sets": 3, "duration_min": 1.0}}],
        "reason_codes": ["athlete_preference"], "rationale": "core work"})
    assert edited.status_code == 200, edited.text
    assert coach.post(f"/plans/{plan['id']}/submit", json={"comment": "core"}).status_code == 200
    return plan


def test_an_added_exercise_is_named_alike_for_coach_and_athlete(page: Page, phone: Page,
                                                                app_url: str):
    plan = _plan_with_an_added_exercise(app_url)
    sign_in(page, app_url, "coach2@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_text("1 exercise added", exact=True).first).to_be_visible()
    expect(page.get_by_text(OLD_MIXED_TOTAL)).to_have_count(0)

    sign_in(phone, app_url, "athlete20@demo.test")
    phone.goto(f"{app_url}/plans/{plan['id']}/review")
    expect(phone.get_by_text("1 exercise added", exact=True)).to_be_visible()  # the badge
    expect(phone.get_by_text(re.compile(r"1 session changed, 1 exercise added$"))
           ).to_be_visible()  # the sentence: a plank is minutes, not strength volume
    expect(phone.get_by_text(OLD_MIXED_TOTAL)).to_have_count(0)
