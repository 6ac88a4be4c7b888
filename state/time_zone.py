"""The Time zone dialog of the user menu: find a zone by typing, choose it, save it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from plangov_app.services import describing, time_zones, users
from plangov_app.services.errors import DomainError
from plangov_app.services.time_zones import ZoneChoice
from state.session import SignedIn, problem_toast, run_write


class TimeZoneState(SignedIn, rx.State):
    """What the dialog shows: the search text, its matches and the zone chosen."""

    is_open: bool = False
    query: str = ""
    matches: list[ZoneChoice] = []
    total: int = 0
    choice: str = ""
    current: str = ""

    def _search(self) -> None:
        """The matches of `query`; the choice follows the best match when it drops out."""
        self.matches, self.total = time_zones.search(self.query, now=datetime.now(UTC),
                                                     current=self.current)
        if self.choice not in {m.name for m in self.matches}:
            self.choice = self.matches[0].name if self.matches else ""

    async def open_dialog(self) -> Any:
        """Open the dialog on the zone the user reads times in now."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        self.current = describing.zone_label(actor.time_zone)
        self.query, self.choice = "", self.current
        self._search()
        self.is_open = True
        return None

    def set_open(self, value: bool) -> None:
        """Open or close the dialog (Escape, Cancel, outside click)."""
        self.is_open = value

    def set_query(self, value: str) -> None:
        """Narrow the list to the zones matching what was typed ("Oslo", "new york")."""
        self.query = value[:64]
        self._search()

    def choose(self, value: str) -> None:
        """Choose a zone from the list."""
        self.choice = value

    async def save(self, _form: dict[str, Any] | None = None) -> Any:
        """Store the chosen zone (audited), then show the page again in it."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        if not self.choice:
            return rx.toast.error("Choose a time zone from the list first.", duration=6000)
        try:
            stored = await run_write(users.set_time_zone, actor, zone=self.choice,
                                     context=self._context())
        except DomainError as error:
            return problem_toast(error)
        (await self._session()).time_zone = stored
        self.is_open = False
        url = self.router.url
        return [rx.toast.success(f"Times are now shown in {stored}."),
                rx.redirect(url.path + (f"?{url.query}" if url.query else ""), replace=True)]
