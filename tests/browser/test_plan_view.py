"""A coach opens a plan from the queue; another coach typing its URL sees "not found"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ALGORITHM, DESKTOP, screenshot, sign_in
from tests.browser.test_athlete_review import _api

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


def test_only_the_coach_gets_edit_controls(page: Page, app_url: str, browser: Browser):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "needs_revision"}).json()[
        "items"] if p["athlete_name"] == "Athlete 4")
    edit_buttons = re.compile(r"^Edit ")

    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_role("button", name=edit_buttons).first).to_be_visible()
    page.goto(f"{app_url}/plans/{plan['id']}/review")  # the review page never edits
    expect(page.get_by_role("heading", name="Week 1", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=edit_buttons)).to_have_count(0)

    athlete_context = browser.new_context(viewport=DESKTOP)
    athlete = athlete_context.new_page()
    sign_in(athlete, app_url, "athlete4@demo.test")
    athlete.goto(f"{app_url}/plans/{plan['id']}")  # the editor's URL, typed
    expect(athlete.get_by_role("heading", name="Week 1", exact=True)).to_be_visible()
    expect(athlete.get_by_role("button", name=edit_buttons)).to_have_count(0)
    expect(athlete.get_by_role("button", name="Save draft")).to_have_count(0)
    athlete_context.close()

    support_plan = _api(app_url, "support@demo.test").get("/plans").json()["items"][0]
    support_context = browser.new_context(viewport=DESKTOP)
    support = support_context.new_page()
    sign_in(support, app_url, "support@demo.test")
    support.goto(f"{app_url}/plans/{support_plan['id']}")
    expect(support.get_by_role("heading", name="Week 1", exact=True)).to_be_visible()
    for name in ("Save draft", "Submit for Approval", "Post comment", "Accept plan"):
        expect(support.get_by_role("button", name=name)).to_have_count(0)
    expect(support.get_by_role("button", name=edit_buttons)).to_have_count(0)
    support_context.close()


def test_a_long_plan_is_shown_a_page_of_weeks_at_a_time(page: Page, app_url: str):
    coach = _api(app_url, "coach2@demo.test")
    athlete = next(p for p in coach.get("/plans", params={"search": "Athlete 14"}).json()[
        "items"] if p["athlete_name"] == "Athlete 14")["athlete_id"]
    starts = date.today() + timedelta(days=365)  # in the future, so the editor opens on week 1
    starts -= timedelta(days=starts.weekday())
    plan = coach.post("/plans", json={"athlete_id": athlete, "start_date": starts.isoformat(),
                                      "weeks": 20, "algorithm": ALGORITHM})
    assert plan.status_code == 201, plan.text
    sign_in(page, app_url, "coach2@demo.test")
    page.goto(f"{app_url}/plans/{plan.json()['id']}")
    expect(page.get_by_text("Weeks 1–16 of 20").first).to_be_visible()
    expect(page.get_by_role("heading", name="Week 16", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Week 17", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Earlier weeks").first).to_be_disabled()
    page.get_by_role("button", name="Later weeks").first.click()
    expect(page.get_by_text("Weeks 17–20 of 20").first).to_be_visible()
    expect(page.get_by_role("heading", name="Week 17", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Week 1", exact=True)).to_have_count(0)


def test_the_algorithm_is_credited_with_the_version_it_wrote(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    athlete_id = next(p["athlete_id"] for p in coach.get("/plans").json()["items"]
                      if p["athlete_name"] == "Athlete 7")
    made = coach.post("/plans", json={"athlete_id": athlete_id, "start_date": "2031-01-06",
                                      "weeks": 4, "algorithm": "dup-1.0"})
    assert made.status_code == 201, made.text
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{made.json()['id']}")
    expect(page.get_by_text("Version 1 by Generator dup-1.0 (requested by Casey Coach)")
           ).to_be_visible()
    expect(page.get_by_text("Generator dup-1.0 (requested by Casey Coach)")).to_have_count(2)
    page.goto(f"{app_url}/athletes/{athlete_id}/history")  # Plan History
    expect(page.get_by_text("Generator dup-1.0 (requested by Casey Coach)").first
           ).to_be_visible()
