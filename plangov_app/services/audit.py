"""The tamper-evident audit log (spec §2.3): append, browse, verify.

Each event's `hash` is SHA-256 over a canonical JSON encoding of its fields and the
previous event's hash, so altering, removing or reordering any event breaks the chain
from that point on. The database refuses UPDATE and DELETE on the table (triggers), and
appends are serialised (PostgreSQL advisory lock; SQLite BEGIN IMMEDIATE) so concurrent
writers never fork the chain.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from db.models import AuditEvent, Plan, User
from plangov_app.services import csv_cells, describing
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.rbac import Actor, Permission, authorize
from plangov_app.services.search import filter_text, utc_bound

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 7_236_411_903  # pg_advisory_xact_lock key for chain appends
MAX_PAGE_SIZE = 200
MAX_SEQ = 2**31 - 1  # `seq` is an INTEGER column
CSV_COLUMNS = ["seq", "occurred_at", "actor_id", "actor_role", "action", "target_type",
               "target_id", "request_id", "metadata_json", "origin_ip", "user_agent",
               "prev_hash", "hash", "description"]  # description: the event in words


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _hash_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "request_id": event.request_id,
        "metadata_json": event.metadata_json,
        "origin_ip": event.origin_ip,
        "user_agent": event.user_agent,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    """The hash `event` must carry, given its fields and `prev_hash`."""
    return hashlib.sha256(canonical_json(_hash_fields(event)).encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def record(
    session: Session,
    *,
    action: str,
    context: RequestContext,
    actor: Actor | None = None,
    actor_id: str | None = None,
    actor_role: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    _lock_chain(session)
    last = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event = AuditEvent(  # id and occurred_at (now, UTC) are the model's defaults
        seq=seq,
        actor_id=actor.user_id if actor else actor_id,
        actor_role=actor.role.value if actor else actor_role,
        action=action,
        target_type=target_type,
        target_id=target_id,
        request_id=context.request_id,
        metadata_json=canonical_json(_with_client_request_id(metadata, context)),
        origin_ip=context.origin_ip,
        user_agent=context.user_agent,
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


def _with_client_request_id(metadata: dict[str, Any] | None,
                            context: RequestContext) -> dict[str, Any]:
    """The event's metadata, plus the id the client sent (never used as `request_id`)."""
    client_id = context.client_request_id
    if not client_id:
        return metadata or {}
    return {**(metadata or {}), "client_request_id": client_id}


@dataclass(frozen=True)
class ChainReport:
    """The result of recomputing the chain."""

    checked: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""

    def sentence(self) -> str:
        """One line for people."""
        if self.ok:
            return f"Audit chain intact: {self.checked} events verified."
        return (
            f"Audit chain BROKEN at event #{self.broken_seq}: {self.reason} "
            f"({self.checked} events checked)."
        )


def verify_chain_for(session: Session, actor: Actor) -> ChainReport:
    """Verify the chain on behalf of `actor` (audit:read)."""
    authorize(actor, Permission.AUDIT_READ)
    return verify_chain(session)


def verify_chain(session: Session, batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first broken link."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).yield_per(batch_size)
    for event in rows:
        problem = _link_problem(event, expected_seq, expected_prev)
        if problem:
            return ChainReport(checked=checked, ok=False, broken_seq=event.seq, reason=problem)
        checked += 1
        expected_prev, expected_seq = event.hash, event.seq + 1
    return ChainReport(checked=checked, ok=True)


def _link_problem(event: AuditEvent, expected_seq: int, expected_prev: str) -> str:
    if event.seq != expected_seq:
        return f"expected event #{expected_seq} next, found #{event.seq} (events missing)"
    if event.prev_hash != expected_prev:
        return "its prev_hash does not match the previous event's hash"
    if compute_hash(event) != event.hash:
        return "its contents do not match its hash (altered)"
    return ""


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit browser (all optional).

    Checked when built: dates without a time zone are UTC, text holding NUL is a 422.
    `date_to` is exclusive; `action` matches a prefix, literally.
    """

    date_from: datetime | None = None
    date_to: datetime | None = None
    actor_id: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            object.__setattr__(self, name, utc_bound(getattr(self, name), name))
        for name in ("actor_id", "action", "target_type", "target_id"):
            object.__setattr__(self, name, filter_text(getattr(self, name), name))

    def described(self) -> dict[str, str]:
        """The set filters, as text (for the export's audit event)."""
        return {k: v.isoformat() if isinstance(v, datetime) else str(v)
                for k, v in self.__dict__.items() if v}


def _filtered(query: Any, filters: AuditFilter) -> Any:
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= filters.date_from)
    if filters.date_to:
        query = query.where(AuditEvent.occurred_at < filters.date_to)
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(col(AuditEvent.action).startswith(filters.action, autoescape=True))
    if filters.target_type:
        query = query.where(AuditEvent.target_type == filters.target_type)
    if filters.target_id:
        query = query.where(AuditEvent.target_id == filters.target_id)
    return query


def list_events(
    session: Session,
    actor: Actor,
    filters: AuditFilter,
    *,
    before_seq: int | None = None,
    limit: int = 50,
) -> tuple[list[AuditEvent], int | None]:
    """A page of events, newest first, and the cursor (a seq) for the next page."""
    authorize(actor, Permission.AUDIT_READ)
    if before_seq is not None and not 0 <= before_seq <= MAX_SEQ:
        raise InvalidInput("cursor: not a cursor this API returned.")
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = _filtered(select(AuditEvent), filters)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    rows = list(session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(limit + 1)))
    next_cursor = rows[limit - 1].seq if len(rows) > limit else None
    return rows[:limit], next_cursor


