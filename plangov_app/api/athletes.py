"""Athletes: the profile that Plan History is reached from."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from plangov_app.api.deps import CurrentActor, SessionDep
from plangov_app.api.schemas import ERROR_RESPONSES, AthleteOut
from plangov_app.services import athletes

router = APIRouter(tags=["athletes"], responses=ERROR_RESPONSES)


def server_today() -> date:
    """Today's date on the server (a dependency, so a test can fix the clock)."""
    return date.today()


TodayDep = Annotated[date, Depends(server_today)]


@router.get("/athletes/{athlete_id}", response_model=AthleteOut)
def get_athlete(athlete_id: Annotated[str, Path(min_length=1, max_length=36)],
                session: SessionDep, actor: CurrentActor, today: TodayDep) -> AthleteOut:
    """An athlete's profile and recent plans (404 unless you may view their plans)."""
    return AthleteOut(**asdict(athletes.athlete_summary(session, actor, athlete_id,
                                                        today=today)))
