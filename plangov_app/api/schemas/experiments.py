"""Experiments and assignments: what data scientists send and read (DESIGN.md § Experiments).

Shapes and sizes are bounded here; the meaning (weights summing to 100, known algorithms
and keys, end after start) is checked by the service, which names the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool

from plangov_app.api.schemas.common import Strict

Name = Annotated[str, Field(min_length=1, max_length=64)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Mode = Literal["hash", "stratified_blocks"]
Status = Literal["draft", "running", "paused", "complete"]


class VariantIn(Strict):
    """One arm: key, weight (percent, two decimals at most) and its algorithm version."""

    key: Name
    weight: Number
    algorithm_version: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class EligibilityIn(Strict):
    """Who may be enrolled: any listed sport, level and team (an empty rule lets all in)."""

    sports: list[Name] = Field(default_factory=list, max_length=50)
    levels: list[Name] = Field(default_factory=list, max_length=20)
    team_ids: list[Annotated[str, Field(min_length=1, max_length=36)]] = Field(
        default_factory=list, max_length=200)


class GuardrailIn(Strict):
    """A metric that must not drop by more than `max_relative_drop` (a fraction)."""

    metric: Name
    max_relative_drop: Number


class ExperimentFields(Strict):
    """What a data scientist configures (all optional here: PATCH sends only changes)."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    hypothesis: Annotated[str, Field(max_length=2000)] | None = None
    randomization: Mode | None = None
    variants: list[VariantIn] | None = Field(default=None, max_length=10)
    stratification_keys: list[Name] | None = Field(default=None, max_length=4)
    holdout_percentage: Number | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    eligibility: EligibilityIn | None = None
    guardrails: list[GuardrailIn] | None = Field(default=None, max_length=10)
    seed: Annotated[str, Field(min_length=1, max_length=80)] | None = None


class ExperimentCreate(ExperimentFields):
    """A new draft experiment."""

    key: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][\w.\-]*$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    variants: list[VariantIn] = Field(min_length=2, max_length=10)


class ExperimentPatch(ExperimentFields):
    """Changes to an experiment: only the fields sent change."""


class StatusChange(Strict):
    """The next lifecycle step."""

    status: Status


class VariantOut(BaseModel):
    """An arm as stored."""

    key: str
    weight: float
    algorithm_version: str | None


class ExperimentOut(BaseModel):
    """An experiment with its config and lifecycle."""

    id: str
    key: str
    name: str
    hypothesis: str
    status: Status
    randomization: Mode
    seed: str
    phase: int
    variants: list[VariantOut]
    stratification_keys: list[str]
    holdout_percentage: float
    start_at: datetime | None
    end_at: datetime | None
    eligibility: dict[str, list[str]]
    guardrails: list[dict[str, Any]]
    owner_id: str | None
    created_at: datetime
    updated_at: datetime


class ExperimentList(BaseModel):
    """Every experiment, newest first."""

    items: list[ExperimentOut]


class StratumOut(BaseModel):
    """One stratum of a preview."""

    stratum: str
    variants: dict[str, int]
    holdout: int
    enrolled: int


class PreviewOut(BaseModel):
    """How today's athletes would split (nothing is written)."""

    experiment_key: str
    population: int
    variants: list[str]
    totals: dict[str, int]
    holdout: int
    excluded: dict[str, int]
    strata: list[StratumOut]
    block_size: int | None
    small_strata: list[str]
    already_assigned: int


class AssignmentIn(Strict):
    """`POST /assignments` (spec §3.2): the profile decides consent and known attributes."""

    subject_id: Annotated[str, Field(min_length=1, max_length=36)]
    experiment_key: Annotated[str, Field(min_length=1, max_length=80)]
    attributes: dict[Annotated[str, Field(max_length=40)], Any] = Field(
        default_factory=dict, max_length=20)


class AssignmentOut(BaseModel):
    """A subject's assignment: `variant` null when not enrolled (`reason`) or held out."""

    experiment_key: str
    subject_id: str
    variant: str | None
    bucket: int
    stratum: str
    is_holdout: StrictBool
    assigned_at: datetime | None
    reason: str | None
    phase: int
    algorithm_version: str | None
