"""Experiments (experiment:view / experiment:manage) and `POST /assignments` (spec §3.2).

Thin: the registry, enrolment and preview services decide, validate and audit.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Response

from db.models.experiments import Experiment
from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.schemas.common import ERROR_RESPONSES
from plangov_app.api.schemas.experiments import (
    AssignmentIn,
    AssignmentOut,
    ExperimentCreate,
    ExperimentList,
    ExperimentOut,
    ExperimentPatch,
    PreviewOut,
    StatusChange,
    StratumOut,
)
from plangov_app.services.experiments import enrolment, preview, registry

router = APIRouter(tags=["experiments"], responses=ERROR_RESPONSES)
ExperimentId = Annotated[str, Path(min_length=1, max_length=36)]


def _out(row: Experiment) -> ExperimentOut:
    config = registry.config_of(row)
    return ExperimentOut(
        id=row.id, key=row.key, name=row.name, hypothesis=config["hypothesis"],
        status=row.status, randomization=config["randomization"], seed=config["seed"],
        phase=config["phase"], variants=config["variants"],
        stratification_keys=config["stratification_keys"],
        holdout_percentage=row.holdout_percentage, start_at=row.start_at, end_at=row.end_at,
        eligibility=json.loads(row.eligibility_json or "{}"), guardrails=config["guardrails"],
        owner_id=row.owner_id, created_at=row.created_at, updated_at=row.updated_at)


@router.post("/experiments", response_model=ExperimentOut, status_code=201)
def create_experiment(body: ExperimentCreate, session: SessionDep, actor: CurrentActor,
                      context: ContextDep, response: Response) -> ExperimentOut:
    """Create a draft experiment (seed defaults to the key; audited)."""
    row = registry.create(session, actor=actor, context=context,
                          body=body.model_dump(exclude_none=True, mode="json"))
    response.headers["Location"] = f"/api/v1/experiments/{row.id}"
    return _out(row)


@router.get("/experiments", response_model=ExperimentList)
def list_experiments(session: SessionDep, actor: CurrentActor) -> ExperimentList:
    """Every experiment, newest first."""
    return ExperimentList(items=[_out(r) for r in registry.list_all(session, actor=actor)])


@router.get("/experiments/{experiment_id}", response_model=ExperimentOut)
def get_experiment(experiment_id: ExperimentId, session: SessionDep,
                   actor: CurrentActor) -> ExperimentOut:
    """One experiment."""
    return _out(registry.get(session, actor=actor, experiment_id=experiment_id))


@router.patch("/experiments/{experiment_id}", response_model=ExperimentOut)
def update_experiment(experiment_id: ExperimentId, body: ExperimentPatch, session: SessionDep,
                      actor: CurrentActor, context: ContextDep) -> ExperimentOut:
    """Edit: anything while draft; once live, fields that reshuffle athletes are a 409."""
    row = registry.update(session, actor=actor, experiment_id=experiment_id, context=context,
                          changes=body.model_dump(exclude_unset=True, mode="json"))
    return _out(row)


@router.post("/experiments/{experiment_id}/phases", response_model=ExperimentOut)
def new_phase(experiment_id: ExperimentId, body: ExperimentPatch, session: SessionDep,
              actor: CurrentActor, context: ContextDep) -> ExperimentOut:
    """A deliberate new phase: apply the changes and re-randomise everyone (new seed)."""
    row = registry.update(session, actor=actor, experiment_id=experiment_id, context=context,
                          changes=body.model_dump(exclude_unset=True, mode="json"),
                          new_phase=True)
    return _out(row)


@router.post("/experiments/{experiment_id}/status", response_model=ExperimentOut)
def change_status(experiment_id: ExperimentId, body: StatusChange, session: SessionDep,
                  actor: CurrentActor, context: ContextDep) -> ExperimentOut:
    """Move along the lifecycle: draft → running ⇄ paused → complete (final); audited."""
    return _out(registry.set_status(session, actor=actor, experiment_id=experiment_id,
                                    status=body.status, context=context))


@router.get("/experiments/{experiment_id}/preview", response_model=PreviewOut)
def preview_allocation(experiment_id: ExperimentId, session: SessionDep,
                       actor: CurrentActor) -> PreviewOut:
    """How today's athletes would split, by stratum × variant; writes nothing."""
    result = preview.preview(session, actor=actor, experiment_id=experiment_id)
    return PreviewOut(
        experiment_key=result.experiment_key, population=result.population,
        variants=result.variant_keys, totals=result.totals, holdout=result.holdout,
        excluded=result.excluded, block_size=result.block_size,
        small_strata=result.small_strata, already_assigned=result.already_assigned,
        strata=[StratumOut(stratum=s.stratum, variants=s.variants, holdout=s.holdout,
                           enrolled=s.enrolled) for s in result.strata])


@router.post("/assignments", response_model=AssignmentOut)
def assign(body: AssignmentIn, session: SessionDep, actor: CurrentActor,
           context: ContextDep) -> AssignmentOut:
    """The subject's sticky assignment (stored the first time it enrols; audited)."""
    answer = enrolment.assign_subject(session, actor=actor, experiment_key=body.experiment_key,
                                      subject_id=body.subject_id, attributes=body.attributes,
                                      context=context)
    return AssignmentOut(
        experiment_key=answer.experiment_key, subject_id=answer.subject_id,
        variant=answer.variant, bucket=answer.bucket, stratum=answer.stratum,
        is_holdout=answer.is_holdout, assigned_at=answer.assigned_at, reason=answer.reason,
        phase=answer.phase, algorithm_version=answer.algorithm_version)
