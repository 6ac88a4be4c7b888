"""The audit browser: filters, cursor pages, chain verification, CSV download."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import reflex as rx
from sqlmodel import Session, col, select

from db.models import AuditEvent, Plan, User
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


def _actor_id(session: Session, text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    found = session.exec(select(User.id).where(User.email == text.lower())).first()
    return found or text


def _filters(session: Session, values: dict[str, str]) -> audit.AuditFilter:
    return audit.AuditFilter(date_from=_day(values["date_from"]),
                             date_to=_day(values["date_to"], end=True),
                             actor_id=_actor_id(session, values["actor"]),
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


def _page(session: Session, actor: Actor, values: dict[str, str],
          before: int | None) -> tuple[list[dict[str, str]], int | None]:
    events, next_seq = audit.list_events(session, actor, _filters(session, values),
                                         before_seq=before, limit=PAGE_SIZE)
    ids = {e.actor_id for e in events if e.actor_id}
    emails = dict(session.exec(select(User.id, User.email).where(User.id.in_(ids))).all()) \
        if ids else {}
    plan_ids = {e.target_id for e in events if e.target_type == "plan" and e.target_id}
    athletes = dict(session.exec(select(Plan.id, Plan.athlete_id).where(
        col(Plan.id).in_(plan_ids))).all()) if plan_ids else {}
    return [_row(e, emails, athletes) for e in events], next_seq


def _csv(session: Session, actor: Actor, values: dict[str, str], context: Any
         ) -> tuple[str, int, bool]:
    """The matching events as CSV (at most EXPORT_LIMIT), how many, and whether more match."""
    filters = _filters(session, values)
    audit.record(session, action="audit.export", context=context, actor=actor,
                 target_type="audit_log", metadata={k: v for k, v in values.items() if v})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["seq", "occurred_at", "actor_id", "actor_role", "action", "target_type",
                     "target_id", "request_id", "metadata_json", "origin_ip", "prev_hash",
                     "hash"])
    written, more = 0, False
    for e in audit.iter_events(session, actor, filters):
        if written >= EXPORT_LIMIT:
            more = True
            break
        written += 1
        writer.writerow([e.seq, e.occurred_at.isoformat(), e.actor_id, e.actor_role, e.action,
                         e.target_type, e.target_id, e.request_id, e.metadata_json,
                         e.origin_ip, e.prev_hash, e.hash])
    return buffer.getvalue(), written, more


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
            rows, next_seq = await run_read(_page, actor, self._values(), before)
        except DomainError as error:
            self.loading = False
            return problem_toast(error)
        self.rows, self.next_seq, self.loading = rows, next_seq or 0, False
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
        try:
            data, written, more = await run_write(_csv, actor, self._values(),
                                                  self._context())
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
