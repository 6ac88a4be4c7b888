"""services/diffing.py on hand-built documents, with every expected value worked out by hand.

The API tests check that edits are stored with a diff; these pin the diff itself: each
change's type, path and values, the impact summary's counts and percentages, the badges
and the plain-language sentence (mutation testing found them asserted only loosely).
"""

from __future__ import annotations

import copy
import math
from datetime import date
from typing import Any

import pytest

from plangov_app.services import diffing
from plangov_app.services.diffing import Change
from plangov_app.services.plan_document import PlanDocument, parse_document

START = "2026-01-05"  # a Monday


def item(item_id: str, exercise: str, **dose: Any) -> dict[str, Any]:
    return {"item_id": item_id, "exercise": exercise, **dose}


def base_content() -> dict[str, Any]:
    """Two weeks: heavy lower body and an easy run, then upper body (strength 4770, run 30)."""
    return {"start_date": START, "weeks": [
        {"index": 0, "sessions": [
            {"session_id": "s1", "day": "2026-01-05", "modality": "strength",
             "title": "Lower body — heavy", "items": [
                 item("i1", "back_squat", sets=3, reps=5, load_kg=100),      # 1500
                 item("i2", "deadlift", sets=3, reps=5, load_kg=120),        # 1800
                 item("i3", "push_up", sets=3, reps=10)]},                   # 30
            {"session_id": "s2", "day": "2026-01-07", "modality": "endurance",
             "title": "Easy run", "items": [item("i4", "easy_run", duration_min=30)]}]},
        {"index": 1, "sessions": [
            {"session_id": "s3", "day": "2026-01-12", "modality": "strength",
             "title": "Upper body", "items": [
                 item("i5", "bench_press", sets=3, reps=8, load_kg=60)]}]}]}   # 1440


def edited_content() -> dict[str, Any]:
    """Heavier squat, deadlift swapped, push-up replaced, run moved and longer, a week added."""
    content = base_content()
    s1, s2 = content["weeks"][0]["sessions"]
    squat, deadlift, _ = s1["items"]
    squat["load_kg"] = 110                                                   # 1650
    deadlift["exercise"] = "romanian_deadlift"                               # 1800
    s1["items"] = [deadlift, squat, item("i6", "pull_up", sets=3, reps=5)]   # 15, order changed
    s2["day"] = "2026-01-09"
    s2["items"][0]["duration_min"] = 45
    content["weeks"].append({"index": 2, "sessions": [
        {"session_id": "s4", "day": "2026-01-19", "modality": "strength", "title": "Full body",
         "items": [item("i7", "goblet_squat", sets=3, reps=10, load_kg=20)]}]})  # 600
    return content


def doc(content: dict[str, Any]) -> PlanDocument:
    return parse_document(copy.deepcopy(content))


@pytest.fixture
def before() -> PlanDocument:
    return doc(base_content())


@pytest.fixture
def after() -> PlanDocument:
    return doc(edited_content())


def test_every_change_is_typed_placed_and_valued(before: PlanDocument,
                                                after: PlanDocument) -> None:
    assert diffing.diff_documents(before, after) == [
        Change("weeks/2", "added", None, {"index": 2, "sessions": 1}, None, None),
        Change("sessions/s1/item_order", "moved", ["i1", "i2"], ["i2", "i1"], "s1", None),
        Change("sessions/s1/items/i1/load_kg", "modified", 100.0, 110.0, "s1", "i1"),
        Change("sessions/s1/items/i2/exercise", "modified", "deadlift", "romanian_deadlift",
               "s1", "i2"),
        Change("sessions/s1/items/i3", "removed",
               {"exercise": "push_up", "name": "Push-up", "sets": 3, "reps": 10}, None,
               "s1", "i3"),
        Change("sessions/s1/items/i6", "added", None,
               {"exercise": "pull_up", "name": "Pull-up", "sets": 3, "reps": 5}, "s1", "i6"),
        Change("sessions/s2/day", "moved", "2026-01-07", "2026-01-09", "s2", None),
        Change("sessions/s2/items/i4/duration_min", "modified", 30.0, 45.0, "s2", "i4"),
        Change("sessions/s4", "added", None,
               {"day": "2026-01-19", "modality": "strength", "title": "Full body"}, "s4", None),
        Change("sessions/s4/items/i7", "added", None,
               {"exercise": "goblet_squat", "name": "Goblet squat", "sets": 3, "reps": 10,
                "load_kg": 20.0}, "s4", "i7"),
    ]


