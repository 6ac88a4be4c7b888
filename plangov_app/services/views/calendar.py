"""The plan as a week calendar, marked with what changed since a reference version.

Each session card and exercise line says whether it was added (green), removed (red) or
changed (amber) since the reference — the generated baseline, the version the athlete
last reviewed, or the coach's saved head while edits are unsaved. The marks are read off
`diffing.diff_documents` (the one definition of what changed); this module only lays the
weeks out, marks today's day cell, and says which week the calendar opens at and what the
week selector offers (`week_choices`, `opening_week`, `today_note`), all given `today`.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from plangov_app.services import diffing
from plangov_app.services.plan_document import Item, PlanDocument, PlanSessionDoc
from plangov_app.services.plans.moving import current_week, plan_last_day
from plangov_app.services.views.common import Choice

WEEKS_PER_PAGE = 16
MODALITY_COLOURS = {"strength": "indigo", "endurance": "teal", "conditioning": "orange",
                    "mobility": "plum", "rest": "gray"}
#: item fields whose change marks an exercise line "changed"
DOSE_FIELDS = ("exercise", "sets", "reps", "load_kg", "pct_1rm", "rpe", "duration_min",
               "distance_km", "notes")
#: session fields whose change marks a card "changed" (the day marks it "moved")
SESSION_FIELDS = ("title", "notes", "modality")


@dataclasses.dataclass
class ItemRow:
    """An exercise line of a session card."""

    name: str = ""
    dose: str = ""
    change: str = ""  # added | removed | changed | ""
    was: str = ""  # what a changed line was before


@dataclasses.dataclass
class SessionCard:
    """A session as the calendar shows it."""

    id: str = ""
    day: str = ""
    title: str = ""
    modality: str = ""
    colour: str = "gray"
    volume: str = ""
    compliance: str = ""
    change: str = ""  # added | removed | moved | changed | ""
    note: str = ""  # e.g. "Moved from Thu 12 Mar"
    notes: str = ""  # the coach's notes for the session
    threads: int = 0  # unresolved comment threads anchored here
    exercises: list[ItemRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DayCell:
    """One day of a week: its column in the calendar."""

    label: str = ""  # e.g. "Mon 30 Nov"
    rest: bool = True  # no session that day
    iso: str = ""  # the day as YYYY-MM-DD (where a dragged session is dropped)
    today: bool = False
    sessions: list[SessionCard] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WeekRow:
    """One week of the calendar: seven day columns."""

    label: str = ""
    days: list[DayCell] = dataclasses.field(default_factory=list)
    index: int = 0  # the week's index in the plan (week 1 is 0)

    def cards(self) -> list[SessionCard]:
        """The week's session cards, day by day."""
        return [card for day in self.days for card in day.sessions]


@dataclasses.dataclass
class Marks:
    """What changed, by session and item, as the calendar marks it."""

    added_sessions: set[str] = dataclasses.field(default_factory=set)
    removed_sessions: set[str] = dataclasses.field(default_factory=set)
    moved_from: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> old day
    changed_sessions: set[str] = dataclasses.field(default_factory=set)
    added_items: set[str] = dataclasses.field(default_factory=set)
    changed_items: set[str] = dataclasses.field(default_factory=set)
    removed_items: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # by session


def marks_of(changes: list[diffing.Change]) -> Marks:
    """The calendar's marks from a diff (`diffing.diff_documents(reference, document)`)."""
    marks = Marks()
    for change in changes:
        if change.item_id is not None:
            _mark_item(marks, change)
        elif change.session_id is not None:
            _mark_session(marks, change)
    return marks


def _mark_item(marks: Marks, change: diffing.Change) -> None:
    item_id, session_id = change.item_id or "", change.session_id or ""
    field = change.field_path.rsplit("/", 1)[-1]
    if change.change_type == "added":
        marks.added_items.add(item_id)
        marks.changed_sessions.add(session_id)
    elif change.change_type == "removed":
        marks.removed_items.setdefault(session_id, []).append(item_id)
        marks.changed_sessions.add(session_id)
    elif field == "session_id":  # moved to another session: gone from the old one
        marks.removed_items.setdefault(str(change.old_value), []).append(item_id)
        marks.changed_sessions.add(str(change.old_value))
    elif field in DOSE_FIELDS:
        marks.changed_items.add(item_id)
        marks.changed_sessions.add(session_id)


