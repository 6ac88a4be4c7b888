"""The plan as a week calendar, marked against a reference version.

Each session card and exercise line says whether it was added (green), removed (red) or
changed (amber) since the reference — the generated baseline, the version the athlete
last reviewed, or the coach's saved head while edits are unsaved.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from plangov_app.services.plan_document import Item, PlanDocument, PlanSessionDoc

WEEKS_PER_PAGE = 16
MODALITY_COLOURS = {"strength": "indigo", "endurance": "teal", "conditioning": "orange",
                    "mobility": "plum", "rest": "gray"}
DOSE_FIELDS = ("exercise", "sets", "reps", "load_kg", "pct_1rm", "rpe", "duration_min",
               "distance_km", "notes")


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
    sessions: list[SessionCard] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WeekRow:
    """One week of the calendar: seven day columns."""

    label: str = ""
    days: list[DayCell] = dataclasses.field(default_factory=list)

    def cards(self) -> list[SessionCard]:
        """The week's session cards, day by day."""
        return [card for day in self.days for card in day.sessions]


def page_start(document: PlanDocument, requested: int, today: date) -> int:
    """The first week of the page to show.

    That is `requested` (rounded down to a page boundary) or, when negative, the page
    holding this week of a plan under way.
    """
    total = len(document.weeks)
    if requested < 0:
        started = document.start_date and document.start_date <= today
        requested = (today - document.start_date).days // 7 if started else 0
    week = max(0, min(requested, total - 1))
    return week - week % WEEKS_PER_PAGE


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


def _item_rows(session: PlanSessionDoc, before: PlanSessionDoc | None,
               reference_items: dict[str, Item] | None) -> list[ItemRow]:
    rows = []
    for item in session.items:
        row = ItemRow(name=item.name, dose=dose(item))
        if reference_items is not None:
            old = reference_items.get(item.item_id)
            if old is None:
                row.change = "added"
            elif any(getattr(old, f) != getattr(item, f) for f in DOSE_FIELDS):
                row.change, row.was = "changed", f"{old.name} {dose(old)}".strip()
        rows.append(row)
    if before is not None:
        kept = {i.item_id for i in session.items}
        rows += [ItemRow(name=i.name, dose=dose(i), change="removed")
                 for i in before.items if i.item_id not in kept]
    return rows


def _card(session: PlanSessionDoc, before: PlanSessionDoc | None, compared: bool,
          reference_items: dict[str, Item] | None, compliance: str) -> SessionCard:
    exercises = _item_rows(session, before, reference_items)
    change, note = "", ""
    if compared and before is None:
        change = "added"
    elif before is not None and before.day != session.day:
        change, note = "moved", f"Moved from {before.day:%a %d %b}"
    elif before is not None and (any(r.change for r in exercises) or any(
            getattr(before, f) != getattr(session, f) for f in ("title", "notes", "modality"))):
        change = "changed"
    return SessionCard(
        id=session.session_id, day=session.day.strftime("%a %d %b"),
        title=session.title or session.modality.title(), modality=session.modality,
        colour=MODALITY_COLOURS.get(session.modality, "gray"),
        volume=f"{session.volume():,.0f}", compliance=compliance, change=change, note=note,
        notes=session.notes, exercises=exercises)


def _removed_card(session: PlanSessionDoc) -> SessionCard:
    card = _card(session, None, False, None, "")
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


def _day_cells(first: date, cards: list[tuple[date, SessionCard]]) -> list[DayCell]:
    cells = [DayCell(label=f"{first + timedelta(days=n):%a %d %b}") for n in range(7)]
    for day, card in sorted(cards, key=lambda c: c[0]):
        cell = cells[max(0, min((day - first).days, 6))]
        cell.sessions.append(card)
        cell.rest = False
    return cells


def calendar(document: PlanDocument, reference: PlanDocument | None,
             compliance: dict[str, str] | None = None,
             threads: dict[str, int] | None = None, first: int = 0,
             count: int | None = None) -> list[WeekRow]:
    """The weeks of `document` marked against `reference` (None: no marks).

    Only `count` weeks from `first` are built (default: all).
    """
    compliance, threads = compliance or {}, threads or {}
    before = {s.session_id: (w, s) for w, s in reference.sessions()} if reference else {}
    items = ({i.item_id: i for _, s in reference.sessions() for i in s.items}
             if reference else None)
    present = {s.session_id for _, s in document.sessions()}
    weeks = []
    for week in document.weeks[first:None if count is None else first + count]:
        cards = [(s.day, _card(s, before.get(s.session_id, (0, None))[1], reference is not None,
                               items, compliance.get(s.session_id, "")))
                 for s in week.sessions]
        cards += [(s.day, _removed_card(s)) for sid, (w, s) in before.items()
                  if w == week.index and sid not in present]
        for _, card in cards:
            card.threads = threads.get(card.id, 0)
        start = _first_day(document, week.index, [day for day, _ in cards])
        weeks.append(WeekRow(label=f"Week {week.index + 1}", days=_day_cells(start, cards)))
    return weeks
