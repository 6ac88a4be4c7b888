"""The exercise catalogue (for swaps), and the club's own exercises."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from db.session import finish_write
from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.schemas import ERROR_RESPONSES, ExerciseIn, ExerciseOut
from plangov_app.services import catalogue, custom_exercises
from plangov_app.services.catalogue import Exercise

router = APIRouter(tags=["catalogue"], responses=ERROR_RESPONSES)


def exercise_out(exercise: Exercise) -> ExerciseOut:
    """An exercise's API shape."""
    return ExerciseOut(**{k: getattr(exercise, k) for k in ExerciseOut.model_fields})


@router.get("/exercises", response_model=list[ExerciseOut])
def search_exercises(
    session: SessionDep,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=60)] = "",
    category: Annotated[str | None,
                        Query(pattern="^(strength|conditioning|endurance|mobility)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ExerciseOut]:
    """Search the exercise catalogue, the club's own exercises included (`custom`)."""
    return [exercise_out(e) for e in catalogue.search_exercises(
        session, query=q, category=category, limit=limit)]


@router.post("/exercises", response_model=ExerciseOut, status_code=201)
def add_exercise(body: ExerciseIn, session: SessionDep, actor: CurrentActor,
                 context: ContextDep) -> ExerciseOut:
    """Add a custom exercise to the club's catalogue (coaches and admins; audited)."""
    exercise = custom_exercises.add_custom_exercise(
        session, actor, name=body.name, modality=body.modality, unit=body.unit,
        context=context)
    finish_write(session)
    return exercise_out(exercise)
