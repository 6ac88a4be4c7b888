"""The bell: opening a plan reads its notifications; "Mark all as read" reads the rest."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALGORITHM, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _sent_plan(app_url: str, athlete_name: str, start: str) -> dict:
    """A new plan of `athlete_name` (coach2's), sent to them for approval."""
    coach = _api(app_url, "coach2@demo.test")
    athlete = next(a for a in coach.get("/users/me").json()["subject_scope"]["athlete_ids"]
                   if coach.get(f"/athletes/{a}").json()["name"] == athlete_name)
    plan = coach.post("/plans", json={"athlete_id": athlete, "start_date": start,
                                      "weeks": 4, "algorithm": ALGORITHM}).json()
    assert coach.post(f"/plans/{plan['id']}/submit", json={"comment": "Yours"}
                      ).status_code == 200
    return plan


def _unread(page: Page) -> int:
    label = page.get_by_role("button", name=re.compile(r"unread notifications$|^Notifications$"))
    text = label.get_attribute("aria-label") or ""
    return int(text.split()[0]) if text[0].isdigit() else 0


def test_opening_a_plan_reads_its_notifications_and_mark_all_reads_the_rest(
        page: Page, app_url: str):
    first = _sent_plan(app_url, "Athlete 21", "2027-06-07")
    _sent_plan(app_url, "Athlete 21", "2027-07-05")
    sign_in(page, app_url, "athlete21@demo.test")
    bell = page.get_by_role("button", name=re.compile(r"^\d+ unread notifications$"))
    expect(bell).to_be_visible()
    before = _unread(page)
    assert before >= 2

    page.goto(f"{app_url}/plans/{first['id']}/review")  # typed, not from the bell
    expect(page.get_by_role("button", name=f"{before - 1} unread notifications")
           ).to_be_visible()

    page.get_by_role("button", name=f"{before - 1} unread notifications").click()
    page.get_by_role("menuitem", name="Mark all as read").click()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
