"""The editor's unsaved edits: addressed by stable ids, compiled to JSON Patch, saved as a draft.

The coach's unsaved edits are kept as `Edit`s (session_id / item_id, never list
positions), so after another coach saved first they can be re-applied on the new head:
`compile_edits` turns them into RFC 6902 operations for that head and reports the
edits whose session or item no longer exists instead of silently dropping them.
`save_draft` stores them through `edits.create_edited_version`, like any other edit.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal, get_args

from sqlmodel import Session

from db.models import Plan, PlanVersion
from db.session import read_phase
from plangov_app.services import diffing, versions
from plangov_app.services.catalogue import get_exercise
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, InvalidInput, NotFound
from plangov_app.services.plan_document import (
    DOSE_LIMITS,
    PlanDocument,
    dump_document,
    parse_document,
    read_dose,
)
from plangov_app.services.plans.edits import EditRequest, create_edited_version
from plangov_app.services.plans.lookup import get_plan, head_version
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.versions import document_of

DEFAULT_DOSE: dict[str, dict[str, Any]] = {"reps": {"sets": 3, "reps": 8},
                                           "duration": {"duration_min": 10.0},
                                           "distance": {"distance_km": 2.0}}
MAX_REMEMBERED_EDITS = 500  # a browser's remembered edits beyond this are not restored
EditKind = Literal["set_item", "set_session", "swap", "move", "add_item", "remove_item"]
ITEM_FIELDS = ("sets", "reps", "load_kg", "pct_1rm", "rpe", "duration_min", "distance_km",
               "notes")
SESSION_FIELDS = ("title", "notes")
#: the dose fields the editor's session dialog edits
DIALOG_FIELDS = ("sets", "reps", "load_kg", "rpe", "duration_min")


@dataclass(frozen=True)
class Edit:
    """One unsaved change, addressed by ids."""

    kind: EditKind
    session_id: str
    item_id: str | None = None
    field: str | None = None
    value: Any = None
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for UI state)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        """Back from plain data."""
        return cls(**{k: data.get(k) for k in ("kind", "session_id", "item_id", "field",
                                               "value", "label")})


def _locate(doc: dict[str, Any], session_id: str) -> tuple[int, int] | None:
    for w, week in enumerate(doc["weeks"]):
        for s, session in enumerate(week["sessions"]):
            if session["session_id"] == session_id:
                return w, s
    return None


def _item_index(session: dict[str, Any], item_id: str | None) -> int | None:
    return next((i for i, item in enumerate(session["items"]) if item["item_id"] == item_id),
                None)


def compile_edits(document: PlanDocument, edits: list[Edit]
                  ) -> tuple[list[dict[str, Any]], list[Edit]]:
    """Compile `edits` for `document`.

    Returns the JSON Patch operations, and the edits that no longer apply because their
    session or item is gone.
    """
    working = dump_document(document)
    operations: list[dict[str, Any]] = []
    stale: list[Edit] = []
    for edit in edits:
        ops = _compile_one(working, edit)
        if ops is None:
            stale.append(edit)
            continue
        for op in ops:
            _apply(working, op)
        operations.extend(ops)
    return operations, stale


def _compile_one(doc: dict[str, Any], edit: Edit) -> list[dict[str, Any]] | None:
    where = _locate(doc, edit.session_id)
    if where is None:
        return None
    w, s = where
    base = f"/weeks/{w}/sessions/{s}"
    session = doc["weeks"][w]["sessions"][s]
    if edit.kind == "set_session":
        _require(edit.field in SESSION_FIELDS, f"cannot edit session field {edit.field}")
        return [{"op": "replace", "path": f"{base}/{edit.field}", "value": edit.value}]
    if edit.kind == "move":
        return _move_ops(doc, w, base, str(edit.value))
    if edit.kind == "add_item":
        return [{"op": "add", "path": f"{base}/items/-", "value": dict(edit.value)}]
    index = _item_index(session, edit.item_id)
    if index is None:
        return None
    path = f"{base}/items/{index}"
    if edit.kind == "remove_item":
        return [{"op": "remove", "path": path}]
    if edit.kind == "swap":
        exercise = get_exercise(str(edit.value))
        _require(exercise is not None, f"unknown exercise {edit.value}")
        assert exercise is not None
        ops = [{"op": "replace", "path": f"{path}/exercise", "value": exercise.key},
               {"op": "replace", "path": f"{path}/name", "value": exercise.name}]
        if not exercise.loaded:
            ops.append({"op": "replace", "path": f"{path}/load_kg", "value": None})
        return ops
    _require(edit.field in ITEM_FIELDS, f"cannot edit item field {edit.field}")
    return [{"op": "replace", "path": f"{path}/{edit.field}", "value": edit.value}]


def _move_ops(doc: dict[str, Any], w: int, base: str, day: str) -> list[dict[str, Any]]:
    """A move to `day`: in its week the day changes; to another week the session goes there.

    The session keeps its id either way, so the diff reads it as moved.
    """
    start = doc.get("start_date")
    try:
        target = date.fromisoformat(day)
        week = (target - date.fromisoformat(str(start))).days // 7 if start else w
    except ValueError:
        raise InvalidInput("Move to: that is not a day.", field="day") from None
    if week == w or not 0 <= week < len(doc["weeks"]):
        return [{"op": "replace", "path": f"{base}/day", "value": day}]
    session = {**copy.deepcopy(_pointer(doc, base)), "day": day}
    return [{"op": "remove", "path": base},
            {"op": "add", "path": f"/weeks/{week}/sessions/-", "value": session}]


def _pointer(doc: dict[str, Any], path: str) -> Any:
    target: Any = doc
    for part in path.strip("/").split("/"):
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInput(message)


def _apply(doc: dict[str, Any], op: dict[str, Any]) -> None:
    parts = op["path"].strip("/").split("/")
    target: Any = doc
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if op["op"] == "remove":
        del target[int(last)]
    elif op["op"] == "add" and last == "-":
        target.append(copy.deepcopy(op["value"]))
    elif isinstance(target, list):
        target[int(last)] = op["value"]
    else:
        target[last] = op["value"]


def preview_edits(document: PlanDocument, edits: list[Edit]) -> PlanDocument:
    """The document as it will be once `edits` are saved (validated)."""
    operations, _ = compile_edits(document, edits)
    working = dump_document(document)
    for op in operations:
        _apply(working, op)
    return parse_document(working)


def days_of_week(document: PlanDocument, session_id: str) -> list[date]:
    """The seven days of the week holding `session_id` (where it may be moved)."""
    for week in document.weeks:
        if any(s.session_id == session_id for s in week.sessions) and document.start_date:
            first = document.start_date + timedelta(days=7 * week.index)
            return [first + timedelta(days=n) for n in range(7)]
    return []


def dose_text(value: float | None) -> str:
    """A dose value as the editor shows and labels it ("" when empty)."""
    return "" if value is None else f"{value:g}"


def dose_edit(session_id: str, item_id: str, name: str, field: str, text: str) -> Edit:
    """The edit setting `name`'s dose `field` to `text` as typed ("" clears it).

    InvalidInput, in words with the field's range, if `text` is not a value the field takes;
    so nothing unparsable or out of range becomes an edit.
    """
    if field not in DIALOG_FIELDS:
        raise InvalidInput(f"{field.replace('_', ' ').capitalize()} cannot be edited here.")
    reading = read_dose(field, text)
    if reading.error:
        raise InvalidInput(reading.error)
    label = DOSE_LIMITS[field].label
    label = label if label.isupper() else label.lower()  # "RPE" stays as it is written
    return Edit("set_item", session_id, item_id, field, reading.value,
                f"{name}: {label} → {dose_text(reading.value) or 'empty'}")


def new_item(exercise_key: str) -> dict[str, Any]:
    """A catalogue exercise with a starting dose, ready to add to a session."""
    exercise = get_exercise(exercise_key)
    if exercise is None:
        raise InvalidInput(f"unknown exercise {exercise_key}")
    return {"item_id": str(uuid.uuid4()), "exercise": exercise.key, "name": exercise.name,
            **DEFAULT_DOSE.get(exercise.unit, {})}


@dataclass(frozen=True)
class Clash:
    """A value both this coach (unsaved) and another (saved since) changed."""

    key: str  # the edit's `edit_key`
    what: str  # e.g. "Minutes for Easy run (Mon 07 Dec)"
    was: str  # the value both started from
    theirs: str  # the value saved since
    mine: str  # the value of the unsaved edit


def edit_key(edit: dict[str, Any]) -> str:
    """What an edit changes (its kind, session, item and field): one edit per key."""
    return ":".join(str(edit.get(k) or "") for k in ("kind", "session_id", "item_id", "field"))


_GONE = object()


def _target(document: PlanDocument, edit: Edit) -> Any:
    """The value `edit` sets, as it is in `document` (_GONE if its session or item is)."""
    found = document.session(edit.session_id)
    if found is None:
        return _GONE
    if edit.kind == "move":
        return found.day.isoformat()
    if edit.kind == "set_session":
        return getattr(found, str(edit.field), _GONE)
    item = next((i for i in found.items if i.item_id == edit.item_id), None)
    if item is None:
        return _GONE
    return item.exercise if edit.kind == "swap" else getattr(item, str(edit.field), _GONE)


def _shown(edit: Edit, value: Any) -> str:
    if edit.kind == "swap":
        exercise = get_exercise(str(value))
        return exercise.name if exercise else str(value)
    if edit.kind == "move":
        return f"{date.fromisoformat(str(value)):%a %d %b}"
    if edit.field in DOSE_LIMITS:
        return dose_text(value) or "empty"
    text = str(value or "")
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”" if text else "empty"


def _what(document: PlanDocument, edit: Edit) -> str:
    found = document.session(edit.session_id)
    assert found is not None
    session_name = f"{found.title or found.modality.title()} ({found.day:%a %d %b})"
    if edit.kind == "move":
        return f"Day of {session_name}"
    if edit.kind == "set_session":
        return f"{str(edit.field).capitalize()} of {session_name}"
    item = next(i for i in found.items if i.item_id == edit.item_id)
    where = f"{item.name} ({found.day:%a %d %b})"
    if edit.kind == "swap":
        return f"Exercise {where}"
    field = str(edit.field)
    label = DOSE_LIMITS[field].label if field in DOSE_LIMITS else field.capitalize()
    return f"{label} for {where}"


def clashes(base: PlanDocument, head: PlanDocument, edits: list[Edit]) -> list[Clash]:
    """The unsaved `edits` (made on `base`) whose value another save (`head`) changed too.

    Re-applying them would silently overwrite the other coach's value, so the coach is
    asked to choose per value. An edit whose value they did not change, or changed to the
    same, is no clash; one whose session or item is gone is reported by `compile_edits`.
    """
    found: list[Clash] = []
    for edit in edits:
        if edit.kind not in ("set_item", "set_session", "move", "swap"):
            continue
        was, theirs = _target(base, edit), _target(head, edit)
        if _GONE in (was, theirs) or theirs == was or theirs == edit.value:
            continue
        found.append(Clash(edit_key(edit.as_dict()), _what(head, edit), _shown(edit, was),
                           _shown(edit, theirs), _shown(edit, edit.value)))
    return found


def save_draft(session: Session, actor: Actor, plan_id: str, *, base_version_id: str,
               edits: list[dict[str, Any]], reasons: list[str], rationale: str,
               context: RequestContext, today: date | None = None
               ) -> tuple[int, list[dict[str, Any]]]:
    """Save a coach's unsaved edits as a new (draft) version on `base_version_id`.

    If another version was saved since, nothing is written: Conflict says who saved which
    version and what it changed, so the edits can be applied on top of it, and its
    `clashes` name the values both changed (the coach chooses per value before saving
    again). Returns the new version's number and the edits that no longer applied (their
    session or item is gone). A running plan is revised as of `today` (see `edits`).
    """
    with read_phase(session):  # the write lock is taken when the version is stored
        plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT)
        head = head_version(session, plan)
        if head.id != base_version_id:
            raise Conflict(_what_changed(session, plan, base_version_id=base_version_id,
                                         head=head),
                           clashes=_clashes_since(session, plan, base_version_id, head, edits))
        operations, stale = compile_edits(document_of(head), [Edit.from_dict(e) for e in edits])
    version, _ = create_edited_version(session, actor, plan_id, request=EditRequest(
        base_version_id=head.id, operations=operations, reason_codes=tuple(reasons),
        rationale=rationale, today=today), context=context)
    return version.version_number, [e.as_dict() for e in stale]


@dataclass(frozen=True)
class RestoredEdits:
    """What came back of a coach's remembered unsaved edits."""

    edits: list[dict[str, Any]]  # the ones that still apply, in order
    dropped: int  # the ones that no longer apply (or were not valid edits)
    saved_since: str  # what another version saved since changed, or ""
    clashes: list[Clash] = dataclasses.field(default_factory=list)  # values both changed