def test_the_summary_counts_and_weighs_the_impact(before: PlanDocument,
                                                 after: PlanDocument) -> None:
    summary = diffing.summarize(before, after)
    assert summary["volume"] == {
        "by_modality": {"strength": {"before": 4770.0, "after": 5505.0, "pct": 15.4,
                                     "unit": "kg·reps"},
                        "endurance": {"before": 30.0, "after": 45.0, "pct": 50.0,
                                      "unit": "minutes"}},
        # weighted by the sessions each modality had before: (15.4 × 2 + 50 × 1) / 3
        "total_pct": 26.9}
    assert summary["exercise_swaps"] == [{"session_id": "s1", "item_id": "i2",
                                          "from": "deadlift", "to": "romanian_deadlift"}]
    assert summary["sessions_moved"] == [{"session_id": "s2", "from": "2026-01-07",
                                          "to": "2026-01-09"}]
    assert summary["intensity_changes"] == [
        {"field_path": "sessions/s1/items/i1/load_kg", "change_type": "modified",
         "old_value": 100.0, "new_value": 110.0, "session_id": "s1", "item_id": "i1"}]
    counts = {key: summary[key] for key in (
        "weeks_added", "weeks_removed", "sessions_added", "sessions_removed", "items_added",
        "items_removed", "sessions_changed", "change_count")}
    assert counts == {"weeks_added": 1, "weeks_removed": 0, "sessions_added": 1,
                      "sessions_removed": 0, "items_added": 2, "items_removed": 1,
                      "sessions_changed": 3, "change_count": 10}
    assert summary["badges"] == [
        "Strength volume ↑ 15.4% (kg·reps)", "Endurance volume ↑ 50% (minutes)",
        "1 exercise swapped", "2 exercises added", "1 exercise removed", "1 session moved",
        "1 session added", "1 week added", "1 intensity change"]


def test_the_summary_uses_the_changes_it_is_given(before: PlanDocument,
                                                 after: PlanDocument) -> None:
    """Changes already computed are not computed again (and are what is counted)."""
    summary = diffing.summarize(before, after, changes=[])
    assert summary["change_count"] == 0 and summary["exercise_swaps"] == []
    assert summary["volume"]["total_pct"] == 26.9  # volumes come from the documents


def test_the_sentence_says_what_changed(before: PlanDocument, after: PlanDocument) -> None:
    summary = diffing.summarize(before, after)
    assert diffing.describe(summary, before, after) == (
        "3 sessions changed, strength volume ↑ 15.4% (kg·reps), endurance volume ↑ 50% "
        "(minutes), Wednesday easy run moved to Friday, Deadlift swapped for Romanian "
        "deadlift, 2 exercises added, 1 exercise removed, 1 session added, 1 week added, "
        "1 intensity change")


def test_the_sentence_going_back_uses_singulars_and_down_arrows(
        before: PlanDocument, after: PlanDocument) -> None:
    summary = diffing.summarize(after, before)
    assert diffing.describe(summary, after, before) == (
        "3 sessions changed, strength volume ↓ 13.4% (kg·reps), endurance volume ↓ 33.3% "
        "(minutes), Friday easy run moved to Wednesday, Romanian deadlift swapped for "
        "Deadlift, 1 exercise added, 2 exercises removed, 1 session removed, 1 week removed, "
        "1 intensity change")
    assert summary["badges"] == [
        "Strength volume ↓ 13.4% (kg·reps)", "Endurance volume ↓ 33.3% (minutes)",
        "1 exercise swapped", "1 exercise added", "2 exercises removed", "1 session moved",
        "1 session removed", "1 week removed", "1 intensity change"]


