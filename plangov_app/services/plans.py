"""Plans: generation, lookup, edits, submission and the athlete's decision.

Every write follows spec §2.4 inside the caller's transaction: RBAC → version and
changes → audit event → outbox event (and notifications). If any step fails, the unit of
work rolls the whole request back.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from db.models import (
    AthleteProfile,
    CoachAthlete,
    Plan,
    PlanComment,
    PlanVersion,
    User,
    new_id,
)
from db.session import read_phase
from plangov_app.services import audit, diffing, generation, notifications, outbox, status
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from plangov_app.services.patching import apply_operations
from plangov_app.services.plan_document import dump_document, parse_document
from plangov_app.services.rbac import (
    Actor,
    Permission,
    Role,
    authorize,
    require_visible,
    visible_athlete_ids,
)
from plangov_app.services.search import LIKE_ESCAPE, contains_pattern
from plangov_app.services.text import clean_text, refuse_unstorable
from plangov_app.services.versions import (
    NewVersion,
    PreparedVersion,
    document_of,
    insert_version,
    prepare_version,
    write_version,
)

REASON_CODES = ("injury", "time_constraint", "athlete_preference", "fatigue", "equipment",
                "other")
MAX_PAGE_SIZE = 100


# --- Lookup -------------------------------------------------------------------


def load_plan(session: Session, actor: Actor, plan_id: str, permission: Permission,
              *, for_update: bool = False) -> Plan:
    """The plan if `actor` may `permission` it; NotFound if they may not even see it."""
    query = select(Plan).where(Plan.id == plan_id)
    if for_update:  # lock the row and read it afresh, whatever the session saw before
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


# --- Generation ---------------------------------------------------------------


def choose_algorithm(session: Session, athlete_id: str) -> tuple[str, str | None]:
    """The algorithm (and experiment arm) for a new plan.

    The experiment service will decide here; until then every plan uses the default.
    """
    return generation.DEFAULT_ALGORITHM, None


def generate_plan(session: Session, actor: Actor, *, athlete_id: str, start_date: date,
                  weeks: int, context: RequestContext, algorithm: str | None = None,
                  seed: str = "") -> Plan:
    """Generate a plan for an athlete: status `generated`, baseline version 1."""
    missing = f"No athlete profile for {athlete_id}."
    authorize(actor, Permission.PLAN_EDIT, athlete_id, hide=True,
              target=("athlete", athlete_id), not_found=missing)
    profile = session.get(AthleteProfile, athlete_id)
    if profile is None:
        raise NotFound(missing)
    chosen, arm = choose_algorithm(session, athlete_id)
    spec = generation.GenerationInput(
        sport=profile.sport, level=profile.level, days_per_week=profile.days_per_week,
        start_date=start_date, weeks=weeks, algorithm=algorithm or chosen, seed=seed)
    document = generation.generate(spec)
    plan = Plan(id=new_id(), athlete_id=athlete_id, status=status.GENERATED,
                experiment_arm=arm, algorithm_version=spec.algorithm, generation_seed=seed,
                start_date=start_date, weeks=weeks, created_by=actor.user_id)
    session.add(plan)
    session.flush()
    version = write_version(session, plan, actor, None, NewVersion(
        document=document, status=status.GENERATED, kind="generated"))
    audit.record(session, action="plan.generate", context=context, actor=actor,
                 target_type="plan", target_id=plan.id,
                 metadata={"version_id": version.id, "algorithm_version": spec.algorithm,
                           "weeks": weeks, "start_date": start_date.isoformat(),
                           "experiment_arm": arm})
    outbox.emit(session, "plan.generated", plan, version_id=version.id,
                extra={"weeks": weeks, "variant": arm})
    return plan


# --- Edits --------------------------------------------------------------------


@dataclass(frozen=True)
class EditRequest:
    """A PATCH: JSON Patch operations or a whole document, with why."""

    base_version_id: str
    operations: list[dict[str, Any]] | None = None
    content: dict[str, Any] | None = None
    reason_codes: tuple[str, ...] = ()
    rationale: str = ""
    idempotency_key: str | None = None

    def fingerprint(self) -> str:
        """SHA-256 of what was asked, to tell a replay from a different edit."""
        asked = {"base": self.base_version_id, "operations": self.operations,
                 "content": self.content, "reason_codes": list(self.reason_codes),
                 "rationale": self.rationale}
        encoded = json.dumps(asked, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


def _stored_key(actor: Actor, key: str) -> str:
    """Idempotency keys are the sender's own: stored hashed with their id."""
    return hashlib.sha256(f"{actor.user_id}\0{key}".encode()).hexdigest()


