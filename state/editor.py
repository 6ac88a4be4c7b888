"""The coach's editor on top of the plan view: unsaved edits, Save draft, Submit.

Unsaved edits are kept as id-addressed `Edit`s (services.editing), so a save that loses a
race re-applies them on the new head instead of dropping them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import reflex as rx
from sqlmodel import Session

from plangov_app.services import adherence, catalogue, diffing, plans
from plangov_app.services.editing import (
    Edit,
    days_of_week,
    new_item,
    preview,
    restore_edits,
    save_edits,
)
from plangov_app.services.errors import Conflict, DomainError
from plangov_app.services.rbac import Actor, Permission, can
from plangov_app.services.versions import document_of
from state.calendar import WEEKS_PER_PAGE, calendar
from state.plan_view import TYPED_FIELDS, TYPED_LIMIT, PlanViewState
from state.session import Choice, problem_toast, run_read, run_write

REASONS = list(plans.REASON_CODES)
REMEMBERED_PLANS = 20  # plans whose unsaved edits this browser keeps
EDITABLE = ("sets", "reps", "load_kg", "rpe", "duration_min")
LABELS = {"sets": "Sets", "reps": "Reps", "load_kg": "Load kg", "rpe": "RPE",
          "duration_min": "Minutes"}


@dataclasses.dataclass
class DialogItem:
    """An exercise of the open session, with its dose as text for the inputs."""

    item_id: str = ""
    name: str = ""
    sets: str = ""
    reps: str = ""
    load_kg: str = ""
    rpe: str = ""
    duration_min: str = ""


def _text(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _preview(session: Session, actor: Actor, plan_id: str, edits: list[dict[str, Any]],
             open_session: str, with_calendar: bool, threads: dict[str, int],
             week_start: int) -> dict[str, Any]:
    """The plan as it will be once `edits` are saved: badges, the open session, the calendar.

    The calendar (every week) is left out while the session dialog covers it.
    """
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_EDIT)
    head = document_of(plans.head_version(session, plan))
    baseline = document_of(plans.baseline_version(session, plan))
    document = preview(head, [Edit.from_dict(e) for e in edits])
    result: dict[str, Any] = {
        "badges": diffing.summarize(baseline, document)["badges"] if edits else None}
    if with_calendar:
        marks = adherence.session_compliance(session, plan, document, date.today())
        result["weeks"] = calendar(document, baseline, {k: m.colour for k, m in marks.items()},
                                   threads, week_start, WEEKS_PER_PAGE)
    found = document.session(open_session) if open_session else None
    if found is not None:
        result["dialog"] = {
            "title": f"{found.title or found.modality.title()} · {found.day:%a %d %b}",
            "day": found.day.isoformat(), "notes": found.notes,
            "days": [Choice(d.isoformat(), f"{d:%a %d %b}")
                     for d in days_of_week(document, open_session)],
            "items": [DialogItem(i.item_id, i.name, *[_text(getattr(i, f)) for f in EDITABLE])
                      for i in found.items]}
    return result


def _number(value: str) -> float | int | None:
    text = value.strip()
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return int(number) if number.is_integer() else number


class EditorState(PlanViewState):
    """Unsaved edits, the open session dialog and the save/submit dialogs."""

    edits: list[dict[str, Any]] = []
    preview_badges: list[str] = []
    open_session: str = ""
    # Unsaved edits per user and plan, kept in this browser until saved or undone, so a
    # reload, an expired sign-in or a closed tab loses nothing.
    remembered: str = rx.LocalStorage("", name="plangov_unsaved_edits")
    open_title: str = ""
    dialog_items: list[DialogItem] = []
    dialog_day: str = ""
    dialog_notes: str = ""
    day_options: list[Choice] = []
    picker_for: str = ""  # "" closed, "new" to add, else the item_id being swapped
    picker_label: str = ""
    catalogue_query: str = ""
    catalogue_hits: list[Choice] = []
    reasons: list[str] = []
    rationale: str = ""
    submit_note: str = ""
    save_open: bool = False
    calendar_stale: bool = False

    async def open_editor(self) -> AsyncIterator[Any]:
        """on_load of the editor."""
        async for update in self._open(self.load_editor):
            yield update

    async def load_editor(self) -> Any:
        """on_load: the plan view, plus whether this actor may edit it."""
        redirect = await self._load_editable()
        if redirect:
            return redirect
        self.edits, self.preview_badges, self.open_session = [], [], ""
        self.calendar_stale = False
        return await self._restore()

    def _memory(self) -> dict[str, Any]:
        try:
            stored = json.loads(self.remembered or "{}")
        except ValueError:
            return {}
        return stored if isinstance(stored, dict) else {}

    def _remember(self) -> None:
        """Keep this plan's unsaved edits in the browser (or forget them once none)."""
        memory, key = self._memory(), f"{self.user_id}:{self.plan_id}"
        memory.pop(key, None)
        if self.edits:
            memory[key] = {"base": self.head_id, "edits": self.edits}
        self.remembered = json.dumps(dict(list(memory.items())[-REMEMBERED_PLANS:]))

    async def _restore(self) -> Any:
        """Bring back the unsaved edits this browser kept for this plan, if any."""
        kept = self._memory().get(f"{self.user_id}:{self.plan_id}")
        if not isinstance(kept, dict) or not isinstance(kept.get("edits"), list) \
                or not kept["edits"] or not self.found:
            return None
        if not self.can_edit:
            return rx.toast.info(
                f"{len(kept['edits'])} unsaved edit(s) from your last visit are kept in this "
                f"browser; the plan is {self.plan_status.replace('_', ' ')} now, so they "
                "come back if it can be edited again.", duration=12000)
        actor = await self._actor()
        if actor is None:
            return None
        base = kept.get("base") if isinstance(kept.get("base"), str) else ""
        try:
            restored = await run_read(restore_edits, actor, self.plan_id, base, kept["edits"])
        except DomainError as error:
            return problem_toast(error)
        await self._apply(restored.edits, open_session="")
        self._remember()
        message = " ".join(filter(None, [
            f"{len(self.edits)} unsaved edit(s) from your last visit are back." if self.edits
            else "", restored.saved_since,
            f"{restored.dropped} no longer applied." if restored.dropped else ""]))
        return rx.toast.info(message, duration=12000) if message else None

    async def _load_editable(self) -> Any:
        """The plan view, and whether this actor may edit it now."""
        redirect = await self.load()
        if redirect:
            return redirect
        actor = await self._actor()
        self.can_edit = bool(actor and self.found and can(actor, Permission.PLAN_EDIT)
                             and self.plan_status in ("generated", "draft", "needs_revision"))
        return None

    async def edit_session(self, session_id: str) -> Any:
        """Open the dialog for one session (as it is with the unsaved edits)."""
        self.picker_for = ""
        return await self._apply(self.edits, open_session=session_id)

    async def close_session(self) -> Any:
        """Close the session dialog; the calendar then shows the edits made in it."""
        if not self.open_session:
            return None
        self.open_session, self.picker_for = "", ""
        if self.calendar_stale:
            return await self._apply(self.edits, open_session="")
        return None

    async def change_field(self, item_id: str, name: str, field: str, value: str) -> Any:
        """Record an unsaved edit of one dose field."""
        if field not in EDITABLE:
            return rx.toast.error(f"{field} cannot be edited here.")
        try:
            number = _number(value)
        except ValueError:
            return rx.toast.error(f"{LABELS[field]}: enter a number.")
        if field in ("sets", "reps") and number is not None:
            number = int(number)
        shown = next((getattr(i, field) for i in self.dialog_items if i.item_id == item_id), "")
        if value.strip() == shown:
            return None  # left unchanged
        return await self._replace(
            lambda e: e["item_id"] == item_id and e["field"] == field,
            Edit("set_item", self.open_session, item_id, field, number,
                 f"{name}: {LABELS[field].lower()} → {value.strip() or 'empty'}"))

    async def change_notes(self, value: str) -> Any:
        """Record the session's new notes (on leaving the box)."""
        if value == self.dialog_notes:
            return None
        return await self._replace(
            lambda e: e["kind"] == "set_session" and e["session_id"] == self.open_session,
            Edit("set_session", self.open_session, None, "notes", value[:1000],
                 f"{self.open_title}: notes edited"))

    async def move_to(self, day: str) -> Any:
        """Move the open session to another day of its week."""
        if day == self.dialog_day:
            return None
        label = next((c.label for c in self.day_options if c.value == day), day)
        title = self.open_title.split(" · ")[0]
        return await self._replace(
            lambda e: e["kind"] == "move" and e["session_id"] == self.open_session,
            Edit("move", self.open_session, None, "day", day, f"{title}: moved to {label}"))

    async def remove_item(self, item_id: str, name: str) -> Any:
        """Remove an exercise from the open session."""
        return await self._apply([*self.edits, Edit(
            "remove_item", self.open_session, item_id, None, None,
            f"{name}: removed").as_dict()])

    def open_picker(self, target: str, name: str) -> None:
        """Open the catalogue to add an exercise ("new") or swap `target` for another."""
        self.picker_for = target
        self.picker_label = "Add an exercise" if target == "new" else f"Swap {name} for…"
        self.search_catalogue("")

    def close_picker(self) -> None:
        """Back to the session's exercises."""
        self.picker_for = ""

    def search_catalogue(self, query: str) -> None:
        """Exercises whose name, pattern or equipment matches `query`."""
        self.catalogue_query = query[:60]
        self.catalogue_hits = [Choice(e.key, f"{e.name} · {e.category}, {e.equipment}")
                               for e in catalogue.search(self.catalogue_query, limit=8)]

    async def pick_exercise(self, key: str) -> Any:
        """Add the chosen exercise, or swap the picked item for it."""
        exercise = catalogue.get_exercise(key)
        if exercise is None:
            return rx.toast.error("That exercise is not in the catalogue.")
        target = self.picker_for
        if target == "new":
            edit = Edit("add_item", self.open_session, None, None, new_item(key),
                        f"{exercise.name}: added")
        else:
            old = next((i.name for i in self.dialog_items if i.item_id == target), "exercise")
            edit = Edit("swap", self.open_session, target, None, key,
                        f"{old} → {exercise.name} (swap)")
        self.picker_for = ""
        return await self._apply([*self.edits, edit.as_dict()])

    async def show_weeks(self, start: int) -> Any:
        """Show another page of weeks (with the unsaved edits)."""
        self.week_start = max(0, start)
        if not self.edits:
            return await self.load()
        return await self._apply(self.edits, open_session="")

    async def undo(self, index: int) -> Any:
        """Drop one unsaved edit."""
        return await self._apply([e for n, e in enumerate(self.edits) if n != index])

    async def _replace(self, same: Callable[[dict[str, Any]], bool], edit: Edit) -> Any:
        """Record `edit` in place of an earlier unsaved edit of the same thing."""
        return await self._apply([e for e in self.edits if not same(e)] + [edit.as_dict()])

    async def _apply(self, edits: list[dict[str, Any]], open_session: str | None = None
                     ) -> Any:
        """Preview `edits`; keep them only if the plan they make is valid."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        session_id = self.open_session if open_session is None else open_session
        try:
            data = await run_read(_preview, actor, self.plan_id, edits, session_id,
                                  not session_id, dict(self.open_threads),
                                  max(0, self.week_start))
        except DomainError as error:
            return problem_toast(error)
        if "weeks" in data:
            self.weeks, self.calendar_stale = data["weeks"], False
        elif edits != self.edits:
            self.calendar_stale = True
        self.edits, self.preview_badges = edits, data["badges"] or []
        self._remember()
        dialog = data.get("dialog")
        if dialog is None:
            self.open_session = ""
            return None
        self.open_session, self.open_title = session_id, dialog["title"]
        self.dialog_items, self.dialog_day = dialog["items"], dialog["day"]
        self.dialog_notes, self.day_options = dialog["notes"], dialog["days"]
        return None

    def toggle_reason(self, code: str) -> None:
        """Tick or untick a reason code."""
        self.reasons = [r for r in self.reasons if r != code] if code in self.reasons \
            else [*self.reasons, code]

    def _typed_fields(self) -> tuple[str, ...]:
        return (*TYPED_FIELDS, "rationale", "submit_note")

    def set_rationale(self, value: str) -> None:
        """Why the edit is made."""
        self.rationale = value[:2000]
        self._keep_typed()

    def set_submit_note(self, value: str) -> None:
        """A note to the athlete."""
        self.submit_note = value[:TYPED_LIMIT]
        self._keep_typed()

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
            number, stale = await run_write(save_edits, actor, self.plan_id, self.head_id,
                                            self.edits, self.reasons, self.rationale,
                                            self._context())
        except Conflict as error:
            await self._load_editable()  # the view (and head_id) now show their version
            await self._apply(self.edits)
            return rx.toast.warning(f"{error.detail} Your edits are kept; Save again to apply "
                                    "them on top of it.", duration=15000)
        except DomainError as error:
            return problem_toast(error)
        self.save_open, self.edits, self.reasons, self.rationale = False, [], [], ""
        self._remember()
        self._keep_typed()
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
        self.submit_note = ""
        self._keep_typed()
        await self.load_editor()
        return rx.toast.success("Submitted — the athlete has been notified.")