def iter_events(session: Session, actor: Actor, filters: AuditFilter) -> Iterator[AuditEvent]:
    """Every matching event, oldest first, streamed (for export)."""
    authorize(actor, Permission.AUDIT_EXPORT)
    query = _filtered(select(AuditEvent), filters).order_by(col(AuditEvent.seq))
    yield from session.exec(query).yield_per(1000)


# --- The audit browser ----------------------------------------------------------


def resolve_actor(session: Session, text: str) -> str | None:
    """The user id an actor filter names: a user's email (any case), else the text itself."""
    text = text.strip()
    if not text:
        return None
    found = session.exec(select(User.id).where(User.email == text.lower())).first()
    return found or text


def _resolved(session: Session, filters: AuditFilter) -> AuditFilter:
    return replace(filters, actor_id=resolve_actor(session, filters.actor_id or ""))


@dataclass(frozen=True)
class EventPage:
    """A page of the audit browser, with what its rows show besides the events."""

    events: list[AuditEvent]
    next_seq: int | None
    emails: dict[str, str]  # actor id -> email
    plan_athletes: dict[str, str]  # plan id -> athlete id, for plan events


def browse(session: Session, actor: Actor, filters: AuditFilter, before_seq: int | None = None,
           limit: int = 50) -> EventPage:
    """A page of events (as `list_events`; `filters.actor_id` may be an email)."""
    events, next_seq = list_events(session, actor, _resolved(session, filters),
                                   before_seq=before_seq, limit=limit)
    return EventPage(events=events, next_seq=next_seq, emails=_emails(session, events),
                     plan_athletes=_plan_athletes(session, events))


def _emails(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(col(User.id).in_(ids))).all())


def _plan_athletes(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    ids = {e.target_id for e in events if e.target_type == "plan" and e.target_id}
    if not ids:
        return {}
    return dict(session.exec(select(Plan.id, Plan.athlete_id).where(col(Plan.id).in_(ids))).all())


def record_export(session: Session, actor: Actor, filters: AuditFilter, context: RequestContext,
                  described: dict[str, str] | None = None) -> AuditEvent:
    """Check audit:export and audit the export itself.

    Call it once the export has been built (or its first chunk, when streamed): a failed
    export is not audited. The event's metadata is `described` (the filters as the user
    gave them) when given, else the set fields of `filters`.
    """
    authorize(actor, Permission.AUDIT_EXPORT)
    metadata = described if described is not None else filters.described()
    return record(session, action="audit.export", context=context, actor=actor,
                  target_type="audit_log", metadata=metadata)


def csv_chunks(events: Iterable[AuditEvent], *, columns: Sequence[str] = CSV_COLUMNS,
               chunk_bytes: int = 64_000) -> Iterator[str]:
    """Events as CSV text chunks: a header, then one row per event (the one row format).

    Every cell is neutralised (csv_cells).
    """
    buffer = io.StringIO()
    writer = csv_cells.writer(buffer)
    writer.writerow(columns)
    for event in events:
        writer.writerow([_cell(event, c) for c in columns])
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _cell(event: AuditEvent, column: str) -> Any:
    """A column of `event`; `description` is the event in words (as the audit page says it)."""
    if column != "description":
        return getattr(event, column)
    lines = describing.event_lines(json.loads(event.metadata_json))
    return "; ".join([describing.action_label(event.action), *lines])


def stream_csv(session: Session, actor: Actor, filters: AuditFilter, *,
               chunk_bytes: int = 64_000) -> Iterator[str]:
    """The matching events as CSV text chunks, oldest first (audit:export; not audited).

    Call `record_export` once the first chunk is built.
    """
    return csv_chunks(iter_events(session, actor, filters), chunk_bytes=chunk_bytes)


def export_csv(session: Session, actor: Actor, filters: AuditFilter, context: RequestContext,
               limit: int, described: dict[str, str] | None = None) -> tuple[str, int, bool]:
    """The matching events as CSV, oldest first, with the export audited once built.

    The same rows and columns as the API's export (`stream_csv`), at most `limit` events.
    Returns the CSV text, how many events it holds, and whether more match.
    `filters.actor_id` may be an email; `described` is as for `record_export`.
    """
    written = 0

    def counted(events: Iterator[AuditEvent]) -> Iterator[AuditEvent]:
        nonlocal written
        for event in islice(events, limit):
            written += 1
            yield event

    with closing(iter_events(session, actor, _resolved(session, filters))) as events:
        text = "".join(csv_chunks(counted(events)))
        more = next(events, None) is not None
    record_export(session, actor, filters, context, described)
    return text, written, more
