"""The calendar's navigation, given `today`: the day marked as today, the week selector's
weeks, the week the page opens at and the page holding it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.views.calendar import (
    WEEKS_PER_PAGE,
    calendar,
    opening_week,
    page_of,
    page_start,
    today_note,
    week_choices,
)

START = date(2026, 12, 7)  # a Monday; four weeks to Sun 03 Jan 2027


@pytest.fixture
def plan():
    return generate(GenerationInput("running", "intermediate", 4, START, 4))


def _today_cells(weeks):
    return [(week.index, day) for week in weeks for day in week.days if day.today]


def test_todays_day_cell_is_marked_and_no_other(plan):
    today = START + timedelta(days=9)  # Wed 16 Dec, week 2
    weeks = calendar(plan, None, today=today)
    assert [(index, day.iso, day.label) for index, day in _today_cells(weeks)] == [
        (1, "2026-12-16", "Wed 16 Dec")]


def test_every_day_cell_carries_its_date(plan):
    weeks = calendar(plan, None, today=START)
    assert [day.iso for day in weeks[0].days] == [
        (START + timedelta(days=n)).isoformat() for n in range(7)]
    assert weeks[3].days[-1].iso == "2027-01-03"
    assert [week.index for week in weeks] == [0, 1, 2, 3]
    assert [week.index for week in calendar(plan, None, first=2, count=2)] == [2, 3]


@pytest.mark.parametrize("today", [None, START - timedelta(days=1), date(2027, 1, 4)])
def test_no_day_is_marked_when_today_is_outside_the_plan(plan, today):
    assert _today_cells(calendar(plan, None, today=today)) == []


def test_the_week_selector_lists_every_week_by_its_first_day(plan):
    assert [(c.value, c.label) for c in week_choices(plan)] == [
        ("0", "Week 1 · Mon 07 Dec"), ("1", "Week 2 · Mon 14 Dec"),
        ("2", "Week 3 · Mon 21 Dec"), ("3", "Week 4 · Mon 28 Dec")]


@pytest.mark.parametrize(("today", "week"), [
    (START - timedelta(days=30), -1), (START - timedelta(days=1), -1),  # not started: top
    (START, 0), (START + timedelta(days=6), 0), (START + timedelta(days=7), 1),
    (START + timedelta(days=20), 2), (START + timedelta(days=27), 3),
    (START + timedelta(days=28), 3), (START + timedelta(days=400), 3)])  # ended: last week
def test_the_page_opens_at_this_week_of_a_plan_under_way(plan, today, week):
    assert opening_week(plan, today) == week


@pytest.mark.parametrize(("today", "note"), [
    (START - timedelta(days=3), "Starts Mon 07 Dec 2026"),
    (START + timedelta(days=16), "Today is Wed 23 Dec, week 3 of 4"),
    (START + timedelta(days=27), "Today is Sun 03 Jan, week 4 of 4"),
    (START + timedelta(days=28), "Ended Sun 03 Jan 2027")])
def test_where_today_falls_in_the_plan_in_words(plan, today, note):
    assert today_note(plan, today) == note


def test_a_long_plan_opens_at_the_page_holding_this_week():
    long = generate(GenerationInput("running", "intermediate", 4, START, 40))
    today = START + timedelta(weeks=20, days=3)
    assert opening_week(long, today) == 20
    assert page_start(long, -1, today) == WEEKS_PER_PAGE == page_of(20)
    assert page_start(long, -1, START - timedelta(days=1)) == 0
    assert page_start(long, -1, START + timedelta(weeks=90)) == 32 == page_of(39)
    assert page_start(long, 33, START) == 32  # a requested week: its page
    assert page_of(0) == page_of(15) == 0 and page_of(16) == 16
