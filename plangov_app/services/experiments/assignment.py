"""Deterministic A/B/n assignment: pure, no database, no reflex (DESIGN.md § Experiments).

Anyone holding an experiment's config can recompute every assignment:

* ``bucket = mmh3.hash(f"{seed}:{subject_id}", signed=False) % 10000``
* holdout when ``mmh3.hash(f"{seed}:holdout:{subject_id}", signed=False) % 10000
  < holdout_percentage * 100`` (an independent hash, so holdout and variant do not correlate)
* ``hash`` mode: variants take consecutive bucket ranges in the order listed,
  each ``weight * 100`` wide.
* ``stratified_blocks`` mode: the n-th enrolled (non-holdout) subject of a stratum takes
  slot ``n % block_size`` of block ``n // block_size``. A block holds each variant
  ``weight_hundredths / g`` times (g = gcd of all weights in hundredths), listed in
  variant order; slot i of block b gets the key
  ``mmh3.hash(f"{seed}:{stratum}:{b}:{i}", signed=False)`` and the block is that list
  sorted by (key, i). See :func:`block_sequence`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import mmh3

from plangov_app.services.errors import InvalidInput

BUCKETS = 10_000
MODES = ("hash", "stratified_blocks")
STATUSES = ("draft", "running", "paused", "complete")
STRATIFICATION_KEYS = ("sport", "level", "team_id", "days_per_week")
ELIGIBILITY_KEYS = ("sports", "levels", "team_ids")
NO_CONSENT = "no_consent"
NOT_ELIGIBLE = "not_eligible"
NOT_RUNNING = "not_running"
OUTSIDE_WINDOW = "outside_window"


@dataclass(frozen=True, slots=True)
class Variant:
    """One arm: its key, weight (percent) and the plan algorithm it runs."""

    key: str
    weight: float
    algorithm_version: str | None


@dataclass(frozen=True, slots=True)
class CompiledExperiment:
    """An experiment config checked once and shaped for fast decisions."""

    key: str
    seed: str
    status: str
    randomization: str
    variants: tuple[Variant, ...]
    upper_bounds: tuple[int, ...]
    stratification_keys: tuple[str, ...]
    holdout_threshold: int
    start_at: datetime | None
    end_at: datetime | None
    sports: frozenset[str] | None
    levels: frozenset[str] | None
    team_ids: frozenset[str] | None
    block: tuple[int, ...]
    variant_keys: tuple[str, ...] = ()
    timed: bool = False
    filtered: bool = False

    @property
    def block_size(self) -> int:
        """How many enrolments one permuted block holds."""
        return len(self.block)


class Assignment(NamedTuple):
    """The decision for one subject; ``variant`` is None when not enrolled (see ``reason``).

    A named tuple rather than a frozen dataclass: it is built once per decision and a
    frozen dataclass's constructor alone would take most of the time budget.
    """

    variant: str | None
    bucket: int
    stratum: str
    is_holdout: bool
    reason: str | None


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", field=field)


def _as_utc(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(field, "is not an ISO 8601 date and time.") from None
    if not isinstance(value, datetime):
        raise _fail(field, "must be a date and time.")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _variants(raw: Any, *, algorithms: tuple[str, ...] | None) -> tuple[Variant, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 10:
        raise _fail("variants", "give between 2 and 10 variants.")
    out: list[Variant] = []
    for i, item in enumerate(raw):
        where = f"variants.{i}"
        if not isinstance(item, dict):
            raise _fail(where, "must be an object with key, weight and algorithm_version.")
        key, weight, algo = item.get("key"), item.get("weight"), item.get("algorithm_version")
        if not isinstance(key, str) or not key.strip() or len(key) > 64:
            raise _fail(f"{where}.key", "must be a name of 1 to 64 characters.")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
        ):
            raise _fail(f"{where}.weight", "must be a number.")
        if weight < 0:
            raise _fail(f"{where}.weight", "must not be negative.")
        if weight > 100:  # a percentage; also keeps `weight * 100` finite below
            raise _fail(f"{where}.weight", "must be at most 100.")
        if abs(weight * 100 - round(weight * 100)) > 1e-6:
            raise _fail(f"{where}.weight", "allows at most two decimals.")
        if algo is not None and algorithms is not None and algo not in algorithms:
            raise _fail(
                f"{where}.algorithm_version",
                f"unknown algorithm {algo!r}; known: {', '.join(algorithms)}.",
            )
        if any(v.key == key for v in out):
            raise _fail(f"{where}.key", f"variant {key!r} is listed twice.")
        out.append(Variant(key=key, weight=float(weight), algorithm_version=algo))
    if sum(round(v.weight * 100) for v in out) != BUCKETS:
        raise _fail("variants", "weights must sum to 100.")
    return tuple(out)


def _eligibility(raw: Any) -> tuple[frozenset[str] | None, ...]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise _fail("eligibility", "must be an object with sports, levels and team_ids.")
    unknown = set(raw) - set(ELIGIBILITY_KEYS)
    if unknown:
        raise _fail(f"eligibility.{sorted(unknown)[0]}", "is not an eligibility rule.")
    out: list[frozenset[str] | None] = []
    for name in ELIGIBILITY_KEYS:
        values = raw.get(name)
        if values is None:
            out.append(None)
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _fail(f"eligibility.{name}", "must be a list of names.")
        out.append(frozenset(values) if values else None)
    return tuple(out)


def _block(variants: tuple[Variant, ...]) -> tuple[int, ...]:
    widths = [round(v.weight * 100) for v in variants]
    g = math.gcd(*widths)
    return tuple(i for i, w in enumerate(widths) for _ in range(w // g))


def compile_config(
    config: dict, *, algorithms: tuple[str, ...] | None = None
) -> CompiledExperiment:
    """Check an experiment config (API body plus status/start_at/end_at) and compile it.

    ``algorithms`` lists the known algorithm versions; when given, variants naming
    another are refused. Raises InvalidInput naming the field.
    """
    key = config.get("key")
    if not isinstance(key, str) or not key.strip():
        raise _fail("key", "is required.")
    seed = config.get("seed") or key
    mode = config.get("randomization", "hash")
    if mode not in MODES:
        raise _fail("randomization", "must be hash or stratified_blocks.")
    status = config.get("status", "draft")
    if status not in STATUSES:
        raise _fail("status", f"must be one of {', '.join(STATUSES)}.")
    variants = _variants(config.get("variants"), algorithms=algorithms)
    strata = config.get("stratification_keys") or []
    if not isinstance(strata, list) or not all(isinstance(k, str) for k in strata):
        raise _fail("stratification_keys", "must be a list of attribute names.")
    for k in strata:
        if k not in STRATIFICATION_KEYS:
            raise _fail(
                "stratification_keys", f"unknown key {k!r}; use {', '.join(STRATIFICATION_KEYS)}."
            )
    if len(set(strata)) != len(strata):
        raise _fail("stratification_keys", "lists a key twice.")
    holdout = config.get("holdout_percentage", 0) or 0
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) or not 0 <= holdout <= 100:
        raise _fail("holdout_percentage", "must be a number from 0 to 100.")
    start_at, end_at = (
        _as_utc(config.get("start_at"), "start_at"),
        _as_utc(config.get("end_at"), "end_at"),
    )
    if start_at and end_at and end_at <= start_at:
        raise _fail("end_at", "must be after start_at.")
    sports, levels, team_ids = _eligibility(config.get("eligibility"))
    bounds, edge = [], 0
    for v in variants:
        edge += round(v.weight * 100)
        bounds.append(edge)
    return CompiledExperiment(
        key=key,
        seed=str(seed),
        status=status,
        randomization=mode,
        variants=variants,
        upper_bounds=tuple(bounds),
        stratification_keys=tuple(strata),
        holdout_threshold=round(holdout * 100),
        start_at=start_at,
        end_at=end_at,
        sports=sports,
        levels=levels,
        team_ids=team_ids,
        block=_block(variants),
        variant_keys=tuple(v.key for v in variants),
        timed=start_at is not None or end_at is not None,
        filtered=bool(sports or levels or team_ids or strata),
    )


def bucket_of(seed: str, subject_id: str) -> int:
    """The subject's bucket, 0–9999."""
    return mmh3.hash(f"{seed}:{subject_id}", signed=False) % BUCKETS


