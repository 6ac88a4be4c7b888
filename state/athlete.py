"""`/athletes/{athlete_id}`: the athlete's profile, from which Plan History is reached."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission
from plangov_app.services.views.athlete_profile import ProfilePlan, athlete_profile
from state.session import SignedIn, problem_toast, run_read


class AthleteState(SignedIn, rx.State):
    """The profile shown (names and a page of plans, no documents)."""

    athlete_id: str = ""
    found: bool = True
    name: str = ""
    summary: str = ""  # "cycling · beginner · 4 days a week"
    goals: str = ""
    coaches: str = ""
    teams: str = ""
    consent: list[str] = []
    plans: list[ProfilePlan] = []

    async def load(self) -> Any:
        """on_load: the athlete of the URL, if this user may view their plans."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        self.athlete_id = self._url_id()
        try:
            read = partial(athlete_profile, today=date.today())
            profile = await run_read(read, actor, self.athlete_id)
        except DomainError as error:
            self.found, self.plans = False, []
            return None if error.status == 404 else problem_toast(error)
        self.found, self.name, self.summary = True, profile.name, profile.summary
        self.goals, self.coaches, self.teams = profile.goals, profile.coaches, profile.teams
        self.consent, self.plans = profile.consent, profile.plans
        return None
