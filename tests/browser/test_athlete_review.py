"""Flow B on a phone: the athlete sees what the coach changed, comments on a session,
requests changes, and later accepts the revised plan."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALGORITHM, PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.browser


def _api(base: str, email: str) -> httpx.Client:
    token = httpx.post(f"{base}/api/v1/auth/token",
                       data={"username": email, "password": PASSWORD}).json()["access_token"]
    return httpx.Client(base_url=f"{base}/api/v1", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def _coach_edits_and_submits(coach: httpx.Client, plan: dict, note: str) -> None:
    head = plan["active_version_id"]
    edited = coach.patch(f"/plans/{plan['id']}/versions/{head}", json={
        "operations": [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": note}],
        "reason_codes": ["athlete_preference"], "rationale": note})
    assert edited.status_code == 200, edited.text
    assert coach.post(f"/plans/{plan['id']}/submit", json={"comment": note}).status_code == 200


def _decision_buttons_far_apart(view: Page, *, stacked: bool = True) -> None:
    """Accept plan and Request changes: tall enough to tap and well apart."""
    accept = view.get_by_role("button", name="Accept plan").bounding_box()
    change = view.get_by_role("button", name="Request changes").bounding_box()
    assert accept and change
    assert accept["height"] >= 44 and change["height"] >= 44
    if stacked:  # a phone: one above the other, full width, a clear gap between
        assert change["y"] - (accept["y"] + accept["height"]) >= 24
        assert accept["width"] > 300 and change["width"] > 300
    else:  # desktop: side by side
        assert change["x"] - (accept["x"] + accept["width"]) >= 12


def test_athlete_reviews_on_a_phone(phone: Page, app_url: str):
    coach = _api(app_url, "coach2@demo.test")
    plans = coach.get("/plans", params={"status": "generated", "search": "Athlete 13"}).json()
    plan = next(p for p in plans["items"] if p["athlete_name"] == "Athlete 13")
    _coach_edits_and_submits(coach, plan, "Easier start this week")

    sign_in(phone, app_url, "athlete13@demo.test")
    phone.get_by_role("button", name=re.compile(r"^\d+ unread notifications$")).click()
    phone.get_by_role("menuitem", name=re.compile("Your coach sent you a plan")).first.click()
    expect(phone).to_have_url(re.compile(r"/plans/.+/review/?$"))
    expect(phone.get_by_text("Since the generated plan:")).to_be_visible()
    expect(phone.get_by_text("Changed", exact=True).first).to_be_visible()
    expect(phone.get_by_text("Since you last reviewed")).to_have_count(0)  # nothing seen yet
    note = phone.locator("#coach-note")
    expect(note).to_contain_text("Note from your coach")
    expect(note).to_contain_text("Easier start this week")
    expect(note).to_contain_text(re.compile(r"\d{2} \w{3} \d{4}, \d{2}:\d{2} UTC"))
    _decision_buttons_far_apart(phone)
    screenshot(phone, "phone-review.png")

    phone.get_by_role("button", name="Request changes").click()
    expect(phone.get_by_text("Say what should change")).to_be_visible()
    phone.get_by_label("Comment on session").click()
    phone.get_by_role("option").nth(0).click()
    phone.get_by_label("Comment", exact=True).fill("Can this move to Tuesday?")
    phone.get_by_role("button", name="Post comment").click()
    expect(phone.get_by_text("Can this move to Tuesday?")).to_be_visible()
    phone.get_by_label("What should change").fill("See my comment on the first session")
    phone.get_by_role("button", name="Request changes").click()
    expect(phone.get_by_text("Needs revision", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    status = coach.get(f"/plans/{plan['id']}").json()
    assert status["status"] == "needs_revision"
    thread = coach.get(f"/plans/{plan['id']}/comments").json()
    assert any(c["message"] == "Can this move to Tuesday?" and c["anchor_id"] for c in thread)
    _coach_edits_and_submits(coach, status, "Moved as asked")

    phone.reload()
    expect(phone.get_by_text(re.compile(r"Since you last reviewed \(version \d+\)"))
           ).to_be_visible()
    expect(phone.locator("#coach-note")).to_contain_text("Moved as asked")  # the latest note
    phone.get_by_role("radio", name="Last reviewed").click()
    expect(phone.get_by_role("radio", name="Last reviewed")).to_be_checked()
    expect(phone.get_by_text("Changed", exact=True)).to_have_count(1)  # only the notes since
    phone.get_by_role("button", name="Accept plan").click()
    toast = phone.locator("[data-sonner-toast]").filter(has_text="accepted")
    expect(toast).to_contain_text("approved", ignore_case=True)  # the status the badge shows
    expect(toast).not_to_contain_text("published", ignore_case=True)
    box = toast.bounding_box()
    assert box is not None and box["y"] < 844 / 3  # at the top, not over the decision box
    expect(phone.get_by_text("Approved", exact=True)).to_be_visible()
    assert coach.get(f"/plans/{plan['id']}").json()["status"] == "approved"


def test_what_the_athlete_types_survives_a_closed_tab(phone: Page, app_url: str):
    athlete = _api(app_url, "athlete3@demo.test")
    plan = athlete.get("/plans", params={"status": "coach_reviewed"}).json()["items"][0]
    sign_in(phone, app_url, "athlete3@demo.test")
    phone.goto(f"{app_url}/plans/{plan['id']}/review")
    phone.get_by_label("What should change").fill("Fewer sessions on weekdays please")
    phone.get_by_label("Comment", exact=True).fill("Is the long run too long?")
    phone.wait_for_function(  # kept by the browser as it is typed
        "() => (localStorage.getItem('plangov_typed') || '').includes('long run too long')")

    again = phone.context.new_page()  # a new tab: a new session, the same browser
    phone.close()
    again.goto(f"{app_url}/plans/{plan['id']}/review")
    expect(again.get_by_label("What should change")).to_have_value(
        "Fewer sessions on weekdays please")
    expect(again.get_by_label("Comment", exact=True)).to_have_value("Is the long run too long?")
    again.get_by_role("button", name="Post comment").click()
    expect(again.get_by_text("Is the long run too long?")).to_be_visible()  # the thread
    expect(again.get_by_label("Comment", exact=True)).to_have_value("")  # posted: emptied

    third = again.context.new_page()
    third.goto(f"{app_url}/plans/{plan['id']}/review")
    expect(third.get_by_label("What should change")).to_have_value(
        "Fewer sessions on weekdays please")  # still being written
    expect(third.get_by_label("Comment", exact=True)).to_have_value("")
    assert athlete.get(f"/plans/{plan['id']}").json()["status"] == "coach_reviewed"


def test_the_review_on_a_desktop_has_the_note_and_buttons_side_by_side(page: Page,
                                                                       app_url: str):
    coach = _api(app_url, "coach2@demo.test")
    listed = coach.get("/plans", params={"search": "Athlete 14"}).json()["items"]
    athlete_id = next(p["athlete_id"] for p in listed if p["athlete_name"] == "Athlete 14")
    made = coach.post("/plans", json={"athlete_id": athlete_id, "start_date": "2031-01-06",
                                      "weeks": 4, "algorithm": ALGORITHM})
    assert made.status_code in (200, 201), made.text
    _coach_edits_and_submits(coach, made.json(), "Four light weeks after the race")

    sign_in(page, app_url, "athlete14@demo.test")
    page.goto(f"{app_url}/plans/{made.json()['id']}/review")
    expect(page.locator("#coach-note")).to_contain_text("Four light weeks after the race")
    _decision_buttons_far_apart(page, stacked=False)
