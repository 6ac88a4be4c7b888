"""Finding a plan the actor may act on, its current and baseline versions, its coaches."""

from __future__ import annotations

from sqlmodel import Session, select

from db.models import CoachAthlete, Plan, PlanVersion
from plangov_app.services.errors import NotFound
from plangov_app.services.rbac import Actor, Permission, Role, authorize, require_visible


def get_plan(session: Session, actor: Actor, plan_id: str, *, permission: Permission,
             for_update: bool = False) -> Plan:
    """The plan if `actor` has `permission` on it; NotFound if they may not even see it.

    `for_update` locks the row and reads it afresh, whatever the session saw before.
    """
    query = select(Plan).where(Plan.id == plan_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    plan = session.exec(query).first()
    missing = f"No plan {plan_id}."
    if plan is None:
        raise NotFound(missing)
    target = ("plan", plan.id)
    require_visible(actor, plan.athlete_id, target=target, not_found=missing)
    authorize(actor, permission, plan.athlete_id, hide=True, target=target, not_found=missing)
    return plan


def head_version(session: Session, plan: Plan) -> PlanVersion:
    """The plan's current version."""
    version = session.get(PlanVersion, plan.active_version_id) if plan.active_version_id else None
    if version is None:
        raise NotFound(f"Plan {plan.id} has no current version.")
    return version


def baseline_version(session: Session, plan: Plan) -> PlanVersion:
    """The generated version 1."""
    version = session.get(PlanVersion, plan.baseline_version_id or "")
    if version is None:
        raise NotFound(f"Plan {plan.id} has no baseline version.")
    return version


def coaches_of(session: Session, athlete_id: str) -> list[str]:
    """Every coach assigned to the athlete."""
    return sorted(session.exec(select(CoachAthlete.coach_id)
                               .where(CoachAthlete.athlete_id == athlete_id)))


def acting_coach_id(actor: Actor) -> str | None:
    """The actor's id if they act as a coach (outbox events name the coach), else None."""
    return actor.user_id if actor.role is Role.COACH else None
