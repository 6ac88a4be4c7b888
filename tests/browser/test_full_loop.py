"""The whole Milestone 1 loop in one browser session per person (spec §1.2 flows A, B, C).

coach1 edits two sessions in the modal, saves a draft with reason codes and submits;
athlete1 on a phone sees the diff and requests changes with a comment anchored to a
session; coach1 answers the thread, revises and resubmits; athlete1 sees what changed since
the last review and accepts; the admin reads every version in Plan History, compares two
and exports the CSV; compliance verifies the audit chain.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _person(browser: Browser, app_url: str, email: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE,
                                  has_touch=viewport == PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, app_url, email)
    return page


def _edit_in_dialog(coach: Page, nth: int, change: str) -> None:
    """Open the nth session's dialog and make one edit there."""
    coach.get_by_role("button", name=re.compile(r"^Edit ")).nth(nth).click()
    dialog = coach.get_by_role("dialog")
    if change == "sets":
        field = dialog.get_by_label(re.compile(r"^(Sets|Minutes) for ")).first
        field.fill(str(int(float(field.input_value() or "1")) + 1))
        field.press("Tab")
    else:
        dialog.get_by_label("Session notes").fill(change)
        dialog.get_by_label("Session notes").press("Tab")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)


def _save_and_submit(coach: Page, reasons: list[str], note: str) -> None:
    coach.get_by_role("button", name="Save draft").click()
    save = coach.get_by_role("dialog")
    for reason in reasons:
        save.get_by_role("checkbox", name=reason).click()
    save.get_by_label("Rationale").fill(f"{note} #loop")
    save.get_by_role("button", name="Save").click()
    expect(coach.get_by_text(re.compile(r"^Saved as version \d+\.$"))).to_be_visible()
    coach.get_by_label("Note to the athlete").fill(note)
    coach.get_by_role("button", name="Submit for Approval").click()
    expect(coach.get_by_text("Submitted — the athlete has been notified.")).to_be_visible()