def _replayed(session: Session, plan_id: str, actor: Actor,
              request: EditRequest) -> PlanVersion | None:
    """The version an earlier request with this key created, or None; 422 if it differs."""
    if not request.idempotency_key:
        return None
    earlier = session.exec(select(PlanVersion).where(
        PlanVersion.plan_id == plan_id,
        PlanVersion.idempotency_key == _stored_key(actor, request.idempotency_key))).first()
    if earlier is None:
        return None
    if earlier.idempotency_fingerprint not in (None, request.fingerprint()):
        raise InvalidInput(
            f"Idempotency-Key {request.idempotency_key!r} was already used for a different "
            f"edit of this plan (version {earlier.version_number}); send a new key for a new "
            "edit.", idempotency_key=request.idempotency_key)
    return earlier


def _stale(head: PlanVersion, base_version_id: str) -> Conflict:
    return Conflict(
        f"Version {base_version_id} is not the plan's latest version; "
        f"version {head.version_number} ({head.id}) was saved since. Reload and re-apply "
        "your edits.", head_version_id=head.id, head_version_number=head.version_number)


def edit_plan(session: Session, actor: Actor, plan_id: str, request: EditRequest,
              context: RequestContext) -> tuple[PlanVersion, bool]:
    """Create version n+1 from the head; return it and whether it was new (idempotency).

    Everything expensive (patching, validating, diffing) happens before the write lock is
    taken; under the lock the head is read again and the edit stored only if it is still
    the version the edit was made on.
    """
    request = dataclasses.replace(request, rationale=clean_text(request.rationale, "rationale"))
    with read_phase(session):
        plan = load_plan(session, actor, plan_id, Permission.PLAN_EDIT)
        earlier = _replayed(session, plan.id, actor, request)
        if earlier is not None:
            return earlier, False
        head = head_version(session, plan)
        if request.base_version_id != head.id:
            raise _stale(head, request.base_version_id)
        old_status = plan.status
        new_status = status.next_status(old_status, "edit")
        _check_reasons(request.reason_codes)
        before = document_of(head)
        after = _edited_document(before, request)
        changes = diffing.diff_documents(before, after)
        if not changes:
            raise InvalidInput("The edit changes nothing.")
        prepared = prepare_version(plan, actor, head, NewVersion(
            document=after, status=new_status, kind="edit", changes=changes,
            status_change=(old_status, new_status) if old_status != new_status else None,
            reason_codes=list(request.reason_codes), rationale=request.rationale,
            idempotency_key=_stored_key(actor, request.idempotency_key)
            if request.idempotency_key else None),
            baseline=document_of(baseline_version(session, plan)),
            idempotency_fingerprint=request.fingerprint() if request.idempotency_key else None)
    return _store_edit(session, actor, plan_id, request, prepared, context,
                       changes=changes, statuses=(old_status, new_status))


def _store_edit(session: Session, actor: Actor, plan_id: str, request: EditRequest,
                prepared: PreparedVersion, context: RequestContext, *,
                changes: list[diffing.Change], statuses: tuple[str, str]) -> tuple[PlanVersion,
                                                                                  bool]:
    """Under the write lock: re-check the head (and the key), then store the version."""
    plan = load_plan(session, actor, plan_id, Permission.PLAN_EDIT, for_update=True)
    earlier = _replayed(session, plan.id, actor, request)
    if earlier is not None:
        return earlier, False
    if plan.active_version_id != request.base_version_id or plan.status != statuses[0]:
        raise _stale(head_version(session, plan), request.base_version_id)
    version = insert_version(session, plan, prepared)
    audit.record(session, action="plan.edit", context=context, actor=actor, target_type="plan",
                 target_id=plan.id, metadata=_edit_metadata(version, changes, request,
                                                            *statuses))
    outbox.emit(session, "plan.version.updated", plan, version_id=version.id,
                coach_id=_coach_id(actor), extra={"version_number": version.version_number,
                                                  "change_count": len(changes),
                                                  "reason_codes": list(request.reason_codes)})
    return version, True