def test_one_session_changed_is_singular(before: PlanDocument) -> None:
    content = base_content()
    content["weeks"][1]["sessions"][0]["title"] = "Upper body — push"
    after = doc(content)
    summary = diffing.summarize(before, after)
    assert diffing.describe(summary, before, after) == "1 session changed"
    assert summary["badges"] == []  # a title is no volume, swap, move or intensity


def test_no_change_is_said_plainly(before: PlanDocument) -> None:
    same = doc(base_content())
    summary = diffing.summarize(before, same)
    assert diffing.diff_documents(before, same) == []
    assert summary["change_count"] == 0 and summary["sessions_changed"] == 0
    assert summary["volume"]["total_pct"] == 0.0 and summary["badges"] == []
    assert diffing.describe(summary, before, same) == "No changes."


def test_a_moved_removed_session_is_named_from_before(before: PlanDocument) -> None:
    """A move reported for a session the new version lacks takes its title from before."""
    summary = {"volume": {"by_modality": {}}, "sessions_moved": [
        {"session_id": "s2", "from": "2026-01-07", "to": "2026-01-08"},
        {"session_id": "gone", "from": "2026-01-05", "to": "2026-01-06"}]}
    after = doc({"start_date": START, "weeks": [{"index": 0, "sessions": []}]})
    assert diffing.describe(summary, before, after) == (
        "Wednesday easy run moved to Thursday, Monday session moved to Tuesday")


def test_a_session_moved_to_another_week_is_one_move(before: PlanDocument) -> None:
    content = base_content()
    run = content["weeks"][0]["sessions"].pop(1)
    run["day"] = "2026-01-13"
    content["weeks"][1]["sessions"].append(run)
    changes = diffing.diff_documents(before, doc(content))
    assert changes == [Change("sessions/s2/day", "moved", "2026-01-07", "2026-01-13", "s2", None)]


def test_session_fields_are_modified_and_items_move_between_sessions(
        before: PlanDocument) -> None:
    content = base_content()
    s1, s2 = content["weeks"][0]["sessions"]
    s1["notes"] = "keep it smooth"
    s2["items"].append(s1["items"].pop(2))  # the push-up goes to the run
    changes = diffing.diff_documents(before, doc(content))
    assert changes == [
        Change("sessions/s1/notes", "modified", "", "keep it smooth", "s1", None),
        Change("sessions/s2/items/i3/session_id", "moved", "s1", "s2", "s2", "i3"),
    ]
    summary = diffing.summarize(before, doc(content), changes)
    assert summary["sessions_changed"] == 2 and summary["sessions_moved"] == []


def test_a_renamed_item_without_a_swap_is_a_name_change(before: PlanDocument) -> None:
    content = base_content()
    content["weeks"][0]["sessions"][0]["items"][0]["name"] = "Low-bar squat"
    changes = diffing.diff_documents(before, doc(content))
    assert changes == [Change("sessions/s1/items/i1/name", "modified", "Back squat",
                              "Low-bar squat", "s1", "i1")]


