"""The editor's session dialog: one session's exercises, day and notes, and the picker.

Every change becomes an unsaved edit through `EditorState` (which previews it); this
state only holds what the dialog shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx

from plangov_app.services import catalogue
from plangov_app.services.custom_exercises import add_custom_exercise
from plangov_app.services.errors import DomainError, InvalidInput
from plangov_app.services.plans.unsaved_edits import Edit, dose_edit, dose_text, new_item
from plangov_app.services.views.common import Choice
from plangov_app.services.views.editor import (
    EDITABLE,
    DialogItem,
    SessionDialog,
    move_session,
)
from state.plan_view import PlanViewState
from state.session import SignedIn, problem_toast, run_read, run_write

CATALOGUE_HITS = 8


class SessionDialogState(SignedIn, rx.State):
    """The open session (its id, title, items, day, notes) and the exercise picker."""

    open_session: str = ""
    open_title: str = ""
    dialog_items: list[DialogItem] = []
    dialog_day: str = ""
    dialog_notes: str = ""
    day_options: list[Choice] = []
    move_min: str = ""  # the days "Move to…" may pick ("" when the session may not move)
    move_max: str = ""
    move_note: str = ""  # why the session may not move
    move_error: str = ""  # why the day typed in "Move to…" was refused
    return_to: str = ""  # the session whose Edit button opened the dialog (focus goes back)
    picker_for: str = ""  # "" closed, "new" to add, else the item_id being swapped
    picker_label: str = ""
    catalogue_query: str = ""
    catalogue_hits: list[Choice] = []
    picker_active: int = 0  # the result the arrow keys are on (Enter picks it)
    # "New exercise": a custom exercise for the club's catalogue, added and then picked
    new_open: bool = False
    new_name: str = ""
    new_modality: str = "strength"
    new_unit: str = "reps"
    new_problems: dict[str, str] = {}
    # Values refused in the open dialog, "item_id:field" → why (shown beside the field).
    _refused: dict[str, str] = {}

    def _show(self, dialog: SessionDialog | None) -> None:
        """Show the previewed session, or close the dialog when there is none."""
        if dialog is None:
            if self.open_session:
                self.open_session = ""
            self._refused = {}
            return
        if dialog.session_id != self.open_session:
            self._refused = {}
        self.open_session, self.open_title = dialog.session_id, dialog.title
        self.dialog_items, self.dialog_day = self._marked(dialog.items), dialog.day
        self.dialog_notes, self.day_options = dialog.notes, dialog.days
        self.move_min, self.move_max = dialog.move_min, dialog.move_max
        self.move_note, self.move_error = dialog.move_note, ""

    def _marked(self, items: list[DialogItem]) -> list[DialogItem]:
        """`items` with each field's refusal (or "") to show beside it."""
        return [dataclasses.replace(i, errors={
            f: self._refused.get(f"{i.item_id}:{f}", "") for f in EDITABLE}) for i in items]

    def _refuse(self, key: str, why: str) -> None:
        """Show why a typed value was refused beside its field (it stays typed, unsaved)."""
        self._refused = {**self._refused, key: why}
        self.dialog_items = self._marked(self.dialog_items)

    async def _close(self) -> None:
        self.open_session, self.picker_for, self._refused = "", "", {}

    async def _editor(self) -> Any:
        from state.editor import EditorState  # the editor keeps (and previews) the edits

        return await self.get_state(EditorState)

    async def edit_session(self, session_id: str) -> Any:
        """Open the dialog for one session (as it is with the unsaved edits)."""
        self.picker_for, self.return_to = "", session_id
        editor = await self._editor()
        return await editor._apply(editor.edits, open_session=session_id)

    async def close_session(self) -> Any:
        """Close the session dialog; the calendar then shows the edits made in it."""
        if not self.open_session:
            return None
        await self._close()
        editor = await self._editor()
        if editor.calendar_stale:
            return await editor._apply(editor.edits, open_session="")
        return None

    async def _replace(self, same: Callable[[dict[str, Any]], bool], edit: Edit) -> Any:
        """Record `edit` in place of an earlier unsaved edit of the same thing."""
        editor = await self._editor()
        return await editor._apply([e for e in editor.edits if not same(e)] + [edit.as_dict()])

    async def change_field(self, item_id: str, name: str, field: str, value: str) -> Any:
        """Record an unsaved edit of one dose field, or say beside it why it is refused.

        A refused value (not a number, out of range, or making the plan invalid) stays in
        its box marked invalid and never becomes an edit.
        """
        key = f"{item_id}:{field}"
        try:
            edit = dose_edit(self.open_session, item_id, name, field, value)
        except InvalidInput as error:
            return self._refuse(key, error.detail)
        self._refused = {k: v for k, v in self._refused.items() if k != key}
        shown = next((getattr(i, field) for i in self.dialog_items if i.item_id == item_id), "")
        if dose_text(edit.value) == shown:
            self.dialog_items = self._marked(self.dialog_items)
            return None  # left as it is
        editor = await self._editor()
        kept = [e for e in editor.edits if not (e["item_id"] == item_id and e["field"] == field)]
        try:
            return await editor._preview([*kept, edit.as_dict()])
        except InvalidInput as error:
            return self._refuse(key, error.detail)
        except DomainError as error:
            return problem_toast(error)

    async def change_notes(self, value: str) -> Any:
        """Record the session's new notes (on leaving the box)."""
        if value == self.dialog_notes:
            return None
        session_id = self.open_session
        return await self._replace(
            lambda e: e["kind"] == "set_session" and e["session_id"] == session_id,
            Edit("set_session", session_id, None, "notes", value[:1000],
                 f"{self.open_title}: notes edited"))

    async def move_to(self, day: str) -> Any:
        """Move the open session to another day of its week."""
        if day == self.dialog_day:
            return None
        label = next((c.label for c in self.day_options if c.value == day), day)
        title, session_id = self.open_title.split(" · ")[0], self.open_session
        return await self._replace(
            lambda e: e["kind"] == "move" and e["session_id"] == session_id,
            Edit("move", session_id, None, "day", day, f"{title}: moved to {label}"))

    async def move_to_date(self, text: str) -> Any:
        """Move the open session to the day picked in "Move to…" (any week not past)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        editor = await self._editor()
        plan = await self.get_state(PlanViewState)
        session_id = self.open_session
        try:
            edit = await run_read(move_session, actor, plan.plan_id, edits=editor.edits,
                                  session_id=session_id, text=text)
        except InvalidInput as error:
            self.move_error = error.detail
            return None
        except DomainError as error:
            return problem_toast(error)
        return await self._replace(
            lambda e: e["kind"] == "move" and e["session_id"] == session_id, Edit.from_dict(edit))

    async def remove_item(self, item_id: str, name: str) -> Any:
        """Remove an exercise from the open session."""
        editor = await self._editor()
        return await editor._add(Edit("remove_item", self.open_session, item_id, None, None,
                                      f"{name}: removed").as_dict())

    async def open_picker(self, target: str, name: str) -> None:
        """Open the catalogue to add an exercise ("new") or swap `target` for another."""
        self.picker_for, self.new_open, self.new_problems = target, False, {}
        self.picker_label = "Add an exercise" if target == "new" else f"Swap {name} for…"
        await run_read(catalogue.refresh_custom)  # the club's exercises, as stored now
        self.search_catalogue("")

    def close_picker(self) -> None:
        """Back to the session's exercises."""
        self.picker_for, self.new_open = "", False

    def toggle_new(self) -> None:
        """Show or hide the "New exercise" form (the name starts as the search typed)."""
        self.new_open, self.new_problems = not self.new_open, {}
        if self.new_open and not self.new_name:
            self.new_name = self.catalogue_query.strip()

    def set_new_name(self, value: str) -> None:
        """The new exercise's name as typed (an earlier refusal of the name goes)."""
        self.new_name = value[:200]
        self.new_problems = {k: v for k, v in self.new_problems.items() if k != "name"}

    def set_new_modality(self, value: str) -> None:
        """The new exercise's modality."""
        self.new_modality = value

    def set_new_unit(self, value: str) -> None:
        """What the new exercise's dose counts."""
        self.new_unit = value

    async def add_new_exercise(self) -> Any:
        """Add the custom exercise to the club's catalogue, then add or swap it in here."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            exercise = await run_write(add_custom_exercise, actor, name=self.new_name,
                                       modality=self.new_modality, unit=self.new_unit,
                                       context=self._context())
        except InvalidInput as error:
            errors = error.extra.get("errors") or [
                {"field": error.extra.get("field", "name"), "message": error.detail}]
            self.new_problems = {e["field"]: e["message"] for e in errors}
            return None
        except DomainError as error:
            return problem_toast(error)
        self.new_open, self.new_name, self.new_problems = False, "", {}
        picked = await self.pick_exercise(exercise.key)
        added = rx.toast.success(f"{exercise.name} is in the club's catalogue now.")
        return added if picked is None else [picked, added]

    async def escape(self) -> Any:
        """Escape closes the exercise picker if it is open, else the dialog."""
        if self.picker_for:
            return self.close_picker()
        return await self.close_session()

    async def picker_key(self, key: str, _modifiers: dict[str, Any] | None = None) -> Any:
        """In the exercise search: the arrow keys move through the results, Enter picks."""
        hits = len(self.catalogue_hits)
        if key in ("ArrowDown", "ArrowUp") and hits:
            step = 1 if key == "ArrowDown" else -1
            self.picker_active = (self.picker_active + step) % hits
        elif key == "Home" and hits:
            self.picker_active = 0
        elif key == "End" and hits:
            self.picker_active = hits - 1
        elif key == "Enter" and 0 <= self.picker_active < hits:
            return await self.pick_exercise(self.catalogue_hits[self.picker_active].value)
        return None

    def search_catalogue(self, query: str) -> None:
        """Exercises whose name, pattern or equipment matches `query`."""
        self.catalogue_query, self.picker_active = query[:60], 0
        self.catalogue_hits = [
            Choice(e.key, f"{e.name} · {e.category}, "
                          f"{'club exercise' if e.custom else e.equipment}")
            for e in catalogue.search(self.catalogue_query, limit=CATALOGUE_HITS)]

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
        editor = await self._editor()
        return await editor._add(edit.as_dict())
