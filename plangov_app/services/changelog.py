"""A plan's change log: every field change with its version, author and reasons.

Served as pages (keyset cursor) or streamed as CSV in constant memory however long.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, or_, type_coerce
from sqlmodel import Session, col, select

from db.models import AuditEvent, PlanVersion, PlanVersionChange, User
from plangov_app.services import audit, csv_cells, describing
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans.lookup import get_plan
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.search import filter_text, utc_bound
from plangov_app.services.versions import document_of

CHANGE_TYPES = ("added", "removed", "modified", "moved")
MAX_PAGE_SIZE = 500
#: the stored columns, then `description`: the change in words (services/describing.py)
STORED_COLUMNS = ("version_number", "version_id", "created_at", "author_id", "author_name",
                  "author_role", "change_type", "field_path", "session_id", "item_id",
                  "old_value", "new_value", "reason_codes", "rationale")
CSV_COLUMNS = (*STORED_COLUMNS, "description")
_CURSOR = re.compile(r"([0-9]{1,9})\|([0-9a-f-]{1,36})")


@dataclass(frozen=True)
class ChangelogFilter:
    """Filters of the change log (all optional).

    Checked when built: dates without a time zone are UTC (`date_to` is exclusive), text
    holding NUL is a 422.
    """

    date_from: datetime | None = None
    date_to: datetime | None = None
    user_id: str | None = None
    change_type: str | None = None

    def __post_init__(self) -> None:
        if self.change_type and self.change_type not in CHANGE_TYPES:
            raise InvalidInput(f"change_type: use one of {', '.join(CHANGE_TYPES)}.")
        for name in ("date_from", "date_to"):
            object.__setattr__(self, name, utc_bound(getattr(self, name), name))
        object.__setattr__(self, "user_id", filter_text(self.user_id, "user"))

    def described(self) -> dict[str, str]:
        """The set filters, as text (for the export's audit event)."""
        return {k: v.isoformat() if isinstance(v, datetime) else str(v)
                for k, v in self.__dict__.items() if v}


def _columns(raw_times: bool = False) -> tuple[Any, ...]:
    # For CSV, timestamps pass through as the database renders them (no per-row parsing).
    created = type_coerce(PlanVersion.created_at, String) if raw_times else PlanVersion.created_at
    return (PlanVersion.version_number, PlanVersion.id, created,
            PlanVersion.author_id, User.display_name, PlanVersion.author_role,
            PlanVersionChange.change_type, PlanVersionChange.field_path,
            PlanVersionChange.session_id, PlanVersionChange.item_id,
            PlanVersionChange.old_value, PlanVersionChange.new_value,
            PlanVersionChange.reason_codes_json, PlanVersion.rationale, PlanVersionChange.id)


def _query(plan_id: str, filters: ChangelogFilter, *, raw_times: bool = False) -> Any:
    stmt = (select(*_columns(raw_times))
            .join(PlanVersion, PlanVersion.id == PlanVersionChange.version_id)
            .join(User, User.id == PlanVersion.author_id, isouter=True)
            .where(PlanVersion.plan_id == plan_id))
    if filters.date_from:
        stmt = stmt.where(PlanVersion.created_at >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(PlanVersion.created_at < filters.date_to)
    if filters.user_id:
        stmt = stmt.where(PlanVersion.author_id == filters.user_id)
    if filters.change_type:
        stmt = stmt.where(PlanVersionChange.change_type == filters.change_type)
    return stmt


class _Describer:
    """Describes a version's stored changes, keeping only that version's documents loaded."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._version_id = ""
        self._documents: tuple[PlanDocument | None, PlanDocument | None] = (None, None)

    def _load(self, version_id: str) -> tuple[PlanDocument | None, PlanDocument | None]:
        if version_id != self._version_id:
            version = self._session.get(PlanVersion, version_id)
            parent = (self._session.get(PlanVersion, version.parent_version_id)
                      if version is not None and version.parent_version_id else None)
            self._version_id = version_id
            self._documents = (document_of(parent) if parent else None,
                               document_of(version) if version else None)
        return self._documents

    def __call__(self, row: Any) -> str:
        """The words of one stored row of `_columns` (values as JSON text)."""
        values = dict(zip(STORED_COLUMNS, row, strict=False))
        before, after = self._load(values["version_id"])
        return describing.describe_change(describing.stored_change(
            field_path=values["field_path"], change_type=values["change_type"],
            old_value=values["old_value"], new_value=values["new_value"],
            session_id=values["session_id"], item_id=values["item_id"]), before, after)


def _entry(row: Any, describe: _Describer) -> dict[str, Any]:
    values: dict[str, Any] = dict(zip(STORED_COLUMNS, row[:-1], strict=True))
    values["id"] = row[-1]
    values["description"] = describe(row)
    for key in ("old_value", "new_value"):
        values[key] = json.loads(values[key]) if values[key] is not None else None
    values["reason_codes"] = json.loads(values["reason_codes"] or "[]")
    return values


def page(session: Session, actor: Actor, plan_id: str, filters: ChangelogFilter, *,
         cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:
    """Newest version first; within a version, by change id."""
    get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    stmt = _query(plan_id, filters)
    if cursor:
        number, change_id = _decode(cursor)
        stmt = stmt.where(or_(col(PlanVersion.version_number) < number,
                              and_(col(PlanVersion.version_number) == number,
                                   col(PlanVersionChange.id) > change_id)))
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = list(session.exec(stmt.order_by(col(PlanVersion.version_number).desc(),
                                           col(PlanVersionChange.id)).limit(limit + 1)))
    describe = _Describer(session)
    entries = [_entry(r, describe) for r in rows[:limit]]
    next_cursor = _encode(entries[-1]["version_number"], entries[-1]["id"]) \
        if len(rows) > limit else None
    return entries, next_cursor


def _encode(number: int, change_id: str) -> str:
    return base64.urlsafe_b64encode(f"{number}|{change_id}".encode()).decode()


def _decode(cursor: str) -> tuple[int, str]:
    """`(version_number, change_id)` from a cursor `_encode` made; anything else is a 422."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, ValueError):
        text = ""
    found = _CURSOR.fullmatch(text)
    if found is None:
        raise InvalidInput("cursor: not a cursor this API returned.")
    return int(found.group(1)), found.group(2)


def authorize_export(session: Session, actor: Actor, plan_id: str) -> None:
    """Check, before streaming starts, that the actor may read this plan's log."""
    get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)


def record_export(session: Session, actor: Actor, plan_id: str, filters: ChangelogFilter,
                  context: RequestContext) -> AuditEvent:
    """Audit an export of the plan's change log (`plan.changelog_export`, with the filters).

    Call it once the export has been built (or its first chunk, when streamed).
    """
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    return audit.record(session, action="plan.changelog_export", context=context, actor=actor,
                        target_type="plan", target_id=plan.id,
                        metadata={"format": "csv", **filters.described()})


def export_csv(session: Session, actor: Actor, plan_id: str, filters: ChangelogFilter,
               context: RequestContext) -> str:
    """The whole change log as CSV text (for the UI's download), audited once built."""
    authorize_export(session, actor, plan_id)
    data = "".join(stream_csv(session, plan_id, filters))
    record_export(session, actor, plan_id, filters, context)
    return data


def stream_csv(session: Session, plan_id: str, filters: ChangelogFilter,
               chunk_bytes: int = 256_000) -> Iterator[str]:
    """CSV text chunks, oldest version first; memory stays flat (server-side cursor).

    Call `authorize_export` first: this generator runs after the response has started.
    """
    buffer = io.StringIO()
    writer = csv_cells.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    stmt = _query(plan_id, filters, raw_times=True).order_by(col(PlanVersion.version_number),
                                             col(PlanVersionChange.id))
    describe = _Describer(session)
    result = session.connection().execute(stmt, execution_options={"yield_per": 5000})
    for rows in result.partitions():
        writer.writerows((*row[:-1], describe(row)) for row in rows)
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
