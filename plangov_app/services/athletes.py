"""An athlete's profile: what the plan algorithms know of them, who coaches them, their plans.

Visible to whoever may view the athlete's plans (admin, their coaches, their support team,
the athlete); to anyone else the athlete does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from db.models import AthleteProfile, CoachAthlete, Team, TeamMember, User
from plangov_app.services import adherence
from plangov_app.services.errors import NotFound
from plangov_app.services.plans.listing import PlanHeader, PlanQuery, list_plans
from plangov_app.services.rbac import Actor, Role, require_visible
from plangov_app.services.versions import document_of

MAX_PLANS = 20


@dataclass(frozen=True)
class PlanSummary:
    """One of the athlete's plans, newest first."""

    plan_id: str
    start_date: date
    weeks: int
    status: str
    version: int
    algorithm: str
    arm: str | None
    adherence: float | None  # completed / scheduled sessions so far, None before the start


@dataclass(frozen=True)
class AthleteSummary:
    """The athlete's profile page."""

    athlete_id: str
    name: str
    sport: str
    level: str
    days_per_week: int | None
    goals: str
    experiment_consent: bool
    research_consent: bool
    coaches: tuple[str, ...]
    teams: tuple[str, ...]
    plans: tuple[PlanSummary, ...]


def athlete_summary(session: Session, actor: Actor, athlete_id: str, *,
                    today: date) -> AthleteSummary:
    """The athlete's profile, coaches, teams and (up to 20) most recent plans.

    Adherence counts the sessions scheduled before `today` (the caller's clock).
    """
    athlete = session.get(User, athlete_id)
    if athlete is None or athlete.role != Role.ATHLETE.value:
        raise NotFound("No such athlete.")
    require_visible(actor, athlete_id, target=("athlete", athlete_id),
                    not_found="No such athlete.")
    profile = session.get(AthleteProfile, athlete_id)
    coaches = session.exec(select(User.display_name).join(
        CoachAthlete, col(CoachAthlete.coach_id) == col(User.id)).where(
        CoachAthlete.athlete_id == athlete_id).order_by(User.display_name))
    teams = session.exec(select(Team.name).join(
        TeamMember, col(TeamMember.team_id) == col(Team.id)).where(
        TeamMember.user_id == athlete_id).order_by(Team.name))
    headers, _ = list_plans(session, actor, PlanQuery(
        athlete_id=athlete_id, sort="recent", limit=MAX_PLANS))
    return AthleteSummary(
        athlete_id=athlete.id, name=athlete.display_name,
        sport=profile.sport if profile else "", level=profile.level if profile else "",
        days_per_week=profile.days_per_week if profile else None,
        goals=profile.goals if profile else "",
        experiment_consent=bool(profile and profile.experiment_consent),
        research_consent=bool(profile and profile.research_consent),
        coaches=tuple(coaches), teams=tuple(teams),
        plans=tuple(sorted((_plan_summary(session, h, today) for h in headers),
                           key=lambda p: p.start_date, reverse=True)))


def _plan_summary(session: Session, header: PlanHeader, today: date) -> PlanSummary:
    plan, head = header.plan, header.head
    document = document_of(head) if head else None
    rate = adherence.overall(adherence.weekly(session, plan, document, today)) \
        if document else None
    return PlanSummary(plan_id=plan.id, start_date=plan.start_date,
                       weeks=len(document.weeks) if document else 0, status=plan.status,
                       version=head.version_number if head else 0,
                       algorithm=plan.algorithm_version, arm=plan.experiment_arm,
                       adherence=rate)
