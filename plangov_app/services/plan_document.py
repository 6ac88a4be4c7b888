"""The plan document: plan → weeks → sessions → prescribed items, validated.

`session_id` and `item_id` are stable across versions, so diffs and comment anchors
follow a session or an item through edits. Validation refuses impossible values in words
a person reads ("Reps for Deadlift (Tue 02 Feb) must be a whole number from 1 to 100");
each problem also names its field's location for programs (`weeks.0.sessions.1.items.0.reps`).

The dose limits (`DOSE_LIMITS`) are the one source of every dose field's range: the model's
validation, `read_dose` (a dose as a person typed it) and the messages all use them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from plangov_app.services.catalogue import get_exercise
from plangov_app.services.errors import InvalidInput
from plangov_app.services.text import validate_text


@dataclass(frozen=True)
class DoseLimit:
    """A dose field's label (with its unit) and range."""

    label: str
    low: float
    high: float
    whole: bool = False  # a whole number (sets, reps)
    above_low: bool = False  # `low` itself is refused (a duration must be above 0)

    def annotated(self) -> Any:
        """The pydantic type that enforces this range."""
        bounds: dict[str, float] = {"gt" if self.above_low else "ge": self.low, "le": self.high}
        if self.whole:
            return Annotated[int, Field(strict=True, **bounds)]  # type: ignore[arg-type]
        return Annotated[float, Field(**bounds)]

    def describe(self) -> str:
        """What the field takes, e.g. "a whole number from 1 to 100"."""
        kind = "a whole number" if self.whole else "a number"
        if self.above_low:
            return f"{kind} above {self.low:g} and at most {self.high:g}"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def admits(self, value: float) -> bool:
        """Whether `value` is within the range (and whole, where it must be)."""
        if self.whole and not float(value).is_integer():
            return False
        above = value > self.low if self.above_low else value >= self.low
        return above and value <= self.high


DOSE_LIMITS: dict[str, DoseLimit] = {
    "sets": DoseLimit("Sets", 1, 20, whole=True),
    "reps": DoseLimit("Reps", 1, 100, whole=True),
    "load_kg": DoseLimit("Load kg", 0, 500),
    "pct_1rm": DoseLimit("% of 1RM", 0, 110, above_low=True),
    "rpe": DoseLimit("RPE", 1, 10),
    "duration_min": DoseLimit("Minutes", 0, 600, above_low=True),
    "distance_km": DoseLimit("Distance km", 0, 300, above_low=True),
}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True)
class DoseReading:
    """A dose as typed: its value (None: empty) or, if it cannot be one, why."""

    value: int | float | None = None
    error: str = ""


def read_dose(field: str, text: str) -> DoseReading:
    """Parse a dose field as a person typed it ("8", "62,5", "" to clear) against its range.

    Returns the value (whole fields as int) or an error in words naming the field and its
    range; nothing that is not a number in range comes back as a value.
    """
    limit = DOSE_LIMITS.get(field)
    if limit is None:
        return DoseReading(error=f"{field.replace('_', ' ').capitalize()} is not a dose.")
    typed = text.strip()
    if not typed:
        return DoseReading(None)
    if not _NUMBER.match(typed):
        return DoseReading(error=f"{limit.label} must be {limit.describe()}.")
    number = float(typed.replace(",", "."))
    if not limit.admits(number):
        return DoseReading(error=f"{limit.label} must be {limit.describe()}.")
    return DoseReading(int(number) if limit.whole or number.is_integer() else number)


Modality = Literal["strength", "conditioning", "endurance", "mobility", "rest"]
MODALITIES: tuple[str, ...] = ("strength", "conditioning", "endurance", "mobility", "rest")
# What a modality's volume counts: strength in kg·reps, the others in minutes (never a sum
# of both; a timed plank in a strength session is not strength volume).
VOLUME_UNITS: dict[str, str] = {"strength": "kg·reps", "conditioning": "minutes",
                                "endurance": "minutes", "mobility": "minutes"}
