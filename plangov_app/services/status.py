"""The plan status machine (DESIGN.md): every transition, and why others are refused."""

from __future__ import annotations

from plangov_app.services.errors import Conflict

GENERATED, DRAFT, COACH_REVIEWED = "generated", "draft", "coach_reviewed"
NEEDS_REVISION, APPROVED, PUBLISHED, COMPLETED = (
    "needs_revision", "approved", "published", "completed")
STATUSES = (GENERATED, DRAFT, COACH_REVIEWED, NEEDS_REVISION, APPROVED, PUBLISHED, COMPLETED)
#: statuses waiting for the coach (the "Pending Plans" queue)
PENDING_COACH = (GENERATED, DRAFT, NEEDS_REVISION)
#: statuses waiting on someone: the coach, or the athlete's decision
WAITING = (*PENDING_COACH, COACH_REVIEWED)
#: what people read for each status
LABELS = {GENERATED: "Generated", DRAFT: "Draft", COACH_REVIEWED: "Coach reviewed",
          NEEDS_REVISION: "Needs revision", APPROVED: "Approved", PUBLISHED: "Published",
          COMPLETED: "Completed"}


def label(status: str) -> str:
    """A status in words ("needs_revision" → "Needs revision")."""
    return LABELS.get(status, status.replace("_", " ").capitalize())

TRANSITIONS: dict[tuple[str, str], str] = {
    (GENERATED, "edit"): DRAFT,
    (DRAFT, "edit"): DRAFT,
    (NEEDS_REVISION, "edit"): DRAFT,
    (GENERATED, "submit"): COACH_REVIEWED,
    (DRAFT, "submit"): COACH_REVIEWED,
    (COACH_REVIEWED, "accept"): APPROVED,
    (COACH_REVIEWED, "request_changes"): NEEDS_REVISION,
    (APPROVED, "publish"): PUBLISHED,
    (PUBLISHED, "complete"): COMPLETED,
    # an admin may approve on the athlete's behalf before the athlete has decided
    (GENERATED, "override"): APPROVED,
    (DRAFT, "override"): APPROVED,
    (NEEDS_REVISION, "override"): APPROVED,
    (COACH_REVIEWED, "override"): APPROVED,
    # the coach takes a submitted plan back before the athlete has answered
    (COACH_REVIEWED, "recall"): DRAFT,
    # a running plan revised: what the athlete does changed → their approval is asked again;
    # only notes or wording changed → the approval stands (the athlete is told)
    (APPROVED, "revise"): COACH_REVIEWED,
    (PUBLISHED, "revise"): COACH_REVIEWED,
    (APPROVED, "amend"): APPROVED,
    (PUBLISHED, "amend"): PUBLISHED,
}
#: statuses whose plan is revised (a new version) rather than edited as a draft
REVISABLE = (APPROVED, PUBLISHED)

_WHY = {
    ("edit", COACH_REVIEWED): "it is waiting for the athlete's decision; it can be edited again "
                              "once they request changes",
    ("edit", APPROVED): "it has been approved; revise it instead",
    ("edit", PUBLISHED): "it is published; revise it instead",
    ("revise", COMPLETED): "it is completed; a completed plan is not changed",
    ("amend", COMPLETED): "it is completed; a completed plan is not changed",
    ("edit", COMPLETED): "it is completed; a completed plan is not changed",
    ("recall", APPROVED): "the athlete has already accepted it",
    ("recall", PUBLISHED): "the athlete has already accepted it and it is published",
    ("recall", COMPLETED): "it is completed",
    ("recall", NEEDS_REVISION): "the athlete has already asked for changes; it is back with "
                                "you to edit",
    ("recall", DRAFT): "it has not been sent to the athlete",
    ("recall", GENERATED): "it has not been sent to the athlete",
    ("submit", NEEDS_REVISION): "the athlete asked for changes; save a revised draft first",
    ("submit", COACH_REVIEWED): "it has already been submitted and waits for the athlete",
    ("accept", DRAFT): "the coach has not submitted it for approval yet",
    ("accept", GENERATED): "the coach has not reviewed it yet",
    ("request_changes", DRAFT): "the coach has not submitted it for approval yet",
}


def next_status(current: str, action: str) -> str:
    """The status after `action`, or Conflict (409) with a sentence saying why not."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        why = _WHY.get((action, current), f"that is not a step from {current}")
        verb = action.replace("_", " ")
        raise Conflict(f"Cannot {verb} this plan while it is {current}: {why}.",
                       plan_status=current, action=action)
    return target
