"""Generate plan (on `/plans`): the athletes the user may choose and the earliest start."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlmodel import Session

from plangov_app.services.generation import MAX_WEEKS, MIN_WEEKS
from plangov_app.services.plans.creation import generatable_athletes
from plangov_app.services.rbac import Actor, Permission, authorize
from plangov_app.services.views.common import Choice


@dataclasses.dataclass
class GenerateForm:
    """What the Generate plan dialog offers."""

    athletes: list[Choice] = dataclasses.field(default_factory=list)
    earliest: str = ""  # today, ISO: the earliest start
    min_weeks: int = MIN_WEEKS
    max_weeks: int = MAX_WEEKS


def generate_form(session: Session, actor: Actor, *, today: date) -> GenerateForm:
    """The dialog's choices for `actor` (PLAN_EDIT: coaches see their own athletes only)."""
    authorize(actor, Permission.PLAN_EDIT)
    return GenerateForm(athletes=[Choice(i, label)
                                  for i, label in generatable_athletes(session, actor)],
                        earliest=today.isoformat())
