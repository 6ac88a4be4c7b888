"""Flow A: the coach edits a session in the modal, sees the change tracked, saves a draft
with a reason and submits for approval."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALGORITHM, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _set_first_minutes(page: Page, value: str) -> None:
    """In the first session's dialog, type `value` into its first Minutes box; close it."""
    page.get_by_role("button", name=re.compile(r"^Edit ")).first.click()
    minutes = page.get_by_role("dialog").get_by_label(re.compile(r"^Minutes for ")).first
    minutes.fill(value)
    minutes.press("Tab")
    page.get_by_role("dialog").get_by_role("button", name="Done").click()


def test_coach_replies_to_and_resolves_the_athletes_thread(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "needs_revision"}).json()[
        "items"] if p["athlete_name"] == "Athlete 4")
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    page.get_by_role("button", name="Reply to Athlete 4").first.click()
    expect(page.get_by_text("Replying to Athlete 4")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("Shortened it — see the new version")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Shortened it — see the new version")).to_be_visible()
    page.get_by_role("button", name="Resolve").first.click()
    expect(page.get_by_text("Resolved", exact=True).first).to_be_visible()
    thread = coach.get(f"/plans/{plan['id']}/comments").json()
    reply = next(c for c in thread if c["message"] == "Shortened it — see the new version")
    assert reply["parent_id"] and any(c["resolved_at"] for c in thread)


def test_coach_edits_saves_and_submits(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "generated"}).json()["items"]
                if p["athlete_name"] == "Athlete 7")
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_role("heading", name="Changes")).to_be_visible()
    expect(page.get_by_text("Adherence:")).to_be_visible()
    previous = page.get_by_role("link", name=re.compile(r"· 8 wk$"))  # the finished plan
    expect(previous).to_have_count(1)
    strength = page.get_by_role("button", name=re.compile(r"^Edit Strength")).first
    strength.click()
    dialog = page.get_by_role("dialog")
    sets = dialog.get_by_label(re.compile(r"^Sets for ")).first
    value = int(sets.input_value())
    sets.fill(str(value + 2))
    sets.press("Tab")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text(re.compile(rf"sets → {value + 2}"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Strength volume ↑ [0-9.]+% \(kg·reps\)$"))
           ).to_be_visible()
    expect(dialog).to_be_hidden()
    screenshot(page, "editor.png")

    page.get_by_role("button", name="Save draft").click()
    save = page.get_by_role("dialog")
    save.get_by_role("checkbox", name="fatigue").click()
    save.get_by_label("Rationale").fill("Recovering from a cold #deload")
    save.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()

    page.get_by_label("Note to the athlete").fill("Lighter first week")
    page.get_by_role("button", name="Submit for Approval").click()
    expect(page.get_by_text("Submitted — the athlete has been notified.")).to_be_visible()
    after = coach.get(f"/plans/{plan['id']}").json()
    assert after["status"] == "coach_reviewed"
    versions = coach.get(f"/plans/{plan['id']}/versions").json()
    edit = next(v for v in versions if v["kind"] == "edit")
    assert edit["reason_codes"] == ["fatigue"] and edit["author_name"] == "Casey Coach"


def test_a_concurrent_save_loses_nothing(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "generated"}).json()["items"]
                if p["athlete_name"] == "Athlete 11")
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    _set_first_minutes(page, "42")
    expect(page.get_by_text(re.compile(r"minutes → 42"))).to_be_visible()

    # Another coach (here: the API) saves first.
    other = coach.patch(f"/plans/{plan['id']}/versions/{plan['active_version_id']}", json={
        "operations": [{"op": "replace", "path": "/weeks/1/sessions/0/notes", "value": "hi"}],
        "reason_codes": ["other"]})
    assert other.status_code == 200

    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("dialog").get_by_role("checkbox", name="time constraint").click()
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    told = page.get_by_text(re.compile("saved version 2 since you opened the plan"))
    expect(told).to_be_visible()
    expect(page.get_by_text(re.compile(r"minutes → 42"))).to_be_visible()  # kept
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 3.")).to_be_visible()
    head = coach.get(f"/plans/{plan['id']}").json()["active_version_id"]
    content = coach.get(f"/plans/{plan['id']}/versions/{head}").json()["content"]
    assert content["weeks"][1]["sessions"][0]["notes"] == "hi"  # theirs
    first = content["weeks"][0]["sessions"][0]["items"][0]
    assert first["duration_min"] == 42  # and mine


