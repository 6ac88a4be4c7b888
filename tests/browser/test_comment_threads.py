"""Comment threads: every reply sits under the thread it answers (desktop and phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser


def _top(page: Page, text: str) -> float:
    """The vertical position of the comment that says `text`."""
    found = page.get_by_text(text, exact=True)
    expect(found).to_be_visible()
    box = found.bounding_box()
    assert box is not None
    return box["y"]


def test_a_reply_is_shown_under_its_own_thread(page: Page, phone: Page, app_url: str):
    coach = _api(app_url, "coach2@demo.test")
    athlete = _api(app_url, "athlete15@demo.test")
    plan = athlete.get("/plans").json()["items"][0]
    comments = f"/plans/{plan['id']}/comments"
    first = coach.post(comments, json={"message": "Thread A: how did the long run feel?"})
    assert first.status_code == 201, first.text
    second = athlete.post(comments, json={"message": "Thread B: can Friday be a rest day?"})
    assert second.status_code == 201, second.text
    reply = athlete.post(comments, json={"message": "Reply to A: legs were heavy",
                                         "parent_id": first.json()["id"]})
    assert reply.status_code == 201, reply.text

    sign_in(page, app_url, "coach2@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    a, reply_a, b = (_top(page, "Thread A: how did the long run feel?"),
                     _top(page, "Reply to A: legs were heavy"),
                     _top(page, "Thread B: can Friday be a rest day?"))
    assert a < reply_a < b, "the reply to A must sit under A, before thread B"

    sign_in(phone, app_url, "athlete15@demo.test")
    phone.goto(f"{app_url}/plans/{plan['id']}/review")
    a, reply_a, b = (_top(phone, "Thread A: how did the long run feel?"),
                     _top(phone, "Reply to A: legs were heavy"),
                     _top(phone, "Thread B: can Friday be a rest day?"))
    assert a < reply_a < b, "the reply to A must sit under A, before thread B (phone)"
    phone.get_by_text("Reply to A: legs were heavy", exact=True).scroll_into_view_if_needed()
    screenshot(phone, "phone-threads.png")
