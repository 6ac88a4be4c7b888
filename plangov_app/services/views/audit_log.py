"""The audit browser: filters as the boxes show them, rows in words, an event in full, CSV."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from db.models import AuditEvent, Plan, PlanVersion, User
from plangov_app.services import audit, describing, versions
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput, NotFound
from plangov_app.services.rbac import Actor, Permission, authorize, can
from plangov_app.services.versions import document_of

PAGE_SIZE = 25
MAX_CHANGES = 300  # changes listed for one event (the rest are counted)
EXPORT_LIMIT = 50_000
FILTER_FIELDS = ("date_from", "date_to", "actor", "action", "target")


@dataclasses.dataclass
class AuditRow:
    """An audit event as the table shows it, in words (`action` stays the filterable code)."""

    seq: str = ""
    time: str = ""
    actor: str = ""
    role: str = ""
    action: str = ""
    action_label: str = ""
    target: str = ""
    link: str = ""
    request: str = ""
    details: str = ""


@dataclasses.dataclass
class EventDetail:
    """One event expanded: who, when, from where, what it changed and why, in words.

    `link` is set only when the reader may open the plan's history themselves.
    """

    seq: str = ""
    title: str = ""
    facts: list[str] = dataclasses.field(default_factory=list)
    lines: list[str] = dataclasses.field(default_factory=list)
    changes: list[str] = dataclasses.field(default_factory=list)
    more_changes: int = 0
    target_id: str = ""
    link: str = ""


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


def _day(value: str, zone: str, *, end: bool = False) -> datetime | None:
    """The start of day `value` (or of the day after, `end`) in the reader's zone, in UTC."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD).") from None
    start = datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time(),
                             describing.zone_info(zone))
    return start.astimezone(UTC)


def filters_of(values: dict[str, str], zone: str = "") -> audit.AuditFilter:
    """The form's filters; the actor stays as typed (an email or an id) for the service.

    The From/To days are days in the reader's `zone` (the one the rows' times are shown in).
    """
    return audit.AuditFilter(date_from=_day(values["date_from"], zone),
                             date_to=_day(values["date_to"], zone, end=True),
                             actor_id=values["actor"].strip() or None,
                             action=values["action"].strip() or None,
                             target_id=values["target"].strip() or None)


@dataclasses.dataclass(frozen=True)
class _Targets:
    """What the rows name besides the events: actors' emails, plans in words, links."""

    emails: dict[str, str]
    plans: dict[str, tuple[str, str]]  # plan id -> (athlete id, "Plan of … from …")
    users: dict[str, str]  # user id -> "Name (email)"


def _targets(session: Session, events: list[AuditEvent], emails: dict[str, str]) -> _Targets:
    def ids(kind: str) -> set[str]:
        return {e.target_id for e in events if e.target_type == kind and e.target_id}

    users = ids("user") | ids("athlete")
    named = session.exec(select(User.id, User.display_name, User.email)
                         .where(col(User.id).in_(users))).all() if users else []
    return _Targets(emails=emails, plans=_plans(session, ids("plan")),
                    users={uid: f"{name} ({email})" for uid, name, email in named})


def _plans(session: Session, plan_ids: set[str]) -> dict[str, tuple[str, str]]:
    if not plan_ids:
        return {}
    rows = session.exec(select(Plan.id, Plan.athlete_id, Plan.start_date, User.display_name)
                        .join(User, col(User.id) == Plan.athlete_id)
                        .where(col(Plan.id).in_(plan_ids))).all()
    return {pid: (athlete, f"Plan of {name} from {start:%d %b %Y}")
            for pid, athlete, start, name in rows}


def _target(event: AuditEvent, targets: _Targets) -> str:
    if event.target_type == "plan" and event.target_id in targets.plans:
        return targets.plans[event.target_id][1]
    if event.target_type in ("user", "athlete") and event.target_id in targets.users:
        return targets.users[event.target_id]
    if event.target_type in ("audit_log", "system"):
        return {"audit_log": "The audit log", "system": "The system"}[event.target_type]
    words = f"{(event.target_type or '').capitalize()} {event.target_id or ''}".strip()
    return words or "—"


def _link(actor: Actor, event: AuditEvent, targets: _Targets) -> str:
    """Plan History of the event's plan, only for a reader who may open it."""
    if event.target_type != "plan" or event.target_id not in targets.plans:
        return ""
    athlete_id = targets.plans[event.target_id][0]
    return f"/athletes/{athlete_id}/history" if can(actor, Permission.PLAN_VIEW, athlete_id) \
        else ""