def holdout_bucket_of(seed: str, subject_id: str) -> int:
    """The independent holdout bucket, 0–9999."""
    return mmh3.hash(f"{seed}:holdout:{subject_id}", signed=False) % BUCKETS


def stratum_of(keys: tuple[str, ...], attributes: dict) -> str:
    """``sport=running|level=beginner`` for keys (sport, level)."""
    return "|".join(f"{k}={attributes.get(k)}" for k in keys)


def block_sequence(
    compiled: CompiledExperiment, stratum: str, block_number: int
) -> tuple[str, ...]:
    """The variant keys of one permuted block of a stratum, in enrolment order."""
    seed = compiled.seed
    slots = sorted(
        (mmh3.hash(f"{seed}:{stratum}:{block_number}:{i}", signed=False), i, v)
        for i, v in enumerate(compiled.block)
    )
    return tuple(compiled.variants[v].key for _, _, v in slots)


def _eligible(c: CompiledExperiment, attributes: dict) -> bool:
    if c.sports is not None and attributes.get("sport") not in c.sports:
        return False
    if c.levels is not None and attributes.get("level") not in c.levels:
        return False
    if c.team_ids is not None:
        teams = attributes.get("team_ids") or ()
        if c.team_ids.isdisjoint(
            teams if isinstance(teams, list | tuple | set | frozenset) else (teams,)
        ):
            return False
    return all(attributes.get(k) is not None for k in c.stratification_keys)


