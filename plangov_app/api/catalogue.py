"""The exercise catalogue (for swaps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plangov_app.api.deps import CurrentActor
from plangov_app.api.schemas import ERROR_RESPONSES, ExerciseOut
from plangov_app.services import catalogue

router = APIRouter(tags=["catalogue"], responses=ERROR_RESPONSES)


@router.get("/exercises", response_model=list[ExerciseOut])
def search_exercises(
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=60)] = "",
    category: Annotated[str | None,
                        Query(pattern="^(strength|conditioning|endurance|mobility)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ExerciseOut]:
    """Search the exercise catalogue (for swaps)."""
    return [ExerciseOut(**{k: getattr(e, k) for k in ExerciseOut.model_fields})
            for e in catalogue.search(q, category, limit)]
