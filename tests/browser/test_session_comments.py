"""Tapping a session card on the review opens that session's conversation (phone, desktop).

The athlete reads only that session's threads, comments on it or answers a thread from the
sheet, and is back on the card after Escape; support reads the threads without a box; the
coach's submit note is read once, in its card.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ALGORITHM, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _athlete_id(coach: Any, name: str) -> str:
    return next(a for a in coach.get("/users/me").json()["subject_scope"]["athlete_ids"]
                if coach.get(f"/athletes/{a}").json()["name"] == name)


def _card_name(session: dict) -> str:
    """The accessible name of a session's card on the review."""
    title = session["title"] or session["modality"].title()
    return f"Comments on {title}, {date.fromisoformat(session['day']):%a %d %b}"


def _talked_about_plan(app_url: str, coach_email: str, athlete: str, start: str,
                       note: str = "") -> dict[str, Any]:
    """A new plan of `athlete` with a thread on its first session, one on its second and
    one on the whole plan; sent to the athlete (with `note`) when a note is given."""
    coach = _api(app_url, coach_email)
    plan = coach.post("/plans", json={"athlete_id": _athlete_id(coach, athlete),
                                      "start_date": start, "weeks": 4,
                                      "algorithm": ALGORITHM}).json()
    head = coach.get(f"/plans/{plan['id']}/versions/{plan['active_version_id']}").json()
    first, second, third = head["content"]["weeks"][0]["sessions"][:3]
    comments = f"/plans/{plan['id']}/comments"
    root = coach.post(comments, json={"anchor_id": first["session_id"],
                                      "message": "On the first: keep it easy"})
    assert root.status_code == 201, root.text
    for body in ({"anchor_id": second["session_id"], "message": "On the second only"},
                 {"message": "About the whole plan"}):
        assert coach.post(comments, json=body).status_code == 201
    if note:
        sent = coach.post(f"/plans/{plan['id']}/submit", json={"comment": note})
        assert sent.status_code == 200, sent.text
    return {"plan": plan, "first": first, "second": second, "third": third,
            "root": root.json(), "coach": coach}


def _sheet(view: Page, title: str) -> Locator:
    sheet = view.get_by_role("dialog")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_role("heading", name=title)).to_be_visible()
    return sheet


