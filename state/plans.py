"""The plan list: Pending Plans for coaches, My Plans for athletes, Plans for support/admin."""

from __future__ import annotations

from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission
from plangov_app.services.views.plans_list import PAGE_SIZE, PlanRow, plans_list
from state.pager import CursorPager
from state.session import SignedIn, problem_toast, run_read


class PlansState(SignedIn, CursorPager, rx.State):
    """The list page's filters and a page of rows."""

    heading: str = "Plans"
    status_filter: str = "pending"
    search: str = ""
    sort: str = "waiting"  # waiting: longest waiting first | recent: newest first
    rows: list[PlanRow] = []
    total: int = 0
    as_cards: bool = False
    can_generate: bool = False

    async def load(self) -> Any:
        """on_load: check plan:view and fetch."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        return await self._first_page()

    async def _fetch(self, cursor: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        read = partial(plans_list, status_filter=self.status_filter, search=self.search,
                       sort=self.sort, cursor=cursor or None)
        try:
            page = await run_read(read, actor)
        except DomainError as error:
            return problem_toast(error)
        self.heading, self.status_filter = page.heading, page.status_filter
        self.rows, self.total, self.as_cards = page.rows, page.total, page.as_cards
        self.can_generate = page.can_generate
        return page.next_cursor

    @rx.var
    def page_label(self) -> str:
        """Which plans are on screen, e.g. "1–20 of 25"."""
        if self.loading:
            return "Loading…"
        if not self.total or not self.rows:
            return ""
        first = len(self.cursors) * PAGE_SIZE + 1
        return f"{first}–{first + len(self.rows) - 1} of {self.total}"

    async def set_status_filter(self, value: str) -> Any:
        """Filter by status (pending = awaiting the coach)."""
        self.status_filter = value
        return await self._first_page()

    async def set_search(self, value: str) -> Any:
        """Search by athlete."""
        self.search = value[:100]
        return await self._first_page()

    async def toggle_sort(self) -> Any:
        """Longest waiting first, or most recently updated first."""
        self.sort = "recent" if self.sort == "waiting" else "waiting"
        return await self._first_page()
