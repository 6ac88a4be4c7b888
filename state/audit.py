"""The audit browser: filters, cursor pages, chain verification, CSV download."""

from __future__ import annotations

from typing import Any

import reflex as rx

from plangov_app.services import audit
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission
from plangov_app.services.views.audit_log import (
    FILTER_FIELDS,
    AuditRow,
    EventDetail,
    audit_page,
    event_detail,
    export,
)
from state.pager import CursorPager
from state.session import SignedIn, problem_toast, run_read, run_write


class AuditState(SignedIn, CursorPager, rx.State):
    """Filters, the current page and the chain check."""

    date_from: str = ""
    date_to: str = ""
    actor: str = ""
    action: str = ""
    target: str = ""
    rows: list[AuditRow] = []
    detail: EventDetail = EventDetail()
    detail_open: bool = False
    verify_message: str = ""
    verify_ok: bool = True

    def _values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_FIELDS}

    async def load(self) -> Any:
        """on_load: check audit:read, read filters from the URL, fetch page one."""
        actor, redirect = await self._require(Permission.AUDIT_READ)
        if redirect or actor is None:
            return redirect
        self.target = self.router.url.query_parameters.get("target", self.target)
        self.verify_message = ""
        return await self._first_page()

    async def _fetch(self, cursor: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            page = await run_read(audit_page, actor, self._values(),
                                  int(cursor) if cursor else None)
        except DomainError as error:
            return problem_toast(error)
        self.rows = page.rows
        return str(page.next_seq) if page.next_seq else ""

    async def apply(self, form: dict[str, Any]) -> Any:
        """Apply the filter form."""
        for key in FILTER_FIELDS:
            setattr(self, key, str(form.get(key, "") or "")[:254])
        return await self._first_page()

    async def clear(self) -> Any:
        """Drop every filter and empty every box, so what is filtered is what they show."""
        for key in FILTER_FIELDS:
            setattr(self, key, "")
        emptied = [rx.set_value(f"audit-{key}", "") for key in FILTER_FIELDS]
        failed = await self._first_page()
        return [*emptied, failed] if failed is not None else emptied

    async def show_event(self, seq: str) -> Any:
        """Expand event `seq` into its full change, in words."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            self.detail = await run_read(event_detail, actor, int(seq))
        except DomainError as error:
            return problem_toast(error)
        self.detail_open = True
        return None

    def set_detail_open(self, open_: bool) -> None:
        """Open or close the event's dialog."""
        self.detail_open = open_

    async def only_target(self) -> Any:
        """Filter by the expanded event's target."""
        self.target, self.detail_open = self.detail.target_id, False
        failed = await self._first_page()
        shown = rx.set_value("audit-target", self.target)
        return [shown, failed] if failed is not None else shown

    async def verify(self) -> Any:
        """Recompute the whole hash chain."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            report = await run_read(audit.verify_chain_for, actor)
        except DomainError as error:
            return problem_toast(error)
        self.verify_ok, self.verify_message = report.ok, report.sentence()
        return None

    async def export(self) -> Any:
        """Download the matching events as CSV (audit:export; the API's columns)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            done = await run_write(export, actor, self._values(), self._context())
        except DomainError as error:
            return problem_toast(error)
        note = (rx.toast.warning(f"Exported the first {done.written:,} matching events; narrow "
                                 "the dates or use GET /api/v1/audit/export for all of them.",
                                 duration=15000) if done.more
                else rx.toast.success(f"Exported {done.written:,} events."))
        return [rx.download(data=done.data, filename="plangov-audit.csv"), note]
