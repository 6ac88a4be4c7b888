"""Allocation preview: how today's athletes would split, without writing anything.

Every active athlete with a profile is run through the pure `assignment.assign` with
the experiment treated as running now (status and time window set aside: the question
is "who would go where"). Athletes this phase already assigned keep their stored
answer (assignments are sticky); in `stratified_blocks` mode the others continue each
stratum's block sequence from the stored positions, in athlete-id order.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from db.models import AthleteProfile, TeamMember, User
from db.models.experiments import Experiment, ExperimentAssignment
from plangov_app.services.errors import InvalidInput, NotFound
from plangov_app.services.experiments import assignment, lifecycle
from plangov_app.services.experiments.registry import config_of
from plangov_app.services.generation import ALGORITHMS
from plangov_app.services.rbac import Actor, Permission, authorize


@dataclass
class StratumSplit:
    """One stratum's counts: per variant, holdout, and whether it is too small to balance."""

    stratum: str
    variants: dict[str, int]
    holdout: int = 0

    @property
    def enrolled(self) -> int:
        """Athletes of the stratum in a variant."""
        return sum(self.variants.values())


@dataclass
class Preview:
    """The whole split: strata, totals, exclusions and warnings in words."""

    experiment_key: str
    variant_keys: list[str]
    population: int
    strata: list[StratumSplit] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    holdout: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    block_size: int | None = None
    small_strata: list[str] = field(default_factory=list)
    already_assigned: int = 0


def _population(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """(athlete id, attributes) of every active athlete, in id order (two queries)."""
    teams: dict[str, list[str]] = defaultdict(list)
    for team_id, user_id in session.exec(select(TeamMember.team_id, TeamMember.user_id)):
        teams[user_id].append(team_id)
    rows = session.exec(select(  # plain columns: no model objects for 10,000 athletes
        AthleteProfile.user_id, AthleteProfile.sport, AthleteProfile.level,
        AthleteProfile.days_per_week, AthleteProfile.experiment_consent).join(
        User, col(User.id) == AthleteProfile.user_id).where(
        col(User.is_active).is_(True)).order_by(col(AthleteProfile.user_id)))
    out = []
    for user_id, sport, level, days_per_week, consent in rows:
        mine = sorted(teams.get(user_id, ()))
        out.append((user_id, {"sport": sport, "level": level, "days_per_week": days_per_week,
                              "team_ids": mine, "team_id": mine[0] if mine else None,
                              "experiment_consent": bool(consent)}))
    return out


def _stored(session: Session, row: Experiment | None) -> dict[str, ExperimentAssignment]:
    if row is None or row.status == lifecycle.DRAFT:
        return {}
    return {a.subject_id: a for a in session.exec(select(ExperimentAssignment).where(
        ExperimentAssignment.experiment_id == row.id,
        ExperimentAssignment.phase == (row.phase or 1)))}


def split(compiled: assignment.CompiledExperiment, population: list[tuple[str, dict]],
          stored: dict[str, ExperimentAssignment] | None = None) -> Preview:
    """The split of `population` (pure): stored answers kept, the rest decided now."""
    stored = stored or {}
    keys = list(compiled.variant_keys)
    result = Preview(experiment_key=compiled.key, variant_keys=keys, population=len(population),
                     totals=dict.fromkeys(keys, 0),
                     excluded={assignment.NO_CONSENT: 0, assignment.NOT_ELIGIBLE: 0})
    blocks = compiled.randomization == "stratified_blocks"
    result.block_size = compiled.block_size if blocks else None
    strata: dict[str, StratumSplit] = {}
    positions: Counter[str] = Counter(a.stratum for a in stored.values() if not a.is_holdout)
    size = compiled.block_size

    @functools.cache
    def block(stratum: str, number: int) -> tuple[str, ...]:
        return assignment.block_sequence(compiled, stratum, number)

    def slot(stratum: str, position: int) -> str:
        return block(stratum, position // size)[position % size]

    for subject_id, attributes in population:
        kept = stored.get(subject_id)
        if kept is not None and attributes.get("experiment_consent") is True:
            variant, stratum, held = kept.variant or None, kept.stratum, kept.is_holdout
            result.already_assigned += 1
        else:
            decision = assignment.assign(compiled, subject_id, attributes, position=0)
            if decision.reason is not None:
                result.excluded[decision.reason] = result.excluded.get(decision.reason, 0) + 1
                continue
            variant, stratum, held = decision.variant, decision.stratum, decision.is_holdout
            if variant is not None and blocks:  # the stratum's next slot (blocks cached)
                variant = slot(stratum, positions[stratum])
            if variant is not None and kept is None:
                positions[stratum] += 1
        split_row = strata.setdefault(stratum, StratumSplit(stratum, dict.fromkeys(keys, 0)))
        if held or variant is None:
            split_row.holdout += 1
            result.holdout += 1
        else:
            split_row.variants[variant] = split_row.variants.get(variant, 0) + 1
            result.totals[variant] = result.totals.get(variant, 0) + 1
    result.strata = sorted(strata.values(), key=lambda s: s.stratum)
    smallest = compiled.block_size if blocks else len(keys)
    result.small_strata = [s.stratum for s in result.strata if s.enrolled < smallest]
    return result


def _as_running(config: dict[str, Any]) -> assignment.CompiledExperiment:
    body = {**config, "status": lifecycle.RUNNING, "start_at": None, "end_at": None}
    return assignment.compile_config(body, algorithms=ALGORITHMS)


def preview(session: Session, *, actor: Actor, experiment_id: str | None = None,
            config: dict[str, Any] | None = None) -> Preview:
    """The split of today's athletes for a stored experiment or a config; writes nothing.

    `config` is a form's unsaved values, laid over the stored experiment's when both
    are given.
    """
    authorize(actor, Permission.EXPERIMENT_VIEW)
    row = None
    if experiment_id is not None:
        row = session.get(Experiment, experiment_id)
        if row is None:
            raise NotFound("No such experiment.")
    base = config_of(row) if row is not None else {}
    merged = {**base, **(config or {})}
    if not merged.get("key"):
        merged["key"] = "preview"
    if not isinstance(merged.get("variants"), list):
        raise InvalidInput("variants: give between 2 and 10 variants.", field="variants")
    compiled = _as_running(merged)
    same_phase = row is not None and all(  # stored answers hold while nothing reshuffles
        json.dumps(merged.get(k), sort_keys=True) == json.dumps(base.get(k), sort_keys=True)
        for k in lifecycle.LOCKED_WHILE_LIVE)
    return split(compiled, _population(session), _stored(session, row) if same_phase else None)
