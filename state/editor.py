"""The coach's editor on top of the plan view: unsaved edits, Save draft, Submit.

Unsaved edits are kept as id-addressed `Edit`s (services.editing), so a save that loses a
race re-applies them on the new head instead of dropping them.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from plangov_app.services import diffing, plans, versions
from plangov_app.services.editing import Edit, compile_edits, preview
from plangov_app.services.errors import Conflict, DomainError
from plangov_app.services.rbac import Actor, Permission, can
from plangov_app.services.versions import document_of
from state.plan_view import PlanViewState
from state.session import problem_toast, run_read, run_write

REASONS = list(plans.REASON_CODES)
EDITABLE = ("sets", "reps", "load_kg", "rpe", "duration_min")


def _session_items(session: Session, actor: Actor, plan_id: str, session_id: str
                   ) -> list[dict[str, str]]:
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_EDIT)
    found = document_of(plans.head_version(session, plan)).session(session_id)
    if found is None:
        return []
    return [{"item_id": i.item_id, "name": i.name,
             **{f: "" if getattr(i, f) is None else f"{getattr(i, f):g}" for f in EDITABLE}}
            for i in found.items]


def _preview_badges(session: Session, actor: Actor, plan_id: str,
                    edits: list[dict[str, Any]]) -> list[str]:
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_EDIT)
    head = document_of(plans.head_version(session, plan))
    baseline = document_of(plans.baseline_version(session, plan))
    return diffing.summarize(baseline, preview(head, [Edit.from_dict(e) for e in edits]))[
        "badges"]


def _save(session: Session, actor: Actor, plan_id: str, base_id: str,
          edits: list[dict[str, Any]], reasons: list[str], rationale: str,
          context: Any) -> tuple[int, list[dict[str, Any]]]:
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_EDIT)
    head = plans.head_version(session, plan)
    if head.id != base_id:
        raise Conflict(_what_changed(session, plan, base_id, head))
    operations, stale = compile_edits(document_of(head), [Edit.from_dict(e) for e in edits])
    version, _ = plans.edit_plan(session, actor, plan_id, plans.EditRequest(
        base_version_id=head.id, operations=operations, reason_codes=tuple(reasons),
        rationale=rationale), context)
    return version.version_number, [e.as_dict() for e in stale]


def _what_changed(session: Session, plan: Any, base_id: str, head: Any) -> str:
    base = versions.get_version(session, plan, base_id)
    before, after = document_of(base), document_of(head)
    summary = diffing.summarize(before, after)
    author = versions.author_names(session, [head]).get(head.author_id or "", "someone")
    return (f"{author} saved version {head.version_number} since you opened the plan: "
            f"{diffing.describe(summary, before, after)}.")


def _number(value: str) -> float | int | None:
    text = value.strip()
    if not text:
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


class EditorState(PlanViewState):
    """Unsaved edits, the open session dialog and the save/submit dialogs."""

    can_edit: bool = False
    edits: list[dict[str, Any]] = []
    preview_badges: list[str] = []
    open_session: str = ""
    open_title: str = ""
    dialog_items: list[dict[str, str]] = []
    reasons: list[str] = []
    rationale: str = ""
    submit_note: str = ""
    save_open: bool = False

    async def load_editor(self) -> Any:
        """on_load: the plan view, plus whether this actor may edit it."""
        redirect = await self.load()
        if redirect:
            return redirect
        actor = await self._actor()
        self.can_edit = bool(actor and self.found and can(actor, Permission.PLAN_EDIT)
                             and self.plan_status in ("generated", "draft", "needs_revision"))
        self.edits, self.preview_badges = [], []
        return None

    async def edit_session(self, session_id: str, title: str) -> Any:
        """Open the dialog for one session."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            self.dialog_items = await run_read(_session_items, actor, self.plan_id, session_id)
        except DomainError as error:
            return problem_toast(error)
        self.open_session, self.open_title = session_id, title
        return None

    def close_session(self) -> None:
        """Close the session dialog."""
        self.open_session = ""

    async def change_field(self, item_id: str, name: str, field: str, value: str) -> Any:
        """Record an unsaved edit of one dose field (validated when saved)."""
        try:
            number = _number(value)
        except ValueError:
            return rx.toast.error(f"{field}: enter a number.")
        if field in ("sets", "reps") and number is not None:
            number = int(number)
        original = next((i.get(field, "") for i in self.dialog_items
                         if i["item_id"] == item_id), "")
        pending = any(e["item_id"] == item_id and e["field"] == field for e in self.edits)
        if value.strip() == original and not pending:
            return None  # left unchanged
        self.edits = [e for e in self.edits
                      if not (e["item_id"] == item_id and e["field"] == field)] + [
            Edit("set_item", self.open_session, item_id, field, number,
                 f"{name}: {field.replace('_', ' ')} → {value or 'empty'}").as_dict()]
        return await self._refresh_preview()

    async def undo(self, index: int) -> Any:
        """Drop one unsaved edit."""
        self.edits = [e for n, e in enumerate(self.edits) if n != index]
        return await self._refresh_preview()

    async def _refresh_preview(self) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            self.preview_badges = await run_read(_preview_badges, actor, self.plan_id,
                                                 self.edits) if self.edits else []
        except DomainError as error:
            return problem_toast(error)
        return None

    def toggle_reason(self, code: str) -> None:
        """Tick or untick a reason code."""
        self.reasons = [r for r in self.reasons if r != code] if code in self.reasons \
            else [*self.reasons, code]

    def set_rationale(self, value: str) -> None:
        """Why the edit is made."""
        self.rationale = value[:2000]

    def set_submit_note(self, value: str) -> None:
        """A note to the athlete."""
        self.submit_note = value[:4000]

    def set_save_open(self, value: bool) -> None:
        """Open or close the Save draft dialog."""
        self.save_open = value

    async def save_draft(self) -> Any:
        """Save the unsaved edits as a new version (reasons required)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        if not self.edits:
            return rx.toast.error("There are no unsaved edits.")
        try:
            number, stale = await run_write(_save, actor, self.plan_id, self.head_id,
                                            self.edits, self.reasons, self.rationale,
                                            self._context())
        except Conflict as error:
            await self.load()  # the view (and head_id) now show their version
            await self._refresh_preview()
            return rx.toast.warning(f"{error.detail} Your edits are kept; Save again to apply "
                                    "them on top of it.", duration=15000)
        except DomainError as error:
            return problem_toast(error)
        self.save_open, self.edits, self.reasons, self.rationale = False, [], [], ""
        await self.load_editor()
        note = f" {len(stale)} edit(s) no longer applied." if stale else ""
        return rx.toast.success(f"Saved as version {number}.{note}")

    async def submit(self) -> Any:
        """Submit for Approval (unsaved edits must be saved first)."""
        if self.edits:
            return rx.toast.error("Save your draft before submitting.")
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            await run_write(plans.submit_plan, actor, self.plan_id, self.submit_note,
                            self._context())
        except DomainError as error:
            return problem_toast(error)
        await self.load_editor()
        return rx.toast.success("Submitted — the athlete has been notified.")
