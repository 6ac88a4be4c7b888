"""Which week the calendar opens at, and where a session may be moved (across weeks too)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plangov_app.services import describing, diffing
from plangov_app.services.errors import InvalidInput
from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.plans.moving import (
    current_week,
    move_edit,
    move_problem,
    move_range,
)
from plangov_app.services.plans.unsaved_edits import preview_edits

START = date(2026, 12, 7)  # a Monday; four weeks to Sun 03 Jan 2027


@pytest.fixture
def plan():
    return generate(GenerationInput("running", "intermediate", 4, START, 4))


@pytest.mark.parametrize(("today", "week"), [
    (START - timedelta(days=30), 0), (START, 0), (START + timedelta(days=6), 0),
    (START + timedelta(days=7), 1), (START + timedelta(days=20), 2),
    (START + timedelta(days=27), 3), (START + timedelta(days=400), 3)])
def test_the_calendar_opens_at_the_week_holding_today(plan, today, week):
    assert current_week(plan, today=today) == week


def _in_week(plan, index):
    return plan.weeks[index].sessions[0]


def test_a_session_may_move_to_any_day_not_past_of_any_week(plan):
    today = START + timedelta(days=9)  # Wed of week 2
    session = _in_week(plan, 1)
    assert move_range(plan, today=today) == (today, START + timedelta(days=27))
    assert move_problem(plan, session_id=session.session_id, target=START + timedelta(days=25),
                        today=today) is None
    assert move_problem(plan, session_id=session.session_id, target=today,
                        today=today) is None


def test_no_move_into_the_past_outside_the_plan_or_from_a_week_done(plan):
    today = START + timedelta(days=9)
    session = _in_week(plan, 1)
    past = move_problem(plan, session_id=session.session_id,
                        target=today - timedelta(days=1), today=today)
    assert past and "already past" in past
    outside = move_problem(plan, session_id=session.session_id,
                           target=START + timedelta(days=28), today=today)
    assert outside and "outside the plan" in outside
    done = move_problem(plan, session_id=_in_week(plan, 0).session_id,
                        target=START + timedelta(days=20), today=today)
    assert done and "Week 1 is already done" in done
    same = move_problem(plan, session_id=session.session_id, target=session.day, today=today)
    assert same and "already" in same
    assert move_problem(plan, session_id="nope", target=today, today=today)


def test_a_plan_that_is_over_has_nowhere_to_move(plan):
    assert move_range(plan, today=START + timedelta(days=28)) is None


def test_move_edit_refuses_in_words_and_reads_the_date_box(plan):
    session = _in_week(plan, 1)
    with pytest.raises(InvalidInput) as refused:
        move_edit(plan, session_id=session.session_id, text="soon", today=START)
    assert refused.value.extra["field"] == "day" and "date box" in refused.value.detail
    with pytest.raises(InvalidInput):
        move_edit(plan, session_id=session.session_id, text="2020-01-01", today=START)


def test_a_move_to_another_week_keeps_the_session_and_reads_as_moved(plan):
    session = _in_week(plan, 0)
    target = START + timedelta(days=17)  # Thu of week 3
    edit = move_edit(plan, session_id=session.session_id, text=target.isoformat(),
                     today=START)
    moved = preview_edits(plan, [edit])
    assert moved.session(session.session_id).day == target
    assert session.session_id in {s.session_id for s in moved.weeks[2].sessions}
    assert session.session_id not in {s.session_id for s in moved.weeks[0].sessions}
    changes = diffing.diff_documents(plan, moved)
    assert [c.change_type for c in changes] == ["moved"]
    text = describing.describe_change(changes[0], plan, moved)
    assert f"{session.day:%a %d %b} → {target:%a %d %b}" in text and "moved" in text
    assert edit.label.endswith(f"moved to {target:%a %d %b}")


def test_a_move_within_its_week_stays_a_day_change(plan):
    session = _in_week(plan, 1)
    target = next(START + timedelta(days=7 + n) for n in range(7)
                  if START + timedelta(days=7 + n) != session.day)
    edit = move_edit(plan, session_id=session.session_id, text=target.isoformat(),
                     today=START)
    moved = preview_edits(plan, [edit])
    assert [s.session_id for s in moved.weeks[1].sessions].count(session.session_id) == 1
    assert moved.session(session.session_id).day == target
