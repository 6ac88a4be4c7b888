"""`/flags` in the browser: a data scientist creates a flag, edits its rules (refused values
explained beside their box) and reads its history; an admin turns diff_viewer_v2 on for
athlete15 only, after a confirmation, and only athlete15's review turns side by side; a coach
and an athlete are refused the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, screenshot, sign_in
from tests.browser.test_athlete_review import _api
from tests.browser.test_flag_side_by_side import _review, _todays_view

pytestmark = pytest.mark.browser

DS, ADMIN = "ds@demo.test", "admin@demo.test"
ATHLETE, OTHER_ATHLETE = "athlete15@demo.test", "athlete3@demo.test"
WIDE = {"width": 1440, "height": 1000}
NEW_FLAG = "calendar_v2"


def _history(page: Page):
    return page.get_by_role("list", name=re.compile(r"^Changes of "))


def _ds_creates_and_edits_a_flag(page: Page, app_url: str) -> None:
    sign_in(page, app_url, DS)
    page.goto(f"{app_url}/flags")
    expect(page.get_by_role("heading", name="Feature flags")).to_be_visible()
    expect(page.get_by_role("button", name="Edit diff_viewer_v2")).to_be_visible()

    page.get_by_role("button", name="New flag").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Key").fill("Calendar V2")
    dialog.get_by_role("button", name="Create flag").click()
    expect(dialog.get_by_role("alert")).to_contain_text("use 2–80 lower-case letters")
    dialog.get_by_label("Key").fill(NEW_FLAG)
    dialog.get_by_label("Description").fill("The coach's new calendar")
    dialog.get_by_role("button", name="Create flag").click()
    expect(page.get_by_role("heading", name=f"Rules of {NEW_FLAG}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Edit {NEW_FLAG}")).to_be_visible()

    page.get_by_label("Rollout %", exact=True).fill("150")
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("#flag-why-percentage")).to_have_text("must be a number from 0 to 100")
    page.get_by_label("Rollout %", exact=True).fill("25")
    page.get_by_role("checkbox", name="coach", exact=True).click()
    page.get_by_label("Allow-list", exact=True).fill("nobody@demo.test")
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator("#flag-why-allow")).to_have_text("no user 'nobody@demo.test'")
    page.get_by_label("Allow-list", exact=True).fill("athlete1@demo.test")
    page.get_by_role("button", name="Save rules").click()  # switched off: no one to ask about
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    latest = _history(page).get_by_role("listitem").first
    expect(latest).to_contain_text("Changed", timeout=20_000)  # the save, then the history
    expect(latest).to_contain_text("Dana Scientist (data scientist)")
    expect(latest).to_contain_text("Rollout: 100% → 25%")
    expect(latest).to_contain_text("Roles: every role → coach")
    expect(latest).to_contain_text("Allow-list: 0 users → 1 user")
    expect(latest).not_to_contain_text("@")  # a data scientist reads no email back
    row = page.get_by_role("row").filter(has=page.get_by_text(NEW_FLAG, exact=True))
    expect(row).to_contain_text("25%")
    expect(row).to_contain_text("1 user")
    expect(row).to_contain_text("Off")


def _admin_targets_one_athlete(page: Page, app_url: str) -> None:
    sign_in(page, app_url, ADMIN)
    page.goto(f"{app_url}/flags")
    page.get_by_role("button", name="Edit diff_viewer_v2").click()
    expect(page.get_by_role("heading", name="Rules of diff_viewer_v2")).to_be_visible()
    page.get_by_role("switch", name="Flag on").click()
    page.get_by_label("Rollout %", exact=True).fill("0")
    page.get_by_label("Allow-list", exact=True).fill(ATHLETE)
    page.get_by_role("button", name="Save rules").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Change who sees diff_viewer_v2?")
    expect(confirm).to_contain_text("after this change it is on for 1 user")
    confirm.get_by_role("button", name="Save and apply").click()
    expect(confirm).to_have_count(0)
    latest = _history(page).get_by_role("listitem").first
    expect(latest).to_contain_text("Switch: off → on")
    expect(latest).to_contain_text(f"Allow-list: 0 users → 1 user (+ {ATHLETE})")
    expect(page.get_by_text(re.compile(r"^On for 1 user of \d+ now\.$"))).to_be_visible()
    screenshot(page, "flags.png")
    page.set_viewport_size({"width": 1024, "height": 900})  # still usable at 1024 px
    expect(page.get_by_role("button", name="New flag")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024


def _refused(browser: Browser, app_url: str, email: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, app_url, email)
    page.goto(f"{app_url}/flags")
    expect(page.get_by_text("You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("button", name="New flag")).to_have_count(0)
    context.close()


def test_flags_page_create_edit_target_and_refuse(page: Page, app_url: str, browser: Browser):
    admin = _api(app_url, ADMIN)
    try:
        _ds_creates_and_edits_a_flag(page, app_url)

        wide = browser.new_context(viewport=WIDE)
        wide.set_default_timeout(20_000)
        _admin_targets_one_athlete(wide.new_page(), app_url)
        wide.close()

        for email, side_by_side in ((ATHLETE, True), (OTHER_ATHLETE, False)):
            context = browser.new_context(viewport=DESKTOP)
            view = context.new_page()
            sign_in(view, app_url, email)
            view.goto(_review(app_url, email))
            if side_by_side:
                expect(view.locator("#side-by-side")).to_be_visible()
            else:
                _todays_view(view)
            context.close()

        for email in ("coach1@demo.test", "athlete1@demo.test"):
            _refused(browser, app_url, email)
    finally:  # the server is shared with the other browser tests
        admin.patch("/flags/diff_viewer_v2", json={"enabled": False, "rules": {}})
