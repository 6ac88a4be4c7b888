"""A coach opens a plan from the queue; another coach typing its URL sees "not found"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_coach_opens_a_plan_and_another_coach_cannot(page: Page, app_url: str,
                                                    browser: Browser):
    sign_in(page, app_url, "coach1@demo.test")
    first = page.get_by_role("row").nth(1).get_by_role("link")
    athlete = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/plans/[0-9a-f-]{36}/?$"))
    expect(page.get_by_role("heading", name=f"{athlete} · plan")).to_be_visible()
    expect(page.get_by_role("heading", name="Week 1", exact=True)).to_be_visible()
    plan_url = page.url
    screenshot(page, "plan-view.png")

    other = browser.new_context(viewport=DESKTOP)
    intruder = other.new_page()
    sign_in(intruder, app_url, "coach2@demo.test")
    intruder.goto(plan_url)
    expect(intruder.get_by_role("heading", name="Plan not found")).to_be_visible()
    expect(intruder.get_by_role("heading", name="Week 1", exact=True)).to_have_count(0)
    other.close()
