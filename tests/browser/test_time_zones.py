"""Times in each reader's zone (issue 11): the browser's zone is used from the first visit,
a zone is chosen in the user menu's dialog (by mouse, by keyboard, on a phone), and the plan
and audit pages show their times in it with the zone named.

The users whose zone must never have been chosen (athlete10, athlete11) are ones no other
browser test signs in as: any sign-in through the UI stores the browser's zone. athlete23
and compliance have their zone put back at the end: other tests read "UTC" times here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ALGORITHM, DESKTOP, PHONE, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

NEW_YORK, TOKYO = "America/New_York", "Asia/Tokyo"
COMMENT = "Time zone check: how did Monday feel?"


def _local(stamp: str, zone: str) -> str:
    """An API time (UTC ISO 8601) as the plan page's short form shows it in `zone`."""
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))
    return f"{local:%d %b %H:%M} {local.tzname()}"


def _commented_plan(app_url: str, name: str) -> tuple[str, str]:
    """coach1 sends `name` a plan and comments on it; the plan id and the comment's time."""
    coach = _api(app_url, "coach1@demo.test")
    athlete = next(a for a in coach.get("/users/me").json()["subject_scope"]["athlete_ids"]
                   if coach.get(f"/athletes/{a}").json()["name"] == name)
    plan = coach.post("/plans", json={"athlete_id": athlete, "start_date": "2027-09-06",
                                      "weeks": 4, "algorithm": ALGORITHM}).json()
    head = plan["active_version_id"]
    edited = coach.patch(f"/plans/{plan['id']}/versions/{head}", json={
        "operations": [{"op": "replace", "path": "/weeks/0/sessions/0/notes",
                        "value": "Start gently"}],
        "reason_codes": ["athlete_preference"], "rationale": "Start gently"})
    assert edited.status_code == 200, edited.text
    assert coach.post(f"/plans/{plan['id']}/submit", json={"comment": "Start gently"}
                      ).status_code == 200
    comment = coach.post(f"/plans/{plan['id']}/comments", json={"message": COMMENT})
    assert comment.status_code == 201, comment.text
    return plan["id"], comment.json()["created_at"]


@pytest.fixture
def oslo(browser: Browser) -> Iterator[Page]:
    """A desktop browser whose own zone is Oslo."""
    context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Oslo")
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def new_york(browser: Browser) -> Iterator[Page]:
    """A desktop browser whose own zone is New York."""
    context = browser.new_context(viewport=DESKTOP, timezone_id=NEW_YORK)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _starting(text: str) -> re.Pattern[str]:
    """A name that starts with `text` (a slash escaped: Playwright writes the pattern /…/)."""
    return re.compile("^" + re.escape(text).replace("/", "\\/"))


def _zone_of(client: httpx.Client) -> str:
    return client.get("/users/me").json()["time_zone"]


def _put_back(client: httpx.Client, zone: str) -> None:
    """Leave the user reading times as before ("" cannot be chosen again: UTC reads the same)."""
    assert client.patch("/users/me", json={"time_zone": zone or "UTC"}).status_code == 200


def _choose(page: Page, typed: str, zone: str, *, menu: str) -> None:
    """Open the user menu's Time zone dialog, type `typed`, pick `zone`, Save."""
    page.get_by_role("button", name=re.compile(menu)).click()
    page.get_by_role("menuitem", name=re.compile(r"^Time zone")).click()
    dialog = page.get_by_role("dialog", name="Time zone")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Search time zones").fill(typed)
    choice = dialog.get_by_role("radio", name=_starting(zone))
    expect(choice).to_be_visible()
    choice.click()
    expect(choice).to_be_checked()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Times are now shown in {zone}.")).to_be_visible()
    expect(dialog).to_have_count(0)


def test_the_browsers_zone_is_used_from_the_first_visit_then_a_chosen_one(new_york: Page,
                                                                          app_url: str):
    athlete = _api(app_url, "athlete10@demo.test")
    assert _zone_of(athlete) == ""  # never chosen: the browser's zone will be used
    plan_id, created = _commented_plan(app_url, "Athlete 10")
    try:
        sign_in(new_york, app_url, "athlete10@demo.test")
        new_york.goto(f"{app_url}/plans/{plan_id}/review")
        thread = new_york.get_by_text(COMMENT).locator("xpath=..")
        expect(thread).to_contain_text(_local(created, NEW_YORK))  # e.g. "06 Sep 09:05 EDT"
        assert _zone_of(athlete) == NEW_YORK  # stored once, through the same service
        expect(new_york.locator("#coach-note")).to_contain_text(re.compile(r" E[SD]T"))
        screenshot(new_york, "time-zone-first-visit.png")

        _choose(new_york, "Tokyo", TOKYO, menu="account menu")
        expect(thread).to_contain_text(_local(created, TOKYO))  # e.g. "06 Sep 22:05 JST"
        assert _zone_of(athlete) == TOKYO
        new_york.reload()
        expect(new_york.get_by_text(COMMENT).locator("xpath=..")).to_contain_text(
            _local(created, TOKYO))  # kept: the browser's zone does not replace a choice
    finally:
        _put_back(athlete, "")


