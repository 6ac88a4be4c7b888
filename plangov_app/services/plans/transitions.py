"""Moving a plan through review: the coach submits it, the athlete decides on it.

Each transition stores a version (same document, new status) with an optional comment,
then the audit event, the outbox events and the notifications, in the caller's unit of work.
"""

from __future__ import annotations

from sqlmodel import Session

from db.models import Plan, PlanComment, PlanVersion, User, new_id
from plangov_app.services import audit, notifications, outbox, status
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plans.lookup import (
    acting_coach_id,
    baseline_version,
    coaches_of,
    get_plan,
    head_version,
)
from plangov_app.services.rbac import Actor, Permission, Role
from plangov_app.services.text import clean_text
from plangov_app.services.versions import (
    NewVersion,
    document_of,
    insert_version,
    prepare_version,
)

DECISIONS = ("accept", "request_changes")


def submit_for_approval(session: Session, actor: Actor, plan_id: str, *, comment: str,
                        context: RequestContext) -> Plan:
    """Coach submits for approval → coach_reviewed; the athlete is notified.

    The coach's note is the submit version's rationale (the review's "Note from your
    coach", Plan History) and is in the audit event; it is not also posted as a plan
    comment, so the athlete reads it once.
    """
    comment = clean_text(comment, "comment")
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_SUBMIT, for_update=True)
    old_status = plan.status
    status.next_status(old_status, "submit")
    version = _transition_version(session, plan, actor, action="submit", kind="submit",
                                  comment_id=None, note=comment.strip())
    plan.submitted_at = version.created_at
    audit.record(session, action="plan.submit", context=context, actor=actor,
                 target_type="plan", target_id=plan.id,
                 metadata={"version_id": version.id, "status": {"from": old_status,
                                                                 "to": plan.status},
                           "comment": comment.strip() or None})
    outbox.emit(session, "plan.submitted", plan, version_id=version.id,
                coach_id=acting_coach_id(actor))
    notifications.notify(session, plan.athlete_id, kind="plan.submitted",
                         title="Your coach sent you a plan to review",
                         body=f"{actor.display_name or 'Your coach'} submitted your "
                              f"{plan.weeks}-week plan for approval.",
                         link=f"/plans/{plan.id}/review")
    return plan


def recall_submission(session: Session, actor: Actor, plan_id: str, *, comment: str = "",
                      context: RequestContext) -> Plan:
    """The coach takes a submitted plan back before the athlete answers → draft.

    Refused (Conflict, in a sentence) once the athlete has decided, or when it was never
    sent. The athlete is told the plan was withdrawn; audited as `plan.recall`.
    """
    comment = clean_text(comment, "comment")
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_SUBMIT, for_update=True)
    old_status = plan.status
    status.next_status(old_status, "recall")
    version = _transition_version(session, plan, actor, action="recall", kind="recall",
                                  comment_id=None, note=comment.strip())
    plan.submitted_at = None
    audit.record(session, action="plan.recall", context=context, actor=actor,
                 target_type="plan", target_id=plan.id,
                 metadata={"version_id": version.id, "status": {"from": old_status,
                                                                 "to": plan.status},
                           "comment": comment.strip() or None})
    outbox.emit(session, "plan.recalled", plan, version_id=version.id,
                coach_id=acting_coach_id(actor))
    notifications.notify(session, plan.athlete_id, kind="plan.recalled",
                         title="Your coach withdrew the plan to change it",
                         body=f"{actor.display_name or 'Your coach'} took back your "
                              f"{plan.weeks}-week plan before you answered; you will be asked "
                              "again once it is sent back."
                              + (f" Note: {comment.strip()[:300]}" if comment.strip() else ""),
                         link=f"/plans/{plan.id}/review")
    return plan


def record_decision(session: Session, actor: Actor, plan_id: str, *, decision: str,
                    comment: str, context: RequestContext) -> Plan:
    """Record the athlete's decision on a submitted plan.

    accept → approved (schedule published); request_changes → needs_revision, coaches
    notified. An admin deciding on the athlete's behalf is recorded as an override.
    """
    if decision not in DECISIONS:
        raise InvalidInput(f"decision: use one of {', '.join(DECISIONS)}.")
    comment = clean_text(comment, "comment")
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_APPROVE,
                    for_update=True)
    is_override = actor.role is Role.ADMIN and actor.user_id != plan.athlete_id
    if decision == "request_changes" and not comment.strip():
        raise InvalidInput("comment: say what should change when requesting changes.")
    if is_override and not comment.strip():
        raise InvalidInput("comment: an override needs a reason.")
    action = "override" if is_override and decision == "accept" else decision
    old_status = plan.status
    status.next_status(old_status, action)
    comment_id = _plan_comment(session, plan, actor, message=comment)
    version = _transition_version(session, plan, actor, action=action,
                                  kind="override" if is_override else "decision",
                                  comment_id=comment_id, note=comment.strip())
    if plan.status == status.APPROVED:
        plan.approved_at = plan.published_at = version.created_at
    audit.record(session, action=_audit_action(decision, is_override), context=context,
                 actor=actor, target_type="plan", target_id=plan.id,
                 metadata={"decision": decision, "version_id": version.id,
                           "status": {"from": old_status, "to": plan.status},
                           "comment_id": comment_id, "on_behalf_of": plan.athlete_id
                           if is_override else None})
    _announce_decision(session, plan, version, decision=decision)
    return plan


def _audit_action(decision: str, is_override: bool) -> str:
    """What the audit log calls a decision: approve, override or request_changes.

    An admin's accept on the athlete's behalf is an override; a request for changes is
    named as one, whoever made it.
    """
    if decision == "request_changes":
        return "plan.request_changes"
    return "plan.override" if is_override else "plan.approve"


def _transition_version(session: Session, plan: Plan, actor: Actor, *, action: str, kind: str,
                        comment_id: str | None, note: str) -> PlanVersion:
    """Store the head's document again as a new version with the status `action` leads to."""
    head = head_version(session, plan)
    old_status = plan.status
    new_status = status.next_status(old_status, action)
    return insert_version(session, plan, prepare_version(plan, actor, head, NewVersion(
        document=document_of(head), status=new_status, kind=kind,
        status_change=(old_status, new_status), rationale=note, comment_id=comment_id),
        baseline=document_of(baseline_version(session, plan)), content_json=head.content_json))


def _plan_comment(session: Session, plan: Plan, actor: Actor, *, message: str) -> str | None:
    message = clean_text(message, "comment")
    if not message.strip():
        return None
    comment = PlanComment(id=new_id(), plan_id=plan.id, version_id=plan.active_version_id or "",
                          anchor_id=None, author_id=actor.user_id, message=message.strip(),
                          visibility="shared")
    session.add(comment)
    session.flush()
    return comment.id


def _announce_decision(session: Session, plan: Plan, version: PlanVersion, *,
                       decision: str) -> None:
    athlete = session.get(User, plan.athlete_id)
    name = athlete.display_name if athlete else "The athlete"
    if decision == "accept":
        outbox.emit(session, "plan.approved", plan, version_id=version.id)
        outbox.emit(session, "plan.published", plan, version_id=version.id)
        title, link = f"{name} accepted the plan", f"/plans/{plan.id}"
    else:
        outbox.emit(session, "plan.changes_requested", plan, version_id=version.id)
        title, link = f"{name} asked for changes", f"/plans/{plan.id}"
    for coach_id in coaches_of(session, plan.athlete_id):
        notifications.notify(session, coach_id, kind=f"plan.{decision}", title=title,
                             body=f"Plan of {plan.start_date:%d %b %Y}, {plan.weeks} weeks.",
                             link=link)