def _check_reasons(codes: tuple[str, ...]) -> None:
    if not codes:
        raise InvalidInput("reason_codes: give at least one reason for the edit "
                           f"({', '.join(REASON_CODES)}).")
    unknown = [c for c in codes if c not in REASON_CODES]
    if unknown:
        raise InvalidInput(f"reason_codes: unknown {unknown}; use {', '.join(REASON_CODES)}.")


def _edited_document(before: Any, request: EditRequest) -> Any:
    if (request.operations is None) == (request.content is None):
        raise InvalidInput("Send either `operations` (JSON Patch) or `content`, not both.")
    raw = dump_document(before)
    if request.content is not None:
        edited = request.content
    else:
        edited = apply_operations(raw, request.operations or [])
    after = parse_document(edited)
    if after.start_date != before.start_date:
        raise InvalidInput("start_date cannot be changed by an edit.")
    return after


def _edit_metadata(version: PlanVersion, changes: list[diffing.Change], request: EditRequest,
                   old_status: str, new_status: str) -> dict[str, Any]:
    summary = json.loads(version.diff_summary_json)
    return {"version_id": version.id, "version_number": version.version_number,
            "parent_version_id": version.parent_version_id, "change_count": len(changes),
            "fields_changed": [c.field_path for c in changes[:50]],
            "reason_codes": list(request.reason_codes),
            "rationale_tags": summary.get("rationale_tags", []),
            "badges": summary.get("vs_parent", {}).get("badges", []),
            "status": {"from": old_status, "to": new_status}}


def _coach_id(actor: Actor) -> str | None:
    return actor.user_id if actor.role is Role.COACH else None


# --- Transitions ---------------------------------------------------------------


def _transition_version(session: Session, plan: Plan, actor: Actor, *, action: str, kind: str,
                        comment_id: str | None, note: str) -> PlanVersion:
    head = head_version(session, plan)
    old_status = plan.status
    new_status = status.next_status(old_status, action)
    return write_version(session, plan, actor, head, NewVersion(
        document=document_of(head), status=new_status, kind=kind,
        status_change=(old_status, new_status), rationale=note, comment_id=comment_id),
        baseline=document_of(baseline_version(session, plan)), content_json=head.content_json)


def _plan_comment(session: Session, plan: Plan, actor: Actor, message: str) -> str | None:
    message = clean_text(message, "comment")
    if not message.strip():
        return None
    comment = PlanComment(id=new_id(), plan_id=plan.id, version_id=plan.active_version_id or "",
                          anchor_id=None, author_id=actor.user_id, message=message.strip(),
                          visibility="shared")
    session.add(comment)
    session.flush()
    return comment.id


def submit_plan(session: Session, actor: Actor, plan_id: str, comment: str,
                context: RequestContext) -> Plan:
    """Coach submits for approval → coach_reviewed; the athlete is notified."""
    comment = clean_text(comment, "comment")
    plan = load_plan(session, actor, plan_id, Permission.PLAN_SUBMIT, for_update=True)
    old_status = plan.status
    status.next_status(old_status, "submit")
    comment_id = _plan_comment(session, plan, actor, comment)
    version = _transition_version(session, plan, actor, action="submit", kind="submit",
                                  comment_id=comment_id, note=comment.strip())
    plan.submitted_at = version.created_at
    audit.record(session, action="plan.submit", context=context, actor=actor,
                 target_type="plan", target_id=plan.id,
                 metadata={"version_id": version.id, "status": {"from": old_status,
                                                                 "to": plan.status},
                           "comment_id": comment_id})
    outbox.emit(session, "plan.submitted", plan, version_id=version.id,
                coach_id=_coach_id(actor))
    notifications.notify(session, plan.athlete_id, kind="plan.submitted",
                         title="Your coach sent you a plan to review",
                         body=f"{actor.display_name or 'Your coach'} submitted your "
                              f"{plan.weeks}-week plan for approval.",
                         link=f"/plans/{plan.id}/review")
    return plan


DECISIONS = ("accept", "request_changes")


