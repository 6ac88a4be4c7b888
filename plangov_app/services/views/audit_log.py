"""The audit browser: the filter form read as filters, a page of rows, the CSV export."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from db.models import AuditEvent
from plangov_app.services import audit
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.rbac import Actor

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000
FILTER_FIELDS = ("date_from", "date_to", "actor", "action", "target")


@dataclasses.dataclass
class AuditRow:
    """An audit event as the table shows it."""

    seq: str = ""
    time: str = ""
    actor: str = ""
    role: str = ""
    action: str = ""
    target: str = ""
    link: str = ""
    request: str = ""
    metadata: str = ""


@dataclasses.dataclass
class AuditPage:
    """A page of events, newest first, and the cursor (a seq) of the next, older page."""

    rows: list[AuditRow] = dataclasses.field(default_factory=list)
    next_seq: int = 0


@dataclasses.dataclass
class AuditExport:
    """The CSV of the matching events, how many it holds and whether more match."""

    data: str = ""
    written: int = 0
    more: bool = False


def _day(value: str, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD).") from None
    return datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time(), UTC)


def filters_of(values: dict[str, str]) -> audit.AuditFilter:
    """The form's filters; the actor stays as typed (an email or an id) for the service."""
    return audit.AuditFilter(date_from=_day(values["date_from"]),
                             date_to=_day(values["date_to"], end=True),
                             actor_id=values["actor"].strip() or None,
                             action=values["action"].strip() or None,
                             target_id=values["target"].strip() or None)


def _row(event: AuditEvent, emails: dict[str, str], athletes: dict[str, str]) -> AuditRow:
    metadata = json.loads(event.metadata_json or "{}")
    short = ", ".join(f"{k}={v}" for k, v in metadata.items() if v not in (None, "", []))
    link = ""
    if event.target_type == "plan" and event.target_id in athletes:
        link = f"/athletes/{athletes[event.target_id]}/history"
    return AuditRow(
        seq=str(event.seq), time=event.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
        actor=emails.get(event.actor_id or "", event.actor_id or "—"),
        role=event.actor_role or "—", action=event.action,
        target=f"{event.target_type or ''} {event.target_id or ''}".strip() or "—",
        link=link, request=(event.request_id or "")[:12], metadata=short[:160])


def audit_page(session: Session, actor: Actor, values: dict[str, str],
               before: int | None = None) -> AuditPage:
    """A page of the events matching the form's `values` (AUDIT_READ), before seq `before`."""
    page = audit.browse(session, actor, filters_of(values), before, PAGE_SIZE)
    return AuditPage(rows=[_row(e, page.emails, page.plan_athletes) for e in page.events],
                     next_seq=page.next_seq or 0)


def export(session: Session, actor: Actor, values: dict[str, str],
           context: RequestContext) -> AuditExport:
    """The matching events as the API's CSV (AUDIT_EXPORT), the export audited."""
    data, written, more = audit.export_csv(session, actor, filters_of(values), context,
                                           EXPORT_LIMIT, {k: v for k, v in values.items() if v})
    return AuditExport(data=data, written=written, more=more)