def test_a_user_signed_in_before_without_a_zone_gets_the_browsers_on_the_next_page(
        oslo: Page, app_url: str):
    athlete = _api(app_url, "athlete11@demo.test")
    assert _zone_of(athlete) == ""
    plan_id, created = _commented_plan(app_url, "Athlete 11")
    token = athlete.headers["Authorization"].removeprefix("Bearer ")
    oslo.context.add_cookies([{"name": "plangov_token", "value": token, "url": app_url}])
    try:
        oslo.goto(f"{app_url}/plans/{plan_id}/review")  # no sign-in page on the way
        expect(oslo.get_by_text(COMMENT).locator("xpath=..")).to_contain_text(
            _local(created, "Europe/Oslo"))  # e.g. "06 Sep 15:05 CEST"
        assert _zone_of(athlete) == "Europe/Oslo"
        oslo.get_by_role("button", name=re.compile("account menu")).click()
        expect(oslo.get_by_role("menuitem", name="Time zone: Europe/Oslo")).to_be_visible()
    finally:
        _put_back(athlete, "")


def test_compliance_chooses_a_zone_by_keyboard_and_the_audit_page_follows(page: Page,
                                                                          app_url: str):
    compliance = _api(app_url, "compliance@demo.test")
    sign_in(page, app_url, "compliance@demo.test")
    before = _zone_of(compliance)
    try:
        expect(page.get_by_role("columnheader", name="Time (UTC)")).to_be_visible()
        page.get_by_role("button", name=re.compile("account menu")).click()
        page.get_by_role("menuitem", name=re.compile(r"^Time zone")).press("Enter")
        search = page.get_by_role("dialog", name="Time zone").get_by_label("Search time zones")
        expect(search).to_be_focused()
        search.press_sequentially("tokyo", delay=30)
        expect(page.get_by_role("radio", name=_starting(TOKYO))).to_be_checked()
        screenshot(page, "time-zone-dialog.png")
        search.press("Enter")  # the best match is chosen as you type: Enter saves it
        expect(page.get_by_text(f"Times are now shown in {TOKYO}.")).to_be_visible()
        expect(page.get_by_text(_starting(f"Times in {TOKYO}"))).to_be_visible()
        expect(page.get_by_role("columnheader", name="Time (Asia/Tokyo)")).to_be_visible()
        page.get_by_label("Action", exact=True).fill("user.time_zone")
        page.get_by_role("button", name="Apply").click()
        rows = page.get_by_role("row").filter(has_text="user.time_zone")
        expect(rows.first).to_contain_text(re.compile(r"\d{2} \w{3} \d{4}, \d{2}:\d{2} JST"))
        expect(rows.first).to_contain_text("Time zone: ")
        screenshot(page, "time-zone-audit.png")
        rows.first.get_by_role("button", name=re.compile(r"^Show event #\d+")).click()
        expect(page.get_by_role("dialog").get_by_text(
            re.compile(r"^When: \d{2} \w{3} \d{4}, \d{2}:\d{2} JST$"))).to_be_visible()

        page.keyboard.press("Escape")  # Cancel leaves the zone as it is
        page.get_by_role("button", name=re.compile("account menu")).click()
        page.get_by_role("menuitem", name="Time zone: Asia/Tokyo").click()
        page.get_by_label("Search time zones").fill("Oslo")
        page.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        assert _zone_of(compliance) == TOKYO
    finally:
        _put_back(compliance, before)


def test_the_time_zone_dialog_is_usable_on_a_phone(phone: Page, app_url: str):
    athlete = _api(app_url, "athlete23@demo.test")
    try:
        sign_in(phone, app_url, "athlete23@demo.test")
        phone.get_by_role("button", name="Open menu").click()
        phone.get_by_role("menuitem", name=re.compile(r"^Time zone")).click()
        dialog = phone.get_by_role("dialog", name="Time zone")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        dialog.get_by_label("Search time zones").fill("Oslo")
        oslo = dialog.get_by_role("radio", name=_starting("Europe/Oslo"))
        expect(oslo).to_be_visible()
        oslo.tap()
        save = dialog.get_by_role("button", name="Save")
        save_box = save.bounding_box()
        assert save_box is not None and save_box["y"] + save_box["height"] <= PHONE["height"]
        screenshot(phone, "time-zone-phone.png")
        save.tap()
        expect(phone.get_by_text("Times are now shown in Europe/Oslo.")).to_be_visible()
        assert _zone_of(athlete) == "Europe/Oslo"
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.get_by_role("button", name="Open menu").click()
        expect(phone.get_by_role("menuitem", name="Time zone: Europe/Oslo")).to_be_visible()
    finally:
        _put_back(athlete, "")