def test_session_dialog_swaps_adds_removes_and_moves(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "draft"}).json()["items"]
                if p["athlete_name"] == "Athlete 2")
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    expect(page.get_by_text("v2", exact=True)).to_be_visible()  # the timeline
    page.get_by_role("button", name=re.compile(r"^Edit Strength")).first.click()
    dialog = page.get_by_role("dialog")
    swaps = dialog.get_by_role("button", name=re.compile(r"^Swap "))
    expect(swaps.first).to_be_visible()
    count = swaps.count()
    first = swaps.first.get_attribute("aria-label")[len("Swap "):]
    second = swaps.nth(1).get_attribute("aria-label")[len("Swap "):]

    swaps.first.click()
    dialog.get_by_label("Search exercises").fill("goblet")
    dialog.get_by_role("option", name=re.compile(r"^Goblet squat")).click()
    expect(dialog.get_by_role("button", name="Swap Goblet squat")).to_be_visible()
    expect(dialog.get_by_role("button", name=f"Swap {first}")).to_have_count(0)

    dialog.get_by_role("button", name=f"Remove {second}").click()
    expect(dialog.get_by_role("button", name=f"Remove {second}")).to_have_count(0)

    dialog.get_by_role("button", name="Add exercise").click()  # then only the keyboard
    expect(dialog.get_by_label("Search exercises")).to_be_focused()
    page.keyboard.type("side plank")
    expect(dialog.get_by_role("option", name=re.compile(r"^Side plank"))).to_be_visible()
    page.keyboard.press("Enter")  # the first result is chosen
    expect(dialog.get_by_role("button", name="Remove Side plank")).to_be_visible()
    expect(swaps).to_have_count(count)  # one removed, one added

    dialog.get_by_label("Move to day").click()
    page.get_by_role("option").last.click()
    dialog.get_by_label("Session notes").fill("Keep the rests short")
    dialog.get_by_label("Session notes").press("Tab")
    screenshot(page, "editor-dialog.png")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    for label in (f"{first} → Goblet squat (swap)", f"{second}: removed", "Side plank: added",
                  "notes edited"):
        expect(page.get_by_text(label)).to_be_visible()
    expect(page.get_by_text(re.compile(r"moved to Sun"))).to_be_visible()
    expect(page.get_by_text("1 session moved")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Moved from ")).first).to_be_visible()  # the card
    page.get_by_role("button", name=f"Undo {second}: removed").click()
    expect(page.get_by_text(f"{second}: removed")).to_have_count(0)

    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("dialog").get_by_role("checkbox", name="equipment").click()
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(r"^Saved as version \d+\.$"))).to_be_visible()
    head = coach.get(f"/plans/{plan['id']}").json()["active_version_id"]
    content = coach.get(f"/plans/{plan['id']}/versions/{head}").json()["content"]
    moved = next(s for w in content["weeks"] for s in w["sessions"]
                 if s["notes"] == "Keep the rests short")
    names = [i["name"] for i in moved["items"]]
    assert "Goblet squat" in names and "Side plank" in names and second in names
    assert first not in names
    assert date.fromisoformat(moved["day"]).weekday() == 6  # Sunday


def test_unsaved_edits_survive_a_reload_until_undone(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "needs_revision"}).json()[
        "items"] if p["athlete_name"] == "Athlete 12")
    versions = len(coach.get(f"/plans/{plan['id']}/versions").json())
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    _set_first_minutes(page, "37")
    edited = page.get_by_text(re.compile(r"minutes → 37"))
    expect(edited).to_be_visible()

    page.reload()  # or the tab closed, or the sign-in expired
    expect(page.get_by_text(re.compile(r"^1 unsaved edit\(s\) from your last visit are back"))
           ).to_be_visible()
    expect(edited).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Undo .*minutes → 37")).click()
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Changes")).to_be_visible()
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()
    expect(edited).to_have_count(0)
    assert len(coach.get(f"/plans/{plan['id']}/versions").json()) == versions  # none saved


def test_edits_wait_in_the_browser_while_the_plan_cannot_be_edited(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    athlete_id = coach.get("/users/me").json()["subject_scope"]["athlete_ids"][8]
    created = coach.post("/plans", json={"athlete_id": athlete_id, "weeks": 4,
                                         "start_date": date.today().isoformat(),
                                         "algorithm": ALGORITHM})
    assert created.status_code == 201, created.text
    plan = created.json()
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    _set_first_minutes(page, "33")
    expect(page.get_by_text(re.compile(r"minutes → 33"))).to_be_visible()
    page.wait_for_function(
        "() => (localStorage.getItem('plangov_unsaved_edits') || '').includes('minutes')")

    assert coach.post(f"/plans/{plan['id']}/submit", json={"comment": ""}).status_code == 200
    page.reload()  # submitted elsewhere meanwhile: no edit controls, the edits wait
    expect(page.get_by_text(re.compile(
        r"^1 unsaved edit\(s\) from your last visit are kept in this browser; the plan is "
        r"coach reviewed now"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Edit "))).to_have_count(0)