def restore_unsaved_edits(session: Session, actor: Actor, plan_id: str, *,
                          base_version_id: str, remembered: list[Any]) -> RestoredEdits:
    """Which unsaved edits a browser remembered (made on `base_version_id`) apply to the head.

    The edits come from the browser, so each is checked as new input: it is kept only if
    its session or item still exists and the plan stays valid with it. Values another save
    changed since that the edits change too come back as `clashes`, for the coach to choose.
    """
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT)
    head = head_version(session, plan)
    document = document_of(head)
    kept: list[dict[str, Any]] = []
    candidates = remembered[:MAX_REMEMBERED_EDITS] if isinstance(remembered, list) else []
    for raw in candidates:
        edit = _edit_or_none(raw)
        if edit is None:
            continue
        try:
            document = _with_edit(document, edit)
        except (InvalidInput, TypeError, ValueError, KeyError):
            continue
        kept.append(edit.as_dict())
    saved_since, clashing = "", []
    if base_version_id != head.id:
        try:
            saved_since = _what_changed(session, plan, base_version_id=base_version_id,
                                        head=head)
            clashing = _clashes_since(session, plan, base_version_id, head, kept)
        except (NotFound, InvalidInput):
            saved_since = f"The plan is now at version {head.version_number}."
    return RestoredEdits(kept, len(remembered) - len(kept) if isinstance(remembered, list) else 0,
                         saved_since, clashing)


