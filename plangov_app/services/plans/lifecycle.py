"""The lifecycle the system drives: publish started plans, complete ended ones.

Run daily by `plangov plans advance`: an approved plan whose start date has come is
published, and a published plan whose last week is over is completed.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from db.models import Plan
from plangov_app.services import audit, outbox, status
from plangov_app.services.context import RequestContext
from plangov_app.services.plans.lookup import head_version
from plangov_app.services.versions import (
    NewVersion,
    document_of,
    insert_version,
    prepare_version,
)


def advance_lifecycle(session: Session, today: date, context: RequestContext) -> dict[str, int]:
    """Publish approved plans that have started; complete published plans that have ended."""
    moved = {"published": 0, "completed": 0}
    for plan in list(session.exec(select(Plan).where(
            col(Plan.status).in_((status.APPROVED, status.PUBLISHED))).with_for_update())):
        ends = plan.start_date.toordinal() + 7 * plan.weeks
        if plan.status == status.APPROVED and plan.start_date <= today:
            _system_transition(session, plan, action="publish", context=context)
            moved["published"] += 1
        if plan.status == status.PUBLISHED and today.toordinal() >= ends:
            _system_transition(session, plan, action="complete", context=context)
            moved["completed"] += 1
    return moved


def _system_transition(session: Session, plan: Plan, *, action: str,
                       context: RequestContext) -> None:
    """Store the head again with the status `action` leads to, audited as the system."""
    head = head_version(session, plan)
    old_status = plan.status
    new_status = status.next_status(old_status, action)
    version = insert_version(session, plan, prepare_version(plan, None, head, NewVersion(
        document=document_of(head), status=new_status, kind=action,
        status_change=(old_status, new_status)), content_json=head.content_json))
    if new_status == status.PUBLISHED:
        plan.published_at = plan.published_at or version.created_at
    audit.record(session, action=f"plan.{action}", context=context, target_type="plan",
                 target_id=plan.id, actor_role="system",
                 metadata={"version_id": version.id,
                           "status": {"from": old_status, "to": new_status}})
    if action == "publish":
        outbox.emit(session, "plan.published", plan, version_id=version.id)
    else:
        outbox.emit(session, "plan.completed", plan, version_id=version.id)