def _mark_session(marks: Marks, change: diffing.Change) -> None:
    session_id = change.session_id or ""
    field = change.field_path.rsplit("/", 1)[-1]
    if change.change_type == "added":
        marks.added_sessions.add(session_id)
    elif change.change_type == "removed":
        marks.removed_sessions.add(session_id)
    elif field == "day":
        marks.moved_from[session_id] = str(change.old_value)
    elif field in SESSION_FIELDS:
        marks.changed_sessions.add(session_id)


def page_start(document: PlanDocument, requested: int, today: date) -> int:
    """The first week of the page to show.

    That is `requested` (rounded down to a page boundary) or, when negative, the page
    holding this week of a plan under way.
    """
    if requested < 0:
        requested = current_week(document, today=today)
    return page_of(max(0, min(requested, len(document.weeks) - 1)))


def page_of(week: int) -> int:
    """The first week of the page holding week `week`."""
    return week - week % WEEKS_PER_PAGE


def opening_week(document: PlanDocument, today: date) -> int:
    """The week the calendar is scrolled to when the page opens (-1: none, the page's top).

    A plan under way opens at this week, one that has ended at its last week; before it
    starts (or without a start date) the page opens at its top, week 1 first.
    """
    if document.start_date is None or today < document.start_date:
        return -1
    return current_week(document, today=today)


def week_choices(document: PlanDocument) -> list[Choice]:
    """Every week of the plan for the week selector, e.g. "Week 5 · Mon 01 Feb"."""
    return [Choice(str(week.index), f"Week {week.index + 1} · "
                   f"{_first_day(document, week.index, [s.day for s in week.sessions]):%a %d %b}")
            for week in document.weeks]


def today_note(document: PlanDocument, today: date) -> str:
    """Where today falls in the plan, in words ("" without a start date)."""
    last = plan_last_day(document)
    if document.start_date is None or last is None:
        return ""
    if today < document.start_date:
        return f"Starts {document.start_date:%a %d %b %Y}"
    if today > last:
        return f"Ended {last:%a %d %b %Y}"
    week = current_week(document, today=today)
    return f"Today is {today:%a %d %b}, week {week + 1} of {len(document.weeks)}"


def dose(item: Item) -> str:
    """Sets × reps @ load, minutes, distance, RPE — as a coach writes it."""
    parts = []
    if item.sets and item.reps:
        parts.append(f"{item.sets}×{item.reps}")
    elif item.sets:
        parts.append(f"{item.sets} sets")
    if item.load_kg:
        parts.append(f"@ {item.load_kg:g} kg")
    if item.duration_min:
        parts.append(f"{item.duration_min:g} min")
    if item.distance_km:
        parts.append(f"{item.distance_km:g} km")
    if item.rpe:
        parts.append(f"RPE {item.rpe:g}")
    return " ".join(parts)


@dataclasses.dataclass
class _Reference:
    """The reference version and its marks (None: nothing is marked)."""

    document: PlanDocument
    marks: Marks
    items: dict[str, Item]


def _item_rows(session: PlanSessionDoc, reference: _Reference | None) -> list[ItemRow]:
    rows = []
    for item in session.items:
        row = ItemRow(name=item.name, dose=dose(item))
        if reference is not None and item.item_id in reference.marks.added_items:
            row.change = "added"
        elif reference is not None and item.item_id in reference.marks.changed_items:
            old = reference.items[item.item_id]
            row.change, row.was = "changed", f"{old.name} {dose(old)}".strip()
        rows.append(row)
    removed = set(reference.marks.removed_items.get(session.session_id, [])) \
        if reference is not None else set()
    before = reference.document.session(session.session_id) if removed and reference else None
    if before is not None:  # in the order the reference had them
        rows += [ItemRow(name=old.name, dose=dose(old), change="removed")
                 for old in before.items if old.item_id in removed]
    return rows


