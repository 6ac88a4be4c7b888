"""Experiments registry: create, read, edit and move through the lifecycle, all audited.

Overlap rule: at most one running experiment may decide the plan algorithm for any
athlete, so starting (or resuming) an experiment is refused while another running one
could enrol the same athletes (their eligibility rules intersect).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models.base import utcnow
from db.models.experiments import Experiment
from plangov_app.services import audit
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, InvalidInput, NotFound
from plangov_app.services.experiments import lifecycle
from plangov_app.services.experiments.assignment import CompiledExperiment, compile_config
from plangov_app.services.generation import ALGORITHMS
from plangov_app.services.rbac import Actor, Permission, authorize

EDITABLE = ("name", "hypothesis", "randomization", "variants", "stratification_keys",
            "holdout_percentage", "start_at", "end_at", "eligibility", "guardrails", "seed")
GUARDRAIL_METRICS = ("adherence", "approval_latency", "overrides", "csat", "kpi_change")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def config_of(row: Experiment) -> dict[str, Any]:
    """The row as the config `compile_config` reads (API body shape plus status/seed/window)."""
    return {
        "key": row.key, "name": row.name, "hypothesis": row.hypothesis or "",
        "randomization": row.randomization or "hash", "seed": row.seed or row.key,
        "status": row.status, "variants": json.loads(row.variants_json or "[]"),
        "stratification_keys": json.loads(row.stratification_keys or "[]"),
        "holdout_percentage": row.holdout_percentage,
        "start_at": _iso(row.start_at), "end_at": _iso(row.end_at),
        "eligibility": json.loads(row.eligibility_json or "{}"),
        "guardrails": json.loads(row.guardrails_json or "[]"), "phase": row.phase or 1,
    }


def compiled_of(row: Experiment) -> CompiledExperiment:
    """The row compiled for assignment decisions."""
    return compile_config(config_of(row))


def _guardrails(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput("guardrails: must be a list.", field="guardrails")
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("metric") not in GUARDRAIL_METRICS:
            raise InvalidInput(f"guardrails.{i}.metric: use one of {', '.join(GUARDRAIL_METRICS)}.",
                               field=f"guardrails.{i}.metric")
        drop = item.get("max_relative_drop")
        if isinstance(drop, bool) or not isinstance(drop, int | float) or not 0 < drop <= 1:
            raise InvalidInput(f"guardrails.{i}.max_relative_drop: a fraction above 0, at most 1.",
                               field=f"guardrails.{i}.max_relative_drop")
    return [{"metric": g["metric"], "max_relative_drop": g["max_relative_drop"]} for g in raw]


def _validated(config: dict[str, Any]) -> tuple[dict[str, Any], CompiledExperiment]:
    name = config.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput("name: give a name of 1 to 200 characters.", field="name")
    key = config.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > 80:
        raise InvalidInput("key: give a key of 1 to 80 characters.", field="key")
    config["guardrails"] = _guardrails(config.get("guardrails"))
    return config, compile_config(config, algorithms=ALGORITHMS)


def validate(body: dict[str, Any]) -> None:
    """Check a create body as `create` would (InvalidInput naming the field); writes nothing."""
    _validated({**body, "status": lifecycle.DRAFT})


def _apply(row: Experiment, config: dict[str, Any], compiled: CompiledExperiment) -> None:
    row.name, row.hypothesis = config["name"], config.get("hypothesis") or ""
    row.randomization, row.seed = compiled.randomization, compiled.seed
    row.variants_json = json.dumps([{"key": v.key, "weight": v.weight,
                                     "algorithm_version": v.algorithm_version}
                                    for v in compiled.variants])
    row.variant_weights = json.dumps({v.key: v.weight for v in compiled.variants})
    row.stratification_keys = json.dumps(list(compiled.stratification_keys))
    row.holdout_percentage = compiled.holdout_threshold / 100
    row.start_at, row.end_at = compiled.start_at, compiled.end_at
    row.eligibility_json = json.dumps({k: sorted(v) for k, v in (
        ("sports", compiled.sports), ("levels", compiled.levels),
        ("team_ids", compiled.team_ids)) if v})
    row.guardrails_json = json.dumps(config["guardrails"])


def _audit(session: Session, actor: Actor, context: RequestContext, action: str,
           row: Experiment, old: dict | None) -> None:
    audit.record(session, action=action, context=context, actor=actor,
                 target_type="experiment", target_id=row.id,
                 metadata={"key": row.key, "old": old, "new": config_of(row)})


def create(session: Session, *, actor: Actor, body: dict[str, Any],
           context: RequestContext) -> Experiment:
    """Create a draft experiment (seed defaults to the key); audited."""
    authorize(actor, Permission.EXPERIMENT_MANAGE)
    config, compiled = _validated({**body, "status": lifecycle.DRAFT})
    if session.exec(select(Experiment.id).where(Experiment.key == compiled.key)).first():
        raise Conflict(f"key: {compiled.key!r} is already taken by another experiment.",
                       field="key")
    row = Experiment(key=compiled.key, name=config["name"], status=lifecycle.DRAFT,
                     owner_id=actor.user_id, phase=1)
    _apply(row, config, compiled)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"key: {compiled.key!r} is already taken by another experiment.",
                       field="key") from None
    _audit(session, actor, context, "experiment.create", row, None)
    return row


def get(session: Session, *, actor: Actor, experiment_id: str) -> Experiment:
    """One experiment, or NotFound."""
    authorize(actor, Permission.EXPERIMENT_VIEW)
    row = session.get(Experiment, experiment_id)
    if row is None:
        raise NotFound("No such experiment.")
    return row


def list_all(session: Session, *, actor: Actor) -> list[Experiment]:
    """Every experiment, newest first."""
    authorize(actor, Permission.EXPERIMENT_VIEW)
    return list(session.exec(select(Experiment).order_by(col(Experiment.created_at).desc(),
                                                         col(Experiment.id))))


def update(session: Session, *, actor: Actor, experiment_id: str, changes: dict[str, Any],
           context: RequestContext, new_phase: bool = False) -> Experiment:
    """Edit an experiment; locked fields while live need `new_phase` (re-randomises)."""
    authorize(actor, Permission.EXPERIMENT_MANAGE)
    row = get(session, actor=actor, experiment_id=experiment_id)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: cannot be edited.", field=unknown[0])
    old = config_of(row)
    changed = {k for k, v in changes.items() if old.get(k) != v}
    lifecycle.check_edit(row.status, changed, new_phase=new_phase)
    config, compiled = _validated({**old, **changes, "key": row.key})
    if new_phase and row.status != lifecycle.DRAFT:
        row.phase = (row.phase or 1) + 1
        if "seed" not in changes:
            config["seed"] = f"{row.key}:phase{row.phase}"
            compiled = compile_config(config, algorithms=ALGORITHMS)
    _apply(row, config, compiled)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    _audit(session, actor, context, "experiment.new_phase" if new_phase else "experiment.update",
           row, old)
    return row


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(not a.get(k) or not b.get(k) or set(a[k]) & set(b[k])
               for k in ("sports", "levels", "team_ids"))


def _check_overlap(session: Session, row: Experiment) -> None:
    mine = json.loads(row.eligibility_json or "{}")
    for other in session.exec(select(Experiment).where(
            Experiment.status == lifecycle.RUNNING, Experiment.id != row.id)):
        if _overlaps(mine, json.loads(other.eligibility_json or "{}")):
            raise Conflict(
                f"Cannot start this experiment while {other.name!r} is running for some of "
                "the same athletes: only one experiment at a time decides an athlete's plan "
                "algorithm. Pause or complete it, or narrow the eligibility.",
                field="status", overlapping=other.key)


def set_status(session: Session, *, actor: Actor | None, experiment_id: str, status: str,
               context: RequestContext, now: datetime | None = None) -> Experiment:
    """Move along the lifecycle (actor None: the scheduler); audited with old → new."""
    if actor is not None:
        authorize(actor, Permission.EXPERIMENT_MANAGE)
    row = session.get(Experiment, experiment_id)
    if row is None:
        raise NotFound("No such experiment.")
    if status not in lifecycle.STATUSES:
        raise InvalidInput(f"status: use one of {', '.join(lifecycle.STATUSES)}.", field="status")
    lifecycle.check_transition(row.status, status)
    if status == lifecycle.RUNNING:
        _check_overlap(session, row)
    old = config_of(row)
    row.status, row.updated_at = status, now or utcnow()
    session.add(row)
    session.flush()
    if actor is None:
        audit.record(session, action="experiment.status", context=context, actor_role="system",
                     target_type="experiment", target_id=row.id,
                     metadata={"key": row.key, "old": old, "new": config_of(row)})
    else:
        _audit(session, actor, context, "experiment.status", row, old)
    return row


def tick(session: Session, *, now: datetime, context: RequestContext) -> list[str]:
    """Complete running or paused experiments whose end has passed; their keys.

    Enrolment before `start_at` or after `end_at` is refused by assignment itself
    (reason outside_window), so only the end needs a status change.
    """
    done = []
    for row in session.exec(select(Experiment).where(
            col(Experiment.status).in_((lifecycle.RUNNING, lifecycle.PAUSED)),
            col(Experiment.end_at).is_not(None))):
        end = row.end_at if row.end_at.tzinfo else row.end_at.replace(tzinfo=now.tzinfo)
        if end <= now:
            set_status(session, actor=None, experiment_id=row.id, status=lifecycle.COMPLETE,
                       context=context, now=now)
            done.append(row.key)
    return done
