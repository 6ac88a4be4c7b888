"""The coach's workflow in the browser: Generate plan, recall a submitted plan, revise a
running plan, and a custom exercise from the session dialog.

Coach 2's athletes 16–19 only: no other browser test picks their plans or shows them.
Dates are relative to the real today, as the app (served as in production) sees it.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from plangov_app.demo.accounts import athlete_id as demo_athlete
from tests.browser.conftest import ALGORITHM, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser
COACH = "coach2@demo.test"


def _monday(weeks_from_now: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_from_now)


def _plan(app_url: str, athlete: int, start: date, *, submit: bool = False,
          accept: bool = False) -> dict:
    coach = _api(app_url, COACH)
    created = coach.post("/plans", json={"athlete_id": demo_athlete(athlete), "weeks": 6,
                                         "start_date": start.isoformat(), "algorithm": ALGORITHM})
    assert created.status_code == 201, created.text
    plan = created.json()
    if submit or accept:
        assert coach.post(f"/plans/{plan['id']}/submit", json={}).status_code == 200
    if accept:
        decided = _api(app_url, f"athlete{athlete}@demo.test").post(
            f"/plans/{plan['id']}/approve", json={"decision": "accept"})
        assert decided.json()["status"] == "approved", decided.text
    return plan


def _content(app_url: str, plan_id: str) -> dict:
    coach = _api(app_url, COACH)
    head = coach.get(f"/plans/{plan_id}").json()["active_version_id"]
    return coach.get(f"/plans/{plan_id}/versions/{head}").json()["content"]


def _status(app_url: str, plan_id: str) -> str:
    return _api(app_url, COACH).get(f"/plans/{plan_id}").json()["status"]


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_generate_plan_checks_each_box_then_opens_the_new_plan(
        request: pytest.FixtureRequest, app_url: str, viewport: str):
    page: Page = request.getfixturevalue(viewport)
    athlete = 16 if viewport == "page" else 17
    sign_in(page, app_url, COACH)
    page.goto(f"{app_url}/plans")
    page.get_by_role("button", name="Generate plan").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Generate plan")).to_be_visible()
    dialog.get_by_label("Athlete").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    labels = options.all_inner_texts()
    assert len(labels) == 12 and all(re.match(r"Athlete (1[3-9]|2[0-4]) ", x) for x in labels)
    page.get_by_role("option", name=re.compile(rf"^Athlete {athlete} ")).click()
    yesterday = date.today() - timedelta(days=1)
    dialog.get_by_label("Start date").fill(yesterday.isoformat())
    dialog.get_by_label("Weeks").fill("3")
    dialog.get_by_role("button", name="Generate").click()
    start_box, weeks_box = dialog.get_by_label("Start date"), dialog.get_by_label("Weeks")
    expect(start_box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#generate-why-start_date")).to_have_text(
        f"Start date is in the past: choose {date.today():%d %b %Y} or later (weeks already "
        "gone cannot be trained).")
    expect(weeks_box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#generate-why-weeks")).to_have_text(
        "Weeks must be a whole number from 4 to 52.")
    screenshot(page, "generate-plan.png" if viewport == "page" else "phone-generate-plan.png")
    start = _monday(1)
    start_box.fill(start.isoformat())
    weeks_box.fill("6")
    dialog.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/plans/[0-9a-f-]{36}$"))
    expect(page.get_by_text(re.compile(r"^Plan generated"))).to_be_visible()
    plan_id = page.url.rsplit("/", 1)[-1]
    created = _api(app_url, COACH).get(f"/plans/{plan_id}").json()
    assert (created["athlete_id"], created["status"], created["weeks"],
            created["start_date"]) == (demo_athlete(athlete), "generated", 6, start.isoformat())
    expect(page.get_by_role("button", name="Submit for Approval")).to_be_visible()


def test_athletes_and_support_have_no_generate_plan(page: Page, phone: Page, app_url: str):
    for who, view, heading in (("athlete16@demo.test", phone, "My Plans"),
                               ("support@demo.test", page, "All plans")):
        sign_in(view, app_url, who)
        view.goto(f"{app_url}/plans")
        expect(view.get_by_role("heading", name=heading)).to_be_visible()
        expect(view.get_by_role("button", name="Generate plan")).to_have_count(0)


def test_the_coach_recalls_a_submitted_plan_and_the_athlete_can_no_longer_accept_it(
        page: Page, phone: Page, app_url: str):
    plan = _plan(app_url, 17, _monday(2), submit=True)
    sign_in(phone, app_url, "athlete17@demo.test")
    phone.goto(f"{app_url}/plans/{plan['id']}/review")
    expect(phone.get_by_role("button", name="Accept plan")).to_be_visible()
    sign_in(page, app_url, COACH)
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_text("Sent to the athlete; waiting for their answer.")).to_be_visible()
    page.get_by_role("button", name="Recall from athlete").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm.get_by_text("Recall this plan?")).to_be_visible()
    screenshot(page, "editor-recall.png")
    confirm.get_by_role("button", name="Keep it with the athlete").click()
    assert _status(app_url, plan["id"]) == "coach_reviewed"
    page.get_by_role("button", name="Recall from athlete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Recall plan").click()
    expect(page.get_by_text(re.compile(r"^Recalled: the plan is a draft again"))).to_be_visible()
    expect(page.get_by_role("button", name="Submit for Approval")).to_be_visible()
    expect(page.get_by_role("button", name="Recall from athlete")).to_have_count(0)
    assert _status(app_url, plan["id"]) == "draft"
    phone.reload()
    expect(phone.get_by_text("Draft").first).to_be_visible()
    expect(phone.get_by_role("button", name="Accept plan")).to_have_count(0)


def _session_with_sets(content: dict, week: int) -> dict:
    return next(s for s in content["weeks"][week]["sessions"]
                if any(i.get("sets") for i in s["items"]))


def test_revising_a_running_plan_says_what_saving_will_do_and_keeps_done_weeks(
        page: Page, app_url: str):
    plan = _plan(app_url, 18, _monday(-2), accept=True)  # weeks 1 and 2 are done
    content = _content(app_url, plan["id"])
    done, later = _session_with_sets(content, 0), _session_with_sets(content, 3)
    sign_in(page, app_url, COACH)
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_text(re.compile(r"^This plan is running: saving makes a revision"))
           ).to_be_visible()
    expect(page.get_by_text("The 2 week(s) already done stay as they were.",
                            exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Submit for Approval")).to_have_count(0)
    dialog = page.get_by_role("dialog")
    # a week already done: the change is refused beside the field, never an edit
    page.locator(f"[id='edit-{done['session_id']}']").click()
    sets = dialog.get_by_label(re.compile(r"^Sets for ")).first
    sets.fill("1")
    sets.press("Tab")
    expect(sets).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_text(re.compile(r"^Week 1 \(.*\) is already done: a revision "
                                         r"leaves the weeks before today as they were\.$"))
           ).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()
    # a note in a later week: the approval stays
    page.locator(f"[id='edit-{later['session_id']}']").click()
    notes = dialog.get_by_label("Session notes")
    notes.fill("Knee: easy on the stairs")
    notes.press("Tab")
    kept = "The athlete will be told; approval stays (only notes or wording change)."
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text(kept)).to_be_visible()
    # fewer sets: the athlete approves again
    page.locator(f"[id='edit-{later['session_id']}']").click()
    sets = dialog.get_by_label(re.compile(r"^Sets for ")).first
    sets.fill("1")
    sets.press("Tab")
    dialog.get_by_role("button", name="Done").click()
    asked = re.compile(r"^This change will need the athlete's approval again \(it changes "
                       r"volume\)\.$")
    expect(page.get_by_text(asked)).to_be_visible()
    page.get_by_role("button", name="Save revision").click()
    save = page.get_by_role("dialog")
    expect(save.get_by_role("heading", name="Save revision")).to_be_visible()
    expect(save.get_by_text(asked)).to_be_visible()
    save.get_by_role("checkbox", name="injury").click()
    screenshot(page, "editor-revision.png")
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"It went back to the athlete for approval\.$"))
           ).to_be_visible()
    assert _status(app_url, plan["id"]) == "coach_reviewed"
    after = _content(app_url, plan["id"])
    assert after["weeks"][:2] == content["weeks"][:2]  # the weeks done, as they were


def test_a_note_only_revision_keeps_the_approval(page: Page, app_url: str):
    plan = _plan(app_url, 19, _monday(1), accept=True)
    later = _session_with_sets(_content(app_url, plan["id"]), 1)
    sign_in(page, app_url, COACH)
    page.goto(f"{app_url}/plans/{plan['id']}")
    dialog = page.get_by_role("dialog")
    page.locator(f"[id='edit-{later['session_id']}']").click()
    notes = dialog.get_by_label("Session notes")
    notes.fill("Wording only")
    notes.press("Tab")
    dialog.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Save revision").click()
    save = page.get_by_role("dialog")
    save.get_by_role("checkbox", name="other").click()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"The athlete has been told; their approval stays\.$"))
           ).to_be_visible()
    assert _status(app_url, plan["id"]) == "approved"


def test_a_custom_exercise_is_added_from_the_picker_and_used_in_the_session(
        page: Page, app_url: str):
    plan = _plan(app_url, 16, _monday(3))
    session = _session_with_sets(_content(app_url, plan["id"]), 0)
    name = f"Tyre flip {uuid.uuid4().hex[:4]}"
    sign_in(page, app_url, COACH)
    page.goto(f"{app_url}/plans/{plan['id']}")
    page.locator(f"[id='edit-{session['session_id']}']").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Add exercise").click()
    dialog.get_by_label("Search exercises").fill("tyre")
    dialog.get_by_role("button", name="New exercise…").click()
    box = dialog.get_by_label("New exercise name")
    expect(box).to_have_value("tyre")
    box.fill("Back SQUAT")
    dialog.get_by_role("button", name="Add to catalogue and use it").click()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-why-name")).to_have_text(
        "“Back squat” is already in the catalogue; pick it from the search instead.")
    box.fill("ab")
    dialog.get_by_role("button", name="Add to catalogue and use it").click()
    expect(page.locator("#new-why-name")).to_have_text("Name must be 3 to 60 characters long.")
    box.fill(name)
    expect(page.locator("#new-why-name")).to_have_count(0)  # typing clears the refusal
    dialog.get_by_label("New exercise modality").click()
    page.get_by_role("option", name="Conditioning").click()
    dialog.get_by_label("New exercise unit").click()
    page.get_by_role("option", name="Duration (minutes)").click()
    screenshot(page, "editor-custom-exercise.png")
    dialog.get_by_role("button", name="Add to catalogue and use it").click()
    expect(page.get_by_text(f"{name} is in the club's catalogue now.")).to_be_visible()
    expect(dialog.get_by_label(f"Minutes for {name}")).to_have_value("10")
    expect(page.get_by_text(f"{name}: added")).to_be_visible()
    # the picker finds it from now on, marked as the club's
    dialog.get_by_role("button", name="Add exercise").click()
    dialog.get_by_label("Search exercises").fill(name)
    expect(dialog.get_by_role("option", name=f"{name} · conditioning, club exercise")
           ).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    dialog.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Save draft").click()
    save = page.get_by_role("dialog")
    save.get_by_role("checkbox", name="equipment").click()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    saved = _content(app_url, plan["id"])
    names = [i["name"] for s in saved["weeks"][0]["sessions"] for i in s["items"]]
    assert name in names
