"""Users & roles: people are listed as a person counts (Athlete 2 before Athlete 10)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_users_are_sorted_naturally(page: Page, app_url: str):
    sign_in(page, app_url, "admin@demo.test")
    page.get_by_label("Filter by role").click()
    page.get_by_role("option", name="athlete", exact=True).click()
    names = page.locator("table tbody tr td:first-child")
    expect(names.first).to_have_text("Athlete 1")
    expect(names.nth(11)).to_have_text("Athlete 12")
    shown = names.all_inner_texts()[:12]
    assert shown == [f"Athlete {n}" for n in range(1, 13)]
