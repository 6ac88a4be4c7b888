"""Adherence from workout logs, and each past session's compliance colour.

Adherence is completed (or partly completed) / scheduled sessions per week: per week of a
plan (`weekly`), or per calendar week across the plans the athlete was given (`recent_weeks`,
what the coach reads beside the editor).

Colours: green when the logged volume is within ±20% of the planned volume; amber at
50–79% or 121–150%; red otherwise, or when the session was missed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from db.models import Plan, PlanVersion, WorkoutLog
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.versions import document_of

DONE = ("completed", "partial")
RECENT_WEEKS = 4


@dataclass(frozen=True)
class Compliance:
    """How a past session went."""

    status: str  # completed | partial | skipped | missed
    ratio: float | None  # logged / planned volume
    colour: str  # green | amber | red


@dataclass(frozen=True)
class WeekAdherence:
    """Completed vs scheduled sessions of one week (past sessions only)."""

    index: int
    scheduled: int
    completed: int

    @property
    def rate(self) -> float | None:
        """Completed / scheduled, or None before the week started."""
        return round(self.completed / self.scheduled, 3) if self.scheduled else None


@dataclass(frozen=True)
class CalendarWeek:
    """Completed vs scheduled sessions of one calendar week (Monday to Sunday) so far."""

    start: date  # the Monday
    scheduled: int
    completed: int
    current: bool  # the week holding "today" (its sessions from today on are not due yet)

    @property
    def rate(self) -> float | None:
        """Completed / scheduled, or None when nothing was due."""
        return round(self.completed / self.scheduled, 3) if self.scheduled else None


def colour_for(ratio: float | None) -> str:
    """Green within ±20% of plan, amber at 50–79% or 121–150%, red otherwise."""
    if ratio is None:
        return "red"
    percent = round(ratio * 100)
    if 80 <= percent <= 120:
        return "green"
    if 50 <= percent <= 79 or 121 <= percent <= 150:
        return "amber"
    return "red"


def _logs(session: Session, plan: Plan) -> dict[str, WorkoutLog]:
    rows = session.exec(select(WorkoutLog).where(WorkoutLog.plan_id == plan.id))
    return {log.session_id: log for log in rows if log.session_id}


def session_compliance(session: Session, plan: Plan, document: PlanDocument,
                       today: date) -> dict[str, Compliance]:
    """Compliance of every session scheduled before `today`."""
    logs = _logs(session, plan)
    marks: dict[str, Compliance] = {}
    for _, planned in document.sessions():
        if planned.day >= today or planned.modality == "rest":
            continue
        log = logs.get(planned.session_id)
        if log is None or log.status == "skipped":
            marks[planned.session_id] = Compliance(log.status if log else "missed", None, "red")
            continue
        ratio = (log.completed_volume / log.planned_volume
                 if log.planned_volume and log.completed_volume is not None else 1.0)
        marks[planned.session_id] = Compliance(log.status, round(ratio, 3), colour_for(ratio))
    return marks


def weekly(session: Session, plan: Plan, document: PlanDocument,
           today: date) -> list[WeekAdherence]:
    """Adherence per week of the plan (weeks not started have scheduled = 0)."""
    marks = session_compliance(session, plan, document, today)
    weeks = []
    for week in document.weeks:
        past = [s for s in week.sessions if s.session_id in marks]
        done = sum(1 for s in past if marks[s.session_id].status in DONE)
        weeks.append(WeekAdherence(week.index, len(past), done))
    return weeks


def overall(weeks: list[WeekAdherence]) -> float | None:
    """Completed / scheduled over all weeks so far."""
    scheduled = sum(w.scheduled for w in weeks)
    return round(sum(w.completed for w in weeks) / scheduled, 3) if scheduled else None


def recent_weeks(session: Session, athlete_id: str, today: date, *,
                 count: int = RECENT_WEEKS) -> list[CalendarWeek]:
    """The athlete's last `count` calendar weeks up to the one holding `today`, oldest first.

    Counts the sessions due before `today` in every plan the athlete was given (approved or
    published at some point: drafts were never theirs to follow), whichever plan they
    belong to, so a coach reviewing a new plan still sees how the running one went.
    """
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=count - 1)
    rows = session.exec(
        select(Plan, PlanVersion).join(PlanVersion, col(PlanVersion.id) == Plan.active_version_id)
        .where(Plan.athlete_id == athlete_id, col(Plan.published_at).is_not(None),
               Plan.start_date <= today))
    scheduled: Counter[date] = Counter()
    completed: Counter[date] = Counter()
    for plan, version in rows:
        document = document_of(version)
        marks = session_compliance(session, plan, document, today)
        for _, planned in document.sessions():
            mark = marks.get(planned.session_id)
            if mark is None or planned.day < first:
                continue
            monday = planned.day - timedelta(days=planned.day.weekday())
            scheduled[monday] += 1
            completed[monday] += mark.status in DONE
    mondays = [first + timedelta(weeks=k) for k in range(count)]
    return [CalendarWeek(start=m, scheduled=scheduled[m], completed=completed[m],
                         current=k == count - 1) for k, m in enumerate(mondays)]
