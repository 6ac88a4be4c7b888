"""The editor's preview: the plan as it will be once the unsaved edits are saved.

`editor_preview` gives the badges against the generated plan, the open session (for its
dialog) and, unless the dialog covers it, the calendar — all of the previewed document.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from sqlmodel import Session

from plangov_app.services import adherence, catalogue, custom_exercises, diffing, status
from plangov_app.services.caching import LruCache
from plangov_app.services.plan_document import DOSE_LIMITS, PlanDocument
from plangov_app.services.plans import moving, revisions
from plangov_app.services.plans.lookup import baseline_version, get_plan, head_version
from plangov_app.services.plans.unsaved_edits import (
    DIALOG_FIELDS,
    Edit,
    days_of_week,
    dose_text,
    preview_edits,
)
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.versions import document_of
from plangov_app.services.views.calendar import WEEKS_PER_PAGE, WeekRow, calendar
from plangov_app.services.views.common import Choice

#: the dose fields the session dialog edits, and their labels
EDITABLE = DIALOG_FIELDS
LABELS = {field: DOSE_LIMITS[field].label for field in EDITABLE}
#: the phone keyboard each dose box asks for (whole numbers or decimals)
INPUT_MODES = {f: "numeric" if DOSE_LIMITS[f].whole else "decimal" for f in EDITABLE}
#: what a custom exercise may be (the picker's "New exercise" form)
EXERCISE_MODALITIES = [Choice(m, m.capitalize()) for m in custom_exercises.MODALITIES]
EXERCISE_UNITS = [Choice(u, f"{u.capitalize()} ({custom_exercises.UNIT_LABELS[u]})")
                  for u in custom_exercises.UNITS]
_PREVIEWS = LruCache[str, PlanDocument](32)  # (head, edits) → previewed document


@dataclasses.dataclass
class DialogItem:
    """An exercise of the open session, with its dose as text for the inputs."""

    item_id: str = ""
    name: str = ""
    sets: str = ""
    reps: str = ""
    load_kg: str = ""
    rpe: str = ""
    duration_min: str = ""
    errors: dict[str, str] = dataclasses.field(default_factory=dict)  # field → why refused


@dataclasses.dataclass
class SessionDialog:
    """The open session as its dialog shows it."""

    session_id: str = ""
    title: str = ""
    day: str = ""
    notes: str = ""
    days: list[Choice] = dataclasses.field(default_factory=list)
    items: list[DialogItem] = dataclasses.field(default_factory=list)
    move_min: str = ""  # the days "Move to…" may pick (ISO dates; "" when it may not move)
    move_max: str = ""
    move_note: str = ""  # why it may not move, in words ("" when it may)


@dataclasses.dataclass
class EditorPreview:
    """The previewed plan: badges (None without edits), the dialog, maybe the calendar."""

    badges: list[str] | None = None
    dialog: SessionDialog | None = None
    weeks: list[WeekRow] | None = None
    revision: str = ""  # a running plan: what saving the edits will do (approval asked or kept)


def _previewed(head_id: str, head: PlanDocument, edits: list[dict[str, Any]]) -> PlanDocument:
    """`head` with `edits` applied (validated), remembered for the next event."""
    if not edits:
        return head
    key = head_id + json.dumps(edits, sort_keys=True, default=str)
    cached = _PREVIEWS.get(key)
    if cached is None:
        cached = preview_edits(head, [Edit.from_dict(e) for e in edits])
        _PREVIEWS.put(key, cached)
    return cached


def _dialog(document: PlanDocument, session_id: str, today: date) -> SessionDialog | None:
    found = document.session(session_id) if session_id else None
    if found is None:
        return None
    week = next(w for w, s in document.sessions() if s.session_id == session_id)
    allowed = moving.move_range(document, today=today)
    note = (f"Week {week + 1} is already done: its sessions stay where they were."
            if moving.week_done(document, week, today=today) else
            "" if allowed else "This plan has no days left to move a session to.")
    low, high = (d.isoformat() for d in allowed) if allowed and not note else ("", "")
    return SessionDialog(move_min=low, move_max=high, move_note=note,
        session_id=session_id,
        title=f"{found.title or found.modality.title()} · {found.day:%a %d %b}",
        day=found.day.isoformat(), notes=found.notes,
        days=[Choice(d.isoformat(), f"{d:%a %d %b}")
              for d in days_of_week(document, session_id)],
        items=[DialogItem(i.item_id, i.name, *[dose_text(getattr(i, f)) for f in EDITABLE])
               for i in found.items])


def editor_preview(session: Session, actor: Actor, plan_id: str, *,
                   edits: list[dict[str, Any]], open_session: str = "",
                   threads: dict[str, int] | None = None, week_start: int = 0,
                   today: date | None = None) -> EditorPreview:
    """The plan as it will be once `edits` are saved (PLAN_EDIT; InvalidInput if invalid).

    The calendar (a page of weeks from `week_start`) is left out while the dialog of
    `open_session` covers it. `today` (default: the real date) decides the adherence marks
    and the day marked as today.
    A running plan's edits are refused (InvalidInput) where they change a week already
    done, and `revision` says whether saving them asks for the athlete's approval again.
    """
    today = today or date.today()
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT)
    head = head_version(session, plan)
    if edits:
        catalogue.refresh_custom(session)
    document = _previewed(head.id, document_of(head), edits)
    result = EditorPreview(dialog=_dialog(document, open_session, today))
    if edits and plan.status in status.REVISABLE:
        revisions.check_done_weeks(document_of(head), document, today=today)
        result.revision = revisions.revision_effect(
            diffing.diff_documents(document_of(head), document)).sentence()
    if not edits and open_session:
        return result
    baseline = document_of(baseline_version(session, plan))
    changes = diffing.diff_documents(baseline, document)
    if edits:
        result.badges = diffing.summarize(baseline, document, changes)["badges"]
    if not open_session:
        marks = adherence.session_compliance(session, plan, document, today)
        result.weeks = calendar(document, baseline, {k: m.colour for k, m in marks.items()},
                                threads, week_start, WEEKS_PER_PAGE, changes=changes,
                                today=today)
    return result


def move_session(session: Session, actor: Actor, plan_id: str, *, edits: list[dict[str, Any]],
                 session_id: str, text: str, today: date | None = None) -> dict[str, Any]:
    """The unsaved edit moving `session_id` to the day typed in `text` (PLAN_EDIT).

    Decided on the plan as the unsaved `edits` leave it (`moving.move_edit`): any day of the
    plan not yet past, never from a week already done; InvalidInput in words otherwise.
    """
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT)
    head = head_version(session, plan)
    document = _previewed(head.id, document_of(head), edits)
    return moving.move_edit(document, session_id=session_id, text=text,
                            today=today or date.today()).as_dict()
