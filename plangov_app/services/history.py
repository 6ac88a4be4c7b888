"""Plan History (Flow C) reads: an athlete's plans with their versions, a version's audit.

Its own module because it reads through `plans` (whose modules import `audit` and `versions`),
so neither of those can hold it without an import cycle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from db.models import AuditEvent, Plan, PlanVersion, User
from plangov_app.services import versions
from plangov_app.services.errors import NotFound
from plangov_app.services.plans.listing import PlanQuery, list_plans
from plangov_app.services.plans.lookup import get_plan
from plangov_app.services.rbac import Actor, Permission, require_visible

TIMELINE_PLANS = 20  # the most recently updated plans shown on the timeline


@dataclass(frozen=True)
class PlanVersions:
    """One plan of the timeline: its versions (oldest first) and their authors' names."""

    plan: Plan
    versions: list[PlanVersion]
    authors: dict[str, str]  # author id -> display name


@dataclass(frozen=True)
class AthleteTimeline:
    """An athlete's plans, most recently updated first."""

    athlete_name: str
    plans: list[PlanVersions]


def athlete_timeline(session: Session, actor: Actor, athlete_id: str) -> AthleteTimeline:
    """The athlete's plans and versions; NotFound unless `actor` may view them and they exist."""
    athlete = session.get(User, athlete_id)
    if athlete is None:
        raise NotFound("No such athlete.")
    require_visible(actor, athlete_id, target=("athlete", athlete_id),
                    not_found="No such athlete.")
    query = PlanQuery(athlete_id=athlete_id, sort="recent", limit=TIMELINE_PLANS)
    headers, _ = list_plans(session, actor, query)
    return AthleteTimeline(athlete_name=athlete.display_name,
                           plans=[_plan_versions(session, header.plan) for header in headers])


def _plan_versions(session: Session, plan: Plan) -> PlanVersions:
    listed = versions.list_versions(session, plan)
    return PlanVersions(plan=plan, versions=listed,
                        authors=versions.author_names(session, listed))


def events_for_version(session: Session, actor: Actor, plan_id: str,
                       version_id: str) -> list[AuditEvent]:
    """The audit events about one version of a plan `actor` may view, oldest first.

    That is the events whose `version_id` is this version — not a later edit that only
    names it as its parent.
    """
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    version = versions.get_version(session, plan, version_id)
    mentioning = session.exec(select(AuditEvent).where(
        AuditEvent.target_type == "plan", AuditEvent.target_id == plan.id,
        col(AuditEvent.metadata_json).contains(version.id)).order_by(col(AuditEvent.seq)))
    return [e for e in mentioning
            if json.loads(e.metadata_json or "{}").get("version_id") == version.id]
