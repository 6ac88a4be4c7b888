"""Doses as people type them, and a plan's problems in words (never field paths)."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from plangov_app.services.errors import InvalidInput
from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.plan_document import (
    DOSE_LIMITS,
    Item,
    dump_document,
    parse_document,
    read_dose,
)
from plangov_app.services.plans.unsaved_edits import dose_edit

START = date(2027, 2, 1)  # a Monday


@pytest.mark.parametrize(("field", "typed", "value"), [
    ("reps", "8", 8), ("reps", " 12 ", 12), ("reps", "1", 1), ("reps", "100", 100),
    ("sets", "20", 20), ("sets", "4.0", 4), ("load_kg", "62.5", 62.5), ("load_kg", "62,5", 62.5),
    ("load_kg", "0", 0), ("load_kg", "500", 500), ("rpe", "7.5", 7.5), ("rpe", "10", 10),
    ("duration_min", "0.5", 0.5), ("duration_min", "600", 600), ("reps", "", None),
    ("duration_min", "  ", None)])
def test_a_dose_in_range_is_its_value(field, typed, value):
    reading = read_dose(field, typed)
    assert (reading.value, reading.error) == (value, "")
    assert type(reading.value) is type(value)


@pytest.mark.parametrize(("field", "typed", "error"), [
    ("reps", "500", "Reps must be a whole number from 1 to 100."),
    ("reps", "-3", "Reps must be a whole number from 1 to 100."),
    ("reps", "0", "Reps must be a whole number from 1 to 100."),
    ("reps", "101", "Reps must be a whole number from 1 to 100."),
    ("reps", "abc", "Reps must be a whole number from 1 to 100."),
    ("reps", "1e1", "Reps must be a whole number from 1 to 100."),
    ("sets", "2.5", "Sets must be a whole number from 1 to 20."),
    ("sets", "21", "Sets must be a whole number from 1 to 20."),
    ("load_kg", "-1", "Load kg must be a number from 0 to 500."),
    ("load_kg", "500.5", "Load kg must be a number from 0 to 500."),
    ("load_kg", "nan", "Load kg must be a number from 0 to 500."),
    ("rpe", "0.5", "RPE must be a number from 1 to 10."),
    ("rpe", "inf", "RPE must be a number from 1 to 10."),
    ("duration_min", "0", "Minutes must be a number above 0 and at most 600."),
    ("duration_min", "601", "Minutes must be a number above 0 and at most 600."),
    ("duration_min", "1,2,3", "Minutes must be a number above 0 and at most 600."),
    ("exercise", "5", "Exercise is not a dose.")])
def test_anything_else_is_refused_in_words(field, typed, error):
    assert read_dose(field, typed).value is None
    assert read_dose(field, typed).error == error


@pytest.mark.parametrize("field", list(DOSE_LIMITS))
def test_the_model_takes_exactly_what_read_dose_takes(field):
    """One source of the ranges: the document model and the typed-value check agree."""
    base = {"item_id": "i", "exercise": "back_squat", "sets": 3}
    for typed in ("-1", "0", "0.5", "1", "2.5", "10", "20", "21", "100", "101", "110",
                  "111", "300", "301", "500", "501", "600", "601"):
        reading = read_dose(field, typed)
        value: float = float(typed)
        if DOSE_LIMITS[field].whole and value.is_integer():
            value = int(value)  # a whole field takes ints (2.5 stays a float, refused)
        try:
            Item.model_validate({**base, field: value})
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == (reading.error == ""), (field, typed)


def test_a_dose_edit_is_labelled_with_the_value_taken():
    edit = dose_edit("s1", "i1", "Deadlift", "load_kg", " 62,5 ")
    assert (edit.kind, edit.field, edit.value) == ("set_item", "load_kg", 62.5)
    assert edit.label == "Deadlift: load kg → 62.5"
    assert dose_edit("s1", "i1", "Deadlift", "rpe", "").label == "Deadlift: RPE → empty"
    with pytest.raises(InvalidInput, match=r"^Sets must be a whole number from 1 to 20\.$"):
        dose_edit("s1", "i1", "Deadlift", "sets", "2.5")
    with pytest.raises(InvalidInput, match="cannot be edited here"):
        dose_edit("s1", "i1", "Deadlift", "exercise", "5")


@pytest.fixture
def raw():
    return dump_document(generate(GenerationInput("running", "intermediate", 4, START, 4)))


def _strength(raw):
    return next(s for w in raw["weeks"] for s in w["sessions"] if s["modality"] == "strength")


def _refusal(raw) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_document(raw)
    return caught.value


def test_a_bad_dose_is_named_by_exercise_and_day(raw):
    session = _strength(raw)
    item = session["items"][1]
    item["reps"] = 500
    error = _refusal(raw)
    day = date.fromisoformat(session["day"])
    assert error.detail == (f"Reps for {item['name']} ({day:%a %d %b}) must be a whole "
                            "number from 1 to 100.")
    [problem] = error.extra["errors"]
    assert problem["message"] == error.detail
    assert re.fullmatch(r"weeks\.\d+\.sessions\.\d+\.items\.1\.reps", problem["field"])


@pytest.mark.parametrize(("change", "expected"), [
    (lambda s: s["items"][0].update(sets=None), r"^.+ \(\w{3} \d\d \w{3}\): Reps need Sets\.$"),
    (lambda s: s["items"][0].update(exercise="moonwalk"), r"unknown exercise 'moonwalk'"),
    (lambda s: s["items"][0].update(exercise="push_up", name="Push-up", load_kg=20),
     r"^Push-up \(\w{3} \d\d \w{3}\): takes no external load \(leave Load kg empty\)\.$"),
    (lambda s: s.update(notes="x" * 1001), r"^Notes for .+ must be at most 1000 characters\.$"),
    (lambda s: s.update(day="2030-01-01"), r"^.+ on Tue 01 Jan 2030 is outside week \d+ "),
    (lambda s: s.update(day="tuesday"), r"^Day for .+ must be a date \(YYYY-MM-DD\)\.$"),
    (lambda s: s["items"][0].update(extra=1), r"^Extra for .+ is not part of a plan\.$"),
    (lambda s: s["items"].append(copy.deepcopy(s["items"][0])),
     r"^Two exercises have the same id")])
def test_every_problem_reads_as_words(raw, change, expected):
    change(_strength(raw))
    detail = _refusal(raw).detail
    assert re.search(expected, detail), detail
    assert not re.search(r"weeks\.\d|sessions\.\d|items\.\d|_kg|_min", detail), detail


def test_weeks_out_of_order_are_counted_from_one(raw):
    raw["weeks"][1]["index"] = 5
    assert _refusal(raw).detail == ("Week 2 is numbered 6: weeks must be numbered in order.")
