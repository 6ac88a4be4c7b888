"""The exercise catalogue, shipped as data (plangov_app/data/exercises.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


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


@cache
def catalogue() -> dict[str, Exercise]:
    """Every exercise by key."""
    raw = resources.files("plangov_app.data").joinpath("exercises.json").read_text()
    return {row["key"]: Exercise(**row) for row in json.loads(raw)}


def get_exercise(key: str) -> Exercise | None:
    """The exercise with `key`, if the catalogue has it."""
    return catalogue().get(key)


def search(query: str = "", category: str | None = None, limit: int = 20) -> list[Exercise]:
    """Exercises whose name, pattern or equipment contains `query`."""
    needle = query.strip().lower()
    hits = [e for e in catalogue().values()
            if (not category or e.category == category)
            and (not needle or needle in f"{e.name} {e.pattern} {e.equipment} {e.key}".lower())]
    return sorted(hits, key=lambda e: (not e.name.lower().startswith(needle), e.name))[:limit]
