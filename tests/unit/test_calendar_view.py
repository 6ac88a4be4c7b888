"""The calendar's marks come from `diffing.diff_documents` (the one "what changed")."""

from __future__ import annotations

from datetime import date

import pytest

from plangov_app.services import diffing
from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.plans.unsaved_edits import Edit, new_item
from plangov_app.services.plans.unsaved_edits import preview_edits as preview
from plangov_app.services.views.calendar import calendar, marks_of

START = date(2026, 12, 7)  # a Monday


@pytest.fixture
def plan():
    return generate(GenerationInput("running", "intermediate", 4, START, 4))


def _loaded(document):
    return [s for _, s in document.sessions() if len(s.items) >= 2]


def test_marks_are_read_off_the_diff(plan):
    first = _loaded(plan)[0]
    kept, dropped = first.items[0], first.items[1]
    edited = preview(plan, [
        Edit("set_item", first.session_id, kept.item_id, "sets", (kept.sets or 1) + 1),
        Edit("remove_item", first.session_id, dropped.item_id),
        Edit("add_item", first.session_id, value=new_item("plank")),
        Edit("set_session", first.session_id, None, "notes", "easy does it")])
    marks = marks_of(diffing.diff_documents(plan, edited))
    assert marks.changed_items == {kept.item_id}
    assert marks.removed_items == {first.session_id: [dropped.item_id]}
    assert len(marks.added_items) == 1 and marks.changed_sessions == {first.session_id}
    assert not marks.added_sessions and not marks.removed_sessions and not marks.moved_from


def test_an_item_moved_to_another_session_shows_removed_where_it_was(plan):
    source, target = _loaded(plan)[:2]
    moved = source.items[1]
    edited = plan.model_copy(deep=True)
    old = edited.session(source.session_id)
    item = next(i for i in old.items if i.item_id == moved.item_id)
    old.items.remove(item)
    edited.session(target.session_id).items.append(item)
    cards = {c.id: c for week in calendar(edited, plan) for c in week.cards()}
    assert cards[source.session_id].change == "changed"
    assert [r.name for r in cards[source.session_id].exercises if r.change == "removed"] == [
        moved.name]
    assert all(r.change == "" for r in cards[target.session_id].exercises)
    assert cards[target.session_id].change == ""


def test_removed_lines_keep_the_order_they_had(plan):
    session = max(_loaded(plan), key=lambda s: len(s.items))
    edits = [Edit("remove_item", session.session_id, i.item_id)
             for i in reversed(session.items[:2])]
    card = next(c for week in calendar(preview(plan, edits), plan) for c in week.cards()
                if c.id == session.session_id)
    assert [r.name for r in card.exercises if r.change == "removed"] == [
        i.name for i in session.items[:2]]
