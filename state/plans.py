"""The plan list: Pending Plans for coaches, My Plans for athletes, Plans for support/admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from plangov_app.services import plans, status
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Actor, Permission, Role
from state.session import SessionState, problem_toast, run_read

PAGE_SIZE = 20


def _waiting(since: datetime) -> str:
    hours = (datetime.now(UTC) - since).total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"


def _rows(session: Session, actor: Actor, statuses: tuple[str, ...], search: str,
          sort: str, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
    headers, next_cursor = plans.list_plans(session, actor, plans.PlanQuery(
        statuses=statuses, search=search, sort=sort, cursor=cursor, limit=PAGE_SIZE))
    link = "/plans/{}/review" if actor.role is Role.ATHLETE else "/plans/{}"
    return [{"id": h.plan.id, "athlete": h.athlete_name, "sport": h.sport, "level": h.level,
             "status": h.plan.status, "waiting": _waiting(h.plan.updated_at),
             "algorithm": h.plan.algorithm_version, "weeks": str(h.plan.weeks),
             "start": h.plan.start_date.strftime("%d %b %Y"),
             "comments": str(h.open_comments), "link": link.format(h.plan.id)}
            for h in headers], next_cursor


class PlansState(SessionState):
    """The list page's filters and rows."""

    status_filter: str = "pending"
    search: str = ""
    sort: str = "waiting"  # waiting: longest waiting first | recent: newest first
    rows: list[dict[str, str]] = []
    cursors: list[str] = []
    next_cursor: str = ""
    loading: bool = False

    async def load(self) -> Any:
        """on_load: check plan:view and fetch."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        if actor.role is not Role.COACH and self.status_filter == "pending":
            self.status_filter = "all"
        self.cursors = []
        return await self._fetch(actor, None)

    async def _fetch(self, actor: Actor | None, cursor: str | None) -> Any:
        actor = actor or await self._actor()
        if actor is None:
            return rx.redirect("/login")
        if self.status_filter == "pending":
            statuses: tuple[str, ...] = status.PENDING_COACH
        elif self.status_filter == "all":
            statuses = ()
        else:
            statuses = (self.status_filter,)
        self.loading = True
        try:
            self.rows, nxt = await run_read(_rows, actor, statuses, self.search, self.sort,
                                            cursor)
        except DomainError as error:
            self.loading = False
            return problem_toast(error)
        self.next_cursor, self.loading = nxt or "", False
        return None

    async def set_status_filter(self, value: str) -> Any:
        """Filter by status (pending = awaiting the coach)."""
        self.status_filter, self.cursors = value, []
        return await self._fetch(None, None)

    async def set_search(self, value: str) -> Any:
        """Search by athlete."""
        self.search, self.cursors = value[:100], []
        return await self._fetch(None, None)

    async def toggle_sort(self) -> Any:
        """Longest waiting first, or most recently updated first."""
        self.sort, self.cursors = ("recent" if self.sort == "waiting" else "waiting"), []
        return await self._fetch(None, None)

    async def next_page(self) -> Any:
        """Next page."""
        if not self.next_cursor:
            return None
        self.cursors = [*self.cursors, self.next_cursor]
        return await self._fetch(None, self.next_cursor)

    async def previous_page(self) -> Any:
        """Previous page."""
        self.cursors = self.cursors[:-1]
        return await self._fetch(None, self.cursors[-1] if self.cursors else None)

    @rx.var
    def heading(self) -> str:
        """Pending Plans / My Plans / Plans."""
        return {"coach": "Pending Plans", "athlete": "My Plans"}.get(self.user_role, "Plans")
