"""Athletes: the profile that Plan History is reached from, and the notes on it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.schemas import ERROR_RESPONSES, AthleteOut, ProfileNotesIn, ProfileNotesOut
from plangov_app.services import athletes

router = APIRouter(tags=["athletes"], responses=ERROR_RESPONSES)
AthleteId = Annotated[str, Path(min_length=1, max_length=36)]


def server_today() -> date:
    """Today's date on the server (a dependency, so a test can fix the clock)."""
    return date.today()


TodayDep = Annotated[date, Depends(server_today)]


@router.get("/athletes/{athlete_id}", response_model=AthleteOut)
def get_athlete(athlete_id: AthleteId, session: SessionDep, actor: CurrentActor,
                today: TodayDep) -> AthleteOut:
    """An athlete's profile and recent plans (404 unless you may view their plans)."""
    return AthleteOut(**asdict(athletes.athlete_summary(session, actor, athlete_id,
                                                        today=today)))


@router.patch("/athletes/{athlete_id}/profile", response_model=ProfileNotesOut)
def update_profile(athlete_id: AthleteId, body: ProfileNotesIn, session: SessionDep,
                   actor: CurrentActor, context: ContextDep) -> ProfileNotesOut:
    """Note goals and/or injuries and limitations (the athlete's coach, the athlete, admin).

    404 unless you may view the athlete; 403 if you may view but not edit (support);
    audited as `athlete.profile_update` with the old and new values when something changed.
    """
    notes = athletes.update_profile(session, actor, athlete_id, context=context,
                                    goals=body.goals, limitations=body.limitations)
    return ProfileNotesOut(**{**asdict(notes), "changed": list(notes.changed)})
