"""Generate plan on `/plans`: the dialog's boxes, their problems beside them, then the editor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import reflex as rx

from plangov_app.services.errors import DomainError, InvalidInput
from plangov_app.services.plans.creation import generate_from_form
from plangov_app.services.views.common import Choice
from plangov_app.services.views.generate import generate_form
from state.session import SignedIn, problem_toast, run_read, run_write

FIELDS = ("athlete_id", "start_date", "weeks")


def _generate_id(session: Any, *args: Any, **kwargs: Any) -> str:
    """`generate_from_form`, answering the new plan's id (read before the commit)."""
    return generate_from_form(session, *args, **kwargs).id


class GenerateState(SignedIn, rx.State):
    """The Generate plan dialog."""

    is_open: bool = False
    athletes: list[Choice] = []
    athlete_id: str = ""
    start: str = ""
    weeks: str = "8"
    earliest: str = ""
    problems: dict[str, str] = {}
    busy: bool = False

    async def open_dialog(self) -> Any:
        """Open the dialog with the athletes the user may generate plans for."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            form = await run_read(generate_form, actor, today=date.today())
        except DomainError as error:
            return problem_toast(error)
        self.athletes, self.earliest, self.problems = form.athletes, form.earliest, {}
        if self.athlete_id not in {a.value for a in form.athletes}:
            self.athlete_id = ""
        self.start = self.start or form.earliest
        self.is_open = True
        return None

    def set_open(self, value: bool) -> None:
        """Open or close the dialog."""
        self.is_open = value

    def set_athlete(self, value: str) -> None:
        """Choose the athlete."""
        self.athlete_id = value
        self.problems = {k: v for k, v in self.problems.items() if k != "athlete_id"}

    def set_start(self, value: str) -> None:
        """The start date as typed (checked on Generate)."""
        self.start = value[:20]

    def set_weeks(self, value: str) -> None:
        """The number of weeks as typed (checked on Generate)."""
        self.weeks = value[:5]

    async def generate(self) -> AsyncIterator[Any]:
        """Generate the plan and open it in the editor, or say beside each box what is wrong."""
        actor = await self._actor()
        if actor is None:
            yield rx.redirect("/login")
            return
        self.busy = True
        yield
        try:
            plan_id = await run_write(_generate_id, actor, athlete_id=self.athlete_id,
                                   start=self.start, weeks=self.weeks, today=date.today(),
                                   context=self._context())
        except InvalidInput as error:
            self.busy = False
            errors = error.extra.get("errors") or [
                {"field": error.extra.get("field", ""), "message": error.detail}]
            self.problems = {e["field"]: e["message"] for e in errors if e["field"] in FIELDS}
            if not self.problems:
                yield problem_toast(error)
            return
        except DomainError as error:
            self.busy = False
            yield problem_toast(error)
            return
        self.busy, self.is_open, self.problems = False, False, {}
        yield rx.redirect(f"/plans/{plan_id}")
        yield rx.toast.success("Plan generated: version 1 is the algorithm's. Review and "
                               "edit it here.")
