"""The athlete's profile page: who they are and their plans (Plan History is a click away)."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlmodel import Session

from plangov_app.services import athletes
from plangov_app.services.rbac import Actor, Role


@dataclasses.dataclass
class ProfilePlan:
    """One of the athlete's plans as the profile lists it."""

    id: str = ""
    start: str = ""
    weeks: str = ""
    status: str = ""
    version: str = ""
    algorithm: str = ""
    arm: str = ""
    adherence: str = ""
    link: str = ""


@dataclasses.dataclass
class AthleteProfile:
    """The profile's facts and plans."""

    name: str = ""
    summary: str = ""  # "cycling · beginner · 4 days a week"
    goals: str = ""  # as shown: "None noted" when none
    limitations: str = ""  # as shown: "None noted" when none
    limitations_noted: bool = False
    notes_goals: str = ""  # as stored: what the form starts from
    notes_limitations: str = ""
    can_edit_notes: bool = False  # the athlete's coach, the athlete, an admin
    notes_limit: int = athletes.NOTES_LIMIT
    coaches: str = ""
    teams: str = ""
    consent: list[str] = dataclasses.field(default_factory=list)
    plans: list[ProfilePlan] = dataclasses.field(default_factory=list)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def plan_link(actor: Actor, plan_id: str) -> str:
    """Where a plan opens for `actor`: the review for athletes, the editor for the others."""
    return f"/plans/{plan_id}/review" if actor.role is Role.ATHLETE else f"/plans/{plan_id}"


def athlete_profile(session: Session, actor: Actor, athlete_id: str, *,
                    today: date) -> AthleteProfile:
    """The profile of `athlete_id` (NotFound unless `actor` may view their plans)."""
    profile = athletes.athlete_summary(session, actor, athlete_id, today=today)
    return AthleteProfile(
        name=profile.name,
        summary=" · ".join(filter(None, [
            profile.sport, profile.level,
            f"{profile.days_per_week} days a week" if profile.days_per_week else ""])),
        goals=profile.goals or "None noted", limitations=profile.limitations or "None noted",
        limitations_noted=bool(profile.limitations), notes_goals=profile.goals,
        notes_limitations=profile.limitations, can_edit_notes=profile.notes_editable,
        coaches=", ".join(profile.coaches) or "None assigned",
        teams=", ".join(profile.teams) or "None",
        consent=[f"Experiments: {'yes' if profile.experiment_consent else 'no'}",
                 f"Research: {'yes' if profile.research_consent else 'no'}"],
        plans=[ProfilePlan(id=p.plan_id, start=f"{p.start_date:%d %b %Y}", weeks=str(p.weeks),
                           status=p.status, version=str(p.version), algorithm=p.algorithm,
                           arm=p.arm or "—", adherence=_percent(p.adherence),
                           link=plan_link(actor, p.plan_id))
               for p in profile.plans])
