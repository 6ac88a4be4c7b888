"""Flag `diff_viewer_v2`: switched on for one athlete, their review shows the plan side by side
after a reload (stacked on a phone); everyone else keeps today's view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

ATHLETE, OTHER_ATHLETE, COACH = "athlete15@demo.test", "athlete3@demo.test", "coach2@demo.test"
FLAG = "/flags/diff_viewer_v2"


def _todays_view(view: Page) -> None:
    expect(view.get_by_role("heading", name="Week 1", exact=True)).to_be_visible()
    expect(view.get_by_text("Changed / moved")).to_be_visible()  # the calendar's legend
    expect(view.locator("#side-by-side")).to_have_count(0)


def _review(base: str, email: str) -> str:
    """The review page of the athlete's plan waiting for them (the coach swapped an exercise)."""
    plans = _api(base, email).get("/plans", params={"status": "coach_reviewed"}).json()
    return f"{base}/plans/{plans['items'][0]['id']}/review"


def _cells(view: Page) -> tuple[Locator, Locator]:
    """The first changed session's two cells: before (left) and after (right)."""
    row = view.get_by_role("listitem").filter(has=view.get_by_text("Changed", exact=True)).first
    before = row.get_by_role("group", name="Generated plan")
    after = row.get_by_role("group", name=re.compile(r"^This version \(version \d+\)$"))
    return before, after


def test_diff_viewer_v2_for_one_athlete_only(page: Page, app_url: str, browser: Browser):
    admin = _api(app_url, "admin@demo.test")
    review = _review(app_url, ATHLETE)
    sign_in(page, app_url, ATHLETE)
    page.goto(review)
    _todays_view(page)
    try:
        switched = admin.patch(FLAG, json={"enabled": True, "rules": {
            "allow": [ATHLETE], "percentage": 0}})
        assert switched.status_code == 200, switched.text
        _todays_view(page)  # nothing changes until the next page load

        page.reload()
        expect(page.locator("#side-by-side")).to_be_visible()
        expect(page.get_by_role("region", name="Week 1, side by side")).to_be_visible()
        expect(page.get_by_text("Changed / moved")).to_have_count(0)
        before, after = _cells(page)
        expect(before.get_by_text(re.compile(r"^− "))).not_to_have_count(0)  # what it was
        expect(after.get_by_text(re.compile(r"^\+ "))).not_to_have_count(0)  # what it is now
        expect(before.get_by_text(re.compile(r"^\+ "))).to_have_count(0)
        expect(after.get_by_text(re.compile(r"^− "))).to_have_count(0)
        left, right = before.bounding_box(), after.bounding_box()
        assert left and right and left["x"] + left["width"] <= right["x"]  # side by side
        assert abs(left["y"] - right["y"]) < 2
        page.locator("#side-by-side").evaluate(  # below the sticky header
            "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 80)")
        screenshot(page, "review-side-by-side.png")

        phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phone = phone_context.new_page()
        sign_in(phone, app_url, ATHLETE)
        phone.goto(review)
        before, after = _cells(phone)
        expect(before.get_by_text("Generated plan", exact=True)).to_be_visible()
        top, under = before.bounding_box(), after.bounding_box()
        assert top and under and under["y"] >= top["y"] + top["height"]  # stacked
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone_context.close()

        for email, url in ((COACH, review), (OTHER_ATHLETE, _review(app_url, OTHER_ATHLETE))):
            context = browser.new_context(viewport=DESKTOP)
            other = context.new_page()
            sign_in(other, app_url, email)
            other.goto(url)
            _todays_view(other)
            context.close()
    finally:  # the server is shared with the other browser tests
        admin.patch(FLAG, json={"enabled": False, "rules": {}})
