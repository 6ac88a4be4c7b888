"""The one way the UI pages a list: opaque cursors, Previous and Next."""

from __future__ import annotations

from typing import Any

import reflex as rx


class CursorPager(rx.State, mixin=True):
    """Cursor pages for a list state (mix in; define `_fetch`).

    `_fetch(cursor)` shows the page starting at `cursor` ("" for the first) and returns
    the next page's cursor ("" when it is the last), or an event (an error) to show
    instead.
    """

    cursors: list[str] = []  # the cursor of each page visited after the first
    next_cursor: str = ""
    loading: bool = False

    async def _fetch(self, cursor: str) -> Any:
        raise NotImplementedError

    async def _page(self, cursor: str) -> Any:
        self.loading = True
        result = await self._fetch(cursor)
        self.loading = False
        if isinstance(result, str):
            self.next_cursor = result
            return None
        return result

    async def _first_page(self) -> Any:
        self.cursors = []
        return await self._page("")

    async def next_page(self) -> Any:
        """The next page."""
        if not self.next_cursor:
            return None
        self.cursors = [*self.cursors, self.next_cursor]
        return await self._page(self.next_cursor)

    async def previous_page(self) -> Any:
        """The previous page."""
        self.cursors = self.cursors[:-1]
        return await self._page(self.cursors[-1] if self.cursors else "")

    @rx.var
    def has_previous(self) -> bool:
        """Whether a previous page exists."""
        return len(self.cursors) > 0

    @rx.var
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.next_cursor != ""
