"""Where a session may go: the plan's current week, and which days a session may move to.

A coach moves a session to any day of the plan that is not past yet (today included);
sessions of weeks already done stay where they are. The calendar opens at the week holding
`today` (before the plan starts: week 1; after it ends: the last week). Every function takes
`today`, so nothing here depends on the real date.
"""

from __future__ import annotations

from datetime import date, timedelta

from plangov_app.services.errors import InvalidInput
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans.unsaved_edits import Edit


def week_first_day(document: PlanDocument, index: int) -> date | None:
    """The first day of week `index` (None for a plan without a start date)."""
    if document.start_date is None:
        return None
    return document.start_date + timedelta(days=7 * index)


def plan_last_day(document: PlanDocument) -> date | None:
    """The plan's last day (None without a start date)."""
    first = week_first_day(document, len(document.weeks) - 1)
    return None if first is None else first + timedelta(days=6)


def current_week(document: PlanDocument, *, today: date) -> int:
    """The index of the week holding `today`, clamped to the plan's weeks.

    Before the plan starts (or without a start date) that is week 0, after it ends the last.
    """
    if document.start_date is None or today < document.start_date:
        return 0
    return min((today - document.start_date).days // 7, len(document.weeks) - 1)


def week_of_day(document: PlanDocument, day: date) -> int | None:
    """The index of the plan week holding `day` (None outside the plan)."""
    last = plan_last_day(document)
    if document.start_date is None or last is None or not document.start_date <= day <= last:
        return None
    return (day - document.start_date).days // 7


def week_done(document: PlanDocument, index: int, *, today: date) -> bool:
    """Whether week `index` is over (its last day is before `today`)."""
    first = week_first_day(document, index)
    return first is not None and first + timedelta(days=6) < today


def move_range(document: PlanDocument, *, today: date) -> tuple[date, date] | None:
    """The first and last day a session may be moved to (None: nowhere)."""
    last = plan_last_day(document)
    if document.start_date is None or last is None or last < today:
        return None
    return max(document.start_date, today), last


def move_problem(document: PlanDocument, *, session_id: str, target: date,
                 today: date) -> str | None:
    """Why `session_id` may not move to `target`, in words (None: it may)."""
    found = next(((w, s) for w, s in document.sessions() if s.session_id == session_id), None)
    if found is None:
        return "This session is no longer in the plan."
    week_index, session = found
    if week_done(document, week_index, today=today):
        return f"Week {week_index + 1} is already done: its sessions stay where they were."
    allowed = move_range(document, today=today)
    if allowed is None:
        return "This plan has no days left to move a session to."
    first, last = allowed
    if target < today:
        return f"{target:%a %d %b %Y} is already past: choose {first:%a %d %b} or later."
    if not first <= target <= last:
        return (f"{target:%a %d %b %Y} is outside the plan: choose a day from "
                f"{first:%a %d %b} to {last:%a %d %b %Y}.")
    if target == session.day:
        return f"{session.title or session.modality.title()} is on {target:%a %d %b} already."
    return None


def read_move_target(text: str) -> date:
    """The day typed in a date box (YYYY-MM-DD, as date inputs send it); InvalidInput else."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise InvalidInput("Move to: choose a day in the date box.", field="day") from None


def move_edit(document: PlanDocument, *, session_id: str, text: str, today: date) -> Edit:
    """The unsaved edit moving `session_id` to the day typed in `text`.

    InvalidInput, in words, when the day is not one it may move to (`move_problem`).
    The session keeps its id, so a move across weeks is still a move (comments stay).
    """
    target = read_move_target(text)
    problem = move_problem(document, session_id=session_id, target=target, today=today)
    if problem:
        raise InvalidInput(problem, field="day")
    session = document.session(session_id)
    assert session is not None
    title = session.title or session.modality.title()
    return Edit("move", session_id, None, "day", target.isoformat(),
                f"{title}: moved to {target:%a %d %b}")
