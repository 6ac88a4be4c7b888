"""Comments on plans and their threads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from plangov_app.api.schemas.common import Strict


class CommentIn(Strict):
    """A new comment or reply."""

    anchor_id: str | None = Field(default=None, max_length=36)
    message: str = Field(min_length=1, max_length=4000)
    parent_id: str | None = Field(default=None, max_length=36)
    visibility: Literal["shared", "coaches"] = "shared"


class CommentOut(BaseModel):
    """A comment with its thread position and outdated state."""

    id: str
    plan_id: str
    version_id: str
    anchor_id: str | None
    parent_id: str | None
    author_id: str
    author_name: str
    author_role: str
    message: str
    visibility: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    outdated: bool
    anchor_missing: bool
    original: dict[str, Any] | None
