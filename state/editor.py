"""The coach's editor: unsaved edits, their preview, Save draft and Submit.

Unsaved edits are kept as id-addressed `Edit`s (services.plans.unsaved_edits), so a save
that loses a race re-applies them on the new head instead of dropping them. The plan shown is
`PlanViewState`'s, the open session's dialog `SessionDialogState`'s.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services import status
from plangov_app.services.errors import Conflict, DomainError, InvalidInput
from plangov_app.services.plans.edits import REASON_CODES
from plangov_app.services.plans.transitions import recall_submission, submit_for_approval
from plangov_app.services.plans.unsaved_edits import (
    Clash,
    edit_key,
    restore_unsaved_edits,
    save_draft,
)
from plangov_app.services.views.editor import editor_preview, move_session
from state.plan_view import PlanViewState
from state.session import SignedIn, problem_toast, run_read, run_write
from state.session_dialog import SessionDialogState
from state.typed import TypedState

REASONS = list(REASON_CODES)
REMEMBERED_PLANS = 20  # plans whose unsaved edits this browser keeps


class EditorState(SignedIn, rx.State):
    """Unsaved edits, their badges and the Save draft dialog."""

    edits: list[dict[str, Any]] = []
    preview_badges: list[str] = []
    # Unsaved edits per user and plan, kept in this browser until saved or undone, so a
    # reload, an expired sign-in or a closed tab loses nothing.
    remembered: str = rx.LocalStorage("", name="plangov_unsaved_edits")
    reasons: list[str] = []
    save_open: bool = False
    calendar_stale: bool = False  # edits made while the dialog covered the calendar
    # Values another coach saved since that the unsaved edits change too, and which to keep
    # ("theirs" or "mine") per clash key: chosen before saving again.
    clashes: list[Clash] = []
    choices: dict[str, str] = {}
    # a running plan: what saving the unsaved edits will do ("" when not revising)
    revision: str = ""
    recall_open: bool = False

    @rx.var
    def unchosen(self) -> int:
        """How many clashes still wait for the coach's choice."""
        return sum(1 for c in self.clashes if c.key not in self.choices)

    def choose(self, key: str, value: str | list[str]) -> None:
        """Keep their value or mine for one clash."""
        if value in ("theirs", "mine") and any(c.key == key for c in self.clashes):
            self.choices = {**self.choices, key: str(value)}

    def _settle_clashes(self) -> None:
        """Drop the edits whose clash was settled for their value; forget the clashes."""
        theirs = {k for k, v in self.choices.items() if v == "theirs"}
        self.edits = [e for e in self.edits if edit_key(e) not in theirs]
        self.clashes, self.choices = [], {}

    async def open_editor(self) -> AsyncIterator[Any]:
        """on_load of the editor."""
        plan = await self.get_state(PlanViewState)
        plan.editing = True
        async for update in plan._open(self._load_editor):
            yield update

    async def _load_editor(self) -> Any:
        """The plan (with edit controls when they apply), and the edits this browser kept."""
        plan = await self.get_state(PlanViewState)
        plan.editing = True
        redirect = await plan._load()
        if redirect:
            return redirect
        self.edits, self.preview_badges, self.calendar_stale = [], [], False
        self.clashes, self.choices, self.revision = [], {}, ""
        await (await self.get_state(SessionDialogState))._close()
        return await self._restore(plan)

    def _memory(self) -> dict[str, Any]:
        try:
            stored = json.loads(self.remembered or "{}")
        except ValueError:
            return {}
        return stored if isinstance(stored, dict) else {}

    def _remember(self, user_id: str, plan: PlanViewState) -> None:
        """Keep this plan's unsaved edits in the browser (or forget them once none)."""
        memory, key = self._memory(), f"{user_id}:{plan.plan_id}"
        memory.pop(key, None)
        if self.edits:
            memory[key] = {"base": plan.head_id, "edits": self.edits}
        remembered = json.dumps(dict(list(memory.items())[-REMEMBERED_PLANS:]))
        if remembered != self.remembered:
            self.remembered = remembered

    async def _restore(self, plan: PlanViewState) -> Any:
        """Bring back the unsaved edits this browser kept for this plan, if any."""
        actor = await self._actor()
        kept = self._memory().get(f"{actor.user_id}:{plan.plan_id}") if actor else None
        if actor is None or not isinstance(kept, dict) or not isinstance(
                kept.get("edits"), list) or not kept["edits"] or not plan.found:
            return None
        if not plan.can_edit:
            return rx.toast.info(
                f"{len(kept['edits'])} unsaved edit(s) from your last visit are kept in this "
                f"browser; the plan is {plan.plan_status.replace('_', ' ')} now, so they "
                "come back if it can be edited again.", duration=12000)
        base = kept.get("base") if isinstance(kept.get("base"), str) else ""
        try:
            restored = await run_read(restore_unsaved_edits, actor, plan.plan_id,
                                      base_version_id=base, remembered=kept["edits"])
        except DomainError as error:
            return problem_toast(error)
        await self._apply(restored.edits, open_session="")
        self.clashes, self.choices = list(restored.clashes), {}
        message = " ".join(filter(None, [
            f"{len(self.edits)} unsaved edit(s) from your last visit are back." if self.edits
            else "", restored.saved_since,
            f"{restored.dropped} no longer applied." if restored.dropped else "",
            f"You both changed {len(self.clashes)} value(s): Save draft asks which to keep."
            if self.clashes else ""]))
        return rx.toast.info(message, duration=12000) if message else None

    async def _apply(self, edits: list[dict[str, Any]], open_session: str | None = None
                     ) -> Any:
        """Preview `edits`; keep them only if the plan they make is valid (else a toast).

        `open_session` is the session whose dialog shows (None: the one open now).
        """
        try:
            return await self._preview(edits, open_session)
        except DomainError as error:
            return problem_toast(error)

    async def _preview(self, edits: list[dict[str, Any]], open_session: str | None = None
                       ) -> Any:
        """`_apply`, raising the DomainError (e.g. InvalidInput, in words) of a refusal."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        plan = await self.get_state(PlanViewState)
        dialog = await self.get_state(SessionDialogState)
        session_id = dialog.open_session if open_session is None else open_session
        read = partial(editor_preview, edits=edits, open_session=session_id,
                       threads=dict(plan.open_threads), week_start=max(0, plan.week_start))
        preview = await run_read(read, actor, plan.plan_id)
        if preview.weeks is not None:
            plan.weeks, self.calendar_stale = preview.weeks, False
        elif edits != self.edits:
            self.calendar_stale = True
        if edits != self.edits:
            self.edits = edits
        badges = preview.badges or []
        if badges != self.preview_badges:
            self.preview_badges = badges
        if preview.revision != self.revision:
            self.revision = preview.revision
        self._remember(actor.user_id, plan)
        dialog._show(preview.dialog)
        return None

    async def _add(self, edit: dict[str, Any]) -> Any:
        """One more unsaved edit."""
        return await self._apply([*self.edits, edit])

    async def show_weeks(self, start: int) -> Any:
        """Show another page of weeks (with the unsaved edits)."""
        plan = await self.get_state(PlanViewState)
        plan.week_start = max(0, start)
        if not self.edits:
            return await plan._load()
        return await self._apply(self.edits, open_session="")

    async def go_to_week(self, week: str | int | None) -> Any:
        """Jump to week `week` (its page shown with the unsaved edits), then scroll there."""
        plan = await self.get_state(PlanViewState)
        return await plan._go_to(week, self.show_weeks)

    async def move_session_to(self, session_id: str, day: str) -> Any:
        """A session card dropped on a day cell: the unsaved move "Move to…" makes.

        Same rules and words (`move_session`); a refused day is said in a toast and
        nothing changes.
        """
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        plan = await self.get_state(PlanViewState)
        if not (session_id and day and plan.can_edit):
            return None
        try:
            edit = await run_read(move_session, actor, plan.plan_id, edits=self.edits,
                                  session_id=session_id, text=day)
        except InvalidInput as error:
            return rx.toast.error(error.detail)
        except DomainError as error:
            return problem_toast(error)
        kept = [e for e in self.edits if not (e["kind"] == "move" and
                                              e["session_id"] == session_id)]
        return await self._apply([*kept, edit])

    async def undo(self, index: int) -> Any:
        """Drop one unsaved edit (and its clash, if it had one)."""
        kept = [e for n, e in enumerate(self.edits) if n != index]
        keys = {edit_key(e) for e in kept}
        self.clashes = [c for c in self.clashes if c.key in keys]
        return await self._apply(kept)

    def toggle_reason(self, code: str) -> None:
        """Tick or untick a reason code."""
        self.reasons = [r for r in self.reasons if r != code] if code in self.reasons \
            else [*self.reasons, code]

    def set_save_open(self, value: bool) -> None:
        """Open or close the Save draft dialog."""
        self.save_open = value

    async def save_draft(self) -> Any:
        """Save the unsaved edits as a new version (reasons required)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        if self.unchosen:
            return rx.toast.error("Choose their value or yours for each value you both changed.")
        plan = await self.get_state(PlanViewState)
        if self.clashes:
            self._settle_clashes()
            await self._apply(self.edits)
            if not self.edits:
                self.save_open = False
                return rx.toast.info("Nothing left to save: their values are kept.")
        if not self.edits:
            return rx.toast.error("There are no unsaved edits.")
        typed = await self.get_state(TypedState)
        try:
            number, stale = await run_write(save_draft, actor, plan.plan_id,
                                            base_version_id=plan.head_id, edits=self.edits,
                                            reasons=self.reasons, rationale=typed.rationale,
                                            context=self._context(), today=date.today())
        except Conflict as error:
            await plan._load()  # the view (and head_id) now show their version
            await self._apply(self.edits)
            self.clashes, self.choices = list(error.extra.get("clashes", [])), {}
            choose = (f" You both changed {len(self.clashes)} value(s): choose theirs or "
                      "yours for each, then Save." if self.clashes else "")
            return rx.toast.warning(f"{error.detail} Your edits are kept; Save again to apply "
                                    f"them on top of it.{choose}", duration=15000)
        except DomainError as error:
            return problem_toast(error)
        self.save_open, self.edits, self.reasons = False, [], []
        typed._clear("rationale")
        self._remember(actor.user_id, plan)
        await self._load_editor()
        note = f" {len(stale)} edit(s) no longer applied." if stale else ""
        if plan.plan_status == status.COACH_REVIEWED:
            note += " It went back to the athlete for approval."
        elif plan.revising:
            note += " The athlete has been told; their approval stays."
        return rx.toast.success(f"Saved as version {number}.{note}")

    def set_recall_open(self, value: bool) -> None:
        """Open or close the recall confirmation."""
        self.recall_open = value

    async def recall(self) -> Any:
        """Take the submitted plan back before the athlete answers (→ draft)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        plan = await self.get_state(PlanViewState)
        self.recall_open = False
        try:
            await run_write(recall_submission, actor, plan.plan_id, comment="",
                            context=self._context())
        except DomainError as error:
            await self._load_editor()
            return problem_toast(error)
        await self._load_editor()
        return rx.toast.success("Recalled: the plan is a draft again and the athlete was told "
                                "it was withdrawn.")

    async def submit(self) -> Any:
        """Submit for Approval (unsaved edits must be saved first)."""
        if self.edits:
            return rx.toast.error("Save your draft before submitting.")
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        plan = await self.get_state(PlanViewState)
        typed = await self.get_state(TypedState)
        try:
            await run_write(submit_for_approval, actor, plan.plan_id, comment=typed.submit_note,
                            context=self._context())
        except DomainError as error:
            return problem_toast(error)
        typed._clear("submit_note")
        await self._load_editor()
        return rx.toast.success("Submitted — the athlete has been notified.")
