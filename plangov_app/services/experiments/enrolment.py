"""Enrolment: sticky assignments of athletes to experiments, and exposures.

The pure `assignment` module decides; this module supplies what it needs from the
database and keeps the answer:

* The athlete's attributes (sport, level, days per week, teams) and consent come from
  the stored profile. A caller's attributes only add keys the database does not hold,
  and `experiment_consent` is never taken from a caller.
* The first decision that enrols a subject (a variant or the holdout) is stored in
  `experiment_assignments` and returned unchanged afterwards within the experiment's
  phase, even if weights or eligibility change. Not-enrolled answers (no consent, not
  eligible, not running, outside the window) are not stored, so they can change.
* Consent is checked on every call: once withdrawn, a stored assignment is reported as
  `no_consent` and the athlete gets the default algorithm with no new exposure.
* Writers serialise per experiment (row lock on PostgreSQL, the write lock on SQLite),
  so concurrent first requests store one row and stratified blocks fill in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import AthleteProfile, TeamMember, User
from db.models.experiments import Experiment, ExperimentAssignment, ExposureEvent
from db.session import read_phase
from plangov_app.services import audit
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput, NotFound
from plangov_app.services.experiments import assignment, lifecycle
from plangov_app.services.experiments.registry import compiled_of
from plangov_app.services.rbac import Actor, Permission, authorize

#: profile-held attributes: a caller cannot override these
PROFILE_KEYS = ("sport", "level", "days_per_week", "team_id", "team_ids", "experiment_consent")
MAX_ATTRIBUTES = 20
MAX_ATTRIBUTE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Enrolment:
    """One subject's answer for one experiment (`variant` None: default algorithm)."""

    experiment_key: str
    experiment_id: str
    phase: int
    subject_id: str
    variant: str | None
    bucket: int
    stratum: str
    is_holdout: bool
    assigned_at: datetime | None
    reason: str | None
    algorithm_version: str | None = None

    @property
    def enrolled(self) -> bool:
        """In a variant (not holdout, not excluded)."""
        return self.variant is not None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def profile_attributes(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The stored attributes of an athlete, or None when there is no athlete profile."""
    profile = session.get(AthleteProfile, subject_id)
    if profile is None:
        return None
    teams = sorted(session.exec(select(TeamMember.team_id).where(
        TeamMember.user_id == subject_id)))
    return {"sport": profile.sport, "level": profile.level,
            "days_per_week": profile.days_per_week, "team_ids": teams,
            "team_id": teams[0] if teams else None,
            "experiment_consent": bool(profile.experiment_consent)}


def _caller_attributes(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput("attributes: must be an object.", field="attributes")
    if len(raw) > MAX_ATTRIBUTES:
        raise InvalidInput(f"attributes: at most {MAX_ATTRIBUTES} keys.", field="attributes")
    for key, value in raw.items():
        if not isinstance(value, str | int | float | bool) or (
                isinstance(value, str) and len(value) > MAX_ATTRIBUTE_CHARS):
            raise InvalidInput(f"attributes.{key}: a short text, number or true/false.",
                               field=f"attributes.{key}")
    return {k: v for k, v in raw.items() if k not in PROFILE_KEYS}


def _experiment_by_key(session: Session, key: Any) -> Experiment:
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput("experiment_key: give the experiment's key.", field="experiment_key")
    row = session.exec(select(Experiment).where(Experiment.key == key)).first()
    if row is None:
        raise NotFound(f"experiment_key: no experiment {key!r}.", field="experiment_key")
    return row


def _stored(session: Session, row: Experiment, subject_id: str) -> ExperimentAssignment | None:
    return session.exec(select(ExperimentAssignment).where(
        ExperimentAssignment.experiment_id == row.id,
        ExperimentAssignment.phase == (row.phase or 1),
        ExperimentAssignment.subject_id == subject_id)).first()


def _from_stored(row: Experiment, stored: ExperimentAssignment, *, consent: bool) -> Enrolment:
    compiled = compiled_of(row)
    variant = stored.variant or None
    if not consent:
        return Enrolment(row.key, row.id, stored.phase, stored.subject_id, None, stored.bucket,
                         stored.stratum, False, _utc(stored.assigned_at), assignment.NO_CONSENT)
    return Enrolment(row.key, row.id, stored.phase, stored.subject_id, variant, stored.bucket,
                     stored.stratum, stored.is_holdout, _utc(stored.assigned_at), None,
                     assignment.algorithm_for(compiled, variant))


def _idle_reason(compiled: assignment.CompiledExperiment, moment: datetime) -> str | None:
    """Why nobody is exposed at `moment` (not running, outside the window), or None."""
    if compiled.status != lifecycle.RUNNING:
        return assignment.NOT_RUNNING
    if (compiled.start_at and moment < compiled.start_at) or (
            compiled.end_at and moment >= compiled.end_at):
        return assignment.OUTSIDE_WINDOW
    return None


def _lock_experiment(session: Session, experiment_id: str) -> None:
    """Serialise first assignments of one experiment (SQLite: the write lock already does)."""
    session.exec(select(Experiment.id).where(Experiment.id == experiment_id).with_for_update())


def stratum_position(session: Session, row: Experiment, stratum: str) -> int:
    """How many subjects of `stratum` this phase already put in a variant (not holdout)."""
    return session.exec(select(func.count()).select_from(ExperimentAssignment).where(
        ExperimentAssignment.experiment_id == row.id,
        ExperimentAssignment.phase == (row.phase or 1),
        ExperimentAssignment.stratum == stratum,
        col(ExperimentAssignment.is_holdout).is_(False))).one()


def _store(session: Session, row: Experiment, subject_id: str, attributes: dict[str, Any],
           now: datetime, context: RequestContext, actor: Actor | None) -> Enrolment:
    """Decide with the lock held, store an enrolling answer, audit it (action + state)."""
    _lock_experiment(session, row.id)
    existing = _stored(session, row, subject_id)
    if existing is not None:  # a concurrent first request stored it while we waited
        return _from_stored(row, existing, consent=True)
    compiled = compiled_of(row)
    decision = assignment.assign(compiled, subject_id, attributes, now=now, position=0)
    if decision.variant is not None and compiled.randomization == "stratified_blocks":
        position = stratum_position(session, row, decision.stratum)
        decision = assignment.assign(compiled, subject_id, attributes, now=now,
                                     position=position)
    if decision.variant is None and not decision.is_holdout:
        return _unenrolled(row, subject_id, decision)
    stored = ExperimentAssignment(subject_id=subject_id, experiment_id=row.id,
                                  phase=row.phase or 1, variant=decision.variant or "",
                                  bucket=decision.bucket, stratum=decision.stratum,
                                  is_holdout=decision.is_holdout, assigned_at=now)
    session.add(stored)
    session.flush()
    state = {"experiment_key": row.key, "phase": stored.phase, "variant": decision.variant,
             "bucket": decision.bucket, "stratum": decision.stratum,
             "is_holdout": decision.is_holdout}
    audit.record(session, action="experiment.assign", context=context, actor=actor,
                 actor_role=None if actor else "system", target_type="experiment",
                 target_id=row.id, metadata={"subject": subject_id, "state": state})
    return _from_stored(row, stored, consent=True)


def _unenrolled(row: Experiment, subject_id: str, decision: assignment.Assignment) -> Enrolment:
    return Enrolment(row.key, row.id, row.phase or 1, subject_id, None, decision.bucket,
                     decision.stratum, False, None, decision.reason)


def enrol(session: Session, row: Experiment, subject_id: str, attributes: dict[str, Any], *,
          context: RequestContext, actor: Actor | None, now: datetime | None = None
          ) -> Enrolment:
    """The subject's sticky answer in `row`, storing it the first time it enrols.

    `attributes` must already hold the profile's values (see `profile_attributes`).
    Reads first without the write lock, so a sticky answer costs no write.
    """
    moment = _utc(now) or datetime.now(UTC)
    consent = attributes.get("experiment_consent") is True
    with read_phase(session):
        existing = _stored(session, row, subject_id)
    if existing is not None:
        idle = _idle_reason(compiled_of(row), moment)
        if idle is not None:  # kept, but nobody is exposed while paused or out of window
            return Enrolment(row.key, row.id, existing.phase, subject_id, None, existing.bucket,
                             existing.stratum, False, _utc(existing.assigned_at), idle)
        return _from_stored(row, existing, consent=consent)
    decision = assignment.assign(compiled_of(row), subject_id, attributes, now=moment,
                                 position=0)
    if decision.variant is None and not decision.is_holdout:
        return _unenrolled(row, subject_id, decision)
    try:
        with session.begin_nested():
            return _store(session, row, subject_id, attributes, moment, context, actor)
    except IntegrityError:  # another writer stored it first (the unique key held)
        existing = _stored(session, row, subject_id)
        if existing is None:
            raise
        return _from_stored(row, existing, consent=consent)


def assign_subject(session: Session, *, actor: Actor, experiment_key: Any, subject_id: Any,
                   attributes: Any, context: RequestContext, now: datetime | None = None
                   ) -> Enrolment:
    """`POST /assignments`: the sticky assignment of a known athlete (experiment:manage)."""
    authorize(actor, Permission.EXPERIMENT_MANAGE)
    extra = _caller_attributes(attributes)
    if not isinstance(subject_id, str) or not subject_id.strip() or len(subject_id) > 36:
        raise InvalidInput("subject_id: give an athlete's id.", field="subject_id")
    with read_phase(session):
        row = _experiment_by_key(session, experiment_key)
        stored = profile_attributes(session, subject_id)
    if stored is None:
        raise NotFound(f"subject_id: no athlete {subject_id!r}.", field="subject_id")
    return enrol(session, row, subject_id, {**extra, **stored}, context=context, actor=actor,
                 now=now)


@dataclass(frozen=True, slots=True)
class AlgorithmChoice:
    """Which algorithm a new plan uses, and the enrolment that decided it (if any)."""

    algorithm_version: str
    enrolment: Enrolment | None = None

    @property
    def arm(self) -> str | None:
        """The plan's `experiment_arm`: the variant, or None (default algorithm)."""
        return self.enrolment.variant if self.enrolment else None


def running_experiments(session: Session) -> list[Experiment]:
    """The running experiments, oldest first (start, then creation)."""
    return list(session.exec(select(Experiment).where(
        Experiment.status == lifecycle.RUNNING).order_by(
        col(Experiment.created_at), col(Experiment.id))))


def choose_algorithm(session: Session, athlete_id: str, *, default: str,
                     context: RequestContext, actor: Actor | None,
                     now: datetime | None = None) -> AlgorithmChoice:
    """The plan algorithm for `athlete_id`: the variant of the experiment that enrols them.

    Starting an experiment is refused while another running one could enrol the same
    athletes (`registry`), so at most one decides; should two ever both enrol someone,
    the oldest decides and the athlete is not enrolled in the others. Holdout,
    non-consenting and ineligible athletes get `default`.
    """
    attributes = profile_attributes(session, athlete_id)
    if attributes is None:
        return AlgorithmChoice(default)
    for row in running_experiments(session):
        enrolment = enrol(session, row, athlete_id, attributes, context=context, actor=actor,
                          now=now)
        if enrolment.is_holdout:
            return AlgorithmChoice(default, enrolment)
        if enrolment.variant is not None:
            return AlgorithmChoice(enrolment.algorithm_version or default, enrolment)
    return AlgorithmChoice(default)


def record_exposure(session: Session, choice: AlgorithmChoice, plan_id: str,
                    now: datetime | None = None) -> ExposureEvent | None:
    """One exposure per subject, experiment and plan, when a variant decided the plan."""
    enrolment = choice.enrolment
    if enrolment is None or enrolment.variant is None:
        return None
    event = ExposureEvent(experiment_id=enrolment.experiment_id, subject_id=enrolment.subject_id,
                          phase=enrolment.phase, variant=enrolment.variant,
                          context="plan.generated", plan_id=plan_id,
                          occurred_at=_utc(now) or datetime.now(UTC))
    session.add(event)
    session.flush()
    return event


def active_athletes(session: Session) -> list[User]:
    """Active users with an athlete profile (the population a preview splits)."""
    return list(session.exec(select(User).join(
        AthleteProfile, col(AthleteProfile.user_id) == User.id).where(
        col(User.is_active).is_(True))))
