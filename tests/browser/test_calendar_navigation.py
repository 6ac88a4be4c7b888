"""The calendar opens at this week with today marked; Today, the week selector and previous /
next week jump to any week (its page loaded first), on a desktop and a phone; on a desktop
the coach drags a session card onto another day (another week too) — the unsaved move the
"Move to…" box makes, saved as a new version — and a past day is refused in words.

Plans start relative to the real today (weeks ago), so every expectation is computed from
`date.today()`; none depends on which day that is.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from plangov_app.demo.accounts import athlete_id as demo_athlete
from tests.browser.conftest import ALGORITHM, screenshot, sign_in
from tests.browser.test_athlete_review import _api
from tests.browser.test_session_dialog import _head

pytestmark = pytest.mark.browser


def _plan(app_url: str, athlete: int, start: date, weeks: int) -> dict:
    """A generated plan of Athlete `athlete` (3, 6, 7, 8 or 9: no other test shows theirs)."""
    created = _api(app_url, "coach1@demo.test").post("/plans", json={
        "athlete_id": demo_athlete(athlete), "weeks": weeks, "start_date": start.isoformat(),
        "algorithm": ALGORITHM})
    assert created.status_code == 201, created.text
    return created.json()


def _this_monday() -> date:
    return date.today() - timedelta(days=date.today().weekday())


def _week(page: Page, number: int):
    return page.get_by_role("heading", name=f"Week {number}", exact=True)


def _selector_label(start: date, number: int) -> str:
    return f"Week {number} · {start + timedelta(weeks=number - 1):%a %d %b}"


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_the_calendar_opens_at_this_week_with_today_marked(request: pytest.FixtureRequest,
                                                            app_url: str, viewport: str):
    """Three weeks in: week 4 is scrolled into view, today's cell says so (aria-current)."""
    page: Page = request.getfixturevalue(viewport)
    start = _this_monday() - timedelta(weeks=3)
    plan = _plan(app_url, 8 if viewport == "page" else 9, start, 8)
    today = date.today()
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}" if viewport == "page"
              else f"{app_url}/plans/{plan['id']}/review")
    expect(_week(page, 4)).to_be_in_viewport()
    marked = page.locator('[aria-current="date"]')
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("data-day", today.isoformat())
    expect(marked.get_by_text("Today", exact=True)).to_be_visible()  # a rest day too
    expect(page.get_by_text(f"Today is {today:%a %d %b}, week 4 of 8")).to_be_visible()
    expect(page.get_by_label("Go to week")).to_have_value("3")
    expect(page.get_by_label("Go to week").locator("option").first).to_have_text(
        _selector_label(start, 1))
    screenshot(page, "calendar-today.png" if viewport == "page" else "phone-calendar-today.png")
    if viewport == "phone":  # the review never drags; the editor's cards do
        expect(page.locator('[data-session][draggable="true"]')).to_have_count(0)
    else:
        expect(page.locator('[data-session][draggable="true"]').first).to_be_attached()


def test_a_plan_not_started_opens_at_its_top(page: Page, app_url: str):
    start = _this_monday() + timedelta(weeks=2)
    plan = _plan(app_url, 8, start, 4)
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(page.get_by_text(f"Starts {start:%a %d %b %Y}")).to_be_visible()
    expect(page.get_by_label("Go to week")).to_have_value("0")
    expect(page.locator('[aria-current="date"]')).to_have_count(0)
    expect(page.get_by_role("heading", name="Changes")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_today_the_week_selector_and_previous_next_jump(request: pytest.FixtureRequest,
                                                        app_url: str, viewport: str):
    """A 20-week plan: weeks 17–20 are on the second page, loaded when jumped to."""
    page: Page = request.getfixturevalue(viewport)
    start = _this_monday() - timedelta(weeks=3)
    plan = _plan(app_url, 3 if viewport == "page" else 6, start, 20)
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}" if viewport == "page"
              else f"{app_url}/plans/{plan['id']}/review")
    expect(_week(page, 4)).to_be_in_viewport()
    select = page.get_by_label("Go to week")
    select.select_option(label=_selector_label(start, 18))
    expect(_week(page, 18)).to_be_in_viewport()
    expect(_week(page, 1)).to_have_count(0)  # the second page replaced the first
    expect(page.get_by_text("Weeks 17–20 of 20").first).to_be_visible()
    previous = page.get_by_role("button", name="Previous week")
    previous.click()
    expect(_week(page, 17)).to_be_in_viewport()
    previous.click()  # back across the page boundary
    expect(_week(page, 16)).to_be_in_viewport()
    expect(select).to_have_value("15")
    page.get_by_role("button", name="Next week").click()
    expect(_week(page, 17)).to_be_in_viewport()
    screenshot(page, "calendar-week-jump.png" if viewport == "page"
               else "phone-calendar-week-jump.png")
    today = page.get_by_role("button", name="Today")
    today.focus()
    page.keyboard.press("Enter")  # by keyboard
    expect(_week(page, 4)).to_be_in_viewport()
    expect(select).to_have_value("3")
    expect(page.locator('[aria-current="date"]')).to_have_count(1)
    if viewport == "page":  # a focused (closed) select steps to the next week by keyboard
        select.focus()
        page.keyboard.press("ArrowDown")
        expect(_week(page, 5)).to_be_in_viewport()