def _change_of(session_id: str, marks: Marks) -> tuple[str, str]:
    """A card's mark and its note (added, moved, changed: the first that applies)."""
    if session_id in marks.added_sessions:
        return "added", ""
    if session_id in marks.moved_from:
        moved = date.fromisoformat(marks.moved_from[session_id])
        return "moved", f"Moved from {moved:%a %d %b}"
    return ("changed" if session_id in marks.changed_sessions else ""), ""


def _card(session: PlanSessionDoc, reference: _Reference | None,
          compliance: str) -> SessionCard:
    change, note = _change_of(session.session_id, reference.marks) if reference else ("", "")
    return SessionCard(
        id=session.session_id, day=session.day.strftime("%a %d %b"),
        title=session.title or session.modality.title(), modality=session.modality,
        colour=MODALITY_COLOURS.get(session.modality, "gray"),
        volume=f"{session.volume():,.0f}", compliance=compliance, change=change, note=note,
        notes=session.notes, exercises=_item_rows(session, reference))


def _removed_card(session: PlanSessionDoc) -> SessionCard:
    card = _card(session, None, "")
    card.change = "removed"
    for row in card.exercises:
        row.change = "removed"
    return card


def _first_day(document: PlanDocument, index: int, days: list[date]) -> date:
    """The week's first day: from the plan's start, else the Monday of its first session."""
    if document.start_date:
        return document.start_date + timedelta(days=7 * index)
    earliest = min(days, default=date.today())
    return earliest - timedelta(days=earliest.weekday())


def _day_cells(first: date, cards: list[tuple[date, SessionCard]],
               today: date | None) -> list[DayCell]:
    days = [first + timedelta(days=n) for n in range(7)]
    cells = [DayCell(label=f"{day:%a %d %b}", iso=day.isoformat(), today=day == today)
             for day in days]
    for day, card in sorted(cards, key=lambda c: c[0]):
        cell = cells[max(0, min((day - first).days, 6))]
        cell.sessions.append(card)
        cell.rest = False
    return cells


def _reference(document: PlanDocument, reference: PlanDocument | None,
               changes: list[diffing.Change] | None) -> _Reference | None:
    if reference is None:
        return None
    changes = diffing.diff_documents(reference, document) if changes is None else changes
    items = {i.item_id: i for _, s in reference.sessions() for i in s.items}
    return _Reference(document=reference, marks=marks_of(changes), items=items)


def calendar(document: PlanDocument, reference: PlanDocument | None,
             compliance: dict[str, str] | None = None,
             threads: dict[str, int] | None = None, first: int = 0,
             count: int | None = None, *,
             changes: list[diffing.Change] | None = None,
             today: date | None = None) -> list[WeekRow]:
    """The weeks of `document` marked against `reference` (None: no marks).

    `changes` is the diff from `reference` to `document` when the caller has it already.
    Only `count` weeks from `first` are built (default: all). The day cell of `today`
    (None: no day) is marked.
    """
    compliance, threads = compliance or {}, threads or {}
    marked = _reference(document, reference, changes)
    removed: dict[int, list[PlanSessionDoc]] = {}
    if marked is not None:
        for week_index, old in marked.document.sessions():
            if old.session_id in marked.marks.removed_sessions:
                removed.setdefault(week_index, []).append(old)
    weeks = []
    for week in document.weeks[first:None if count is None else first + count]:
        cards = [(s.day, _card(s, marked, compliance.get(s.session_id, "")))
                 for s in week.sessions]
        cards += [(s.day, _removed_card(s)) for s in removed.get(week.index, [])]
        for _, card in cards:
            card.threads = threads.get(card.id, 0)
        start = _first_day(document, week.index, [day for day, _ in cards])
        weeks.append(WeekRow(label=f"Week {week.index + 1}", index=week.index,
                             days=_day_cells(start, cards, today)))
    return weeks
