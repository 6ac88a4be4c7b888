"""Editing a plan: a JSON Patch (or a whole document) on the head becomes version n+1.

Everything expensive (patching, validating, diffing, serialising) happens in a read phase
before the write lock is taken; under the lock the plan row is read again and the version
is stored only if the head is still the version the edit was made on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from db.models import Plan, PlanVersion
from db.session import read_phase
from plangov_app.services import audit, catalogue, diffing, notifications, outbox, status
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, InvalidInput
from plangov_app.services.patching import apply_operations
from plangov_app.services.plan_document import PlanDocument, dump_document, parse_document
from plangov_app.services.plans import revisions
from plangov_app.services.plans.lookup import (
    acting_coach_id,
    baseline_version,
    get_plan,
    head_version,
)
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.text import clean_text
from plangov_app.services.versions import (
    NewVersion,
    PreparedVersion,
    document_of,
    insert_version,
    prepare_version,
)

REASON_CODES = ("injury", "time_constraint", "athlete_preference", "fatigue", "equipment",
                "other")


@dataclass(frozen=True)
class EditRequest:
    """A PATCH: JSON Patch operations or a whole document, with why."""

    base_version_id: str
    operations: list[dict[str, Any]] | None = None
    content: dict[str, Any] | None = None
    reason_codes: tuple[str, ...] = ()
    rationale: str = ""
    idempotency_key: str | None = None
    today: date | None = None  # revising a running plan: the weeks before it are done

    def fingerprint(self) -> str:
        """SHA-256 of what was asked, to tell a replay from a different edit."""
        asked = {"base": self.base_version_id, "operations": self.operations,
                 "content": self.content, "reason_codes": list(self.reason_codes),
                 "rationale": self.rationale}
        encoded = json.dumps(asked, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


def create_edited_version(session: Session, actor: Actor, plan_id: str, *,
                          request: EditRequest, context: RequestContext
                          ) -> tuple[PlanVersion, bool]:
    """Store the head edited by `request` as version n+1; return it and whether it is new.

    A repeated idempotency key returns the version the first request created (not new).
    An approved or published plan is revised (`request.today` required): weeks before
    `today` may not change, and the status goes back to coach_reviewed (the athlete
    approves again) only when `revisions.revision_effect` says the change alters what the
    athlete does; otherwise it stays and the athlete is told.
    """
    request = dataclasses.replace(request, rationale=clean_text(request.rationale, "rationale"))
    with read_phase(session):
        plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT)
        earlier = _replayed(session, actor, request, plan_id=plan.id)
        if earlier is not None:
            return earlier, False
        head = head_version(session, plan)
        if request.base_version_id != head.id:
            raise _stale(head, request.base_version_id)
        old_status = plan.status
        revising = old_status in status.REVISABLE
        if not revising:
            status.next_status(old_status, "edit")
        _check_reasons(request.reason_codes)
        catalogue.refresh_custom(session)
        before = document_of(head)
        after = _edited_document(before, request)
        changes = diffing.diff_documents(before, after)
        if not changes:
            raise InvalidInput("The edit changes nothing.")
        effect = None
        if revising:
            if request.today is None:
                raise InvalidInput("A running plan is revised as of a date (today).")
            revisions.check_done_weeks(before, after, today=request.today)
            effect = revisions.revision_effect(changes)
        new_status = status.next_status(old_status, _action(effect))
        prepared = prepare_version(plan, actor, head, NewVersion(
            document=after, status=new_status, kind="edit" if effect is None else "revision",
            changes=changes,
            status_change=(old_status, new_status) if old_status != new_status else None,
            reason_codes=list(request.reason_codes), rationale=request.rationale,
            idempotency_key=_stored_key(actor, request.idempotency_key)
            if request.idempotency_key else None),
            baseline=document_of(baseline_version(session, plan)),
            idempotency_fingerprint=request.fingerprint() if request.idempotency_key else None)
    return _store_edit(session, actor, plan_id, request=request, prepared=prepared,
                       context=context, changes=changes, statuses=(old_status, new_status),
                       effect=effect)


def _action(effect: revisions.RevisionEffect | None) -> str:
    """The status machine's step: edit a draft, revise (ask again) or amend a running plan."""
    if effect is None:
        return "edit"
    return "revise" if effect.needs_approval else "amend"