def _row(actor: Actor, event: AuditEvent, targets: _Targets) -> AuditRow:
    metadata = json.loads(event.metadata_json or "{}")
    return AuditRow(
        seq=str(event.seq), time=describing.moment(event.occurred_at, actor.time_zone),
        actor=targets.emails.get(event.actor_id or "", event.actor_id or "—"),
        role=event.actor_role or "—", action=event.action,
        action_label=describing.action_label(event.action),
        target=_target(event, targets), link=_link(actor, event, targets),
        request=(event.request_id or "")[:12],
        details=" · ".join(describing.event_lines(metadata)))


def audit_page(session: Session, actor: Actor, values: dict[str, str],
               before: int | None = None) -> AuditPage:
    """A page of the events matching the form's `values` (AUDIT_READ), before seq `before`."""
    page = audit.browse(session, actor, filters_of(values, actor.time_zone), before, PAGE_SIZE)
    targets = _targets(session, page.events, page.emails)
    return AuditPage(rows=[_row(actor, e, targets) for e in page.events],
                     next_seq=page.next_seq or 0)


def event_detail(session: Session, actor: Actor, seq: int) -> EventDetail:
    """Event `seq` in full and in words (AUDIT_READ: the change it records is its content)."""
    authorize(actor, Permission.AUDIT_READ)
    event = session.exec(select(AuditEvent).where(AuditEvent.seq == seq)).first()
    if event is None:
        raise NotFound(f"No audit event #{seq}.")
    metadata = json.loads(event.metadata_json or "{}")
    targets = _targets(session, [event], {})
    version = _version(session, event, metadata)
    changes = _changes(session, version)
    return EventDetail(
        seq=str(event.seq), title=f"Event #{event.seq} · {describing.action_label(event.action)}",
        facts=_facts(session, event, _target(event, targets), actor.time_zone),
        lines=[*describing.event_lines(metadata), *_rationale(version)],
        changes=changes[:MAX_CHANGES], more_changes=max(0, len(changes) - MAX_CHANGES),
        target_id=event.target_id or "", link=_link(actor, event, targets))


def _facts(session: Session, event: AuditEvent, target: str, zone: str) -> list[str]:
    person = session.get(User, event.actor_id) if event.actor_id else None
    who = (f"{person.display_name} ({person.email}), {event.actor_role or person.role}"
           if person else event.actor_role or "the system")
    where = event.origin_ip or "no address recorded"
    return [f"Who: {who}", f"When: {describing.moment(event.occurred_at, zone)}",
            f"From: {where}", f"Client: {event.user_agent or 'not recorded'}",
            f"What: {event.action}", f"Target: {target}",
            f"Request: {event.request_id or 'not recorded'}"]


def _version(session: Session, event: AuditEvent,
             metadata: dict[str, Any]) -> PlanVersion | None:
    version_id = metadata.get("version_id")
    if event.target_type != "plan" or not isinstance(version_id, str):
        return None
    version = session.get(PlanVersion, version_id)
    return version if version is not None and version.plan_id == event.target_id else None


def _rationale(version: PlanVersion | None) -> list[str]:
    return [f"Rationale: “{version.rationale}”"] if version and version.rationale else []


def _changes(session: Session, version: PlanVersion | None) -> list[str]:
    """The version's stored changes in words, named from it and its parent."""
    if version is None or version.parent_version_id is None:
        return []
    stored = [c for c in versions.changes_of(session, version.id)
              if c.field_path != "status"]  # the event's own lines say the status
    if not stored:
        return []
    parent = session.get(PlanVersion, version.parent_version_id)
    before = document_of(parent) if parent is not None else None
    after = document_of(version)
    return [describing.describe_change(describing.stored_change(
        field_path=c.field_path, change_type=c.change_type, old_value=c.old_value,
        new_value=c.new_value, session_id=c.session_id, item_id=c.item_id), before, after)
        for c in stored]


def export(session: Session, actor: Actor, values: dict[str, str],
           context: RequestContext) -> AuditExport:
    """The matching events as the API's CSV (AUDIT_EXPORT, times in UTC), the export audited.

    The filters are recorded as typed, with the zone their From/To days were read in.
    """
    described = {k: v for k, v in values.items() if v}
    if actor.time_zone and (values["date_from"] or values["date_to"]):
        described["time_zone"] = actor.time_zone
    data, written, more = audit.export_csv(session, actor, filters_of(values, actor.time_zone),
                                           context, EXPORT_LIMIT, described)
    return AuditExport(data=data, written=written, more=more)
