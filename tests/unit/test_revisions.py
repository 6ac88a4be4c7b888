"""services/plans/revisions.py: which changes to a running plan ask for the athlete's approval
again, and which weeks a revision may not touch.

Each kind of change is made on one hand-built document and diffed for real
(`diffing.diff_documents`); every date is given, nothing depends on today's date.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from plangov_app.services import diffing
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plan_document import parse_document
from plangov_app.services.plans.revisions import (
    check_done_weeks,
    done_weeks,
    revision_effect,
)

START = "2026-01-05"  # a Monday


def content() -> dict[str, Any]:
    """Two weeks: a strength session and a run, then another strength session."""
    return {"start_date": START, "weeks": [
        {"index": 0, "sessions": [
            {"session_id": "s1", "day": "2026-01-05", "modality": "strength",
             "title": "Lower body", "notes": "", "items": [
                 {"item_id": "i1", "exercise": "back_squat", "sets": 3, "reps": 5,
                  "load_kg": 100, "rpe": 7},
                 {"item_id": "i2", "exercise": "push_up", "sets": 3, "reps": 10}]},
            {"session_id": "s2", "day": "2026-01-07", "modality": "endurance",
             "title": "Easy run", "items": [
                 {"item_id": "i3", "exercise": "easy_run", "duration_min": 30}]}]},
        {"index": 1, "sessions": [
            {"session_id": "s3", "day": "2026-01-12", "modality": "strength",
             "title": "Upper body", "items": [
                 {"item_id": "i4", "exercise": "bench_press", "sets": 3, "reps": 8,
                  "load_kg": 60}]}]}]}


def _s(doc: dict[str, Any], week: int, index: int) -> dict[str, Any]:
    return doc["weeks"][week]["sessions"][index]


def _swap(d: dict[str, Any]) -> None:
    _s(d, 0, 0)["items"][0]["exercise"] = "front_squat"


def _add_item(d: dict[str, Any]) -> None:
    _s(d, 0, 0)["items"].append({"item_id": "i9", "exercise": "pull_up", "sets": 3, "reps": 5})


def _add_session(d: dict[str, Any]) -> None:
    d["weeks"][1]["sessions"].append({"session_id": "s9", "day": "2026-01-14",
                                      "modality": "mobility", "title": "Mobility", "items": []})


def _reorder(d: dict[str, Any]) -> None:
    _s(d, 0, 0)["items"].reverse()


def _add_week(d: dict[str, Any]) -> None:
    d["weeks"].append({"index": 2, "sessions": []})


MATERIAL: list[tuple[str, Callable[[dict[str, Any]], None], tuple[str, ...]]] = [
    ("exercise swapped", _swap, ("exercises",)),
    ("exercise added", _add_item, ("exercises",)),
    ("exercise removed", lambda d: _s(d, 0, 0)["items"].pop(), ("exercises",)),
    ("exercises reordered", _reorder, ("exercises",)),
    ("load changed", lambda d: _s(d, 0, 0)["items"][0].update(load_kg=90), ("load",)),
    ("RPE changed", lambda d: _s(d, 0, 0)["items"][0].update(rpe=8), ("load",)),
    ("sets changed", lambda d: _s(d, 0, 0)["items"][0].update(sets=2), ("volume",)),
    ("reps changed", lambda d: _s(d, 0, 0)["items"][1].update(reps=12), ("volume",)),
    ("minutes changed", lambda d: _s(d, 0, 1)["items"][0].update(duration_min=20),
     ("volume",)),
    ("distance added", lambda d: _s(d, 0, 1)["items"][0].update(distance_km=5),
     ("volume",)),
    ("session added", _add_session, ("sessions",)),
    # its exercises go with it
    ("session removed", lambda d: d["weeks"][1]["sessions"].pop(), ("exercises", "sessions")),
    ("session type changed", lambda d: _s(d, 0, 1).update(modality="conditioning"),
     ("sessions",)),
    ("session moved to another day", lambda d: _s(d, 0, 1).update(day="2026-01-08"),
     ("days",)),
    ("week added", _add_week, ("sessions",)),
]
WORDING: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("session notes", lambda d: _s(d, 0, 0).update(notes="Knee: keep it easy")),
    ("session title", lambda d: _s(d, 0, 1).update(title="Recovery run")),
    ("exercise notes", lambda d: _s(d, 0, 0)["items"][0].update(notes="Tempo 3-1-1")),
    ("exercise name", lambda d: _s(d, 0, 0)["items"][1].update(name="Push-up (knees)")),
]


def _effect(change: Callable[[dict[str, Any]], None]):
    before = content()
    after = copy.deepcopy(before)
    change(after)
    old, new = parse_document(before), parse_document(after)
    changes = diffing.diff_documents(old, new)
    assert changes, "the change must be a real one"
    return revision_effect(changes)


@pytest.mark.parametrize(("what", "change", "aspects"), MATERIAL, ids=[m[0] for m in MATERIAL])
def test_a_change_to_what_the_athlete_does_asks_for_approval_again(what, change, aspects):
    effect = _effect(change)
    assert effect.needs_approval, what
    assert effect.aspects == aspects
    assert effect.sentence().startswith("This change will need the athlete's approval again")
    assert effect.audit_words().startswith("asked again")


@pytest.mark.parametrize(("what", "change"), WORDING, ids=[w[0] for w in WORDING])
def test_notes_and_wording_keep_the_approval(what, change):
    effect = _effect(change)
    assert not effect.needs_approval, what
    assert effect.aspects == ()
    assert effect.sentence() == ("The athlete will be told; approval stays (only notes or "
                                 "wording change).")


def test_wording_with_a_material_change_asks_again_and_names_each_aspect_once():
    def both(d: dict[str, Any]) -> None:
        _s(d, 0, 0).update(notes="new")
        _s(d, 0, 0)["items"][0].update(load_kg=90, sets=4)
        _s(d, 0, 0)["items"][1].update(sets=2)
        _swap(d)
    effect = _effect(both)
    assert effect.needs_approval and effect.aspects == ("exercises", "load", "volume")
    assert "(it changes exercises, load, volume)" in effect.sentence()


def test_no_changes_keep_the_approval():
    assert not revision_effect([]).needs_approval


def test_an_unknown_field_counts_as_material():
    odd = diffing.Change("sessions/s1/items/i1/tempo", "modified", 1, 2, "s1", "i1")
    assert revision_effect([odd]).needs_approval


@pytest.mark.parametrize(("today", "done"), [
    (date(2026, 1, 5), []),           # the first day: nothing done
    (date(2026, 1, 11), []),          # Sunday of week 1: still running
    (date(2026, 1, 12), [0]),         # week 1 is over
    (date(2026, 1, 19), [0, 1]),      # both weeks over
    (date(2025, 12, 1), []),          # before the plan
])
def test_done_weeks_are_those_whose_last_day_is_before_today(today, done):
    assert done_weeks(parse_document(content()), today) == done


def test_a_revision_may_not_change_a_week_already_done():
    before = parse_document(content())
    changed = content()
    _s(changed, 0, 0)["items"][0]["load_kg"] = 90
    with pytest.raises(InvalidInput) as refused:
        check_done_weeks(before, parse_document(changed), today=date(2026, 1, 12))
    assert refused.value.detail == (
        "Week 1 (05 Jan to 11 Jan 2026) is already done: a revision leaves the weeks before "
        "today as they were.")
    # the same change while week 1 still runs, and a change to week 2 once week 1 is done
    check_done_weeks(before, parse_document(changed), today=date(2026, 1, 11))
    later = content()
    _s(later, 1, 0)["items"][0]["load_kg"] = 50
    check_done_weeks(before, parse_document(later), today=date(2026, 1, 12))


def test_moving_a_session_out_of_a_done_week_is_refused_too():
    before = parse_document(content())
    moved = content()
    moved["weeks"][1]["sessions"].append(moved["weeks"][0]["sessions"].pop(1))
    moved["weeks"][1]["sessions"][-1]["day"] = "2026-01-14"
    with pytest.raises(InvalidInput, match=r"Week 1 .* is already done"):
        check_done_weeks(before, parse_document(moved), today=date(2026, 1, 13))
