"""The plan shown (review page and editor): the plan page's read model as vars.

`plangov_app.services.views.plan_page` assembles it and decides what the user may do;
this state maps it to vars, pages its weeks and runs the athlete's decision.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services.errors import DomainError
from plangov_app.services.plans.transitions import record_decision
from plangov_app.services.rbac import Permission
from plangov_app.services.views.calendar import WEEKS_PER_PAGE, WeekRow, page_of
from plangov_app.services.views.common import Choice
from plangov_app.services.views.labels import status_label
from plangov_app.services.views.plan_page import (
    ComplianceWeek,
    OtherPlan,
    PlanPage,
    TimelineRow,
    plan_page,
)
from plangov_app.services.views.side_by_side import FLAG as SIDE_BY_SIDE_FLAG
from plangov_app.services.views.side_by_side import SideWeek
from state.comments import CommentsState
from state.flags import FlagsState
from state.session import SignedIn, problem_toast, run_read, run_write
from state.typed import TypedState

#: read-model fields kept elsewhere (the comment threads) or under another name
_ELSEWHERE = {"threads", "anchors", "can_comment", "sheet"}
_RENAMED = {"status": "plan_status"}


def scroll_to_week(week: int) -> rx.event.EventSpec:
    """Scroll the calendar to week `week` once it is on screen (assets/calendar.js)."""
    return rx.call_script(f"window.plangovCalendar?.scrollToWeek({int(week)})")


class PlanViewState(SignedIn, rx.State):
    """The plan on screen and a page of its weeks."""

    plan_id: str = ""
    found: bool = True
    switching: bool = False  # True while another plan's data would still be on screen
    editing: bool = False  # the editor (True) or the review page
    athlete: str = ""
    plan_status: str = ""
    algorithm: str = ""
    arm: str = ""
    show_internals: bool = True
    version: str = ""
    version_author: str = ""
    head_id: str = ""
    weeks: list[WeekRow] = []
    week_start: int = -1  # first week shown (-1: the page holding this week)
    week_total: int = 0
    week_options: list[Choice] = []
    current_week: int = 0  # the week holding today: where the Today button goes
    open_week: int = -1  # the week scrolled to when the page opens (-1: the page's top)
    today_note: str = ""
    badges: list[str] = []
    impact: str = ""
    change_lines: list[str] = []
    more_changes: int = 0
    compare: str = "baseline"
    seen_label: str = ""
    seen_impact: str = ""
    timeline: list[TimelineRow] = []
    open_threads: dict[str, int] = {}
    athlete_link: str = ""
    history_link: str = ""
    adherence: str = ""
    recent_weeks: list[ComplianceWeek] = []
    recent_note: str = ""
    goals: str = ""
    limitations: str = ""
    limitations_noted: bool = False
    can_edit_notes: bool = False
    previous: list[OtherPlan] = []
    coach_note: str = ""
    coach_note_by: str = ""
    can_edit: bool = False
    can_decide: bool = False
    revising: bool = False
    can_recall: bool = False
    done_weeks: int = 0
    can_add_exercise: bool = False
    side_by_side: bool = False
    before_label: str = ""
    after_label: str = ""
    side_weeks: list[SideWeek] = []

    async def _show(self, page: PlanPage) -> None:
        """Map the read model to vars (the threads go to `CommentsState`)."""
        for field in dataclasses.fields(page):
            if field.name not in _ELSEWHERE:
                setattr(self, _RENAMED.get(field.name, field.name), getattr(page, field.name))
        comments = await self.get_state(CommentsState)
        comments._show(page.threads, page.anchors, can_comment=page.can_comment,
                       sheet=page.sheet)

    async def _load(self, *, page_load: bool = False) -> Any:
        """The plan of the URL, if the actor may see it (else "not found").

        A page load also reads the user's flags again (`FlagsState`): the review is side by
        side when `diff_viewer_v2` is on.
        """
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        flags = await self.get_state(FlagsState)
        if page_load:
            await flags._refresh(actor)
        plan_id = self._url_id()
        comments = await self.get_state(CommentsState)
        if page_load or self.editing:  # a sheet is the review's, opened there by a tap
            comments._close_sheet()
        if plan_id != self.plan_id:
            self.plan_id, self.compare, self.week_start = plan_id, "baseline", -1
        typed = await self.get_state(TypedState)
        typed._restore(f"{actor.user_id}:{plan_id}")
        read = partial(plan_page, compare=self.compare, week_start=self.week_start,
                       editing=self.editing, side_by_side=flags._on(SIDE_BY_SIDE_FLAG),
                       open_session=comments._open_session())
        try:
            page = await run_read(read, actor, self.plan_id)
        except DomainError as error:
            self.found, self.weeks = False, []
            return None if error.status == 404 else problem_toast(error)
        self.found = True
        await self._show(page)
        await self._plan_opened(actor, plan_id)
        return None

    async def _open(self, load: Callable[[], Awaitable[Any]]) -> AsyncIterator[Any]:
        """Run `load`, showing a spinner first if another plan is still on screen.

        The page opens at the week the read model says (this week of a plan under way).
        """
        if self._url_id() != self.plan_id:
            self.switching = True
            yield
        self.week_start = -1
        result = await load()
        self.switching = False
        yield result
        if self.found and self.open_week >= 0 and not self.side_by_side:
            yield scroll_to_week(self.open_week)

    async def open_review(self) -> AsyncIterator[Any]:
        """on_load of the review page: the plan, never with edit controls."""
        self.editing = False
        async for update in self._open(partial(self._load, page_load=True)):
            yield update

    async def show_weeks(self, start: int) -> Any:
        """Show the page of weeks beginning at `start`."""
        self.week_start = max(0, start)
        return await self._load()

    async def go_to_week(self, week: str | int | None) -> Any:
        """Jump to week `week` (Today, the week selector, previous / next week)."""
        return await self._go_to(week, self.show_weeks)

    async def _go_to(self, week: str | int | None,
                     show: Callable[[int], Awaitable[Any]]) -> Any:
        """Scroll to week `week`, showing its page first (through `show`) if needed.

        A week before or after the plan's goes to its first or last week.
        """
        if not self.found or not self.week_total:
            return None
        try:
            index = max(0, min(int(week or 0), self.week_total - 1))
        except (TypeError, ValueError):
            return None
        start = page_of(index)
        shown = await show(start) if start != self.week_start else None
        return [event for event in (shown, scroll_to_week(index)) if event is not None]

    async def set_compare(self, value: str | list[str]) -> Any:
        """Compare with the generated plan or with the version last reviewed."""
        self.compare = "seen" if value == "seen" else "baseline"
        return await self._load()

    @rx.var
    def week_range(self) -> str:
        """Which weeks are on screen, e.g. "Weeks 17–32 of 52"."""
        last = min(self.week_start + WEEKS_PER_PAGE, self.week_total)
        return f"Weeks {self.week_start + 1}–{last} of {self.week_total}"

    async def _decide(self, decision: str, done: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        typed = await self.get_state(TypedState)
        try:
            await run_write(record_decision, actor, self.plan_id, decision=decision,
                            comment=typed.decision_note, context=self._context())
        except DomainError as error:
            return problem_toast(error)
        typed._clear("decision_note")
        await self._load()
        # At the top, where the status badge already says it: not over the decision box.
        return rx.toast.success(done.format(status=status_label(self.plan_status)),
                                position="top-center", duration=4000)

    async def accept(self) -> Any:
        """Accept plan → approved; the toast names the status the plan now has."""
        return await self._decide("accept", "Plan accepted — it is now {status}.")

    async def request_changes(self) -> Any:
        """Request changes (a note is required) → back to the coach."""
        typed = await self.get_state(TypedState)
        if not typed.decision_note.strip():
            return rx.toast.error("Say what should change before requesting changes.")
        return await self._decide("request_changes", "Sent back to your coach.")