def test_the_whole_loop(browser: Browser, app_url: str):
    api = _api(app_url, "coach1@demo.test")
    plan = next(p for p in api.get("/plans", params={"status": "generated"}).json()["items"]
                if p["athlete_name"] == "Athlete 1")
    editor_url = f"{app_url}/plans/{plan['id']}"

    # Flow A: two sessions edited in the modal, a draft with reasons, submitted.
    coach = _person(browser, app_url, "coach1@demo.test", DESKTOP)
    coach.goto(editor_url)
    _edit_in_dialog(coach, 0, "sets")
    _edit_in_dialog(coach, 1, "Easy pace, nasal breathing")
    expect(coach.get_by_role("button", name=re.compile(r"^Undo "))).to_have_count(2)
    _save_and_submit(coach, ["fatigue", "athlete preference"], "Lighter start")

    # Flow B: the athlete on a phone reads the diff and asks for a change on a session.
    athlete = _person(browser, app_url, "athlete1@demo.test", PHONE)
    athlete.get_by_role("button", name=re.compile(r"^\d+ unread notifications$")).click()
    athlete.get_by_role("menuitem", name=re.compile("Your coach sent you a plan")).first.click()
    expect(athlete).to_have_url(re.compile(r"/plans/.+/review/?$"))
    expect(athlete.get_by_text("Since the generated plan:")).to_be_visible()
    expect(athlete.get_by_text("Changed", exact=True)).to_have_count(2)
    athlete.get_by_label("Comment on session").click()
    athlete.get_by_role("option").nth(1).click()
    athlete.get_by_label("Comment", exact=True).fill("Could this one be on Saturday?")
    athlete.get_by_role("button", name="Post comment").click()
    expect(athlete.get_by_text("Could this one be on Saturday?")).to_be_visible()
    athlete.get_by_label("What should change").fill("See my comment, please")
    athlete.get_by_role("button", name="Request changes").click()
    expect(athlete.get_by_text("Needs revision", exact=True)).to_be_visible()

    # The coach sees the thread, answers it, moves the session and resubmits.
    coach.reload()
    expect(coach.get_by_text("Could this one be on Saturday?")).to_be_visible()
    expect(coach.get_by_text("1 open", exact=True)).to_be_visible()  # on the session's card
    coach.get_by_role("button", name="Reply to Athlete 1").first.click()
    coach.get_by_label("Comment", exact=True).fill("Moved to Saturday")
    coach.get_by_role("button", name="Post comment").click()
    expect(coach.get_by_text("Moved to Saturday", exact=True)).to_be_visible()
    resolve = coach.get_by_role("button", name="Resolve")
    coach.locator("div").filter(has_text="Could this one be on Saturday?").filter(
        has=resolve).last.get_by_role("button", name="Resolve").click()
    expect(coach.get_by_text("Resolved", exact=True).first).to_be_visible()
    expect(coach.get_by_text("1 open", exact=True)).to_have_count(0)
    coach.get_by_role("button", name=re.compile(r"^Edit ")).nth(1).click()
    coach.get_by_role("dialog").get_by_label("Move to day").click()
    coach.get_by_role("option", name=re.compile(r"^Sat ")).click()
    coach.get_by_role("dialog").get_by_role("button", name="Done").click()
    expect(coach.get_by_text("1 session moved")).to_be_visible()
    _save_and_submit(coach, ["athlete preference"], "Saturday as asked")

    # The athlete sees what changed since the last review, and accepts.
    athlete.reload()
    expect(athlete.get_by_text(re.compile(r"Since you last reviewed \(version \d+\)"))
           ).to_be_visible()
    expect(athlete.get_by_text("Outdated", exact=True).first).to_be_visible()  # it moved
    athlete.get_by_role("button", name="Show original").first.click()
    expect(athlete.get_by_text(re.compile(r"^Originally about: "))).to_be_visible()
    athlete.get_by_role("radio", name="Last reviewed").click()
    expect(athlete.get_by_text("Moved", exact=True)).to_have_count(1)
    expect(athlete.get_by_text(re.compile(r"^Moved from "))).to_have_count(1)
    athlete.get_by_role("button", name="Accept plan").click()
    expect(athlete.get_by_text("Approved", exact=True)).to_be_visible()
    assert api.get(f"/plans/{plan['id']}").json()["status"] == "approved"

    # Flow C: the admin reads every version with its author, compares two, exports CSV.
    admin = _person(browser, app_url, "admin@demo.test", DESKTOP)
    admin.goto(editor_url)
    admin.get_by_role("link", name="Plan History").click()
    expect(admin.get_by_role("heading", name="Plan History · Athlete 1")).to_be_visible()
    versions = api.get(f"/plans/{plan['id']}/versions").json()
    assert len(versions) >= 7  # generated, edit, submit, decision, edit, submit, decision
    for version in versions:
        label = re.compile(rf"· v{version['version_number']}$")
        box = admin.locator("div").filter(has=admin.get_by_text(label)).filter(
            has=admin.get_by_role("button", name=re.compile("^Show changes"))).last
        expect(box.get_by_text(version["author_name"] or "system").first).to_be_visible()
    last_edit = max((v for v in versions if v["kind"] == "edit"),
                    key=lambda v: v["version_number"])
    admin.get_by_role("button", name=re.compile(
        rf"^Show changes of .* · v{last_edit['version_number']}$")).click()
    expect(admin.get_by_role("cell", name="Moved", exact=True)).to_be_visible()  # vs its parent
    expect(admin.get_by_role("cell", name=re.compile(r"^Session moved: \w{3} \d{2} \w{3} → Sat "))
           ).to_be_visible()
    admin.get_by_label("Compare with").click()
    admin.get_by_role("option", name="v1 · generated").click()
    expect(admin.get_by_role("cell", name="Changed", exact=True).first).to_be_visible()
    expect(admin.get_by_role("cell", name="Moved", exact=True)).to_be_visible()
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Export CSV").click()
    exported = download.value.path().read_text(encoding="utf-8").strip().splitlines()
    served = api.get(f"/plans/{plan['id']}/changelog", params={"format": "csv"}).text
    assert exported == served.strip().splitlines() and len(exported) >= 4

    # Compliance proves no record was altered.
    compliance = _person(browser, app_url, "compliance@demo.test", DESKTOP)
    compliance.goto(f"{app_url}/audit")
    compliance.get_by_role("button", name="Verify chain").click()
    expect(compliance.get_by_role("status").filter(has_text="Audit chain intact")
           ).to_be_visible()
    for page in (coach, athlete, admin, compliance):
        page.context.close()
