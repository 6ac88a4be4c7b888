"""The audit page as a compliance officer and an admin use it: filters that mean what the
boxes show, details in words, an event expanded into its full change, and links only where
the reader may go (desktop and a 390×844 phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALGORITHM, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

BOXES = ("From", "To", "Actor (email or id)", "Action", "Target id")
INTERNAL = re.compile(r"[{}]|_id\b|=|\bsessions/|\bweeks/|needs_revision|coach_reviewed")


def _edited_plan(app_url: str, athlete_name: str) -> str:
    """A new plan of `athlete_name` (coach1's) with one Sets change saved; its id.

    The tests read this edit's event (filtered by its target), not whichever edit other
    tests happened to save last.
    """
    coach = _api(app_url, "coach1@demo.test")
    athlete = next(a for a in coach.get("/users/me").json()["subject_scope"]["athlete_ids"]
                   if coach.get(f"/athletes/{a}").json()["name"] == athlete_name)
    plan = coach.post("/plans", json={"athlete_id": athlete, "start_date": "2027-08-02",
                                      "weeks": 4, "algorithm": ALGORITHM}).json()
    head = plan["active_version_id"]
    content = coach.get(f"/plans/{plan['id']}/versions/{head}").json()["content"]
    w, s, i = next((w, s, i) for w, week in enumerate(content["weeks"])
                   for s, session in enumerate(week["sessions"])
                   for i, item in enumerate(session["items"]) if item["sets"])
    sets = content["weeks"][w]["sessions"][s]["items"][i]["sets"]
    edited = coach.patch(f"/plans/{plan['id']}/versions/{head}", json={
        "operations": [{"op": "replace", "path": f"/weeks/{w}/sessions/{s}/items/{i}/sets",
                        "value": sets % 20 + 1}],
        "reason_codes": ["fatigue"], "rationale": "A lighter start"})
    assert edited.status_code == 200, edited.text
    return plan["id"]


def _apply(page: Page, **boxes: str) -> None:
    for label, value in boxes.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Apply").click()


def test_clear_empties_every_box_and_the_next_apply_filters_what_they_show(page: Page,
                                                                         app_url: str):
    sign_in(page, app_url, "compliance@demo.test")
    _apply(page, Action="plan.edit")
    expect(page.get_by_role("row").filter(has_text="plan.edit").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="auth.login")).to_have_count(0)
    page.get_by_role("button", name="Clear").click()
    for label in BOXES:
        expect(page.get_by_label(label, exact=True)).to_have_value("")
    expect(page.get_by_role("row").filter(has_text="auth.login").first).to_be_visible()
    page.reload()
    for label in BOXES:
        expect(page.get_by_label(label, exact=True)).to_have_value("")
    _apply(page, **{"Actor (email or id)": "compliance@demo.test"})  # only what the boxes say
    expect(page.get_by_role("row").filter(has_text="auth.login").first).to_be_visible()
    expect(page.get_by_text("No audit events match")).to_have_count(0)


def test_details_read_as_words_and_an_event_expands_into_its_full_change(page: Page,
                                                                        app_url: str):
    plan_id = _edited_plan(app_url, "Athlete 10")
    sign_in(page, app_url, "admin@demo.test")
    page.goto(f"{app_url}/audit")
    _apply(page, Action="plan.edit", **{"Target id": plan_id})
    rows = page.get_by_role("row").filter(has_text="plan.edit")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert not INTERNAL.search(text), text
    expect(rows.first).to_contain_text(re.compile(r"Reasons: [A-Z]"))
    expect(page.get_by_role("columnheader", name="Time (UTC)")).to_be_visible()
    rows.first.get_by_role("button", name=re.compile(r"^Show event #\d+")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=re.compile(r"^Event #\d+ · Plan edited"))
           ).to_be_visible()
    expect(dialog.get_by_text(re.compile(
        r"^(Sets|Reps|Exercise|Session moved): .+ → .+ \(.+\)$")).first).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^When: \d{2} \w{3} \d{4}, \d{2}:\d{2} UTC$"))
           ).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^Who: [A-Z][\w ]+ \([\w.]+@demo\.test\), coach$"))
           ).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^From: "))).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^Rationale: “.+”$"))).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^Status: Draft → Draft$|^Status: Generated → Draft$"))
           ).to_be_visible()
    assert not INTERNAL.search(dialog.inner_text()), dialog.inner_text()
    expect(dialog.get_by_role("link", name="Open Plan History")).to_be_visible()  # admin may
    screenshot(page, "audit-event.png")
    target = dialog.get_by_text(re.compile(r"^Target: ")).inner_text().removeprefix("Target: ")
    dialog.get_by_role("button", name="Show this target's events").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_label("Target id", exact=True)).to_have_value(
        re.compile(r"^[0-9a-f-]{36}$"))
    shown = page.get_by_role("row").filter(
        has=page.get_by_role("button", name=re.compile("^Show event")))
    expect(shown.filter(has_not_text=target)).to_have_count(0)  # only that plan's events
    expect(shown.first).to_contain_text(target)


def test_compliance_reads_the_change_on_the_audit_page_and_is_sent_nowhere_refused(
        phone: Page, app_url: str):
    plan_id = _edited_plan(app_url, "Athlete 11")
    sign_in(phone, app_url, "compliance@demo.test")
    _apply(phone, Action="plan.edit", **{"Target id": plan_id})
    show = phone.get_by_role("button", name=re.compile(r"^Show event #\d+"))
    expect(show.first).to_be_visible()  # on the card, not off to the right of a table
    expect(phone.locator("a[href*='/history'], a[href*='/plans/']")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "audit-phone.png")
    show.first.click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=re.compile(r"^Event #\d+ · Plan edited$"))
           ).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^(Sets|Reps|Exercise|Session moved): .+ → "))
           .first).to_be_visible()
    expect(dialog.get_by_text(re.compile(r"^Reasons: [A-Z]"))).to_be_visible()
    expect(dialog.get_by_role("link")).to_have_count(0)
    box = dialog.bounding_box()
    assert box is not None and box["width"] <= 390, box
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
