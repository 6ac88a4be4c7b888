"""Comment threads anchored to sessions (or to the whole plan).

A comment keeps a snapshot of the session it was anchored to. When a later version
changes or drops that session, the comment is shown as outdated with its original
context ("show original") — never dropped or hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from db.models import PlanComment, PlanVersion, User, utcnow
from plangov_app.services import audit, notifications, outbox
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, InvalidInput, NotFound
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans.lookup import coaches_of, get_plan, head_version
from plangov_app.services.rbac import Actor, Permission, Role
from plangov_app.services.text import clean_text
from plangov_app.services.versions import document_of

VISIBILITIES = ("shared", "coaches")
MAX_MESSAGE = 4000


@dataclass(frozen=True)
class CommentView:
    """A comment as a reader sees it, with its outdated state."""

    comment: PlanComment
    author_name: str
    author_role: str
    outdated: bool
    anchor_missing: bool
    original: dict[str, Any] | None


def _snapshot(document: PlanDocument, anchor_id: str) -> dict[str, Any]:
    found = document.session(anchor_id)
    if found is None:
        raise InvalidInput(f"anchor_id: the plan's current version has no session {anchor_id}.")
    return found.model_dump(mode="json")


def create_comment(session: Session, actor: Actor, plan_id: str, *, message: str,
                   anchor_id: str | None, parent_id: str | None = None,
                   visibility: str = "shared", context: RequestContext) -> PlanComment:
    """Post a comment or a reply; audited, bus-announced (without text) and notified.

    NUL is refused and bidi controls are removed (services/text.py).
    """
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_COMMENT)
    text = clean_text(message, "message").strip()
    if not text or len(text) > MAX_MESSAGE:
        raise InvalidInput(f"message: 1 to {MAX_MESSAGE} characters.")
    parent = _parent(session, plan.id, parent_id, actor)
    if parent is not None:
        anchor_id, visibility = parent.anchor_id, parent.visibility
    if visibility not in VISIBILITIES:
        raise InvalidInput(f"visibility: use {' or '.join(VISIBILITIES)}.")
    if visibility == "coaches" and actor.role is Role.ATHLETE:
        raise Forbidden("Athletes cannot post coaches-only comments.")
    head = head_version(session, plan)
    snapshot = _snapshot(document_of(head), anchor_id) if anchor_id else None
    comment = PlanComment(plan_id=plan.id, version_id=head.id, anchor_id=anchor_id,
                          parent_id=parent.id if parent else None, author_id=actor.user_id,
                          message=text, visibility=visibility,
                          anchor_snapshot_json=json.dumps(snapshot) if snapshot else None)
    session.add(comment)
    session.flush()
    audit.record(session, action="plan.comment", context=context, actor=actor,
                 target_type="plan", target_id=plan.id,
                 metadata={"comment_id": comment.id, "anchor_id": anchor_id,
                           "parent_id": comment.parent_id, "visibility": visibility,
                           "version_id": head.id, "length": len(text)})
    outbox.emit(session, "plan.comment.created", plan, version_id=head.id,
                extra={"comment_id": comment.id, "anchored": anchor_id is not None})
    _notify_comment(session, plan, actor, comment)
    return comment


def _parent(session: Session, plan_id: str, parent_id: str | None,
            actor: Actor) -> PlanComment | None:
    if parent_id is None:
        return None
    parent = session.get(PlanComment, parent_id)
    if parent is None or parent.plan_id != plan_id or not _may_read(actor, parent):
        raise NotFound(f"No comment {parent_id} on this plan.")
    return parent


def _may_read(actor: Actor, comment: PlanComment) -> bool:
    return comment.visibility == "shared" or actor.role is not Role.ATHLETE


def _notify_comment(session: Session, plan: Any, actor: Actor, comment: PlanComment) -> None:
    recipients = set(coaches_of(session, plan.athlete_id))
    if comment.visibility == "shared":
        recipients.add(plan.athlete_id)
    recipients.discard(actor.user_id)
    is_athlete = actor.role is Role.ATHLETE
    for user_id in sorted(recipients):
        link = f"/plans/{plan.id}" if user_id != plan.athlete_id else f"/plans/{plan.id}/review"
        notifications.notify(session, user_id, kind="plan.comment",
                             title=f"{actor.display_name or 'Someone'} commented on "
                                   f"{'their' if is_athlete else 'the'} plan",
                             body=comment.message[:140], link=link)


def list_comments(session: Session, actor: Actor, plan_id: str,
                  version_id: str | None = None) -> list[CommentView]:
    """Every comment the actor may read, as threads.

    Threads are in the order they were started; each root is followed by its replies
    (replies to replies included), oldest first. Each comment is marked outdated against
    the head version (or `version_id`).
    """
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    version = (session.get(PlanVersion, version_id) if version_id else head_version(session, plan))
    if version is None or version.plan_id != plan.id:
        raise NotFound(f"Plan {plan.id} has no version {version_id}.")
    document = document_of(version)
    stmt = (select(PlanComment, User.display_name, User.role)
            .join(User, User.id == PlanComment.author_id)
            .where(PlanComment.plan_id == plan.id)
            .order_by(col(PlanComment.created_at), col(PlanComment.id)))
    views = []
    for comment, name, role in session.exec(stmt):
        if _may_read(actor, comment):
            views.append(_view(comment, name, role, document))
    return threaded(views)


def threaded(views: list[CommentView]) -> list[CommentView]:
    """`views` (oldest first) regrouped: each thread's root, then its replies in order."""
    parents = {v.comment.id: v.comment.parent_id for v in views}
    replies: dict[str, list[CommentView]] = {}
    roots: list[CommentView] = []
    for view in views:
        root = _root_of(view.comment.id, parents)
        if root == view.comment.id:
            roots.append(view)
        else:
            replies.setdefault(root, []).append(view)
    return [v for root in roots for v in (root, *replies.get(root.comment.id, []))]


