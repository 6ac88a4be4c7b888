"""The review page's side-by-side view (flag `diff_viewer_v2`): before and after, per session.

Each week lists its sessions as rows of two cells: the reference version (the generated
baseline, or the version the athlete last reviewed) on the left, the version under review
on the right. What changed is read off `diffing.diff_documents` (the one definition of
what changed): on the left what was removed or changed from (`old`, shown red), on the
right what was added or changed to (`new`, shown green). Pure data: the page renders it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from plangov_app.services import diffing
from plangov_app.services.plan_document import Item, PlanDocument, PlanSessionDoc
from plangov_app.services.views.calendar import Marks, dose, marks_of

FLAG = "diff_viewer_v2"
OLD, NEW = "old", "new"
#: session fields shown in a cell, each highlighted on its own when it changed
CELL_FIELDS = ("day", "title", "notes")
ROW_STATUS = {"added": "New", "removed": "Removed", "moved": "Moved", "changed": "Changed"}


@dataclasses.dataclass
class SideLine:
    """An exercise line of one side."""

    text: str = ""
    change: str = ""  # old (removed / changed from) | new (added / changed to) | ""


@dataclasses.dataclass
class SideCell:
    """One side of a session row: the session as that version has it."""

    present: bool = False  # False: the session is not in this version
    day: str = ""
    title: str = ""
    notes: str = ""
    change: str = ""  # the whole cell: old (session removed) | new (session added) | ""
    changed_fields: list[str] = dataclasses.field(default_factory=list)  # of CELL_FIELDS
    lines: list[SideLine] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SideRow:
    """A session before (left) and after (right)."""

    id: str = ""
    status: str = ""  # added | removed | moved | changed | ""
    status_label: str = ""  # New | Removed | Moved | Changed | ""
    label: str = ""  # e.g. "Lower body, Tue 08 Dec" (the session's accessible name)
    threads: int = 0  # unresolved comment threads on the session
    before: SideCell = dataclasses.field(default_factory=SideCell)
    after: SideCell = dataclasses.field(default_factory=SideCell)


@dataclasses.dataclass
class SideWeek:
    """A week's session rows and how many of them changed."""

    label: str = ""
    changed: int = 0
    rows: list[SideRow] = dataclasses.field(default_factory=list)


def _title(session: PlanSessionDoc) -> str:
    return session.title or session.modality.title()


def _session_fields(changes: list[diffing.Change]) -> dict[str, set[str]]:
    """The session-level fields that changed, by session id."""
    fields: dict[str, set[str]] = {}
    for change in changes:
        if change.item_id is None and change.session_id and change.change_type in (
                "modified", "moved"):
            fields.setdefault(change.session_id, set()).add(change.field_path.rsplit("/", 1)[-1])
    return fields


def _line(item: Item, change: str) -> SideLine:
    return SideLine(text=f"{item.name} {dose(item)}".strip(), change=change)


def _cell(session: PlanSessionDoc | None, other: PlanSessionDoc | None, marks: Marks,
          fields: set[str], side: str) -> SideCell:
    """`session` as one version has it (`side` old or new), `other` as the other has it."""
    if session is None:
        return SideCell()
    kept = {i.item_id for i in other.items} if other is not None else set()
    lines = [_line(i, side if i.item_id not in kept or i.item_id in marks.changed_items
                   else "") for i in session.items]
    return SideCell(present=True, day=f"{session.day:%a %d %b}", title=_title(session),
                    notes=session.notes, change=side if other is None else "",
                    changed_fields=[f for f in CELL_FIELDS if f in fields], lines=lines)


def _status(old: PlanSessionDoc | None, new: PlanSessionDoc | None, fields: set[str],
            cells: tuple[SideCell, SideCell]) -> str:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if "day" in fields:
        return "moved"
    changed = fields or any(line.change for cell in cells for line in cell.lines)
    return "changed" if changed else ""


def _row(old: PlanSessionDoc | None, new: PlanSessionDoc | None, marks: Marks,
         fields: dict[str, set[str]], threads: dict[str, int]) -> SideRow:
    shown = new if new is not None else old
    assert shown is not None
    own = fields.get(shown.session_id, set())
    before = _cell(old, new, marks, own, OLD)
    after = _cell(new, old, marks, own, NEW)
    status = _status(old, new, own, (before, after))
    return SideRow(id=shown.session_id, status=status, status_label=ROW_STATUS.get(status, ""),
                   label=f"{_title(shown)}, {shown.day:%a %d %b}",
                   threads=threads.get(shown.session_id, 0), before=before, after=after)


def side_by_side_weeks(document: PlanDocument, reference: PlanDocument, first: int = 0,
                 count: int | None = None, *, threads: dict[str, int] | None = None,
                 changes: list[diffing.Change] | None = None) -> list[SideWeek]:
    """The weeks `first`…`first + count` of `document` beside `reference`, row per session.

    A session is placed in the week `document` has it in (a removed one: where `reference`
    had it), rows ordered by day. `changes` is the diff from `reference` to `document` when
    the caller has it already.
    """
    changes = diffing.diff_documents(reference, document) if changes is None else changes
    marks, fields, threads = marks_of(changes), _session_fields(changes), threads or {}
    old_sessions = {s.session_id: s for _, s in reference.sessions()}
    new_ids = {s.session_id for _, s in document.sessions()}
    removed: dict[int, list[PlanSessionDoc]] = {}
    for week_index, old in reference.sessions():
        if old.session_id not in new_ids:
            removed.setdefault(week_index, []).append(old)
    weeks = []
    for week in document.weeks[first:None if count is None else first + count]:
        pairs: list[tuple[date, PlanSessionDoc | None, PlanSessionDoc | None]] = [
            (s.day, old_sessions.get(s.session_id), s) for s in week.sessions]
        pairs += [(s.day, s, None) for s in removed.get(week.index, [])]
        rows = [_row(old, new, marks, fields, threads)
                for _, old, new in sorted(pairs, key=lambda p: p[0])]
        weeks.append(SideWeek(label=f"Week {week.index + 1}", rows=rows,
                              changed=sum(1 for r in rows if r.status)))
    return weeks
