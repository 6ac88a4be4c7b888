"""Deterministic rule-based plan generation: two algorithm versions.

* `lp-1.0` — linear progression: load and duration rise week on week, every fourth
  week is a deload.
* `dup-1.0` — daily undulating periodisation: heavy, moderate and light days rotate
  within each week, with a slower weekly rise.

The same profile, start date, length, algorithm and seed always give the same document,
ids included (they are UUID5s of the seed and the position).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from plangov_app.services.catalogue import Exercise, catalogue
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plan_document import PlanDocument, parse_document

ALGORITHMS = ("lp-1.0", "dup-1.0")
DEFAULT_ALGORITHM = "lp-1.0"
MIN_WEEKS, MAX_WEEKS = 4, 52
_ID_NAMESPACE = uuid.UUID("0d5c9a64-2d6f-4a0e-8d7b-6f1c3f2b9a10")
REFERENCE_SQUAT_KG = {"beginner": 60.0, "intermediate": 100.0, "advanced": 140.0}
BASE_ENDURANCE_MIN = {"beginner": 30.0, "intermediate": 45.0, "advanced": 60.0}

# Weekly modality pattern per sport, taken in order for the athlete's days per week.
SPORT_PATTERNS: dict[str, list[str]] = {
    "running": ["endurance", "strength", "endurance", "mobility", "endurance", "endurance",
                "conditioning"],
    "cycling": ["endurance", "strength", "endurance", "endurance", "mobility", "endurance",
                "conditioning"],
    "rowing": ["endurance", "strength", "endurance", "conditioning", "endurance", "strength",
               "mobility"],
    "powerlifting": ["strength", "strength", "mobility", "strength", "strength",
                     "conditioning", "mobility"],
    "triathlon": ["endurance", "endurance", "strength", "endurance", "endurance",
                  "endurance", "mobility"],
    "swimming": ["endurance", "strength", "endurance", "mobility", "endurance", "strength",
                 "endurance"],
}
SPORT_ENDURANCE = {"running": "run", "cycling": "bike", "rowing": "row", "swimming": "swim",
                   "triathlon": "multisport", "powerlifting": "run"}
TRAINING_DAYS = {1: [0], 2: [0, 3], 3: [0, 2, 4], 4: [0, 1, 3, 5], 5: [0, 1, 2, 4, 5],
                 6: [0, 1, 2, 3, 4, 5], 7: [0, 1, 2, 3, 4, 5, 6]}
STRENGTH_SLOTS = [("squat", "horizontal push", "horizontal pull", "core"),
                  ("hinge", "vertical push", "vertical pull", "lunge"),
                  ("squat", "hinge", "horizontal push", "carry")]


@dataclass(frozen=True)
class GenerationInput:
    """What a plan is generated from."""

    sport: str
    level: str
    days_per_week: int
    start_date: date
    weeks: int
    algorithm: str = DEFAULT_ALGORITHM
    seed: str = ""


def validate_input(spec: GenerationInput) -> None:
    """Refuse impossible requests with a sentence."""
    if spec.algorithm not in ALGORITHMS:
        raise InvalidInput(f"Unknown algorithm {spec.algorithm!r}; use one of {ALGORITHMS}.")
    if not MIN_WEEKS <= spec.weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks: a plan has {MIN_WEEKS} to {MAX_WEEKS} weeks.")
    if spec.sport not in SPORT_PATTERNS:
        raise InvalidInput(f"No generation rules for sport {spec.sport!r}.")
    if spec.level not in REFERENCE_SQUAT_KG:
        raise InvalidInput(f"Unknown level {spec.level!r}.")
    if not 1 <= spec.days_per_week <= 7:
        raise InvalidInput("days_per_week: 1 to 7.")


def generate(spec: GenerationInput) -> PlanDocument:
    """The plan document for `spec` (deterministic)."""
    validate_input(spec)
    generator = _Generator(spec)
    weeks = [generator.week(index) for index in range(spec.weeks)]
    return parse_document({"start_date": spec.start_date.isoformat(), "weeks": weeks})


class _Generator:
    def __init__(self, spec: GenerationInput) -> None:
        self.spec = spec
        seed = spec.seed or f"{spec.sport}|{spec.level}|{spec.days_per_week}|{spec.start_date}"
        self.seed = f"{seed}|{spec.weeks}|{spec.algorithm}"
        self.rng = random.Random(self.seed)
        self.by_pattern: dict[tuple[str, str], list[Exercise]] = {}
        for exercise in catalogue().values():
            self.by_pattern.setdefault((exercise.category, exercise.pattern), []).append(exercise)
        self.strength_choice = {pattern: self._pick("strength", pattern)
                                for slot in STRENGTH_SLOTS for pattern in slot}

    def _id(self, *parts: object) -> str:
        return str(uuid.uuid5(_ID_NAMESPACE, "|".join([self.seed, *map(str, parts)])))

    def _pick(self, category: str, pattern: str) -> Exercise:
        options = sorted(self.by_pattern.get((category, pattern), []), key=lambda e: e.key)
        if not options:
            options = sorted((e for e in catalogue().values() if e.category == category),
                             key=lambda e: e.key)
        return self.rng.choice(options)

    def _progression(self, week: int) -> float:
        if self.spec.algorithm == "lp-1.0":
            deload = 0.8 if week % 4 == 3 else 1.0
            return (1.0 + 0.025 * (week - week // 4)) * deload
        return (1.0 + 0.015 * week) * (0.9 if week % 6 == 5 else 1.0)

    def week(self, index: int) -> dict:
        pattern = SPORT_PATTERNS[self.spec.sport]
        days = TRAINING_DAYS[self.spec.days_per_week]
        first = self.spec.start_date + timedelta(days=7 * index)
        sessions = []
        for slot, offset in enumerate(days):
            modality = pattern[slot % len(pattern)]
            sessions.append(self.session(index, slot, modality, first + timedelta(days=offset)))
        return {"index": index, "sessions": sessions}

    def session(self, week: int, slot: int, modality: str, day: date) -> dict:
        builders = {"strength": self._strength, "endurance": self._endurance,
                    "conditioning": self._conditioning, "mobility": self._mobility}
        title, items = builders[modality](week, slot)
        for position, item in enumerate(items):
            item["item_id"] = self._id("item", week, slot, position)
        return {"session_id": self._id("session", week, slot), "day": day.isoformat(),
                "modality": modality, "title": title, "notes": "", "items": items}

    def _strength(self, week: int, slot: int) -> tuple[str, list[dict]]:
        if self.spec.algorithm == "dup-1.0":
            label, reps, pct = [("Heavy", 4, 85.0), ("Moderate", 8, 72.0),
                                ("Light", 12, 65.0)][(week + slot) % 3]
        else:
            label, reps, pct = "Strength", 5, 75.0
        reference = REFERENCE_SQUAT_KG[self.spec.level]
        items = []
        for pattern in STRENGTH_SLOTS[slot % len(STRENGTH_SLOTS)]:
            exercise = self.strength_choice[pattern]
            item: dict = {"exercise": exercise.key, "name": exercise.name, "rpe": 7.5}
            if exercise.unit == "reps":
                item.update(sets=4 if self.spec.level != "beginner" else 3, reps=reps)
            elif exercise.unit == "duration":
                item.update(sets=3, duration_min=round(0.5 * self._progression(week), 2))
            else:
                item.update(sets=3, distance_km=0.04)
            if exercise.loaded:
                load = reference * exercise.load_factor * pct / 100 * self._progression(week)
                item.update(load_kg=round(load / 2.5) * 2.5, pct_1rm=pct)
            items.append(item)
        return f"{label} — {STRENGTH_SLOTS[slot % 3][0]} focus", items

    def _endurance(self, week: int, slot: int) -> tuple[str, list[dict]]:
        family = SPORT_ENDURANCE[self.spec.sport]
        if family == "multisport":
            family = ["swim", "bike", "run"][(week + slot) % 3]
        kinds = sorted(self.by_pattern[("endurance", family)], key=lambda e: e.key)
        exercise = kinds[(slot + (week if self.spec.algorithm == "dup-1.0" else 0)) % len(kinds)]
        minutes = BASE_ENDURANCE_MIN[self.spec.level] * self._progression(week)
        if exercise.key.startswith("long"):
            minutes *= 1.8
        return exercise.name, [{"exercise": exercise.key, "name": exercise.name,
                                "duration_min": round(minutes), "rpe": 5.0 if "easy" in
                                exercise.key or "long" in exercise.key else 7.0}]

    def _conditioning(self, week: int, slot: int) -> tuple[str, list[dict]]:
        picks = [self._pick("conditioning", p) for p in ("cyclic", "plyometric")]
        items = [{"exercise": picks[0].key, "name": picks[0].name, "sets": 6,
                  "duration_min": round(1.0 * self._progression(week), 2), "rpe": 8.5},
                 {"exercise": picks[1].key, "name": picks[1].name, "sets": 4, "reps": 6,
                  "rpe": 7.0}]
        return "Conditioning", items

    def _mobility(self, week: int, slot: int) -> tuple[str, list[dict]]:
        picks = [self._pick("mobility", p) for p in ("hips", "spine", "recovery")]
        return "Mobility & recovery", [
            {"exercise": e.key, "name": e.name, "duration_min": 10.0} for e in picks]
