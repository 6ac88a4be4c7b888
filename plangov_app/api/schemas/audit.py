"""Audit events and the result of verifying their chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEventOut(BaseModel):
    """One audit event, with its place in the hash chain."""

    id: str
    seq: int
    occurred_at: datetime
    actor_id: str | None
    actor_role: str | None
    action: str
    target_type: str | None
    target_id: str | None
    request_id: str | None
    metadata: dict[str, Any]
    origin_ip: str | None
    user_agent: str | None
    prev_hash: str
    hash: str


class ChainOut(BaseModel):
    """The result of verifying the audit chain."""

    ok: bool
    checked: int
    broken_seq: int | None
    reason: str
    message: str
