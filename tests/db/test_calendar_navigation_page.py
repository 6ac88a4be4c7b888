"""The plan page and the editor's preview say, given `today`, which week opens, where Today
goes, which day is today and what the week selector offers (review and editor alike)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from db.session import read_session
from plangov_app.services.views.editor import editor_preview
from plangov_app.services.views.plan_page import plan_page
from tests.support.factories import actor, create_plan

COACH, ATHLETE = "coach1@demo.test", "athlete1@demo.test"
START = date(2027, 1, 4)  # the factories' plans start on this Monday


def _page(email: str, plan_id: str, **options):
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, **options)


def _today(weeks) -> list[tuple[int, str]]:
    return [(week.index, day.iso) for week in weeks for day in week.days if day.today]


@pytest.mark.parametrize("email", [COACH, ATHLETE])
def test_a_plan_under_way_opens_at_this_week_with_today_marked(client, token_for, email):
    plan = create_plan(client, token_for(COACH), weeks=20)
    today = START + timedelta(weeks=17, days=2)  # Wed of week 18: the second page
    page = _page(email, plan["id"], editing=email == COACH, today=today)
    assert (page.open_week, page.current_week, page.week_start) == (17, 17, 16)
    assert [week.index for week in page.weeks] == [16, 17, 18, 19]
    assert _today(page.weeks) == [(17, today.isoformat())]
    assert page.today_note == f"Today is {today:%a %d %b}, week 18 of 20"
    assert len(page.week_options) == 20
    assert (page.week_options[17].value, page.week_options[17].label) == (
        "17", f"Week 18 · {START + timedelta(weeks=17):%a %d %b}")


def test_a_plan_not_started_opens_at_its_top_and_an_ended_one_at_its_last_week(
        client, token_for):
    plan = create_plan(client, token_for(COACH), weeks=4)
    before = _page(COACH, plan["id"], today=START - timedelta(days=10))
    assert (before.open_week, before.current_week, before.week_start) == (-1, 0, 0)
    assert _today(before.weeks) == [] and before.today_note == "Starts Mon 04 Jan 2027"
    after = _page(COACH, plan["id"], today=START + timedelta(weeks=9))
    assert (after.open_week, after.current_week, after.week_start) == (3, 3, 0)
    assert _today(after.weeks) == [] and after.today_note == "Ended Sun 31 Jan 2027"


def test_a_week_asked_for_shows_its_page_with_today_still_marked(client, token_for):
    plan = create_plan(client, token_for(COACH), weeks=20)
    today = START + timedelta(days=3)
    page = _page(COACH, plan["id"], week_start=16, today=today)
    assert page.week_start == 16 and page.open_week == 0 and _today(page.weeks) == []
    first = _page(COACH, plan["id"], week_start=0, today=today)
    assert _today(first.weeks) == [(0, today.isoformat())]


def test_the_editors_preview_marks_today_too(client, token_for):
    plan = create_plan(client, token_for(COACH), weeks=4)
    today = START + timedelta(days=8)
    with read_session() as session:
        preview = editor_preview(session, actor(COACH), plan["id"], edits=[], today=today)
    assert preview.weeks is not None and _today(preview.weeks) == [(1, today.isoformat())]