def test_removed_weeks_and_sessions_are_counted(before: PlanDocument) -> None:
    content = base_content()
    content["weeks"].pop()
    content["weeks"][0]["sessions"].pop()
    after = doc(content)
    changes = diffing.diff_documents(before, after)
    assert [(c.field_path, c.change_type, c.old_value) for c in changes] == [
        ("weeks/1", "removed", {"index": 1, "sessions": 1}),
        ("sessions/s2", "removed", {"day": "2026-01-07", "modality": "endurance",
                                    "title": "Easy run"}),
        ("sessions/s2/items/i4", "removed", {"exercise": "easy_run", "name": "Easy run",
                                             "duration_min": 30.0}),
        ("sessions/s3", "removed", {"day": "2026-01-12", "modality": "strength",
                                    "title": "Upper body"}),
        ("sessions/s3/items/i5", "removed", {"exercise": "bench_press", "name": "Bench press",
                                             "sets": 3, "reps": 8, "load_kg": 60.0}),
    ]
    summary = diffing.summarize(before, after, changes)
    assert (summary["weeks_removed"], summary["sessions_removed"],
            summary["items_removed"]) == (1, 2, 2)
    # strength 4770 → 3330 (−30.2 %); endurance 30 → 0 (−100 %): (−30.2 × 2 − 100) / 3
    assert summary["volume"]["total_pct"] == -53.5
    assert summary["badges"] == [
        "Strength volume ↓ 30.2% (kg·reps)", "Endurance volume ↓ 100% (minutes)",
        "2 exercises removed", "2 sessions removed", "1 week removed"]


def test_plural_badges() -> None:
    summary = {"volume": {"by_modality": {}, "total_pct": -5.0}, "exercise_swaps": [1, 2],
               "sessions_moved": [1, 2], "intensity_changes": [1, 2], "sessions_added": 2,
               "sessions_removed": 0, "weeks_added": 2, "items_added": 3}
    assert diffing.badges(summary) == ["2 exercises swapped", "3 exercises added",
                                       "2 sessions moved", "2 sessions added",
                                       "2 weeks added", "2 intensity changes"]


def test_badges_of_a_summary_stored_before_units_take_the_modalitys_unit() -> None:
    stored = {"volume": {"by_modality": {"endurance": {"before": 30.0, "after": 27.0,
                                                       "pct": -10.0}}, "total_pct": -10.0}}
    assert diffing.badges(stored) == ["Endurance volume ↓ 10% (minutes)"]


def test_a_swap_that_drops_the_load_is_a_swap_not_an_intensity_change(
        before: PlanDocument) -> None:
    content = base_content()
    squat = content["weeks"][0]["sessions"][0]["items"][0]
    squat.update(exercise="push_up", name="Push-up", load_kg=None)
    summary = diffing.summarize(before, doc(content))
    assert summary["intensity_changes"] == []
    assert summary["badges"] == ["Strength volume ↓ 31.1% (kg·reps)", "1 exercise swapped"]
    hard = base_content()
    hard["weeks"][0]["sessions"][0]["items"][0]["rpe"] = 8.0
    squat.update(rpe=9.0)  # a harder effort asked with the swap is still an intensity change
    summary = diffing.summarize(doc(hard), doc(content))
    assert [c["field_path"] for c in summary["intensity_changes"]] == ["sessions/s1/items/i1/rpe"]


def test_an_added_exercise_has_a_badge_and_the_same_words_in_the_sentence(
        before: PlanDocument) -> None:
    content = base_content()
    content["weeks"][0]["sessions"][1]["items"].append(
        {"item_id": "i9", "exercise": "easy_run", "name": "Easy run", "duration_min": 10.0})
    after = doc(content)
    summary = diffing.summarize(before, after)
    assert summary["badges"] == ["Endurance volume ↑ 33.3% (minutes)", "1 exercise added"]
    assert diffing.describe(summary, before, after) == (
        "1 session changed, endurance volume ↑ 33.3% (minutes), 1 exercise added")


def test_a_timed_exercise_is_not_counted_in_strength_volume(before: PlanDocument) -> None:
    content = base_content()
    content["weeks"][0]["sessions"][0]["items"].append(
        {"item_id": "i9", "exercise": "plank", "name": "Plank", "sets": 3,
         "duration_min": 1.0})
    assert diffing.volume_by_modality(doc(content))["strength"] == \
        diffing.volume_by_modality(before)["strength"]