def _root_of(comment_id: str, parents: dict[str, str | None]) -> str:
    """The first comment of `comment_id`'s thread (among those listed)."""
    seen = {comment_id}
    parent = parents.get(comment_id)
    while parent is not None and parent in parents and parent not in seen:
        comment_id = parent
        seen.add(parent)
        parent = parents.get(parent)
    return comment_id


def _view(comment: PlanComment, name: str, role: str, document: PlanDocument) -> CommentView:
    original = json.loads(comment.anchor_snapshot_json) if comment.anchor_snapshot_json else None
    current = document.session(comment.anchor_id) if comment.anchor_id else None
    missing = comment.anchor_id is not None and current is None
    changed = bool(original) and current is not None and current.model_dump(mode="json") != original
    return CommentView(comment=comment, author_name=name, author_role=role,
                       outdated=missing or changed, anchor_missing=missing, original=original)


def may_resolve(actor: Actor, comment: PlanComment) -> bool:
    """Whether `actor` may resolve or reopen `comment`'s thread (an athlete only their own).

    The plan's coach and admins (who reach it with PLAN_COMMENT) may resolve any thread.
    """
    return actor.role is not Role.ATHLETE or comment.author_id == actor.user_id


def set_resolved(session: Session, actor: Actor, plan_id: str, comment_id: str, *,
                 resolved: bool, context: RequestContext) -> PlanComment:
    """Resolve or reopen a thread (its coach, an admin, or its author)."""
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_COMMENT)
    comment = session.get(PlanComment, comment_id)
    if comment is None or comment.plan_id != plan.id or not _may_read(actor, comment):
        raise NotFound(f"No comment {comment_id} on this plan.")
    if not may_resolve(actor, comment):
        raise Forbidden("Only the coach or the comment's author can resolve it.")
    if (comment.resolved_at is not None) == resolved:
        return comment
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by = actor.user_id if resolved else None
    session.add(comment)
    audit.record(session, action="plan.comment.resolve" if resolved else "plan.comment.reopen",
                 context=context, actor=actor, target_type="plan", target_id=plan.id,
                 metadata={"comment_id": comment.id})
    session.flush()
    return comment