def _edit_or_none(raw: Any) -> Edit | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("session_id"), str):
        return None
    edit = Edit.from_dict(raw)
    if edit.kind not in get_args(EditKind) or not isinstance(edit.label, str):
        return None
    return edit


def _with_edit(document: PlanDocument, edit: Edit) -> PlanDocument:
    """`document` with `edit`; InvalidInput if it no longer applies."""
    _, stale = compile_edits(document, [edit])
    if stale:
        raise InvalidInput("the edit no longer applies")
    return preview_edits(document, [edit])


def _clashes_since(session: Session, plan: Plan, base_version_id: str, head: PlanVersion,
                   edits: list[dict[str, Any]]) -> list[Clash]:
    """`clashes` of `edits` (made on `base_version_id`) with what was saved since."""
    base = document_of(versions.get_version(session, plan, base_version_id))
    return clashes(base, document_of(head), [Edit.from_dict(e) for e in edits])


def _what_changed(session: Session, plan: Plan, *, base_version_id: str,
                  head: PlanVersion) -> str:
    """Who saved `head` since `base_version_id` and what it changed, in a sentence."""
    base = versions.get_version(session, plan, base_version_id)
    before, after = document_of(base), document_of(head)
    summary = diffing.summarize(before, after)
    author = versions.author_names(session, [head]).get(head.author_id or "", "someone")
    return (f"{author} saved version {head.version_number} since you opened the plan: "
            f"{diffing.describe(summary, before, after)}.")