def test_volume_from_nothing_has_no_percentage() -> None:
    empty = doc({"start_date": START, "weeks": [{"index": 0, "sessions": [
        {"session_id": "s1", "day": START, "modality": "mobility", "title": "Rest day"}]}]})
    content = copy.deepcopy(base_content())
    summary = diffing.summarize(empty, doc(content))
    assert summary["volume"]["by_modality"]["strength"] == {"before": 0.0, "after": 4770.0,
                                                            "pct": None, "unit": "kg·reps"}
    assert summary["volume"]["total_pct"] is None
    assert "Volume" not in " ".join(summary["badges"])


def test_volumes_and_counts_are_per_modality_and_copies(before: PlanDocument) -> None:
    volumes = diffing.volume_by_modality(before)
    assert volumes == {"strength": 4770.0, "conditioning": 0.0, "endurance": 30.0,
                       "mobility": 0.0}
    assert diffing.session_counts(before) == {"strength": 2, "conditioning": 0,
                                              "endurance": 1, "mobility": 0, "rest": 0}
    volumes["strength"] = 0.0
    diffing.session_counts(before)["strength"] = 99
    assert diffing.volume_by_modality(before)["strength"] == 4770.0
    assert diffing.session_counts(before)["strength"] == 2


def test_flattening_is_cached_per_document_and_by_stable_ids(before: PlanDocument) -> None:
    flat = diffing.flatten(before)
    assert diffing.flatten(before) is flat
    assert flat["weeks"] == {0: 2, 1: 1}
    assert flat["order"] == {"s1": ("i1", "i2", "i3"), "s2": ("i4",), "s3": ("i5",)}
    assert flat["sessions"]["s2"] == {"week": 0, "day": "2026-01-07", "modality": "endurance",
                                      "title": "Easy run", "notes": ""}
    assert flat["items"]["i4"]["session_id"] == "s2"
    twin = doc(base_content())
    assert diffing.flatten(twin) == flat and diffing.flatten(twin) is not flat


def test_percentages_round_and_never_read_minus_zero() -> None:
    assert diffing.pct_change(5.0, 0.0) is None
    assert diffing.pct_change(90.0, 100.0) == -10.0
    assert diffing.pct_change(100.0, 30.0) == 233.3
    tiny_drop = diffing.pct_change(99.99, 100.0)
    assert tiny_drop == 0.0 and math.copysign(1.0, tiny_drop) == 1.0


def test_rationale_tags_from_hashtags_and_keywords() -> None:
    assert diffing.rationale_tags("Knee pain after TRAVEL; #Deload week, #a too short") == [
        "deload", "injury", "travel"]
    assert diffing.rationale_tags("#race-prep, gym closed") == [
        "competition", "equipment", "race-prep"]
    assert diffing.rationale_tags("") == []


def test_values_are_stored_as_sorted_json() -> None:
    assert diffing.encode_value(None) is None
    assert diffing.encode_value({"b": 1, "a": date(2026, 1, 5)}) == '{"a": "2026-01-05", "b": 1}'
    assert diffing.encode_value("x") == '"x"'
    assert Change("p", "added", None, 1, "s", None).as_dict() == {
        "field_path": "p", "change_type": "added", "old_value": None, "new_value": 1,
        "session_id": "s", "item_id": None}


def test_the_sentence_names_the_session_as_it_is_now_and_any_exercise() -> None:
    """A moved session is named by its new title's first part; unknown exercises by key."""
    before = doc(base_content())
    content = base_content()
    s1 = content["weeks"][0]["sessions"][0]
    s1["day"], s1["title"] = "2026-01-06", "Legs — light"
    s1["items"][0]["load_kg"] = 100.5  # +0.1 % of strength volume: a small rise is still ↑
    after = doc(content)
    summary = diffing.summarize(before, after)
    summary["exercise_swaps"] = [{"from": "retired_move", "to": "back_squat"}]
    assert diffing.describe(summary, before, after) == (
        "1 session changed, strength volume ↑ 0.2% (kg·reps), Monday legs moved to Tuesday, "
        "retired_move swapped for Back squat, 1 intensity change")


def test_a_summary_without_optional_parts_describes_nothing() -> None:
    plan = doc(base_content())
    assert diffing.describe({"volume": {"by_modality": {}}}, plan, plan) == "No changes."


