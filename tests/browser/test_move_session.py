""""Move to…" in the session dialog moves a session to a day of another week (desktop and
phone); the move is saved as one, the session keeping its id; a day outside the plan is
refused beside the box, in words."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_session_dialog import _head, _new_plan, _open_strength

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_move_to_a_day_of_another_week_and_save(request: pytest.FixtureRequest,
                                                 app_url: str, viewport: str):
    page: Page = request.getfixturevalue(viewport)
    plan = _new_plan(app_url, 8 if viewport == "page" else 9)
    head = _head(app_url, plan["id"])
    strength = next(s for s in head["content"]["weeks"][0]["sessions"]
                    if s["modality"] == "strength")
    _open_strength(page, app_url, plan)
    dialog = page.get_by_role("dialog")
    box = dialog.get_by_label("Move to…")
    start = date.fromisoformat(head["content"]["start_date"])
    expect(box).to_have_attribute("min", start.isoformat())
    expect(box).to_have_attribute("max", (start + timedelta(days=27)).isoformat())
    box.fill((start + timedelta(days=40)).isoformat())
    expect(dialog.get_by_text(re.compile("is outside the plan"))).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")
    target = start + timedelta(days=17)  # Thursday of week 3
    box.fill(target.isoformat())
    expect(page.get_by_text(re.compile(f"moved to {target:%a %d %b}"))).to_be_visible()
    expect(dialog.get_by_text(re.compile("is outside the plan"))).to_have_count(0)
    screenshot(page, "editor-move-to.png" if viewport == "page" else "phone-editor-move-to.png")
    dialog.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Save draft").click()
    save = page.get_by_role("dialog")
    save.get_by_role("checkbox", name="fatigue").click()
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    weeks = _head(app_url, plan["id"])["content"]["weeks"]
    moved = [s for s in weeks[2]["sessions"] if s["session_id"] == strength["session_id"]]
    assert moved and moved[0]["day"] == target.isoformat()
    assert strength["session_id"] not in [s["session_id"] for s in weeks[0]["sessions"]]