def decide(session: Session, actor: Actor, plan_id: str, decision: str, comment: str,
           context: RequestContext) -> Plan:
    """Record the athlete's decision on a submitted plan.

    accept → approved (schedule published); request_changes → needs_revision, coaches
    notified. An admin deciding on the athlete's behalf is recorded as an override.
    """
    if decision not in DECISIONS:
        raise InvalidInput(f"decision: use one of {', '.join(DECISIONS)}.")
    comment = clean_text(comment, "comment")
    plan = load_plan(session, actor, plan_id, Permission.PLAN_APPROVE, for_update=True)
    is_override = actor.role is Role.ADMIN and actor.user_id != plan.athlete_id
    if decision == "request_changes" and not comment.strip():
        raise InvalidInput("comment: say what should change when requesting changes.")
    if is_override and not comment.strip():
        raise InvalidInput("comment: an override needs a reason.")
    action = "override" if is_override and decision == "accept" else decision
    old_status = plan.status
    status.next_status(old_status, action)
    comment_id = _plan_comment(session, plan, actor, comment)
    version = _transition_version(session, plan, actor, action=action,
                                  kind="override" if is_override else "decision",
                                  comment_id=comment_id, note=comment.strip())
    if plan.status == status.APPROVED:
        plan.approved_at = plan.published_at = version.created_at
    audit.record(session, action="plan.override" if is_override else "plan.approve",
                 context=context, actor=actor, target_type="plan", target_id=plan.id,
                 metadata={"decision": decision, "version_id": version.id,
                           "status": {"from": old_status, "to": plan.status},
                           "comment_id": comment_id, "on_behalf_of": plan.athlete_id
                           if is_override else None})
    _announce_decision(session, plan, actor, version, decision)
    return plan


def _announce_decision(session: Session, plan: Plan, actor: Actor, version: PlanVersion,
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


def coaches_of(session: Session, athlete_id: str) -> list[str]:
    """Every coach assigned to the athlete."""
    return sorted(session.exec(select(CoachAthlete.coach_id)
                               .where(CoachAthlete.athlete_id == athlete_id)))


# --- Lists --------------------------------------------------------------------


@dataclass(frozen=True)
class PlanHeader:
    """A plan in a list, with what the Pending Plans queue shows."""

    plan: Plan
    athlete_name: str
    sport: str
    level: str
    head: PlanVersion | None
    open_comments: int


@dataclass(frozen=True)
class PlanQuery:
    """Filters of the plan list."""

    statuses: tuple[str, ...] = ()
    coach_id: str | None = None
    athlete_id: str | None = None
    search: str = ""
    sort: str = "waiting"  # waiting (oldest update first) | recent
    cursor: str | None = None
    limit: int = 25


def parse_statuses(value: str | None) -> tuple[str, ...]:
    """`pending` (the coach's queue), or a comma list of statuses."""
    if not value:
        return ()
    if value == "pending":
        return status.PENDING_COACH
    wanted = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in wanted if s not in status.STATUSES]
    if unknown:
        allowed = ", ".join(status.STATUSES)
        raise InvalidInput(f"status: unknown {unknown}; use pending or {allowed}.")
    return wanted


def list_plans(session: Session, actor: Actor, query: PlanQuery) -> tuple[list[PlanHeader],
                                                                            str | None]:
    """A page of visible plans and the cursor of the next page."""
    authorize(actor, Permission.PLAN_VIEW)
    stmt = (select(Plan, User.display_name, AthleteProfile.sport, AthleteProfile.level)
            .join(User, User.id == Plan.athlete_id)
            .join(AthleteProfile, AthleteProfile.user_id == Plan.athlete_id, isouter=True))
    stmt = _scoped(stmt, session, actor, query)
    ascending = query.sort != "recent"
    stmt = _after_cursor(stmt, query.cursor, ascending)
    order = (col(Plan.updated_at), col(Plan.id)) if ascending else (
        col(Plan.updated_at).desc(), col(Plan.id).desc())
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    rows = list(session.exec(stmt.order_by(*order).limit(limit + 1)))
    page = rows[:limit]
    heads = _heads(session, [r[0] for r in page])
    comments = open_comment_counts(session, actor, [r[0].id for r in page])
    headers = [PlanHeader(plan=p, athlete_name=name, sport=sport or "", level=level or "",
                          head=heads.get(p.active_version_id or ""),
                          open_comments=comments.get(p.id, 0)) for p, name, sport, level in page]
    next_cursor = _encode_cursor(page[-1][0]) if len(rows) > limit else None
    return headers, next_cursor