def test_drag_a_session_to_another_day_and_save(page: Page, app_url: str):
    """Athlete 7 trains six days a week; the week holding today runs from three days ago to
    three days on, so it always has a past day, today and days to come. (Not Athlete 3:
    Plan History's test reads the one version 2 of their plans.)"""
    today = date.today()
    start = today - timedelta(days=10)
    plan = _plan(app_url, 7, start, 4)
    week = {s["day"]: s for s in _head(app_url, plan["id"])["content"]["weeks"][1]["sessions"]}
    soon, later = week[str(today + timedelta(days=1))], week[str(today + timedelta(days=2))]
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    expect(_week(page, 2)).to_be_in_viewport()

    # Dragging: every other day cell is a drop target, the one under the card filled.
    card = page.locator(f'[data-session="{soon["session_id"]}"]')
    past = today - timedelta(days=3)
    cell = page.locator(f'[data-day="{past}"]')
    card.hover()
    page.mouse.down()
    box = cell.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + 40, steps=4)
    page.mouse.move(box["x"] + 34, box["y"] + 44)
    expect(page.locator("html")).to_have_attribute("data-dragging-session", "")
    expect(cell).to_have_attribute("data-drop-over", "")
    expect(page.locator(f'[data-day="{soon["day"]}"]')).to_have_attribute(
        "data-drag-origin", "")
    screenshot(page, "editor-drag-session.png")
    page.mouse.up()
    # A past day is refused in words; nothing changes.
    expect(page.get_by_text(f"{past:%a %d %b %Y} is already past: choose "
                            f"{today:%a %d %b} or later.")).to_be_visible()
    expect(page.locator("html")).not_to_have_attribute("data-dragging-session", "")
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()
    expect(page.locator(f'[data-day="{soon["day"]}"] [data-session="{soon["session_id"]}"]'
                        )).to_be_visible()

    # Onto a day of the next week: the "Move to…" box's unsaved edit, in its words.
    target = today + timedelta(days=10)  # week 3's rest day
    page.drag_and_drop(f'[data-session="{later["session_id"]}"]', f'[data-day="{target}"]',
                       target_position={"x": 30, "y": 20})
    title = later["title"]
    edit = page.get_by_text(f"{title}: moved to {target:%a %d %b}", exact=True)
    expect(edit).to_be_visible()
    moved = page.locator(f'[data-day="{target}"] [data-session="{later["session_id"]}"]')
    expect(moved.get_by_text(f"Moved from {today + timedelta(days=2):%a %d %b}")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    save = page.get_by_role("dialog")
    save.get_by_role("checkbox", name="fatigue").click()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.get_by_text("No unsaved edits.")).to_be_visible()
    expect(moved.get_by_text(f"Moved from {today + timedelta(days=2):%a %d %b}")).to_be_visible()
    expect(page.get_by_text("1 session moved").first).to_be_visible()  # the version's badge
    weeks = _head(app_url, plan["id"])["content"]["weeks"]
    assert [s["day"] for s in weeks[2]["sessions"] if s["session_id"] == later["session_id"]
            ] == [target.isoformat()]
    assert later["session_id"] not in [s["session_id"] for s in weeks[1]["sessions"]]
    assert [s["day"] for s in weeks[1]["sessions"] if s["session_id"] == soon["session_id"]
            ] == [soon["day"]]
    assert _head(app_url, plan["id"])["version_number"] == 2
