"""services/describing.py: every kind of change in words, named from the documents.

The documents are test_diffing's (worked out by hand there); each expected sentence here is
what Plan History, the audit page, the athlete's review and the CSV exports show.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from plangov_app.services import describing, diffing
from plangov_app.services.diffing import encode_value
from plangov_app.services.plan_document import parse_document
from tests.unit.test_diffing import base_content, edited_content

EXPECTED = {
    "weeks/2": "Week 3 added (1 session)",
    "sessions/s1/item_order": "Exercise order: Back squat, Deadlift → Romanian deadlift, "
                              "Back squat (Lower body — heavy, Mon 05 Jan)",
    "sessions/s1/items/i1/load_kg": "Load: 100 kg → 110 kg (Back squat, Mon 05 Jan)",
    "sessions/s1/items/i2/exercise": "Exercise: Deadlift → Romanian deadlift "
                                     "(Lower body — heavy, Mon 05 Jan)",
    "sessions/s1/items/i3": "Exercise removed: Push-up 3 × 10 (Lower body — heavy, Mon 05 Jan)",
    "sessions/s1/items/i6": "Exercise added: Pull-up 3 × 5 (Lower body — heavy, Mon 05 Jan)",
    "sessions/s2/day": "Session moved: Wed 07 Jan → Fri 09 Jan (Easy run)",
    "sessions/s2/items/i4/duration_min": "Duration: 30 min → 45 min (Easy run, Fri 09 Jan)",
    "sessions/s4": "Session added: Full body (Mon 19 Jan)",
    "sessions/s4/items/i7": "Exercise added: Goblet squat 3 × 10 @ 20 kg (Full body, Mon 19 Jan)",
}


def _documents():
    return parse_document(base_content()), parse_document(edited_content())


def test_every_change_of_an_edit_reads_as_words():
    before, after = _documents()
    changes = diffing.diff_documents(before, after)
    described = {c.field_path: describing.describe_change(c, before, after) for c in changes}
    assert described == EXPECTED


def test_a_described_change_holds_no_id_path_or_json():
    before, after = _documents()
    for text in describing.describe_changes(diffing.diff_documents(before, after), before, after):
        for internal in ("s1", "i2", "/", "{", '"', "_", "None", ".0 "):
            assert internal not in text, (internal, text)


def test_a_stored_row_reads_as_the_computed_change():
    """plan_version_changes keeps values as JSON text: decoded, they read the same."""
    before, after = _documents()
    for change in diffing.diff_documents(before, after):
        row = describing.stored_change(
            field_path=change.field_path, change_type=change.change_type,
            old_value=encode_value(change.old_value), new_value=encode_value(change.new_value),
            session_id=change.session_id, item_id=change.item_id)
        assert describing.describe_change(row, before, after) == EXPECTED[change.field_path]


def test_a_stored_status_change_reads_as_labels():
    row = describing.stored_change(field_path="status", change_type="modified",
                                   old_value='"coach_reviewed"', new_value='"needs_revision"',
                                   session_id=None, item_id=None)
    assert describing.describe_change(row, None, None) == \
        "Status: Coach reviewed → Needs revision"


def test_a_plan_level_field_reads_as_label_and_values():
    row = describing.stored_change(field_path="start_date", change_type="modified",
                                   old_value='"2027-02-01"', new_value='"2027-02-08"',
                                   session_id=None, item_id=None)
    assert describing.describe_change(row, None, None) == "Start date: Mon 01 Feb → Mon 08 Feb"


def test_reps_and_a_swap_read_as_the_issue_asks():
    content = base_content()
    content["weeks"][1]["sessions"][0]["items"][0].update(exercise="db_shoulder_press")
    before = parse_document(content)
    content["weeks"][1]["sessions"][0]["items"][0].update(exercise="overhead_press", reps=12)
    content["weeks"][1]["sessions"][0]["items"][0].pop("name", None)
    after = parse_document(content)
    texts = describing.describe_changes(diffing.diff_documents(before, after), before, after)
    assert texts == ["Exercise: Dumbbell shoulder press → Overhead press (Upper body, Mon 12 Jan)",
                     "Reps: 8 → 12 (Overhead press, Mon 12 Jan)"]


def test_values_cleared_or_set_say_none_and_carry_units():
    content = base_content()
    before = parse_document(content)
    item = content["weeks"][0]["sessions"][0]["items"][2]  # push-up, unloaded
    item["notes"] = "Slow eccentric"
    content["weeks"][0]["sessions"][1]["items"][0]["duration_min"] = 12.5
    content["weeks"][0]["sessions"][0]["items"][0]["rpe"] = 8
    after = parse_document(content)
    texts = describing.describe_changes(diffing.diff_documents(before, after), before, after)
    assert texts == ["RPE: none → 8 (Back squat, Mon 05 Jan)",
                     "Notes: none → “Slow eccentric” (Push-up, Mon 05 Jan)",
                     "Duration: 30 min → 12.5 min (Easy run, Wed 07 Jan)"]


def test_a_whole_week_removed_and_an_exercise_moved_between_sessions():
    content = base_content()
    before = parse_document(content)
    moved = content["weeks"][0]["sessions"][0]["items"].pop(2)
    content["weeks"][0]["sessions"][1]["items"].append(moved)
    content["weeks"].pop(1)
    after = parse_document(content)
    texts = describing.describe_changes(diffing.diff_documents(before, after), before, after)
    assert "Exercise moved: Push-up, Lower body — heavy, Mon 05 Jan → Easy run, Wed 07 Jan" \
        in texts
    assert "Week 2 removed (1 session)" in texts
    assert "Session removed: Upper body (Mon 12 Jan)" in texts


@pytest.mark.parametrize(("status", "label"), [
    ("needs_revision", "Needs revision"), ("coach_reviewed", "Coach reviewed"),
    ("approved", "Approved"), ("something_new", "Something new"), ("", "—"), (None, "—")])
def test_statuses_read_as_labels(status, label):
    assert describing.status_label(status) == label


def test_reasons_read_as_labels():
    assert describing.reasons_text(["time_constraint", "injury", "new_code"]) == \
        "Time constraint, Injury, New code"
    assert describing.reasons_text([]) == ""


@pytest.mark.parametrize(("when", "text"), [
    (datetime(2027, 2, 2, 14, 5), "02 Feb 2027, 14:05 UTC"),  # stored naive: UTC
    (datetime(2027, 2, 2, 14, 5, tzinfo=UTC), "02 Feb 2027, 14:05 UTC"),
    (datetime(2027, 2, 2, 15, 5, tzinfo=timezone(timedelta(hours=1))), "02 Feb 2027, 14:05 UTC"),
])
def test_times_name_their_zone(when, text):
    assert describing.moment(when) == text


def test_an_edit_events_metadata_reads_as_words():
    metadata = {"version_id": "v-1", "version_number": 3, "parent_version_id": "v-0",
                "change_count": 2, "fields_changed": ["sessions/s1/items/i1/sets"],
                "reason_codes": ["time_constraint"], "rationale_tags": ["ramp"],
                "badges": ["1 swap"], "status": {"from": "draft", "to": "needs_revision"}}
    assert describing.event_lines(metadata) == [
        "Status: Draft → Needs revision", "Reasons: Time constraint", "Fields changed: 2",
        "Summary: 1 swap", "Tags: ramp"]


@pytest.mark.parametrize(("metadata", "lines"), [
    ({"email": "a@demo.test", "old": "athlete", "new": "support"},
     ["Role: athlete → support", "Email: a@demo.test"]),
    ({"kind": "coach", "coach_id": "c-1", "coach": "c@demo.test", "athlete": "a@demo.test",
      "old": False, "new": True}, ["Coach assigned", "Coach: c@demo.test", "Athlete: a@demo.test"]),
    ({"kind": "team", "team": "Rowing", "user": "u@demo.test", "old": True, "new": False},
     ["Left the team", "Team: Rowing", "User: u@demo.test"]),
    ({"decision": "request_changes", "status": {"from": "coach_reviewed", "to": "needs_revision"},
      "comment_id": "c-1", "on_behalf_of": None},
     ["Status: Coach reviewed → Needs revision", "Decision: Request changes"]),
    ({"algorithm_version": "lp-1.0", "weeks": 8, "start_date": "2027-02-01"},
     ["Algorithm: lp-1.0", "Weeks: 8", "Starts: Mon 01 Feb"]),
])
def test_other_events_read_as_words(metadata, lines):
    assert describing.event_lines(metadata) == lines


def test_a_settings_change_lists_what_changed_old_to_new():
    """Experiments and flags audit their whole settings: only what changed is said, in words
    (it read "Role: {…} → {…}" before)."""
    old = {"name": "LP vs DUP", "holdout_percentage": 10, "enabled": False,
           "variants": [{"key": "a", "weight": 50}, {"key": "b", "weight": 50}]}
    new = {**old, "holdout_percentage": 12.5, "enabled": True,
           "variants": [{"key": "a", "weight": 60}, {"key": "b", "weight": 40}]}
    assert describing.event_lines({"key": "lp-vs-dup", "old": old, "new": new}) == [
        "Holdout percentage: 10 → 12.5", "Enabled: no → yes",
        "Variants: key a, weight 50; key b, weight 50 → key a, weight 60; key b, weight 40",
        "Key: lp-vs-dup"]
    assert describing.event_lines({"old": old, "new": dict(old)}) == ["No setting changed"]


def test_a_created_record_lists_its_settings():
    new = {"description": "", "enabled": True, "rules": {"roles": ["coach"], "percentage": 0}}
    assert describing.event_lines({"key": "diff_viewer_v2", "old": None, "new": new}) == [
        "Enabled: yes", "Rules: roles coach, percentage 0", "Key: diff_viewer_v2"]


@pytest.mark.parametrize(("action", "label"), [
    ("plan.edit", "Plan edited"), ("role.change", "Role changed"),
    ("something.new_here", "Something new here")])
def test_actions_read_as_labels(action, label):
    assert describing.action_label(action) == label