def _scoped(stmt: Any, session: Session, actor: Actor, query: PlanQuery) -> Any:
    visible = visible_athlete_ids(actor, Permission.PLAN_VIEW)
    if visible is not None:
        stmt = stmt.where(col(Plan.athlete_id).in_(visible))
    if query.coach_id:
        if actor.role is Role.COACH and query.coach_id != actor.user_id:
            raise Forbidden("Coaches list their own athletes' plans only.")
        coached = select(CoachAthlete.athlete_id).where(CoachAthlete.coach_id == query.coach_id)
        stmt = stmt.where(col(Plan.athlete_id).in_(coached))
    if query.athlete_id:
        stmt = stmt.where(Plan.athlete_id == query.athlete_id)
    if query.statuses:
        stmt = stmt.where(col(Plan.status).in_(query.statuses))
    if query.search.strip():
        refuse_unstorable(query.search, "search")
        pattern = contains_pattern(query.search.strip().lower())
        stmt = stmt.where(or_(func.lower(User.display_name).like(pattern, escape=LIKE_ESCAPE),
                              func.lower(User.email).like(pattern, escape=LIKE_ESCAPE)))
    return stmt


_CURSOR_ID = re.compile(r"^[0-9A-Za-z-]{1,36}$")


def _encode_cursor(plan: Plan) -> str:
    raw = f"{_as_utc(plan.updated_at).isoformat()}|{plan.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _as_utc(moment: datetime) -> datetime:
    """An aware UTC time (a cursor without an offset is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(updated_at, plan id) of a cursor this API returned, or InvalidInput."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        stamp, plan_id = raw.split("|", 1)
        when = _as_utc(datetime.fromisoformat(stamp))
    except (ValueError, UnicodeError, OverflowError):
        raise InvalidInput("cursor: not a cursor this API returned.") from None
    if not _CURSOR_ID.match(plan_id):
        raise InvalidInput("cursor: not a cursor this API returned.")
    return when, plan_id


def _after_cursor(stmt: Any, cursor: str | None, ascending: bool) -> Any:
    if not cursor:
        return stmt
    when, plan_id = _decode_cursor(cursor)
    if ascending:
        return stmt.where(or_(col(Plan.updated_at) > when,
                              and_(col(Plan.updated_at) == when, col(Plan.id) > plan_id)))
    return stmt.where(or_(col(Plan.updated_at) < when,
                          and_(col(Plan.updated_at) == when, col(Plan.id) < plan_id)))


def _heads(session: Session, plans: list[Plan]) -> dict[str, PlanVersion]:
    ids = [p.active_version_id for p in plans if p.active_version_id]
    if not ids:
        return {}
    return {v.id: v for v in session.exec(select(PlanVersion).where(col(PlanVersion.id).in_(ids)))}


def open_comment_counts(session: Session, actor: Actor, plan_ids: list[str]) -> dict[str, int]:
    """Unresolved comments per plan that `actor` can see."""
    if not plan_ids:
        return {}
    stmt = (select(PlanComment.plan_id, func.count()).where(
        col(PlanComment.plan_id).in_(plan_ids), col(PlanComment.resolved_at).is_(None))
        .group_by(PlanComment.plan_id))
    if actor.role is Role.ATHLETE:
        stmt = stmt.where(PlanComment.visibility == "shared")
    return dict(session.exec(stmt).all())


# --- Lifecycle (system) ----------------------------------------------------------


def advance_lifecycle(session: Session, today: date, context: RequestContext) -> dict[str, int]:
    """Publish approved plans that have started; complete published plans that have ended."""
    moved = {"published": 0, "completed": 0}
    for plan in list(session.exec(select(Plan).where(
            col(Plan.status).in_((status.APPROVED, status.PUBLISHED))).with_for_update())):
        ends = plan.start_date.toordinal() + 7 * plan.weeks
        if plan.status == status.APPROVED and plan.start_date <= today:
            _system_transition(session, plan, "publish", context)
            moved["published"] += 1
        if plan.status == status.PUBLISHED and today.toordinal() >= ends:
            _system_transition(session, plan, "complete", context)
            moved["completed"] += 1
    return moved


def _system_transition(session: Session, plan: Plan, action: str,
                       context: RequestContext) -> None:
    head = head_version(session, plan)
    old_status = plan.status
    new_status = status.next_status(old_status, action)
    version = write_version(session, plan, None, head, NewVersion(
        document=document_of(head), status=new_status, kind=action,
        status_change=(old_status, new_status)), content_json=head.content_json)
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
