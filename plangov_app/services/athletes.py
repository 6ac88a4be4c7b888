"""An athlete's profile: what the plan algorithms know of them, who coaches them, their plans.

Visible to whoever may view the athlete's plans (admin, their coaches, their support team,
the athlete); to anyone else the athlete does not exist. Their goals and their injuries
and limitations are noted by their coach, the athlete themself or an admin
(`Permission.PROFILE_EDIT`); support sees them and may not change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from db.models import AthleteProfile, CoachAthlete, Team, TeamMember, User, utcnow
from plangov_app.services import adherence, audit
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, InvalidInput, NotFound
from plangov_app.services.plans.listing import PlanHeader, PlanQuery, list_plans
from plangov_app.services.rbac import Actor, Permission, Role, authorize, can, require_visible
from plangov_app.services.text import clean_text
from plangov_app.services.versions import document_of

MAX_PLANS = 20
NOTES_LIMIT = 500  # characters, as the columns hold them (after trimming)
#: the profile's free-text notes and what people call them
NOTE_FIELDS = {"goals": "Goals", "limitations": "Injuries and limitations"}
NO_SUCH_ATHLETE = "No such athlete."


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
    limitations: str  # injuries and limitations noted by the coach or the athlete
    experiment_consent: bool
    research_consent: bool
    coaches: tuple[str, ...]
    teams: tuple[str, ...]
    plans: tuple[PlanSummary, ...]
    notes_editable: bool = False  # the actor may change goals and limitations


@dataclass(frozen=True)
class ProfileNotes:
    """The athlete's notes after an update, and which of them changed."""

    athlete_id: str
    goals: str
    limitations: str
    updated_at: datetime
    changed: tuple[str, ...]


def _visible_athlete(session: Session, actor: Actor, athlete_id: str) -> User:
    """The athlete `athlete_id`; NotFound when missing, not an athlete, or hidden from `actor`."""
    athlete = session.get(User, athlete_id)
    if athlete is None or athlete.role != Role.ATHLETE.value:
        raise NotFound(NO_SUCH_ATHLETE)
    require_visible(actor, athlete_id, target=("athlete", athlete_id),
                    not_found=NO_SUCH_ATHLETE)
    return athlete


def athlete_summary(session: Session, actor: Actor, athlete_id: str, *,
                    today: date) -> AthleteSummary:
    """The athlete's profile, coaches, teams and (up to 20) most recent plans.

    Adherence counts the sessions scheduled before `today` (the caller's clock).
    """
    athlete = _visible_athlete(session, actor, athlete_id)
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
        limitations=profile.limitations if profile else "",
        experiment_consent=bool(profile and profile.experiment_consent),
        research_consent=bool(profile and profile.research_consent),
        coaches=tuple(coaches), teams=tuple(teams),
        plans=tuple(sorted((_plan_summary(session, h, today) for h in headers),
                           key=lambda p: p.start_date, reverse=True)),
        notes_editable=notes_editable(actor, profile))


def notes_editable(actor: Actor, profile: AthleteProfile | None) -> bool:
    """Whether `actor` may note goals and limitations on `profile` (None: no profile yet)."""
    return profile is not None and can(actor, Permission.PROFILE_EDIT, profile.user_id)


def clean_notes(**given: str | None) -> dict[str, str]:
    """The notes given (None: left as they are) as stored: trimmed, checked.

    Raises InvalidInput (422) naming every field that holds NUL or invalid Unicode, or is
    over `NOTES_LIMIT` characters once trimmed; bidirectional controls are removed.
    """
    cleaned: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    for name, value in given.items():
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append({"field": name, "message": "must be text."})
            continue
        try:
            text = clean_text(value, name).strip()
        except InvalidInput as error:
            problems.append({"field": name, "message": error.detail.removeprefix(f"{name}: ")})
            continue
        if len(text) > NOTES_LIMIT:
            problems.append({"field": name, "message": f"at most {NOTES_LIMIT} characters "
                                                       f"({len(text)} given)."})
            continue
        cleaned[name] = text
    if problems:
        first = problems[0]
        raise InvalidInput(f"{first['field']}: {first['message']}", field=first["field"],
                           errors=problems)
    return cleaned


def update_profile(session: Session, actor: Actor, athlete_id: str, *, context: RequestContext,
                   goals: str | None = None, limitations: str | None = None) -> ProfileNotes:
    """Note the athlete's goals and/or injuries and limitations (None: leave as it is).

    NotFound for an athlete `actor` may not see; Forbidden (403) when they may see but not
    edit (support); InvalidInput (422) for unstorable or too long text. Audited as
    `athlete.profile_update` with the old and new value of each field that changed; nothing
    is written (and nothing audited) when nothing changed.
    """
    _visible_athlete(session, actor, athlete_id)
    authorize(actor, Permission.PROFILE_EDIT, athlete_id, hide=True,
              target=("athlete", athlete_id), not_found=NO_SUCH_ATHLETE)
    wanted = clean_notes(goals=goals, limitations=limitations)
    profile = session.exec(select(AthleteProfile).where(
        AthleteProfile.user_id == athlete_id).with_for_update()).first()
    if profile is None:
        raise Conflict("This athlete has no profile yet (sport and level); an admin adds "
                       "it before goals and limitations can be noted.")
    changes: dict[str, Any] = {
        name: {"old": getattr(profile, name), "new": value}
        for name, value in wanted.items() if getattr(profile, name) != value}
    if changes:
        for name, change in changes.items():
            setattr(profile, name, change["new"])
        profile.updated_at = utcnow()
        session.add(profile)
        audit.record(session, action="athlete.profile_update", context=context, actor=actor,
                     target_type="athlete", target_id=athlete_id, metadata=changes)
        session.flush()
    return ProfileNotes(athlete_id=athlete_id, goals=profile.goals,
                        limitations=profile.limitations, updated_at=profile.updated_at,
                        changed=tuple(changes))


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
