"""Plan History (Flow C): an athlete's plans and versions, a version's diff and audit."""

from __future__ import annotations

from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services import changelog
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission
from plangov_app.services.views.common import Choice
from plangov_app.services.views.plan_history import (
    AuditRow,
    ChangeRow,
    VersionRow,
    athlete_history,
    version_detail,
)
from state.session import SignedIn, problem_toast, run_read, run_write

#: once the changes are drawn (they may appear only now), bring them into view on a phone
_SCROLL_ON_PHONE = ("setTimeout(() => window.innerWidth < 768 && document.getElementById("
                    "'history-detail')?.scrollIntoView({block: 'start'}), 150)")


class HistoryState(SignedIn, rx.State):
    """The timeline and the selected version."""

    athlete_id: str = ""
    athlete: str = ""
    rows: list[VersionRow] = []
    found: bool = True
    selected_id: str = ""
    selected_plan: str = ""
    selected_label: str = ""
    changes: list[ChangeRow] = []
    truncated: int = 0
    audit_rows: list[AuditRow] = []
    against_id: str = ""
    against_options: list[Choice] = []

    async def load(self) -> Any:
        """on_load: the athlete of the URL, if visible."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        self.athlete_id = self._url_id()
        self.selected_id, self.changes, self.audit_rows = "", [], []
        try:
            timeline = await run_read(athlete_history, actor, self.athlete_id)
        except DomainError as error:
            self.found, self.rows = False, []
            return None if error.status == 404 else problem_toast(error)
        self.found, self.athlete, self.rows = True, timeline.athlete, timeline.rows
        return None

    async def select(self, plan_id: str, version_id: str) -> Any:
        """Show a version's changes against its parent, and its audit entries.

        On a phone the changes are below the timeline: they are scrolled into view.
        """
        failed = await self._show(plan_id, version_id, "")
        return failed if failed is not None else rx.call_script(_SCROLL_ON_PHONE)

    async def compare_with(self, against_id: str) -> Any:
        """Show the selected version's changes against another version of its plan."""
        return await self._show(self.selected_plan, self.selected_id, against_id)

    async def _show(self, plan_id: str, version_id: str, against_id: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            detail = await run_read(version_detail, actor, plan_id, version_id, against_id)
        except DomainError as error:
            return problem_toast(error)
        self.selected_id, self.selected_plan = version_id, plan_id
        self.changes, self.audit_rows = detail.changes, detail.audit
        self.against_id, self.against_options = detail.against_id, detail.options
        self.selected_label, self.truncated = detail.label, detail.truncated
        return None

    async def export(self) -> Any:
        """Export CSV: the selected plan's change log (the same rows as the API)."""
        actor = await self._actor()
        if actor is None or not self.selected_plan:
            return rx.toast.error("Select a version first.")
        csv = partial(changelog.export_csv, filters=changelog.ChangelogFilter(),
                      context=self._context())
        try:
            data = await run_write(csv, actor, self.selected_plan)
        except DomainError as error:
            return problem_toast(error)
        return rx.download(data=data, filename=f"plan-{self.selected_plan}-changes.csv")
