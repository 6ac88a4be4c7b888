"""The athlete's context beside the editor: goals, injuries and limitations, the last weeks.

Coach1 notes a limitation on Athlete 8's profile and reads it beside the editor of Athlete
8's plan; Athlete 22 notes their own goals on a phone (a too-long note is refused beside its
field first); support reads the notes and the last four weeks, with no way to edit them.
Athletes 8 and 22 are written to by no other browser test.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from plangov_app.demo import demo_id
from plangov_app.demo.accounts import LIMITATIONS
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser
EDIT = "Edit goals and limitations"


def _plan_of(app_url: str, email: str, athlete: str) -> dict:
    api = _api(app_url, email)
    [plan, *_] = api.get("/plans", params={"athlete_id": demo_id(f"{athlete}@demo.test"),
                                           "sort": "recent"}).json()["items"]
    return plan


def _athlete_panel(page: Page):
    return page.locator("div.rt-Card").filter(
        has=page.get_by_role("heading", name="Athlete", exact=True))


def test_coach_notes_a_limitation_and_sees_it_beside_the_editor(page: Page, app_url: str):
    plan = _plan_of(app_url, "coach1@demo.test", "athlete8")
    note = "Right Achilles: no hill sprints or box jumps for four weeks"
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    panel = _athlete_panel(page)
    expect(panel.get_by_text("Injuries and limitations", exact=True)).to_be_visible()
    expect(panel.get_by_text("None noted")).to_be_visible()
    expect(panel.get_by_text("Last 4 weeks · sessions done", exact=True)).to_be_visible()
    expect(panel.get_by_text(re.compile(r"^Overall adherence: "))).to_be_visible()
    expect(panel.get_by_text(re.compile(r"^Algorithm "))).to_be_visible()  # for coaches

    panel.get_by_role("link", name=EDIT).click()  # to the profile, where notes are kept
    expect(page.get_by_role("heading", name="Athlete 8", exact=True)).to_be_visible()
    page.get_by_role("button", name=EDIT).click()
    page.get_by_label("Injuries and limitations").fill(note)
    expect(page.get_by_text(f"{len(note)}/500 characters")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_role("textbox", name="Injuries and limitations")).to_have_count(0)  # closed

    page.goto(f"{app_url}/plans/{plan['id']}")
    panel = _athlete_panel(page)
    callout = panel.get_by_label("Injuries and limitations")
    expect(callout).to_have_text(note)
    expect(panel.get_by_text("None noted")).to_have_count(0)
    panel.scroll_into_view_if_needed()
    screenshot(page, "editor-athlete-context.png")
    stored = _api(app_url, "coach1@demo.test").get(
        f"/athletes/{demo_id('athlete8@demo.test')}").json()
    assert stored["limitations"] == note


def test_the_athlete_notes_their_own_goals_on_a_phone(phone: Page, app_url: str):
    athlete_id = demo_id("athlete22@demo.test")
    api = _api(app_url, "athlete22@demo.test")
    before = api.get(f"/athletes/{athlete_id}").json()
    sign_in(phone, app_url, "athlete22@demo.test")
    phone.goto(f"{app_url}/athletes/{athlete_id}")
    expect(phone.get_by_role("heading", name="Athlete 22", exact=True)).to_be_visible()
    phone.get_by_role("button", name=EDIT).click()
    goals = phone.get_by_label("Goals", exact=True)
    expect(goals).to_have_value(before["goals"])
    goals.fill("Half marathon under 1:45 in October")
    phone.get_by_label("Injuries and limitations", exact=True).fill("x" * 501)
    expect(phone.get_by_text("501/500 characters")).to_be_visible()
    phone.get_by_role("button", name="Save").click()
    why = phone.get_by_role("alert").filter(has_text="at most 500 characters")
    expect(why).to_have_text("Injuries and limitations: at most 500 characters (501 given).")
    expect(phone.get_by_label("Injuries and limitations", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    assert api.get(f"/athletes/{athlete_id}").json()["goals"] == before["goals"]  # not saved
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    why.scroll_into_view_if_needed()
    screenshot(phone, "athlete-notes-phone.png")

    phone.get_by_label("Injuries and limitations", exact=True).fill(
        "Plantar fasciitis: no barefoot runs")
    expect(why).to_have_count(0)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Notes saved.")).to_be_visible()
    expect(phone.get_by_text("Half marathon under 1:45 in October")).to_be_visible()
    expect(phone.get_by_text("Plantar fasciitis: no barefoot runs")).to_be_visible()
    after = api.get(f"/athletes/{athlete_id}").json()
    assert (after["goals"], after["limitations"]) == ("Half marathon under 1:45 in October",
                                                      "Plantar fasciitis: no barefoot runs")

    phone.get_by_role("button", name=EDIT).click()  # Cancel leaves them as they were
    phone.get_by_label("Goals", exact=True).fill("Something else")
    phone.get_by_role("button", name="Cancel").click()
    expect(phone.get_by_text("Half marathon under 1:45 in October")).to_be_visible()
    assert api.get(f"/athletes/{athlete_id}").json()["goals"] == after["goals"]


def test_support_reads_the_notes_and_the_last_weeks_but_cannot_edit(page: Page, app_url: str):
    sign_in(page, app_url, "support@demo.test")
    page.goto(f"{app_url}/athletes/{demo_id('athlete1@demo.test')}")
    expect(page.get_by_role("heading", name="Goals and limitations")).to_be_visible()
    expect(page.get_by_text(LIMITATIONS[1])).to_be_visible()
    expect(page.get_by_role("button", name=EDIT)).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)

    running = _plan_of(app_url, "support@demo.test", "athlete6")  # started three weeks ago
    page.goto(f"{app_url}/plans/{running['id']}")
    panel = _athlete_panel(page)
    expect(panel.get_by_label("Injuries and limitations")).to_have_text(LIMITATIONS[6])
    weeks = panel.get_by_role("list", name="Sessions done in the last 4 weeks")
    rows = weeks.get_by_role("listitem")
    expect(rows).to_have_count(4)
    expect(rows.last).to_have_attribute("aria-current", "date")
    expect(rows.last).to_contain_text("This week")
    expect(rows.first).to_have_attribute("aria-current", "false")
    expect(rows.first).to_contain_text(re.compile(r"Week of \d\d \w{3}"))
    expect(rows.first).to_contain_text(re.compile(r"\d \w{3}\s*\d+/\d+\s*\d+%$"))
    expect(panel.get_by_role("link", name=EDIT)).to_have_count(0)
    panel.scroll_into_view_if_needed()
    screenshot(page, "editor-athlete-weeks.png")
    refused = _api(app_url, "support@demo.test").patch(
        f"/athletes/{demo_id('athlete6@demo.test')}/profile", json={"limitations": ""})
    assert refused.status_code == 403
