"""`/athletes/{athlete_id}`: the athlete's profile, from which Plan History is reached."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from plangov_app.services import athletes
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission, Role
from state.session import SessionState, problem_toast, run_read


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


class AthleteState(SessionState):
    """The profile shown (names and a page of plans, no documents)."""

    athlete_id: str = ""
    found: bool = True
    name: str = ""
    summary: str = ""  # "cycling · beginner · 4 days a week"
    goals: str = ""
    coaches: str = ""
    teams: str = ""
    consent: list[str] = []
    plans: list[dict[str, str]] = []

    async def load(self) -> Any:
        """on_load: the athlete of the URL, if this user may view their plans."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        self.athlete_id = self.router.url.path.strip("/").split("/")[1]
        try:
            read_profile = partial(athletes.athlete_summary, today=date.today())
            profile = await run_read(read_profile, actor, self.athlete_id)
        except DomainError as error:
            self.found, self.plans = False, []
            return None if error.status == 404 else problem_toast(error)
        link = "/plans/{}/review" if actor.role is Role.ATHLETE else "/plans/{}"
        self.found, self.name = True, profile.name
        self.summary = " · ".join(filter(None, [
            profile.sport, profile.level,
            f"{profile.days_per_week} days a week" if profile.days_per_week else ""]))
        self.goals = profile.goals or "—"
        self.coaches = ", ".join(profile.coaches) or "None assigned"
        self.teams = ", ".join(profile.teams) or "None"
        self.consent = [f"Experiments: {'yes' if profile.experiment_consent else 'no'}",
                        f"Research: {'yes' if profile.research_consent else 'no'}"]
        self.plans = [{"id": p.plan_id, "start": f"{p.start_date:%d %b %Y}",
                       "weeks": str(p.weeks), "status": p.status, "version": str(p.version),
                       "algorithm": p.algorithm, "arm": p.arm or "—",
                       "adherence": _percent(p.adherence), "link": link.format(p.plan_id)}
                      for p in profile.plans]
        return None
