"""Flow C: the admin opens Plan History from the audit log or the athlete's profile,
reads a version's changes and audit entries, and exports the change log as CSV (the same
rows as the API)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def test_admin_reads_plan_history_and_exports_csv(page: Page, app_url: str):
    sign_in(page, app_url, "admin@demo.test")
    page.goto(f"{app_url}/audit")
    page.get_by_label("Action").fill("plan.edit")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("row").filter(has_text="plan.edit").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/athletes/[0-9a-f-]{36}/history/?$"))
    expect(page.get_by_role("heading", name=re.compile("^Plan History · "))).to_be_visible()
    edit = page.get_by_text("edit", exact=True).first
    expect(edit).to_be_visible()
    version_box = page.locator("div").filter(has=edit).filter(
        has=page.get_by_role("button", name=re.compile("^Show changes"))).last
    version_box.get_by_role("button", name=re.compile("^Show changes")).click()
    expect(page.get_by_role("heading", name="Audit entries")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Plan edited by [A-Z][\w ]+ \(coach\)$")).first
           ).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Reasons: [A-Z]\w+")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Status: [A-Z][a-z ]+ → [A-Z][a-z ]+$")).first
           ).to_be_visible()
    screenshot(page, "plan-history.png")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    path = download_info.value.path()
    rows = path.read_text(encoding="utf-8").strip().splitlines()
    plan_id = re.search(r"plan-([0-9a-f-]{36})-changes", download_info.value.suggested_filename)
    assert plan_id, download_info.value.suggested_filename
    api_rows = _api(app_url, "admin@demo.test").get(
        f"/plans/{plan_id.group(1)}/changelog", params={"format": "csv"}).text.strip().splitlines()
    assert rows == api_rows and len(rows) > 1


def test_plan_history_is_reached_from_the_athletes_profile(page: Page, app_url: str):
    sign_in(page, app_url, "admin@demo.test")
    page.goto(f"{app_url}/admin/users")
    page.get_by_role("link", name="Athlete 5", exact=True).click()
    expect(page).to_have_url(re.compile(r"/athletes/[0-9a-f-]{36}/?$"))
    expect(page.get_by_role("heading", name="Athlete 5", exact=True)).to_be_visible()
    expect(page.get_by_text("Casey Coach", exact=True)).to_be_visible()  # the coach
    expect(page.get_by_text(re.compile(r"^\w+ · \w+ · \d days a week$"))).to_be_visible()
    expect(page.get_by_text("Experiments: no")).to_be_visible()
    plans = page.get_by_role("link", name=re.compile(r"^Open the plan from "))
    expect(plans.first).to_be_visible()
    screenshot(page, "athlete-profile.png")
    page.get_by_role("link", name="Plan History").click()
    expect(page).to_have_url(re.compile(r"/athletes/[0-9a-f-]{36}/history/?$"))
    expect(page.get_by_role("heading", name="Plan History · Athlete 5")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Show changes of ")).first
           ).to_be_visible()
    page.get_by_role("link", name="Athlete 5", exact=True).click()  # and back
    expect(page.get_by_role("heading", name="Athlete 5", exact=True)).to_be_visible()


def test_a_coach_cannot_open_another_coachs_athlete(page: Page, app_url: str):
    admin = _api(app_url, "admin@demo.test")
    athlete = admin.get("/users", params={"search": "athlete13@"}).json()["items"][0]
    sign_in(page, app_url, "coach1@demo.test")
    for path in (f"/athletes/{athlete['id']}", f"/athletes/{athlete['id']}/history"):
        page.goto(app_url + path)
        expect(page.get_by_role("heading", name="Athlete not found")).to_be_visible()
        expect(page.get_by_text("Athlete 13")).to_have_count(0)


WORDS_ONLY = re.compile(r'["{}_]|\bsessions/|\bnone → none\b')
UTC_TIME = re.compile(r"\d{2} \w{3} \d{4}, \d{2}:\d{2} UTC")


def _athlete_id(app_url: str, email: str) -> str:
    found = _api(app_url, "admin@demo.test").get("/users", params={"search": email}).json()
    return found["items"][0]["id"]


def test_plan_history_speaks_in_words_with_times_in_utc(page: Page, app_url: str):
    """Athlete 3's coach swapped an exercise: History names both exercises, never their ids."""
    sign_in(page, app_url, "admin@demo.test")
    page.goto(f"{app_url}/athletes/{_athlete_id(app_url, 'athlete3@')}/history")
    expect(page.get_by_role("heading", name="Plan History · Athlete 3")).to_be_visible()
    expect(page.get_by_text(UTC_TIME).first).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Show changes of .* · v2$")).click()
    table = page.get_by_role("table")
    expect(table.get_by_text(re.compile(r"^Exercise: [A-Z][\w -]+ → [A-Z][\w -]+ \(.+, "
                                        r"\w{3} \d{2} \w{3}\)$"))).to_be_visible()
    assert not WORDS_ONLY.search(table.inner_text()), table.inner_text()
    expect(page.get_by_text(re.compile(r"^#\d+ · " + UTC_TIME.pattern + r" · Plan edited"))
           ).to_be_visible()
    page.get_by_label("Compare with").click()
    page.get_by_role("option", name=re.compile(r"^v1 ")).click()
    expect(table.get_by_text(re.compile(r"^Exercise: "))).to_be_visible()
    assert not WORDS_ONLY.search(table.inner_text()), table.inner_text()


def test_plan_history_on_a_phone(phone: Page, app_url: str):
    sign_in(phone, app_url, "admin@demo.test")
    phone.goto(f"{app_url}/athletes/{_athlete_id(app_url, 'athlete6@')}/history")
    expect(phone.get_by_role("heading", name="Plan History · Athlete 6")).to_be_visible()
    phone.get_by_role("button", name=re.compile(r"^Show changes of .* · v2$")).click()
    expect(phone.get_by_text(re.compile(r"^Exercise: .+ → .+")).first).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "plan-history-phone.png")


def test_the_athletes_review_lists_the_changes_in_the_same_words(page: Page, app_url: str):
    """Athlete 3's plan waits for them: the review lists the swap as History words it."""
    plan = _api(app_url, "athlete3@demo.test").get("/plans").json()["items"][0]
    sign_in(page, app_url, "athlete3@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}/review")
    page.get_by_text("What changed, one by one").click()
    expect(page.get_by_text(re.compile(r"^Exercise: [A-Z][\w -]+ → [A-Z][\w -]+ \(.+\)$"))
           ).to_be_visible()