def _stored_key(actor: Actor, key: str) -> str:
    """Idempotency keys are the sender's own: stored hashed with their id."""
    return hashlib.sha256(f"{actor.user_id}\0{key}".encode()).hexdigest()


def _replayed(session: Session, actor: Actor, request: EditRequest, *,
              plan_id: str) -> PlanVersion | None:
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


def _store_edit(session: Session, actor: Actor, plan_id: str, *, request: EditRequest,
                prepared: PreparedVersion, context: RequestContext,
                changes: list[diffing.Change], statuses: tuple[str, str],
                effect: revisions.RevisionEffect | None = None) -> tuple[PlanVersion, bool]:
    """Under the write lock: re-check the head (and the key), then store the version."""
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT, for_update=True)
    earlier = _replayed(session, actor, request, plan_id=plan.id)
    if earlier is not None:
        return earlier, False
    if plan.active_version_id != request.base_version_id or plan.status != statuses[0]:
        raise _stale(head_version(session, plan), request.base_version_id)
    version = insert_version(session, plan, prepared)
    metadata = _edit_metadata(version, changes, request, statuses=statuses)
    if effect is not None:
        metadata["approval"] = effect.audit_words()
        metadata["needs_approval"] = effect.needs_approval
    audit.record(session, action="plan.edit" if effect is None else "plan.revise",
                 context=context, actor=actor, target_type="plan", target_id=plan.id,
                 metadata=metadata)
    outbox.emit(session, "plan.version.updated", plan, version_id=version.id,
                coach_id=acting_coach_id(actor),
                extra={"version_number": version.version_number, "change_count": len(changes),
                       "reason_codes": list(request.reason_codes),
                       "revision": None if effect is None else
                       ("material" if effect.needs_approval else "wording")})
    if effect is not None:
        _tell_athlete(session, plan, actor, effect, version)
    return version, True


def _tell_athlete(session: Session, plan: Plan, actor: Actor,
                  effect: revisions.RevisionEffect, version: PlanVersion) -> None:
    """The athlete hears of a revision: asked to approve again, or told what was reworded."""
    coach = actor.display_name or "Your coach"
    if effect.needs_approval:
        plan.submitted_at = version.created_at
        notifications.notify(
            session, plan.athlete_id, kind="plan.revised",
            title="Your coach revised your plan: please review it again",
            body=f"{coach} changed {', '.join(effect.aspects)} of your plan of "
                 f"{plan.start_date:%d %b %Y}. Accept it or ask for changes.",
            link=f"/plans/{plan.id}/review")
    else:
        notifications.notify(
            session, plan.athlete_id, kind="plan.amended",
            title="Your coach updated the notes of your plan",
            body=f"{coach} changed only notes or wording of your plan of "
                 f"{plan.start_date:%d %b %Y}; it stays {status.label(plan.status).lower()}.",
            link=f"/plans/{plan.id}/review")


def _check_reasons(codes: tuple[str, ...]) -> None:
    if not codes:
        raise InvalidInput("reason_codes: give at least one reason for the edit "
                           f"({', '.join(REASON_CODES)}).")
    unknown = [c for c in codes if c not in REASON_CODES]
    if unknown:
        raise InvalidInput(f"reason_codes: unknown {unknown}; use {', '.join(REASON_CODES)}.")


def _edited_document(before: PlanDocument, request: EditRequest) -> PlanDocument:
    if (request.operations is None) == (request.content is None):
        raise InvalidInput("Send either `operations` (JSON Patch) or `content`, not both.")
    if request.content is not None:
        edited = request.content
    else:
        edited = apply_operations(dump_document(before), request.operations or [])
    after = parse_document(edited)
    if after.start_date != before.start_date:
        raise InvalidInput("start_date cannot be changed by an edit.")
    return after


def _edit_metadata(version: PlanVersion, changes: list[diffing.Change], request: EditRequest,
                   *, statuses: tuple[str, str]) -> dict[str, Any]:
    old_status, new_status = statuses
    summary = json.loads(version.diff_summary_json)
    return {"version_id": version.id, "version_number": version.version_number,
            "parent_version_id": version.parent_version_id, "change_count": len(changes),
            "fields_changed": [c.field_path for c in changes[:50]],
            "reason_codes": list(request.reason_codes),
            "rationale_tags": summary.get("rationale_tags", []),
            "badges": summary.get("vs_parent", {}).get("badges", []),
            "status": {"from": old_status, "to": new_status}}
