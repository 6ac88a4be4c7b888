"""The plan document: plan → weeks → sessions → prescribed items, validated.

`session_id` and `item_id` are stable across versions, so diffs and comment anchors
follow a session or an item through edits. Validation refuses impossible values with a
message naming the field (pydantic's location, e.g. `weeks.0.sessions.1.items.0.sets`).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from plangov_app.services.catalogue import get_exercise
from plangov_app.services.errors import InvalidInput
from plangov_app.services.text import validate_text

Modality = Literal["strength", "conditioning", "endurance", "mobility", "rest"]
MODALITIES: tuple[str, ...] = ("strength", "conditioning", "endurance", "mobility", "rest")
# What a modality's volume counts: strength in kg·reps, the others in minutes (never a sum
# of both; a timed plank in a strength session is not strength volume).
VOLUME_UNITS: dict[str, str] = {"strength": "kg·reps", "conditioning": "minutes",
                                "endurance": "minutes", "mobility": "minutes"}
StrictCount = Annotated[int, Field(strict=True, ge=1, le=100)]
Text = Annotated[str, Field(max_length=1000), AfterValidator(validate_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Item(_Strict):
    """One prescribed exercise with its dosage."""

    item_id: str = Field(min_length=1, max_length=36)
    exercise: str = Field(min_length=1, max_length=60)
    name: str = Field(default="", max_length=120)
    sets: Annotated[int, Field(strict=True, ge=1, le=20)] | None = None
    reps: StrictCount | None = None
    load_kg: Annotated[float, Field(ge=0, le=500)] | None = None
    pct_1rm: Annotated[float, Field(gt=0, le=110)] | None = None
    rpe: Annotated[float, Field(ge=1, le=10)] | None = None
    duration_min: Annotated[float, Field(gt=0, le=600)] | None = None
    distance_km: Annotated[float, Field(gt=0, le=300)] | None = None
    notes: Text = ""

    @model_validator(mode="after")
    def _known_exercise(self) -> Item:
        exercise = get_exercise(self.exercise)
        if exercise is None:
            raise ValueError(f"unknown exercise {self.exercise!r} (not in the catalogue)")
        if not self.name:
            self.name = exercise.name
        if self.load_kg is not None and not exercise.loaded and self.load_kg > 0:
            raise ValueError(f"{exercise.name} takes no external load (load_kg must be empty)")
        if self.reps is not None and self.sets is None:
            raise ValueError("reps need sets")
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
                raise ValueError(f"weeks.{position}.index must be {position}")
            for session in week.sessions:
                _claim(session_ids, session.session_id, "session_id")
                for item in session.items:
                    _claim(item_ids, item.item_id, "item_id")
                self._check_day(week, session)
        return self

    def _check_day(self, week: Week, session: PlanSessionDoc) -> None:
        if self.start_date is None:
            return
        first = self.start_date + timedelta(days=7 * week.index)
        if not first <= session.day <= first + timedelta(days=6):
            raise ValueError(
                f"session {session.session_id} on {session.day} is outside week {week.index} "
                f"({first} to {first + timedelta(days=6)})")

    def sessions(self) -> list[tuple[int, PlanSessionDoc]]:
        """Every (week index, session) in order."""
        return [(week.index, s) for week in self.weeks for s in week.sessions]

    def session(self, session_id: str) -> PlanSessionDoc | None:
        """The session with `session_id`, if present."""
        return next((s for _, s in self.sessions() if s.session_id == session_id), None)


def _claim(seen: set[str], value: str, what: str) -> None:
    if value in seen:
        raise ValueError(f"duplicate {what} {value}")
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
    """Validate `raw` into a PlanDocument, or raise InvalidInput naming the field."""
    try:
        return PlanDocument.model_validate(fill_missing_ids(raw))
    except ValidationError as error:
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "document",
                     "message": e["msg"].removeprefix("Value error, ")} for e in error.errors()]
        first = problems[0]
        raise InvalidInput(f"{first['field']}: {first['message']}", errors=problems) from None


def dump_document(document: PlanDocument) -> dict[str, Any]:
    """The JSON form of a document (dates as ISO strings, empty values kept)."""
    return document.model_dump(mode="json")