Sets = DOSE_LIMITS["sets"].annotated()
Reps = DOSE_LIMITS["reps"].annotated()
LoadKg = DOSE_LIMITS["load_kg"].annotated()
PctOneRm = DOSE_LIMITS["pct_1rm"].annotated()
Rpe = DOSE_LIMITS["rpe"].annotated()
Minutes = DOSE_LIMITS["duration_min"].annotated()
DistanceKm = DOSE_LIMITS["distance_km"].annotated()
Text = Annotated[str, Field(max_length=1000), AfterValidator(validate_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Item(_Strict):
    """One prescribed exercise with its dosage."""

    item_id: str = Field(min_length=1, max_length=36)
    exercise: str = Field(min_length=1, max_length=60)
    name: str = Field(default="", max_length=120)
    sets: Sets | None = None
    reps: Reps | None = None
    load_kg: LoadKg | None = None
    pct_1rm: PctOneRm | None = None
    rpe: Rpe | None = None
    duration_min: Minutes | None = None
    distance_km: DistanceKm | None = None
    notes: Text = ""

    @model_validator(mode="after")
    def _known_exercise(self, info: ValidationInfo) -> Item:
        exercise = get_exercise(self.exercise)
        if exercise is None:
            if (info.context or {}).get("stored") and self.name:
                return self  # a stored version was checked when it was written
            raise ValueError(f"unknown exercise {self.exercise!r} (not in the catalogue)")
        if not self.name:
            self.name = exercise.name
        if self.load_kg is not None and not exercise.loaded and self.load_kg > 0:
            raise ValueError("takes no external load (leave Load kg empty)")
        if self.reps is not None and self.sets is None:
            raise ValueError("Reps need Sets")
        return self

    def volume(self) -> float:
        """Sets × reps × load (sets × reps unloaded) in kg·reps; else minutes (× sets)."""
        if self.sets and self.reps:
            return self.sets * self.reps * (self.load_kg or 1.0)
        if self.duration_min:
            return self.duration_min * (self.sets or 1)
        return 0.0

    def volume_unit(self) -> str | None:
        """What `volume()` counts: "kg·reps", "minutes", or None (distance only)."""
        if self.sets and self.reps:
            return "kg·reps"
        return "minutes" if self.duration_min else None


class PlanSessionDoc(_Strict):
    """One training session on one day."""

    session_id: str = Field(min_length=1, max_length=36)
    day: date
    modality: Modality
    title: Annotated[str, Field(max_length=120), AfterValidator(validate_text)] = ""
    notes: Text = ""
    items: list[Item] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _rest_has_no_load(self) -> PlanSessionDoc:
        if self.modality == "rest" and any(i.load_kg or i.sets for i in self.items):
            raise ValueError("a rest session cannot prescribe loaded sets")
        return self

    def volume(self, unit: str | None = None) -> float:
        """Sum of the items' volume (only of the items counted in `unit`, when given)."""
        return sum(item.volume() for item in self.items
                   if unit is None or item.volume_unit() == unit)


class Week(_Strict):
    """Seven days of sessions."""

    index: Annotated[int, Field(strict=True, ge=0, le=51)]
    sessions: list[PlanSessionDoc] = Field(default_factory=list, max_length=21)


class PlanDocument(_Strict):
    """A whole plan: its first day and its weeks."""

    start_date: date | None = None
    weeks: list[Week] = Field(min_length=1, max_length=52)

    @model_validator(mode="after")
    def _consistent(self) -> PlanDocument:
        session_ids: set[str] = set()
        item_ids: set[str] = set()
        for position, week in enumerate(self.weeks):
            if week.index != position:
                raise ValueError(f"Week {position + 1} is numbered {week.index + 1}: weeks must "
                                 "be numbered in order")
            for session in week.sessions:
                _claim(session_ids, session.session_id, "sessions")
                for item in session.items:
                    _claim(item_ids, item.item_id, "exercises")
                self._check_day(week, session)
        return self

    def _check_day(self, week: Week, session: PlanSessionDoc) -> None:
        if self.start_date is None:
            return
        first = self.start_date + timedelta(days=7 * week.index)
        if not first <= session.day <= first + timedelta(days=6):
            raise ValueError(
                f"{session.title or session.modality.title()} on {session.day:%a %d %b %Y} is "
                f"outside week {week.index + 1} ({first:%a %d %b} to "
                f"{first + timedelta(days=6):%a %d %b %Y})")

    def sessions(self) -> list[tuple[int, PlanSessionDoc]]:
        """Every (week index, session) in order."""
        return [(week.index, s) for week in self.weeks for s in week.sessions]

    def session(self, session_id: str) -> PlanSessionDoc | None:
        """The session with `session_id`, if present."""
        return next((s for _, s in self.sessions() if s.session_id == session_id), None)


def _claim(seen: set[str], value: str, what: str) -> None:
    if value in seen:
        raise ValueError(f"two {what} have the same id ({value})")
    seen.add(value)


def fill_missing_ids(raw: Any) -> Any:
    """Give new sessions and items (added without ids) fresh stable ids."""
    if not isinstance(raw, dict):
        return raw
    for week in raw.get("weeks", []) if isinstance(raw.get("weeks"), list) else []:
        for session in week.get("sessions", []) if isinstance(week, dict) else []:
            if isinstance(session, dict):
                session.setdefault("session_id", str(uuid.uuid4()))
                for item in session.get("items", []) if isinstance(session.get("items"),
                                                                   list) else []:
                    if isinstance(item, dict):
                        item.setdefault("item_id", str(uuid.uuid4()))
    return raw


def parse_document(raw: Any) -> PlanDocument:
    """Validate `raw` into a PlanDocument, or raise InvalidInput saying what is wrong in words.

    Each problem in `errors` also has its `field` (a location such as
    `weeks.0.sessions.1.items.2.reps`) for programs; the detail never shows it.
    """
    try:
        return PlanDocument.model_validate(fill_missing_ids(raw))
    except ValidationError as error:
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "document",
                     "message": describe_problem(raw, e)} for e in error.errors()]
        raise InvalidInput(problems[0]["message"], errors=problems) from None