def _apart(a: dict | None, b: dict | None) -> bool:
    """Whether two boxes do not overlap."""
    assert a and b
    return (a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            or a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"])


def _comment_from_the_sheet(view: Page, case: dict[str, Any], note: str, *,
                            tap: bool) -> None:
    """The whole walk, on `view`: note once, open, read, post, Escape, reply, Close."""
    first = case["first"]
    title = first["title"] or first["modality"].title()
    expect(view.locator("#coach-note")).to_contain_text(note)
    expect(view.get_by_text(note)).to_have_count(1)  # the card only, not a comment too

    card = view.get_by_role("button", name=_card_name(first))
    expect(card).to_contain_text("1 open")
    if tap:
        card.tap()
    else:
        card.focus()
        view.keyboard.press("Enter")
    sheet = _sheet(view, title)
    expect(sheet.get_by_text("On the first: keep it easy")).to_be_visible()
    expect(sheet.get_by_text("On the second only")).to_have_count(0)
    expect(sheet.get_by_text("About the whole plan")).to_have_count(0)
    for item in first["items"][:2]:
        expect(sheet.get_by_text(item["name"]).first).to_be_visible()

    box = sheet.get_by_label("Comment on this session")
    box.fill("Can this one move to Friday?")
    sheet.get_by_role("button", name="Post", exact=True).click()
    expect(box).to_have_value("")  # posted: the box is emptied …
    expect(sheet.get_by_text("Can this one move to Friday?")).to_be_visible()  # … it is here
    toast = view.get_by_text("Comment posted.")
    expect(toast).to_be_visible()
    assert _apart(toast.bounding_box(), box.bounding_box()), "the toast covers the box"
    assert _apart(toast.bounding_box(),
                  sheet.get_by_role("button", name="Post", exact=True).bounding_box())
    screenshot(view, f"{'phone' if tap else 'desktop'}-session-sheet.png")

    view.keyboard.press("Escape")
    expect(view.get_by_role("dialog")).to_have_count(0)
    expect(card).to_be_focused()
    expect(card).to_contain_text("2 open")
    listed = view.get_by_text("Can this one move to Friday?", exact=True)
    expect(listed).to_have_count(1)  # the page's Comments list has it too

    card.click()
    sheet = _sheet(view, title)
    sheet.get_by_role("button", name=re.compile("^Reply to ")).first.click()
    expect(sheet.get_by_text(re.compile("^Replying to "))).to_be_visible()
    expect(sheet.get_by_label("Comment on this session")).to_be_focused()
    sheet.get_by_label("Comment on this session").fill("Easy it is")
    sheet.get_by_role("button", name="Post", exact=True).click()
    expect(sheet.get_by_text(re.compile("^Replying to "))).to_have_count(0)
    expect(sheet.get_by_label("Comment on this session")).to_have_value("")
    expect(sheet.get_by_text("Easy it is", exact=True)).to_be_visible()
    # Resolve where the service allows it: on the athlete's own thread, not on their coach's
    expect(sheet.get_by_role("button", name="Resolve")).to_have_count(1)
    own = sheet.locator("div").filter(has_text="Can this one move to Friday?").filter(
        has=view.get_by_role("button", name="Resolve"))  # `has` is relative to each div
    expect(own.last).not_to_contain_text("On the first: keep it easy")
    read = sheet.inner_text()  # as a reader reads it, top to bottom
    assert read.index("On the first: keep it easy") < read.index("Easy it is") < read.index(
        "Can this one move to Friday?"), "the reply sits beneath its thread, before the next"
    sheet.get_by_role("button", name="Close").click()
    expect(view.get_by_role("dialog")).to_have_count(0)
    expect(card).to_be_focused()

    stored = case["coach"].get(f"/plans/{case['plan']['id']}/comments").json()
    posted = next(c for c in stored if c["message"] == "Can this one move to Friday?")
    answer = next(c for c in stored if c["message"] == "Easy it is")
    assert (posted["anchor_id"], posted["parent_id"]) == (first["session_id"], None)
    assert (answer["anchor_id"], answer["parent_id"]) == (
        first["session_id"], case["root"]["id"])
    assert not any(c["message"] == note for c in stored)

    card = view.get_by_role("button", name=_card_name(case["third"]))
    card.click()
    sheet = _sheet(view, case["third"]["title"] or case["third"]["modality"].title())
    expect(sheet.get_by_text("No comments on this session yet")).to_be_visible()
    view.keyboard.press("Escape")
    expect(card).to_be_focused()


def test_an_athlete_taps_a_session_on_a_phone_and_comments_on_it(phone: Page, app_url: str):
    note = "Lighter first week, phone edition"
    case = _talked_about_plan(app_url, "coach2@demo.test", "Athlete 18", "2027-08-02", note)
    sign_in(phone, app_url, "athlete18@demo.test")
    phone.goto(f"{app_url}/plans/{case['plan']['id']}/review")
    _comment_from_the_sheet(phone, case, note, tap=True)
    card = phone.get_by_role("button", name=_card_name(case["first"]))
    card.tap()
    expect(phone.get_by_role("dialog")).to_be_visible()
    phone.wait_for_function(  # measured once it has slid in (a loaded machine lags)
        "() => document.querySelector('[role=dialog]')?.getAnimations({subtree: true})"
        ".every(a => a.playState === 'finished')")
    sheet = phone.get_by_role("dialog").bounding_box()
    assert sheet is not None  # a bottom sheet: full width, on the bottom edge
    assert sheet["width"] >= 389 and abs(sheet["y"] + sheet["height"] - 844) <= 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_athlete_opens_a_session_with_the_keyboard_on_a_desktop(page: Page, app_url: str):
    note = "Lighter first week, desktop edition"
    case = _talked_about_plan(app_url, "coach2@demo.test", "Athlete 19", "2027-08-02", note)
    sign_in(page, app_url, "athlete19@demo.test")
    page.goto(f"{app_url}/plans/{case['plan']['id']}/review")
    _comment_from_the_sheet(page, case, note, tap=False)


def test_support_reads_a_sessions_threads_without_a_box(page: Page, app_url: str):
    case = _talked_about_plan(app_url, "coach1@demo.test", "Athlete 8", "2027-08-02")
    sign_in(page, app_url, "support@demo.test")
    page.goto(f"{app_url}/plans/{case['plan']['id']}/review")
    first = case["first"]
    page.get_by_role("button", name=_card_name(first)).click()
    sheet = _sheet(page, first["title"] or first["modality"].title())
    expect(sheet.get_by_text("On the first: keep it easy")).to_be_visible()
    expect(sheet.get_by_text("On the second only")).to_have_count(0)
    expect(sheet.get_by_label("Comment on this session")).to_have_count(0)
    for name in ("Post", "Reply", "Resolve"):
        expect(sheet.get_by_role("button", name=re.compile(f"^{name}"))).to_have_count(0)
