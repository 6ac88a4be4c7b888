"""Revising a running plan (approved or published): what a change means for the athlete.

A revision is a new version like any edit. Whether it asks for the athlete's approval
again is decided here, in one place (`revision_effect`): a change to what the athlete does
(exercises, load, volume, sessions or days) does; a change of notes, titles or wording does
not, and the athlete is only told. Weeks already done (before `today`) are left as they
were (`check_done_weeks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from plangov_app.services.diffing import DOSAGE_FIELDS, INTENSITY_FIELDS, Change
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plan_document import PlanDocument

#: fields whose change is wording only: the athlete does the same
WORDING_FIELDS = frozenset({"title", "notes", "name"})
#: what a material change alters, in words, in the order they are named
ASPECTS = ("exercises", "load", "volume", "sessions", "days")


@dataclass(frozen=True)
class RevisionEffect:
    """What saving a revision does: ask the athlete again, or keep the approval."""

    needs_approval: bool
    aspects: tuple[str, ...] = ()  # what the change alters (ASPECTS), when it needs approval

    def sentence(self) -> str:
        """What will happen, for the coach before saving."""
        if self.needs_approval:
            return (f"This change will need the athlete's approval again (it changes "
                    f"{', '.join(self.aspects)}).")
        return "The athlete will be told; approval stays (only notes or wording change)."

    def audit_words(self) -> str:
        """What the audit records about the approval."""
        if self.needs_approval:
            return f"asked again: {', '.join(self.aspects)} changed"
        return "kept: only notes or wording changed"


def _aspect(change: Change) -> str | None:
    """What `change` alters for the athlete (one of ASPECTS), or None for wording only."""
    field = change.field_path.rsplit("/", 1)[-1]
    if change.field_path.startswith("weeks/"):
        return "sessions"
    if change.item_id is None:  # a session (or its items' order)
        if change.change_type in ("added", "removed") or field == "modality":
            return "sessions"
        if change.change_type == "moved" and field != "item_order":
            return "days"
        return None if field in WORDING_FIELDS else "exercises"
    if change.change_type in ("added", "removed", "moved") or field == "exercise":
        return "exercises"
    if field in INTENSITY_FIELDS:
        return "load"
    if field in DOSAGE_FIELDS:
        return "volume"
    return None if field in WORDING_FIELDS else "exercises"


def revision_effect(changes: list[Change]) -> RevisionEffect:
    """Whether `changes` (head → revised) alter what the athlete does, and what they alter.

    Exercises (added, removed, swapped, reordered), load (kg, %1RM, RPE), volume (sets,
    reps, minutes, distance), sessions (added, removed, another type) and days (moved)
    need the athlete's approval again; notes, titles and names do not. A field not known
    here counts as material, so nothing the athlete does changes unseen.
    """
    found = {a for a in (_aspect(c) for c in changes) if a is not None}
    return RevisionEffect(bool(found), tuple(a for a in ASPECTS if a in found))


def done_weeks(document: PlanDocument, today: date) -> list[int]:
    """Indexes of the weeks whose last day is before `today`."""
    if document.start_date is None:
        return []
    return [w.index for w in document.weeks
            if document.start_date + timedelta(days=7 * w.index + 6) < today]


def check_done_weeks(before: PlanDocument, after: PlanDocument, *, today: date) -> None:
    """Refuse (InvalidInput, in words) a revision that changes a week already done."""
    after_weeks = {w.index: w for w in after.weeks}
    for index in done_weeks(before, today):
        old = before.weeks[index].model_dump(mode="json")
        new = after_weeks.get(index)
        if new is None or new.model_dump(mode="json") != old:
            assert before.start_date is not None
            first = before.start_date + timedelta(days=7 * index)
            raise InvalidInput(
                f"Week {index + 1} ({first:%d %b} to {first + timedelta(days=6):%d %b %Y}) "
                "is already done: a revision leaves the weeks before today as they were.",
                week=index + 1)
