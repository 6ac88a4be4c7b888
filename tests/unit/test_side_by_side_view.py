"""The review's side-by-side view: each session before (left) and after (right), marked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.plans.unsaved_edits import Edit, new_item
from plangov_app.services.plans.unsaved_edits import preview_edits as preview
from plangov_app.services.views.calendar import dose
from plangov_app.services.views.side_by_side import side_by_side_weeks

START = date(2026, 12, 7)  # a Monday


@pytest.fixture
def plan():
    return generate(GenerationInput("running", "intermediate", 4, START, 4))


def _loaded(document):
    return [s for _, s in document.sessions() if len(s.items) >= 2]


def _rows(weeks):
    return {row.id: row for week in weeks for row in week.rows}


def test_an_unchanged_plan_has_every_session_on_both_sides_unmarked(plan):
    weeks = side_by_side_weeks(plan, plan)
    assert [w.label for w in weeks] == ["Week 1", "Week 2", "Week 3", "Week 4"]
    rows = _rows(weeks)
    assert set(rows) == {s.session_id for _, s in plan.sessions()}
    for row in rows.values():
        assert row.status == "" and row.before.present and row.after.present
        assert row.before.lines == row.after.lines
        assert not any(line.change for line in row.before.lines + row.after.lines)
    assert all(w.changed == 0 for w in weeks)


def test_a_changed_dose_is_red_on_the_left_and_green_on_the_right(plan):
    session = _loaded(plan)[0]
    kept, dropped, same = session.items[0], session.items[1], session.items[2:]
    edited = preview(plan, [
        Edit("set_item", session.session_id, kept.item_id, "sets", (kept.sets or 1) + 1),
        Edit("remove_item", session.session_id, dropped.item_id),
        Edit("add_item", session.session_id, value=new_item("plank"))])
    row = _rows(side_by_side_weeks(edited, plan))[session.session_id]
    assert (row.status, row.status_label) == ("changed", "Changed")
    before = {line.text: line.change for line in row.before.lines}
    after = {line.text: line.change for line in row.after.lines}
    assert before[f"{kept.name} {dose(kept)}"] == "old"
    assert before[f"{dropped.name} {dose(dropped)}"] == "old"
    changed = edited.session(session.session_id).items[0]
    assert after[f"{changed.name} {dose(changed)}"] == "new"
    assert [change for text, change in after.items() if text.startswith("Plank")] == ["new"]
    assert not any(text.startswith("Plank") for text in before)
    for item in same:  # untouched lines are plain on both sides
        assert before[f"{item.name} {dose(item)}".strip()] == ""
        assert after[f"{item.name} {dose(item)}".strip()] == ""
    assert row.before.change == row.after.change == ""  # the session itself is on both sides


def test_other_sessions_stay_unmarked_and_the_week_counts_the_changed(plan):
    session = _loaded(plan)[0]
    edited = preview(plan, [Edit("set_session", session.session_id, None, "notes", "easy")])
    weeks = side_by_side_weeks(edited, plan)
    rows = _rows(weeks)
    assert rows[session.session_id].status == "changed"
    assert rows[session.session_id].after.changed_fields == ["notes"]
    assert rows[session.session_id].after.notes == "easy"
    assert rows[session.session_id].before.notes == session.notes
    assert [r.status for r in rows.values() if r.id != session.session_id] == [""] * (
        len(rows) - 1)
    assert sum(w.changed for w in weeks) == 1


def test_a_moved_session_shows_both_days_marked(plan):
    session = _loaded(plan)[0]
    week = next(w for w in plan.weeks if session in w.sessions)
    taken = {s.day for s in week.sessions}
    first = START + timedelta(days=7 * week.index)
    free = next(first + timedelta(days=n) for n in range(7)
                if first + timedelta(days=n) not in taken)
    edited = preview(plan, [Edit("move", session.session_id, value=free.isoformat())])
    row = _rows(side_by_side_weeks(edited, plan))[session.session_id]
    assert (row.status, row.status_label) == ("moved", "Moved")
    assert row.before.day == f"{session.day:%a %d %b}" and row.after.day == f"{free:%a %d %b}"
    assert row.before.changed_fields == row.after.changed_fields == ["day"]


def test_an_added_session_is_only_on_the_right_and_a_removed_only_on_the_left(plan):
    gone = _loaded(plan)[0]
    edited = plan.model_copy(deep=True)
    week = next(w for w in edited.weeks if any(s.session_id == gone.session_id
                                                 for s in w.sessions))
    removed = week.sessions.pop(next(i for i, s in enumerate(week.sessions)
                                     if s.session_id == gone.session_id))
    added = removed.model_copy(update={"session_id": "new-session"})  # same day, new id
    week.sessions.append(added)
    rows = _rows(side_by_side_weeks(edited, plan))
    old, new = rows[gone.session_id], rows["new-session"]
    assert old.status == "removed" and old.before.present and not old.after.present
    assert old.before.change == "old" and all(line.change == "old" for line in old.before.lines)
    assert new.status == "added" and new.after.present and not new.before.present
    assert new.after.change == "new" and all(line.change == "new" for line in new.after.lines)
    week_rows = next(w for w in side_by_side_weeks(edited, plan)
                     if w.label == f"Week {week.index + 1}").rows
    assert gone.session_id in [r.id for r in week_rows]  # in the week it was in


def test_rows_follow_the_day_and_only_the_page_asked_for_is_built(plan):
    weeks = side_by_side_weeks(plan, plan, 1, 2, threads={})
    assert [w.label for w in weeks] == ["Week 2", "Week 3"]
    for week, source in zip(weeks, plan.weeks[1:3], strict=True):
        assert [r.id for r in week.rows] == [s.session_id for s in sorted(
            source.sessions, key=lambda s: s.day)]


def test_open_threads_are_counted_per_row(plan):
    session = plan.weeks[0].sessions[0]
    rows = _rows(side_by_side_weeks(plan, plan, threads={session.session_id: 2}))
    assert rows[session.session_id].threads == 2
    assert sum(r.threads for r in rows.values()) == 2
