"""The audit log: browse with filters, verify the chain, export CSV."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from db.models import AuditEvent
from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.exports import audited_csv
from plangov_app.api.schemas import ERROR_RESPONSES, AuditEventOut, ChainOut, Page
from plangov_app.services import audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)


def audit_filter(
    date_from: Annotated[datetime | None, Query(alias="from")] = None,
    date_to: Annotated[datetime | None, Query(alias="to")] = None,
    actor_id: Annotated[str | None, Query(max_length=36)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_type: Annotated[str | None, Query(max_length=40)] = None,
    target_id: Annotated[str | None, Query(max_length=254)] = None,
) -> audit.AuditFilter:
    """Filters from the query string.

    `from`/`to` are ISO 8601 (without a time zone: UTC; `to` is exclusive); `action`
    matches a prefix.
    """
    return audit.AuditFilter(date_from=date_from, date_to=date_to, actor_id=actor_id,
                             action=action, target_type=target_type, target_id=target_id)


FilterDep = Annotated[audit.AuditFilter, Depends(audit_filter)]


def to_out(event: AuditEvent) -> AuditEventOut:
    """The API shape of an event."""
    data = event.model_dump(exclude={"metadata_json"})
    return AuditEventOut(**data, metadata=json.loads(event.metadata_json or "{}"))


@router.get("", response_model=Page[AuditEventOut])
def list_events(
    session: SessionDep,
    actor: CurrentActor,
    filters: FilterDep,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,10}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditEventOut]:
    """Events newest first; pass `next_cursor` back as `cursor` for the next page."""
    events, next_seq = audit.list_events(session, actor, filters,
                                         before_seq=int(cursor) if cursor else None, limit=limit)
    return Page[AuditEventOut](items=[to_out(e) for e in events],
                               next_cursor=str(next_seq) if next_seq else None)


@router.get("/verify", response_model=ChainOut)
def verify(session: SessionDep, actor: CurrentActor) -> ChainOut:
    """Recompute the hash chain and report the first broken link, if any."""
    report = audit.verify_chain_for(session, actor)
    return ChainOut(ok=report.ok, checked=report.checked, broken_seq=report.broken_seq,
                    reason=report.reason, message=report.sentence())


@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV of the events"}})
def export_csv(actor: CurrentActor, filters: FilterDep, context: ContextDep) -> StreamingResponse:
    """Stream the matching events as CSV (oldest first); the export itself is audited."""
    return audited_csv(lambda session: audit.stream_csv(session, actor, filters),
                       lambda session: audit.record_export(session, actor, filters, context),
                       filename="plangov-audit.csv")