FIELD_LABELS = {"notes": "Notes", "title": "Title", "day": "Day", "modality": "Type",
                "exercise": "Exercise", "name": "Name", "items": "Exercises",
                "sessions": "Sessions", "weeks": "Weeks", "start_date": "Start date",
                "item_id": "Exercise id", "session_id": "Session id", "index": "Week number"}


def describe_problem(raw: Any, error: Any) -> str:
    """One pydantic error about `raw` as a sentence: what, where (exercise, day) and why."""
    loc = tuple(error.get("loc", ()))
    field = loc[-1] if loc and isinstance(loc[-1], str) else None
    place = _place(raw, loc if field is None else loc[:-1])
    reason = error.get("msg", "is not valid").removeprefix("Value error, ")
    if field in DOSE_LIMITS and error.get("type") not in ("missing", "extra_forbidden"):
        limit = DOSE_LIMITS[field]
        return f"{limit.label}{_for(place)} must be {limit.describe()}."
    if field is None:
        return f"{place}: {reason}." if place else f"{_capital(reason)}."
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    return f"{label}{_for(place)} {_plain(error, reason)}."


def _for(place: str) -> str:
    return f" for {place}" if place else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(error: Any, reason: str) -> str:
    """The validator's reason, worded to follow a field's name."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not part of a plan"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"may hold at most {ctx.get('max_length')}"
    if kind == "too_short":
        return f"must hold at least {ctx.get('min_length')}"
    if kind.startswith("date"):
        return "must be a date (YYYY-MM-DD)"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return f"is not valid: {reason[:1].lower()}{reason[1:]}"


def _place(raw: Any, loc: tuple[Any, ...]) -> str:
    """Where `loc` points in `raw`, in words ("Deadlift (Tue 02 Feb)", "week 3"; "": the plan)."""
    week = _at(raw, loc[:2]) if loc[:1] == ("weeks",) and len(loc) >= 2 else None
    session = _at(raw, loc[:4]) if len(loc) >= 4 and loc[2] == "sessions" else None
    item = _at(raw, loc[:6]) if len(loc) >= 6 and loc[4] == "items" else None
    if isinstance(session, dict):
        day = _day(session.get("day"))
        if isinstance(item, dict):
            return f"{_item_name(item)}{f' ({day})' if day else ''}"
        title = session.get("title") or str(session.get("modality") or "session").title()
        return f"{title}{f' ({day})' if day else ''}"
    if week is not None and isinstance(loc[1], int):
        return f"week {loc[1] + 1}"
    return ""


def _at(raw: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        try:
            raw = raw[step]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _day(value: Any) -> str:
    try:
        return f"{date.fromisoformat(str(value)):%a %d %b}"
    except ValueError:
        return ""


def _item_name(item: dict[str, Any]) -> str:
    if isinstance(item.get("name"), str) and item["name"]:
        return item["name"]
    exercise = get_exercise(str(item.get("exercise", "")))
    return exercise.name if exercise else str(item.get("exercise") or "an exercise")


def dump_document(document: PlanDocument) -> dict[str, Any]:
    """The JSON form of a document (dates as ISO strings, empty values kept)."""
    return document.model_dump(mode="json")
