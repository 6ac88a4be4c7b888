"""The session dialog refuses what a dose cannot be, beside the field, in words; the
keyboard works in it as in any dialog; and its Save draft asks for a reason first."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from plangov_app.demo.accounts import athlete_id as demo_athlete
from tests.browser.conftest import ALGORITHM, screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _new_plan(app_url: str, athlete: int) -> dict:
    """A fresh generated plan (next Monday on) for Athlete `athlete`.

    Athletes 3, 6, 8 and 9 only: no other test picks their plans or shows them.
    """
    coach = _api(app_url, "coach1@demo.test")
    athlete_id = demo_athlete(athlete)
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    created = coach.post("/plans", json={"athlete_id": athlete_id, "weeks": 4,
                                         "start_date": monday.isoformat(), "algorithm": ALGORITHM})
    assert created.status_code == 201, created.text
    return created.json()


def _head(app_url: str, plan_id: str) -> dict:
    coach = _api(app_url, "coach1@demo.test")
    head = coach.get(f"/plans/{plan_id}").json()["active_version_id"]
    return coach.get(f"/plans/{plan_id}/versions/{head}").json()


def _open_strength(page: Page, app_url: str, plan: dict) -> None:
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    page.get_by_role("button", name=re.compile(r"^Edit Strength")).first.click()
    expect(page.get_by_role("dialog").get_by_label(re.compile(r"^Reps for ")).first
           ).to_be_visible()


def _type(box, value: str) -> None:
    box.fill(value)
    box.press("Tab")


def _refused_beside(box, words: str) -> None:
    """`box` is marked invalid and described by `words` (what a screen reader says)."""
    expect(box).to_have_attribute("aria-invalid", "true")
    described = box.get_attribute("aria-describedby")
    assert described, "the refusal is not tied to its field"
    expect(box.page.locator(f"[id='{described}']")).to_have_text(words)


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_refused_dose_stays_beside_its_field_and_is_never_an_edit(
        request: pytest.FixtureRequest, app_url: str, viewport: str):
    """Reps 500 or −3, `abc` or Sets 2.5: refused beside the field, no edit, nothing saved."""
    page: Page = request.getfixturevalue(viewport)
    plan = _new_plan(app_url, 3 if viewport == "page" else 6)
    _open_strength(page, app_url, plan)
    dialog = page.get_by_role("dialog")
    reps = dialog.get_by_label(re.compile(r"^Reps for ")).first
    sets = dialog.get_by_label(re.compile(r"^Sets for ")).first
    planned = reps.input_value()
    whole = "Reps must be a whole number from 1 to 100."
    for typed in ("500", "-3", "abc", "2.5"):
        _type(reps, typed)
        _refused_beside(reps, whole)
        expect(reps).to_have_value(typed)  # as typed, marked invalid; not the plan's value
    _type(sets, "2.5")
    _refused_beside(sets, "Sets must be a whole number from 1 to 20.")
    screenshot(page, "editor-dialog-refused.png" if viewport == "page"
               else "phone-editor-dialog-refused.png")

    _type(reps, planned)  # back to what the plan has: nothing refused any more
    expect(reps).to_have_attribute("aria-invalid", "false")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_be_disabled()
    assert _head(app_url, plan["id"])["version_number"] == 1  # nothing saved


def test_a_plan_rule_refuses_beside_the_field_in_words(page: Page, app_url: str):
    """Emptying Sets (Reps need Sets) is refused by the plan's own rule, in words."""
    plan = _new_plan(app_url, 8)
    _open_strength(page, app_url, plan)
    dialog = page.get_by_role("dialog")
    sets = dialog.get_by_label(re.compile(r"^Sets for ")).first
    name = sets.get_attribute("aria-label")[len("Sets for "):]
    _type(sets, "")
    expect(sets).to_have_attribute("aria-invalid", "true")
    why = page.locator(f"[id='{sets.get_attribute('aria-describedby')}']")
    expect(why).to_have_text(re.compile(rf"^{re.escape(name)} \(\w{{3}} \d\d \w{{3}}\): "
                                        r"Reps need Sets\.$"))
    expect(page.get_by_text(re.compile(r"weeks\.\d"))).to_have_count(0)  # no field paths
    _type(sets, "4")  # a good value clears it and becomes an edit
    expect(sets).to_have_attribute("aria-invalid", "false")
    expect(page.get_by_text(re.compile(rf"^{re.escape(name)}: sets → 4$"))).to_be_visible()


def test_save_draft_waits_for_a_reason(page: Page, app_url: str):
    plan = _new_plan(app_url, 9)
    _open_strength(page, app_url, plan)
    dialog = page.get_by_role("dialog")
    reps = dialog.get_by_label(re.compile(r"^Reps for ")).first
    _type(reps, str(int(reps.input_value()) + 1))
    dialog.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Save draft").click()
    save = page.get_by_role("dialog")
    expect(save.get_by_role("button", name="Save", exact=True)).to_be_disabled()
    save.get_by_role("checkbox", name="fatigue").click()
    expect(save.get_by_role("button", name="Save", exact=True)).to_be_enabled()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()


