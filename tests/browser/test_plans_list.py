"""Pending Plans: the coach's queue in the API's order, sorted, filtered, searched, paged."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _athletes(page: Page):
    return page.locator("table tbody tr td:first-child")


def test_coach_sorts_filters_and_searches_the_queue(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")

    def listed(**params: str) -> list[str]:
        items = coach.get("/plans", params={"status": "pending", **params}).json()["items"]
        return [p["athlete_name"] for p in items]

    sign_in(page, app_url, "coach1@demo.test")
    expect(page.get_by_role("heading", name="Pending Plans")).to_be_visible()
    expect(_athletes(page)).to_have_text(listed(sort="waiting"))  # longest waiting first
    page.get_by_role("button", name=re.compile(r"^Waiting: longest first")).click()
    expect(_athletes(page)).to_have_text(listed(sort="recent"))
    expect(page.get_by_role("columnheader", name=re.compile("^Waiting"))).to_have_attribute(
        "aria-sort", "ascending")

    page.get_by_label("Filter by status").click()
    page.get_by_role("option", name="Needs revision").click()
    expect(_athletes(page)).to_have_text(listed(sort="recent", status="needs_revision"))
    expect(page.get_by_text("Needs revision", exact=True)).to_have_count(
        len(listed(status="needs_revision")) + 1)  # the rows and the filter itself
    expect(page.get_by_text("needs_revision")).to_have_count(0)

    page.get_by_label("Search athlete").fill("Athlete 12")
    expect(_athletes(page)).to_have_text(["Athlete 12"])
    page.get_by_label("Search athlete").fill("Nobody by this name")
    expect(page.get_by_text(re.compile("^No plans match"))).to_be_visible()


def test_long_lists_are_paged(page: Page, app_url: str):
    admin = _api(app_url, "admin@demo.test")
    total = len(admin.get("/plans", params={"limit": 100}).json()["items"])
    assert total > 20  # the demo has more plans than a page
    sign_in(page, app_url, "admin@demo.test")
    page.goto(f"{app_url}/plans")
    expect(_athletes(page)).to_have_count(20)
    expect(page.get_by_text(f"1–20 of {total}", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    page.get_by_role("button", name="Next").click()
    second = min(total, 40)  # other browser tests may have added plans: more than two pages
    expect(_athletes(page)).to_have_count(second - 20)
    expect(page.get_by_text(f"21–{second} of {total}", exact=True)).to_be_visible()
    if total <= 40:
        expect(page.get_by_role("button", name="Next")).to_be_disabled()
    else:
        expect(page.get_by_role("button", name="Next")).to_be_enabled()
    page.get_by_role("button", name="Previous").click()
    expect(_athletes(page)).to_have_count(20)
    expect(page.get_by_text(f"1–20 of {total}", exact=True)).to_be_visible()


def _filter(page: Page, label: str) -> None:
    page.get_by_label("Filter by status").click()
    page.get_by_role("option", name=label).click()


def test_the_heading_says_what_the_list_shows(page: Page, app_url: str):
    sign_in(page, app_url, "coach1@demo.test")
    expect(page.get_by_role("heading", name="Pending Plans")).to_be_visible()
    _filter(page, "All")
    expect(page.get_by_role("heading", name="All plans")).to_be_visible()
    _filter(page, "Published")
    expect(page.get_by_role("heading", name="Published plans")).to_be_visible()
    _filter(page, "Pending")
    expect(page.get_by_role("heading", name="Pending Plans")).to_be_visible()


def test_only_plans_that_wait_on_someone_show_a_waiting_time(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    sign_in(page, app_url, "coach1@demo.test")
    waiting = page.locator("table tbody tr td:nth-child(4)")
    for label, status in (("Completed", "completed"), ("Published", "published")):
        rows = len(coach.get("/plans", params={"status": status, "limit": 100}).json()["items"])
        _filter(page, label)
        # the filtered page's rows (not the previous page's, still on screen for a moment)
        expect(_athletes(page)).to_have_count(min(rows, 20))
        expect(waiting).to_have_text(["—"] * min(rows, 20))
    _filter(page, "Coach reviewed")
    expect(_athletes(page).first).to_be_visible()
    expect(waiting.first).to_have_text(re.compile(r"^(under an hour|\d+ h|\d+ days)$"))