def assign(
    compiled: CompiledExperiment,
    subject_id: str,
    attributes: dict,
    *,
    now: datetime | None = None,
    position: int | None = None,
) -> Assignment:
    """Decide one subject's variant.

    Checks, in order: running, time window, consent (``experiment_consent`` must be
    True), eligibility (and every stratification attribute present), holdout, then the
    variant. ``position`` is the count of enrolled, non-holdout subjects already in the
    stratum (the caller reads it from the database); required in stratified_blocks mode.
    """
    c = compiled
    seed = c.seed
    bucket = mmh3.hash(f"{seed}:{subject_id}", signed=False) % BUCKETS
    stratum = (
        "|".join(f"{k}={attributes.get(k)}" for k in c.stratification_keys)
        if c.stratification_keys
        else ""
    )
    if c.status != "running":
        return Assignment(None, bucket, stratum, False, NOT_RUNNING)
    if c.timed:
        moment = now or datetime.now(UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if (c.start_at is not None and moment < c.start_at) or (
            c.end_at is not None and moment >= c.end_at
        ):
            return Assignment(None, bucket, stratum, False, OUTSIDE_WINDOW)
    if attributes.get("experiment_consent") is not True:
        return Assignment(None, bucket, stratum, False, NO_CONSENT)
    if (c.sports or c.levels or c.team_ids or c.stratification_keys) and not _eligible(
        c, attributes
    ):
        return Assignment(None, bucket, stratum, False, NOT_ELIGIBLE)
    if (
        c.holdout_threshold
        and mmh3.hash(f"{seed}:holdout:{subject_id}", signed=False) % BUCKETS < c.holdout_threshold
    ):
        return Assignment(None, bucket, stratum, True, None)
    if c.randomization == "hash":
        return Assignment(
            c.variant_keys[bisect_right(c.upper_bounds, bucket)], bucket, stratum, False, None
        )
    if position is None or position < 0:
        raise ValueError("stratified_blocks needs the stratum position from the database")
    size = len(c.block)
    variant = block_sequence(c, stratum, position // size)[position % size]
    return Assignment(variant, bucket, stratum, False, None)


def algorithm_for(compiled: CompiledExperiment, variant: str | None) -> str | None:
    """The algorithm version a variant runs (None for no variant or none set)."""
    for v in compiled.variants:
        if v.key == variant:
            return v.algorithm_version
    return None
