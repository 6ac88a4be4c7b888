"""`/athletes/{athlete_id}`: the athlete's profile, from which Plan History is reached.

Goals and injuries/limitations are noted here in a small form; whether it is offered, and
whether a save is accepted, is the service's decision (`athletes.update_profile`).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services.athletes import NOTE_FIELDS, update_profile
from plangov_app.services.errors import DomainError, InvalidInput
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.views.athlete_profile import ProfilePlan, athlete_profile
from state.session import SignedIn, problem_toast, run_read, run_write

TYPED_CAP = 2000  # what a box keeps while typing (the service's limit is said beside it)


def _problems(error: InvalidInput) -> dict[str, str]:
    """The service's messages by field (goals, limitations), "field: " dropped."""
    shown = {}
    for e in error.extra.get("errors") or []:
        name = str(e.get("field", ""))
        if name in NOTE_FIELDS:
            shown[name] = f"{NOTE_FIELDS[name]}: {e.get('message', '')}"
    return shown


class AthleteState(SignedIn, rx.State):
    """The profile shown (names and a page of plans, no documents) and the notes form."""

    athlete_id: str = ""
    found: bool = True
    name: str = ""
    summary: str = ""  # "cycling · beginner · 4 days a week"
    goals: str = ""
    limitations: str = ""
    limitations_noted: bool = False
    coaches: str = ""
    teams: str = ""
    consent: list[str] = []
    plans: list[ProfilePlan] = []
    can_edit_notes: bool = False
    notes_limit: int = 500
    # the notes form
    editing_notes: bool = False
    goals_draft: str = ""
    limitations_draft: str = ""
    notes_problems: dict[str, str] = {}
    _stored_goals: str = ""
    _stored_limitations: str = ""

    async def load(self) -> Any:
        """on_load: the athlete of the URL, if this user may view their plans."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        self.athlete_id, self.editing_notes, self.notes_problems = self._url_id(), False, {}
        return await self._fetch(actor)

    async def _fetch(self, actor: Actor) -> Any:
        try:
            read = partial(athlete_profile, today=date.today())
            profile = await run_read(read, actor, self.athlete_id)
        except DomainError as error:
            self.found, self.plans, self.can_edit_notes = False, [], False
            return None if error.status == 404 else problem_toast(error)
        self.found, self.name, self.summary = True, profile.name, profile.summary
        self.goals, self.coaches, self.teams = profile.goals, profile.coaches, profile.teams
        self.limitations, self.limitations_noted = profile.limitations, profile.limitations_noted
        self.consent, self.plans = profile.consent, profile.plans
        self.can_edit_notes, self.notes_limit = profile.can_edit_notes, profile.notes_limit
        self._stored_goals, self._stored_limitations = (profile.notes_goals,
                                                        profile.notes_limitations)
        return None

    def edit_notes(self) -> None:
        """Open the form with the notes as stored."""
        self.goals_draft, self.limitations_draft = self._stored_goals, self._stored_limitations
        self.notes_problems, self.editing_notes = {}, True

    def cancel_notes(self) -> None:
        """Close the form; nothing is saved."""
        self.editing_notes, self.notes_problems = False, {}

    def _typed(self, name: str) -> None:
        if name in self.notes_problems:
            self.notes_problems = {k: v for k, v in self.notes_problems.items() if k != name}

    def set_goals_draft(self, value: str) -> None:
        """The goals as typed."""
        self.goals_draft = value[:TYPED_CAP]
        self._typed("goals")

    def set_limitations_draft(self, value: str) -> None:
        """The injuries and limitations as typed."""
        self.limitations_draft = value[:TYPED_CAP]
        self._typed("limitations")

    async def save_notes(self) -> Any:
        """Save both notes (audited when something changed); errors go beside the fields."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            saved = await run_write(update_profile, actor, self.athlete_id,
                                    context=self._context(), goals=self.goals_draft,
                                    limitations=self.limitations_draft)
        except InvalidInput as error:
            self.notes_problems = _problems(error)
            return None if self.notes_problems else problem_toast(error)
        except DomainError as error:
            return problem_toast(error)
        self.editing_notes, self.notes_problems = False, {}
        await self._fetch(actor)
        return rx.toast.success("Notes saved." if saved.changed else "Nothing changed.")
