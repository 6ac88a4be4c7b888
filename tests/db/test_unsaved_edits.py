"""Id-addressed editor edits, adherence colours and the plain-language impact."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plangov_app.services import adherence, diffing
from plangov_app.services.errors import InvalidInput
from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.plan_document import dump_document, parse_document
from plangov_app.services.plans.unsaved_edits import (
    Edit,
    compile_edits,
    days_of_week,
    preview_edits,
)

START = date(2026, 12, 7)  # a Monday


@pytest.fixture
def plan():
    return generate(GenerationInput("running", "intermediate", 4, START, 4))


def _strength(document):
    return next(s for _, s in document.sessions() if s.modality == "strength")


def test_edits_compile_to_patch_and_preview(plan):
    strength = _strength(plan)
    item = strength.items[0]
    edits = [Edit("set_item", strength.session_id, item.item_id, "sets", item.sets + 2),
             Edit("set_session", strength.session_id, field="notes", value="Go easy")]
    operations, stale = compile_edits(plan, edits)
    assert stale == []
    assert [op["op"] for op in operations] == ["replace", "replace"]
    edited = preview_edits(plan, edits)
    assert edited.session(strength.session_id).items[0].sets == item.sets + 2
    assert edited.session(strength.session_id).notes == "Go easy"
    changes = diffing.diff_documents(plan, edited)
    assert {c.field_path.rsplit("/", 1)[-1] for c in changes} == {"sets", "notes"}


def test_edits_survive_a_concurrent_reorder_and_report_vanished_targets(plan):
    """Re-applying unsaved edits on a new head follows ids, not list positions."""
    strength = _strength(plan)
    item = strength.items[1]
    mine = [Edit("set_item", strength.session_id, item.item_id, "reps", 9),
            Edit("remove_item", strength.session_id, strength.items[0].item_id)]
    # Someone else saved first: they removed the first item of the session.
    raw = dump_document(plan)
    for week in raw["weeks"]:
        for session in week["sessions"]:
            if session["session_id"] == strength.session_id:
                del session["items"][0]
    new_head = parse_document(raw)
    operations, stale = compile_edits(new_head, mine)
    assert [e.kind for e in stale] == ["remove_item"]
    assert len(operations) == 1
    assert operations[0]["path"].endswith("/items/0/reps")  # the item moved up one place
    assert preview_edits(new_head, mine).session(strength.session_id).items[0].reps == 9


def test_swap_to_unloaded_exercise_clears_the_load(plan):
    strength = _strength(plan)
    loaded = next(i for i in strength.items if i.load_kg)
    edited = preview_edits(plan, [Edit("swap", strength.session_id, loaded.item_id,
                                       value="push_up")])
    swapped = next(i for i in edited.session(strength.session_id).items
                   if i.item_id == loaded.item_id)
    assert (swapped.exercise, swapped.name, swapped.load_kg) == ("push_up", "Push-up", None)


def test_unknown_exercise_and_field_are_refused(plan):
    strength = _strength(plan)
    item = strength.items[0]
    with pytest.raises(InvalidInput, match="unknown exercise"):
        compile_edits(plan, [Edit("swap", strength.session_id, item.item_id, value="moonwalk")])
    with pytest.raises(InvalidInput, match="cannot edit item field"):
        compile_edits(plan, [Edit("set_item", strength.session_id, item.item_id, "exercise", 1)])


def test_move_within_week_and_its_description(plan):
    first = plan.weeks[0].sessions[0]
    days = days_of_week(plan, first.session_id)
    assert days[0] == START and days[-1] == START + timedelta(days=6)
    free = next(d for d in days if d not in {s.day for s in plan.weeks[0].sessions})
    edited = preview_edits(plan, [Edit("move", first.session_id, value=free.isoformat())])
    summary = diffing.summarize(plan, edited)
    assert summary["badges"] == ["1 session moved"]
    sentence = diffing.describe(summary, plan, edited)
    assert f"moved to {free:%A}" in sentence
    assert f"{first.day:%A}" in sentence


@pytest.mark.parametrize(("ratio", "colour"), [
    (1.0, "green"), (0.8, "green"), (1.2, "green"), (0.79, "amber"), (0.5, "amber"),
    (1.21, "amber"), (1.5, "amber"), (0.49, "red"), (1.51, "red"), (None, "red")])
def test_compliance_colours(ratio, colour):
    assert adherence.colour_for(ratio) == colour


def test_weekly_adherence_counts_completed_over_scheduled():
    weeks = [adherence.WeekAdherence(0, 4, 3), adherence.WeekAdherence(1, 0, 0)]
    assert weeks[0].rate == 0.75
    assert weeks[1].rate is None
    assert adherence.overall(weeks) == 0.75


def test_the_calendar_marks_added_removed_changed_and_moved(plan):
    from plangov_app.services.plans.unsaved_edits import new_item
    from plangov_app.services.views.calendar import calendar, dose

    strength = _strength(plan)
    first, second = strength.items[0], strength.items[1]
    other = next(s for s in plan.weeks[0].sessions if s.session_id != strength.session_id)
    target_day = next(d for d in days_of_week(plan, other.session_id)
                      if d not in {s.day for s in plan.weeks[0].sessions})
    edited = preview_edits(plan, [
        Edit("set_item", strength.session_id, first.item_id, "sets", first.sets + 1),
        Edit("remove_item", strength.session_id, second.item_id),
        Edit("add_item", strength.session_id, value=new_item("plank")),
        Edit("move", other.session_id, value=target_day.isoformat())])
    cards = {c.id: c for c in calendar(edited, plan)[0].cards()}
    marks = {row.name: (row.change, row.was) for row in cards[strength.session_id].exercises}
    assert cards[strength.session_id].change == "changed"
    assert marks[first.name] == ("changed", f"{first.name} {dose(first)}")
    assert dose(first).startswith(f"{first.sets}×{first.reps}")
    assert marks[second.name][0] == "removed" and marks["Plank"][0] == "added"
    assert cards[other.session_id].change == "moved"
    assert cards[other.session_id].note == f"Moved from {other.day:%a %d %b}"
    assert all(c.change == "" for sid, c in cards.items()
               if sid not in {strength.session_id, other.session_id})
    assert all(c.change == "" for c in calendar(plan, None)[0].cards())  # no reference

    without = plan.model_copy(deep=True)
    without.weeks[0].sessions.remove(without.session(strength.session_id))
    back = {c.id: c for c in calendar(without, plan)[0].cards()}
    assert back[strength.session_id].change == "removed"
    assert all(row.change == "removed" for row in back[strength.session_id].exercises)
    assert {c.id: c for c in calendar(plan, without)[0].cards()}[
        strength.session_id].change == "added"


def test_the_calendar_puts_each_session_under_its_day(plan):
    from plangov_app.services.views.calendar import calendar

    week = calendar(plan, None)[0]
    first = plan.start_date
    assert [d.label for d in week.days] == [
        f"{first + timedelta(days=n):%a %d %b}" for n in range(7)]
    for session in plan.weeks[0].sessions:
        column = week.days[(session.day - first).days]
        assert session.session_id in {c.id for c in column.sessions}
        assert not column.rest
    busy = {(s.day - first).days for s in plan.weeks[0].sessions}
    assert [d.rest for d in week.days] == [n not in busy for n in range(7)]

    moved = plan.weeks[0].sessions[0]
    free = next(n for n in range(7) if n not in busy)
    edited = preview_edits(plan, [Edit("move", moved.session_id,
                                 value=(first + timedelta(days=free)).isoformat())])
    after = calendar(edited, plan)[0]
    assert [c.id for c in after.days[free].sessions] == [moved.session_id]
    assert after.days[free].sessions[0].change == "moved"
    assert moved.session_id not in {c.id for c in after.days[(moved.day - first).days].sessions}


def test_week_pages_start_on_a_boundary_and_at_this_week():
    from plangov_app.services.views.calendar import WEEKS_PER_PAGE, calendar, page_start

    year = generate(GenerationInput("running", "intermediate", 4, START, 52))
    assert page_start(year, -1, START - timedelta(days=1)) == 0  # not started: first page
    assert page_start(year, -1, START + timedelta(weeks=20, days=3)) == WEEKS_PER_PAGE
    assert page_start(year, 20, START) == WEEKS_PER_PAGE
    assert page_start(year, 999, START) == 48  # the last page
    page = calendar(year, None, first=48, count=WEEKS_PER_PAGE)
    assert [w.label for w in page] == ["Week 49", "Week 50", "Week 51", "Week 52"]


def test_flatten_keys_items_by_id_without_repeating_it(plan):
    flat = diffing.flatten(plan)
    session = plan.weeks[0].sessions[0]
    item = session.items[0]
    assert flat["items"][item.item_id] == {
        "session_id": session.session_id, **item.model_dump(mode="json", exclude={"item_id"})}
    assert flat["sessions"][session.session_id]["day"] == session.day.isoformat()


def test_lru_cache_forgets_the_least_recently_used():
    from plangov_app.services.caching import LruCache

    cache = LruCache[str, int](2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_save_edits_writes_a_version_or_says_who_saved_first(client, token_for, seeded):
    from db.session import unit_of_work
    from plangov_app.demo import demo_id
    from plangov_app.services.context import system_context
    from plangov_app.services.errors import Conflict
    from plangov_app.services.plans.unsaved_edits import save_draft
    from plangov_app.services.rbac import load_actor
    from tests.support.factories import counts, create_plan, version

    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=4)
    head = version(client, coach, plan)
    first = head["content"]["weeks"][0]["sessions"][0]
    edit = Edit("set_session", first["session_id"], field="notes", value="Easy").as_dict()
    with unit_of_work(seeded) as session:
        actor = load_actor(session, demo_id("coach1@demo.test"))
        number, stale = save_draft(session, actor, plan["id"], base_version_id=head["id"],
                                   edits=[edit], reasons=["other"], rationale="",
                                   context=system_context("test"))
    assert (number, stale) == (2, [])
    with unit_of_work(seeded) as session:
        before = counts(session)
        with pytest.raises(Conflict, match="Casey Coach saved version 2 since you opened"):
            save_draft(session, actor, plan["id"], base_version_id=head["id"], edits=[edit],
                       reasons=["other"], rationale="", context=system_context("test"))
        assert counts(session) == before  # nothing written


def test_restore_keeps_remembered_edits_that_still_apply_and_says_what_was_saved(
        client, token_for, seeded):
    from db.session import read_session, unit_of_work
    from plangov_app.demo import demo_id
    from plangov_app.services.context import system_context
    from plangov_app.services.errors import NotFound
    from plangov_app.services.plans.unsaved_edits import restore_unsaved_edits, save_draft
    from plangov_app.services.rbac import load_actor
    from tests.support.factories import create_plan, version

    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=4)
    head = version(client, coach, plan)
    first, second = head["content"]["weeks"][0]["sessions"][:2]
    notes = Edit("set_session", first["session_id"], field="notes", value="Easy").as_dict()
    removal = Edit("remove_item", second["session_id"], second["items"][0]["item_id"]).as_dict()
    bad_dose = Edit("set_item", second["session_id"], second["items"][1]["item_id"], "sets",
                    "many").as_dict()
    remembered = [notes, removal, bad_dose, {"kind": "explode"}, "junk",
                  Edit("move", "no-such-session", value="2026-12-08").as_dict()]
    with read_session(seeded) as session:
        actor = load_actor(session, demo_id("coach1@demo.test"))
        restored = restore_unsaved_edits(session, actor, plan["id"], base_version_id=head["id"],
                                         remembered=remembered)
    assert (restored.edits, restored.dropped, restored.saved_since) == ([notes, removal], 4, "")

    with unit_of_work(seeded) as session:  # another save removes what the removal touched
        other = Edit("remove_item", second["session_id"], second["items"][0]["item_id"])
        save_draft(session, actor, plan["id"], base_version_id=head["id"],
                   edits=[other.as_dict()], reasons=["other"], rationale="",
                   context=system_context("test"))
    with read_session(seeded) as session:
        restored = restore_unsaved_edits(session, actor, plan["id"], base_version_id=head["id"],
                                         remembered=[notes, removal])
        assert restored.edits == [notes] and restored.dropped == 1
        assert restored.saved_since.startswith("Casey Coach saved version 2")
        unknown_base = restore_unsaved_edits(session, actor, plan["id"],
                                             base_version_id="not-a-version", remembered=[notes])
        assert unknown_base.saved_since == "The plan is now at version 2."
        other_coach = load_actor(session, demo_id("coach2@demo.test"))
        with pytest.raises(NotFound):
            restore_unsaved_edits(session, other_coach, plan["id"], base_version_id=head["id"],
                                  remembered=[notes])


def _edited(document, change):
    raw = dump_document(document)
    change(raw)
    return parse_document(raw)


def test_values_both_coaches_changed_are_named_for_a_choice(plan):
    """Minutes 30→55 saved by the other coach, 30→41 unsaved here: a clash, not a silent
    overwrite; values only one side changed (or both to the same) are none."""
    from plangov_app.services.plans.unsaved_edits import clashes, dose_edit, edit_key

    w, s = next((w, s) for w, week in enumerate(plan.weeks)
                for s, x in enumerate(week.sessions) if x.items and x.items[0].duration_min)
    session = plan.weeks[w].sessions[s]
    run = session.items[0]
    strength = _strength(plan)
    lift = strength.items[0]

    def theirs(raw):
        raw["weeks"][w]["sessions"][s]["items"][0]["duration_min"] = 55
        raw["weeks"][w]["sessions"][s]["notes"] = "Easy"
        for session_raw in raw["weeks"][0]["sessions"]:
            if session_raw["session_id"] == strength.session_id:
                session_raw["items"][0]["reps"] = 9

    head = _edited(plan, theirs)
    mine = [dose_edit(session.session_id, run.item_id, run.name, "duration_min", "41"),
            dose_edit(session.session_id, run.item_id, run.name, "rpe", "7"),  # only mine
            Edit("set_session", session.session_id, field="notes", value="Easy"),  # same
            dose_edit(strength.session_id, lift.item_id, lift.name, "reps", "12")]
    found = clashes(plan, head, mine)
    assert [c.key for c in found] == [edit_key(mine[0].as_dict()), edit_key(mine[3].as_dict())]
    minutes, reps = found
    assert minutes.what == f"Minutes for {run.name} ({session.day:%a %d %b})"
    assert (minutes.was, minutes.theirs, minutes.mine) == (f"{run.duration_min:g}", "55", "41")
    assert (reps.was, reps.theirs, reps.mine) == (str(lift.reps), "9", "12")
    assert clashes(plan, plan, mine) == []  # nobody else saved


def test_a_swap_or_move_both_made_is_a_clash_too(plan):
    from plangov_app.services.plans.unsaved_edits import clashes

    strength = _strength(plan)
    lift = strength.items[0]
    days = [d for d in days_of_week(plan, strength.session_id) if d != strength.day]

    def theirs(raw):
        for week in raw["weeks"]:
            for session_raw in week["sessions"]:
                if session_raw["session_id"] == strength.session_id:
                    session_raw["day"] = days[0].isoformat()
                    session_raw["items"][0].update(exercise="goblet_squat", name="Goblet squat")

    head = _edited(plan, theirs)
    mine = [Edit("move", strength.session_id, value=days[1].isoformat()),
            Edit("swap", strength.session_id, lift.item_id, value="push_up")]
    moved, swapped = clashes(plan, head, mine)
    assert (moved.theirs, moved.mine) == (f"{days[0]:%a %d %b}", f"{days[1]:%a %d %b}")
    assert moved.what.startswith("Day of ")
    assert (swapped.was, swapped.theirs, swapped.mine) == (lift.name, "Goblet squat", "Push-up")


def test_a_lost_race_and_a_restore_name_the_values_both_changed(client, token_for, seeded):
    """The conflict of a save (and edits a browser kept) carry the clashes to choose from."""
    from db.session import read_session, unit_of_work
    from plangov_app.demo import demo_id
    from plangov_app.services.context import system_context
    from plangov_app.services.errors import Conflict
    from plangov_app.services.plans.unsaved_edits import (
        dose_edit,
        edit_key,
        restore_unsaved_edits,
        save_draft,
    )
    from plangov_app.services.rbac import load_actor
    from tests.support.factories import create_plan, version

    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=4)
    head = version(client, coach, plan)
    session_raw, item = next((s, s["items"][0]) for s in head["content"]["weeks"][0]["sessions"]
                             if s["items"] and s["items"][0].get("duration_min"))
    other = dose_edit(session_raw["session_id"], item["item_id"], item["name"],
                      "duration_min", "55").as_dict()
    mine = [dose_edit(session_raw["session_id"], item["item_id"], item["name"],
                      "duration_min", "41").as_dict(),
            Edit("set_session", session_raw["session_id"], field="notes", value="Hi").as_dict()]
    with unit_of_work(seeded) as session:
        actor = load_actor(session, demo_id("coach1@demo.test"))
        save_draft(session, actor, plan["id"], base_version_id=head["id"], edits=[other],
                   reasons=["other"], rationale="", context=system_context("test"))
    with unit_of_work(seeded) as session, pytest.raises(Conflict) as lost:
        save_draft(session, actor, plan["id"], base_version_id=head["id"], edits=mine,
                   reasons=["other"], rationale="", context=system_context("test"))
    [clash] = lost.value.extra["clashes"]
    assert clash.key == edit_key(mine[0])
    assert (clash.was, clash.theirs, clash.mine) == (f"{item['duration_min']:g}", "55", "41")
    with read_session(seeded) as session:
        restored = restore_unsaved_edits(session, actor, plan["id"], base_version_id=head["id"],
                                         remembered=mine)
    assert restored.edits == mine and restored.clashes == [clash]
