"""Feature flags: the evaluated config, flags as managers write and read them, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool

from plangov_app.api.schemas.common import Strict

Percentage = Annotated[float, Field(ge=0, le=100, strict=True, allow_inf_nan=False,
                                    description="share of users (0–100) in the rollout")]


class FlagConfig(BaseModel):
    """The flags evaluated for the caller."""

    flags: dict[str, bool]


class FlagRulesIn(Strict):
    """Targeting rules: allow-list (user ids or emails), roles, percentage rollout."""

    allow: list[Annotated[str, Field(min_length=1, max_length=254)]] = Field(
        default_factory=list, max_length=1000)
    roles: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=6)
    percentage: Percentage = 100


class FlagCreate(Strict):
    """A new flag (off unless `enabled`)."""

    key: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=500)
    enabled: StrictBool = False
    rules: FlagRulesIn = Field(default_factory=FlagRulesIn)


class FlagPatch(Strict):
    """Changes to a flag: only the fields sent change; `rules` replaces the rules whole."""

    description: str | None = Field(default=None, max_length=500)
    enabled: StrictBool | None = None
    rules: FlagRulesIn | None = None


class FlagRulesOut(BaseModel):
    """Stored rules: the allow-list as user ids."""

    allow: list[str]
    roles: list[str]
    percentage: float


class FlagOut(BaseModel):
    """A flag as managers read it."""

    key: str
    description: str
    enabled: bool
    rules: FlagRulesOut
    updated_at: datetime
    updated_by: str | None


class FlagList(BaseModel):
    """Every flag (one page: there are at most a few hundred)."""

    items: list[FlagOut]
    next_cursor: str | None = None


class FlagChangeOut(BaseModel):
    """One change of a flag (from the audit log): who, when, old → new."""

    seq: int
    occurred_at: datetime
    actor_id: str | None
    actor_role: str | None
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


class FlagHistory(BaseModel):
    """A page of a flag's changes, newest first."""

    items: list[FlagChangeOut]
    next_cursor: str | None = None
