"""The audit browser: filters, cursor pages, chain verification, CSV download."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import reflex as rx

from db.models import AuditEvent
from plangov_app.services import audit
from plangov_app.services.errors import DomainError, InvalidInput
from plangov_app.services.rbac import Actor, Permission
from state.session import SessionState, problem_toast, run_read, run_write

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000


def _day(value: str, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD).") from None
    return datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time(), UTC)


def _filters(values: dict[str, str]) -> audit.AuditFilter:
    """The form's filters; the actor stays as typed (an email or an id) for the service."""
    return audit.AuditFilter(date_from=_day(values["date_from"]),
                             date_to=_day(values["date_to"], end=True),
                             actor_id=values["actor"].strip() or None,
                             action=values["action"].strip() or None,
                             target_id=values["target"].strip() or None)


def _row(event: AuditEvent, emails: dict[str, str],
         athletes: dict[str, str]) -> dict[str, str]:
    metadata = json.loads(event.metadata_json or "{}")
    short = ", ".join(f"{k}={v}" for k, v in metadata.items() if v not in (None, "", []))
    link = ""
    if event.target_type == "plan" and event.target_id in athletes:
        link = f"/athletes/{athletes[event.target_id]}/history"
    return {"seq": str(event.seq),
            "time": event.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            "actor": emails.get(event.actor_id or "", event.actor_id or "—"),
            "role": event.actor_role or "—", "action": event.action,
            "target": f"{event.target_type or ''} {event.target_id or ''}".strip() or "—",
            "link": link, "request": (event.request_id or "")[:12],
            "metadata": short[:160]}


class AuditState(SessionState):
    """Filters, the current page and the chain check."""

    date_from: str = ""
    date_to: str = ""
    actor: str = ""
    action: str = ""
    target: str = ""
    rows: list[dict[str, str]] = []
    cursors: list[int] = []  # the `before` of each page visited (for Previous)
    next_seq: int = 0
    loading: bool = False
    verify_message: str = ""
    verify_ok: bool = True

    def _values(self) -> dict[str, str]:
        return {"date_from": self.date_from, "date_to": self.date_to, "actor": self.actor,
                "action": self.action, "target": self.target}

    async def load(self) -> Any:
        """on_load: check audit:read, read filters from the URL, fetch page one."""
        actor, redirect = await self._require(Permission.AUDIT_READ)
        if redirect or actor is None:
            return redirect
        params = self.router.url.query_parameters
        self.target = params.get("target", self.target)
        self.verify_message, self.cursors = "", []
        return await self._fetch(actor, None)

    async def _fetch(self, actor: Actor | None, before: int | None) -> Any:
        actor = actor or await self._actor()
        if actor is None:
            return rx.redirect("/login")
        self.loading = True
        try:
            page = await run_read(audit.browse, actor, _filters(self._values()), before,
                                  PAGE_SIZE)
        except DomainError as error:
            self.loading = False
            return problem_toast(error)
        self.rows = [_row(e, page.emails, page.plan_athletes) for e in page.events]
        self.next_seq, self.loading = page.next_seq or 0, False
        return None

    async def apply(self, form: dict[str, Any]) -> Any:
        """Apply the filter form."""
        for key in ("date_from", "date_to", "actor", "action", "target"):
            setattr(self, key, str(form.get(key, "") or "")[:254])
        self.cursors = []
        return await self._fetch(None, None)

    async def clear(self) -> Any:
        """Drop every filter."""
        self.date_from = self.date_to = self.actor = self.action = self.target = ""
        self.cursors = []
        return await self._fetch(None, None)

    async def older(self) -> Any:
        """The next (older) page."""
        if not self.next_seq:
            return None
        self.cursors = [*self.cursors, self.next_seq]
        return await self._fetch(None, self.next_seq)

    async def newer(self) -> Any:
        """The previous (newer) page."""
        self.cursors = self.cursors[:-1]
        return await self._fetch(None, self.cursors[-1] if self.cursors else None)

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
        """Download the matching events as CSV (audit:export)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        values = self._values()
        try:
            data, written, more = await run_write(
                audit.export_csv, actor, _filters(values), self._context(), EXPORT_LIMIT,
                {k: v for k, v in values.items() if v})
        except DomainError as error:
            return problem_toast(error)
        note = (rx.toast.warning(f"Exported the first {written:,} matching events; narrow the "
                                 "dates or use GET /api/v1/audit/export for all of them.",
                                 duration=15000) if more
                else rx.toast.success(f"Exported {written:,} events."))
        return [rx.download(data=data, filename="plangov-audit.csv"), note]

    @rx.var
    def has_newer(self) -> bool:
        """Whether a newer page exists."""
        return len(self.cursors) > 0

    @rx.var
    def has_older(self) -> bool:
        """Whether an older page exists."""
        return self.next_seq > 0