def test_closing_the_dialog_gives_focus_back_to_its_edit_button(page: Page, app_url: str):
    plan = _new_plan(app_url, 3)
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    edit = page.get_by_role("button", name=re.compile(r"^Edit Strength")).first
    label = edit.get_attribute("aria-label")
    edit.click()
    dialog = page.get_by_role("dialog")
    reps = dialog.get_by_label(re.compile(r"^Reps for ")).first
    _type(reps, str(int(reps.input_value()) + 1))  # an edit: the calendar is redrawn
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name=label)).to_be_focused()

    page.get_by_role("button", name=label).press("Enter")  # and by the keyboard
    expect(dialog.get_by_label(re.compile(r"^Reps for ")).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name=label)).to_be_focused()


def test_the_exercise_picker_works_from_the_keyboard(page: Page, app_url: str):
    """Arrow keys move through the results, Enter picks; Escape closes only the picker."""
    plan = _new_plan(app_url, 6)
    _open_strength(page, app_url, plan)
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Add exercise").click()
    search = dialog.get_by_role("combobox", name="Search exercises")
    expect(search).to_be_focused()
    page.keyboard.press("Escape")  # closes the picker, not the dialog
    expect(search).to_have_count(0)
    expect(dialog.get_by_role("button", name="Add exercise")).to_be_visible()

    dialog.get_by_role("button", name="Add exercise").click()
    expect(search).to_be_focused()
    page.keyboard.type("plank")
    options = dialog.get_by_role("option")
    expect(options.first).to_contain_text(re.compile("plank", re.IGNORECASE))
    assert options.count() >= 2
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    chosen = options.nth(1).inner_text().split(" · ")[0]
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name=f"Remove {chosen}")).to_be_visible()
    page.keyboard.press("Escape")  # the picker is closed: Escape closes the dialog
    expect(dialog).to_have_count(0)
    expect(page.get_by_text(f"{chosen}: added")).to_be_visible()


def test_support_sees_no_unsaved_edits_box(page: Page, app_url: str):
    plan = _api(app_url, "support@demo.test").get("/plans").json()["items"][0]
    sign_in(page, app_url, "support@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_role("heading", name="Week 1", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Changes")).to_be_visible()
    expect(page.get_by_text("Unsaved edits")).to_have_count(0)
    expect(page.get_by_text("No unsaved edits.")).to_have_count(0)


def test_done_as_planned_badges_fit_their_cards_at_1440(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    plan = next(p for p in coach.get("/plans", params={"status": "published"}).json()["items"]
                if p["athlete_name"] == "Athlete 10")
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    badges = page.get_by_text("Done as planned", exact=True)
    expect(badges.first).to_be_visible()
    cut = page.evaluate("""() => [...document.querySelectorAll('.rt-Badge')]
        .filter(b => b.textContent === 'Done as planned')
        .filter(b => {
            const card = b.closest('.rt-Card').getBoundingClientRect();
            const box = b.getBoundingClientRect();
            return b.scrollWidth > b.clientWidth + 1 || box.right > card.right + 0.5
                || box.left < card.left - 0.5;
        }).length""")
    assert cut == 0, f"{cut} 'Done as planned' badge(s) cut off"


def test_both_coaches_changed_the_same_value_and_the_coach_chooses(page: Page, app_url: str):
    """Minutes 30→55 saved by the other coach, 30→41 unsaved here: named, chosen per field."""
    plan = _new_plan(app_url, 9)
    coach = _api(app_url, "coach1@demo.test")
    weeks = _head(app_url, plan["id"])["content"]["weeks"]
    s, session = next((s, x) for s, x in enumerate(weeks[0]["sessions"])
                      if x["items"] and x["items"][0].get("duration_min"))
    item, day = session["items"][0], date.fromisoformat(session["day"])
    title = session["title"] or session["modality"].title()
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    page.get_by_role("button", name=f"Edit {title} on {day:%a %d %b}").click()
    dialog = page.get_by_role("dialog")
    name = item["name"]
    minutes = dialog.get_by_label(f"Minutes for {name}").first
    was = minutes.input_value()
    _type(minutes, "41")
    rpe = dialog.get_by_label(f"RPE for {name}").first
    my_rpe = 6 if rpe.input_value() != "6" else 5
    _type(rpe, str(my_rpe))  # changed only here: re-applied as it is
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text(re.compile(r"minutes → 41"))).to_be_visible()

    other = coach.patch(f"/plans/{plan['id']}/versions/{plan['active_version_id']}", json={
        "operations": [{"op": "replace", "path": f"/weeks/0/sessions/{s}/items/0/duration_min",
                        "value": 55}], "reason_codes": ["other"]})
    assert other.status_code == 200, other.text

    page.get_by_role("button", name="Save draft").click()
    save = page.get_by_role("dialog")
    save.get_by_role("checkbox", name="time constraint").click()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("saved version 2 since you opened the plan"))
           ).to_be_visible()
    both = save.get_by_role("radiogroup", name=re.compile(rf"^Minutes for {re.escape(name)}"))
    expect(both).to_be_visible()
    expect(both).to_contain_text(f"was {was}")
    theirs = both.get_by_role("radio", name=re.compile(r"^Theirs: 55"))
    mine = both.get_by_role("radio", name=re.compile(r"^Mine: 41"))
    expect(theirs).to_be_visible()
    expect(mine).to_be_visible()
    expect(save.get_by_role("button", name="Save", exact=True)).to_be_disabled()  # choose first
    screenshot(page, "editor-conflict.png")
    theirs.click()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as version 3.")).to_be_visible()
    saved = _head(app_url, plan["id"])["content"]["weeks"][0]["sessions"][s]["items"][0]
    assert saved["duration_min"] == 55  # theirs, as chosen
    assert saved["rpe"] == my_rpe  # mine, changed only here
