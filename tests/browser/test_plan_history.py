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
    expect(page.get_by_text(re.compile(r"plan\.edit by coach$")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Reason codes: \w+")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Status: \w+ → \w+")).first).to_be_visible()
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