def test_a_session_filed_under_another_week_on_the_same_day_is_moved() -> None:
    """Without a start date the day does not fix the week: the week change is the move."""
    content = base_content()
    del content["start_date"]
    before = doc(content)
    run = content["weeks"][0]["sessions"].pop(1)
    content["weeks"][1]["sessions"].append(run)
    assert diffing.diff_documents(before, doc(content)) == [
        Change("sessions/s2/week", "moved", 0, 1, "s2", None)]


def test_a_total_that_rounds_to_nothing_is_plain_zero() -> None:
    """(−0.1 × 3 + 0.1 × 2) / 5 rounds to −0.0, which must read 0.0, not "-0.0"."""
    by_modality = {"strength": {"pct": -0.1}, "endurance": {"pct": 0.1},
                   "mobility": {"pct": None}}
    total = diffing._weighted_total(by_modality, {"strength": 3, "endurance": 2, "mobility": 9})
    assert total == 0.0 and math.copysign(1.0, total) == 1.0


def test_volumes_and_counts_are_worked_out_once_per_document(before: PlanDocument) -> None:
    """Summaries of one document reuse its figures (a 52-week plan is summarised twice a save)."""
    first_volumes, first_counts = diffing._stats(before)
    again_volumes, again_counts = diffing._stats(before)
    assert again_volumes is first_volumes and again_counts is first_counts
    twin = doc(base_content())
    assert diffing._stats(twin)[0] == first_volumes and diffing._stats(twin)[0] is not first_volumes


def test_a_stored_modality_without_a_unit_reads_without_empty_brackets() -> None:
    """A summary stored under a modality the product no longer weighs is worded without a
    unit rather than with "()" (or a made-up one)."""
    stored = {"volume": {"by_modality": {"yoga": {"before": 10.0, "after": 12.0, "pct": 20.0,
                                                  "unit": ""}}, "total_pct": 20.0}}
    assert diffing.volume_phrases(stored) == ["yoga volume ↑ 20%"]


def test_week_changes_come_before_the_sessions_they_hold(before: PlanDocument) -> None:
    """Changes are sorted by session; a week's own change has none and comes first, whatever
    the session ids are (upper case ones sort before lower case)."""
    content = base_content()
    content["weeks"].append({"index": 2, "sessions": [
        {"session_id": "A1", "day": "2026-01-19", "modality": "endurance",
         "items": [item("Z1", "easy_run", duration_min=20)]}]})
    paths = [c.field_path for c in diffing.diff_documents(before, doc(content))]
    assert paths == ["weeks/2", "sessions/A1", "sessions/A1/items/Z1"]


def test_volumes_are_rounded_to_one_decimal() -> None:
    """62.25 kg × 1 × 1 is 62.2 kg·reps (round half to even), not 62 or 62.25."""
    content = {"start_date": START, "weeks": [{"index": 0, "sessions": [
        {"session_id": "s1", "day": START, "modality": "strength",
         "items": [item("i1", "back_squat", sets=1, reps=1, load_kg=62.25)]},
        {"session_id": "s2", "day": "2026-01-06", "modality": "endurance",
         "items": [item("i2", "easy_run", duration_min=20.5)]}]}]}
    volumes = diffing.volume_by_modality(doc(content))
    assert (volumes["strength"], volumes["endurance"]) == (62.2, 20.5)


def test_a_sessions_own_changes_come_before_its_items() -> None:
    """Within a session, its own fields come first, then its items by id, whatever the ids
    (upper case ones sort before lower case)."""
    content = base_content()
    s1 = content["weeks"][0]["sessions"][0]
    s1["items"][0]["item_id"] = "A1"
    old = doc(content)
    s1["title"] = "Lower body — lighter"
    s1["items"][0]["reps"] = 4
    paths = [c.field_path for c in diffing.diff_documents(old, doc(content))]
    assert paths == ["sessions/s1/title", "sessions/s1/items/A1/reps"]
