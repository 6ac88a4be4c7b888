"""The exercise catalogue: the shipped data (plangov_app/data/exercises.json) and the club's.

The club's own exercises are added by coaches and admins (`services/custom_exercises.py`,
table `custom_exercises`). Plans name an exercise by its key, and every reader (the plan
document's validation, the words of a change, the editor's picker) asks `get_exercise`.
Custom exercises are kept in a registry in memory: `refresh_custom` reloads it from the
database (the picker's search and every edit do, so a new exercise is usable at once in
any process), an exercise added here is registered once its transaction commits, and a
key the registry does not know is looked up again at most once a second
(`_RELOAD_AFTER_S`), so hostile documents full of unknown keys cost one query, not one
per item.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlmodel import Session, select

from db.models import CustomExercise

CUSTOM_PREFIX = "custom-"
_RELOAD_AFTER_S = 1.0


@dataclass(frozen=True)
class Exercise:
    """One catalogue entry."""

    key: str
    name: str
    category: str  # strength | conditioning | endurance | mobility
    pattern: str  # movement pattern: squat, hinge, run, …
    equipment: str
    loaded: bool  # takes an external load (kg)
    load_factor: float  # typical working 1RM relative to the athlete's reference squat
    unit: str  # reps | duration | distance
    custom: bool = False  # added by the club (not shipped)


@cache
def catalogue() -> dict[str, Exercise]:
    """Every shipped exercise by key."""
    raw = resources.files("plangov_app.data").joinpath("exercises.json").read_text()
    return {row["key"]: Exercise(**row) for row in json.loads(raw)}


_custom: dict[str, Exercise] = {}
_lock = threading.Lock()
_last_reload = 0.0


def _as_exercise(row: CustomExercise) -> Exercise:
    return Exercise(key=row.key, name=row.name, category=row.modality, pattern="custom",
                    equipment="", loaded=row.unit == "reps" and row.modality == "strength",
                    load_factor=0.0, unit=row.unit, custom=True)


def refresh_custom(session: Session) -> dict[str, Exercise]:
    """Reload the club's exercises from the database; return them by key."""
    global _custom, _last_reload
    rows = session.exec(select(CustomExercise)).all()
    loaded = {r.key: _as_exercise(r) for r in rows}
    with _lock:
        _custom, _last_reload = loaded, time.monotonic()
    return loaded


def _reload_for(key: str) -> Exercise | None:
    """Look a key the registry does not know up again (at most once a second)."""
    if time.monotonic() - _last_reload < _RELOAD_AFTER_S:
        return None
    from db.session import read_session  # the registry's own short read

    with read_session() as session:
        return refresh_custom(session).get(key)


def get_exercise(key: str) -> Exercise | None:
    """The exercise with `key`, shipped or the club's own, if there is one."""
    found = catalogue().get(key) or _custom.get(key)
    if found is None and key.startswith(CUSTOM_PREFIX):
        found = _reload_for(key)
    return found


def _matches(e: Exercise, needle: str, category: str | None) -> bool:
    return (not category or e.category == category) and (
        not needle or needle in f"{e.name} {e.pattern} {e.equipment} {e.key}".lower())


def search(query: str = "", category: str | None = None, limit: int = 20) -> list[Exercise]:
    """Exercises (shipped and custom) whose name, pattern or equipment contains `query`."""
    needle = query.strip().lower()
    hits = [e for e in [*catalogue().values(), *_custom.values()]
            if _matches(e, needle, category)]
    return sorted(hits, key=lambda e: (not e.name.lower().startswith(needle), e.name))[:limit]


def search_exercises(session: Session, *, query: str = "", category: str | None = None,
                     limit: int = 20) -> list[Exercise]:
    """`search` after reloading the club's exercises (what the picker and the API list)."""
    refresh_custom(session)
    return search(query, category, limit)


def register(exercise: Exercise) -> None:
    """Add `exercise` to the registry (once its row is committed)."""
    with _lock:
        _custom[exercise.key] = exercise


def as_exercise(row: CustomExercise) -> Exercise:
    """A custom exercise's row as a catalogue entry."""
    return _as_exercise(row)
