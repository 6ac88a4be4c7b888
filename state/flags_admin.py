"""`/flags` (flag:manage): the list, create, edit rules with a confirmation, the history.

Thin: every read is a `services.views.flags_page` function and every write one
`services.flags` call (validated and audited there); the service's words for a refused
value are shown beside its field.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services import flags
from plangov_app.services.errors import Conflict, DomainError, InvalidInput
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.views.flags_page import (
    ChangeRow,
    FlagForm,
    FlagRow,
    allow_entries,
    flag_form,
    flag_history,
    flags_list,
    reach_of_change,
)
from state.session import SignedIn, problem_toast, run_read, run_write

#: the service's field names → the form's boxes
FIELDS = {"key": "key", "description": "description", "enabled": "enabled",
          "rules.percentage": "percentage", "rules.roles": "roles", "rules.allow": "allow"}


def _problems(error: DomainError) -> dict[str, str]:
    """The service's messages by form box (the "field: " prefix dropped)."""
    errors = error.extra.get("errors") or [
        {"field": error.extra.get("field", ""), "message": error.detail}]
    shown = {}
    for e in errors:
        box = FIELDS.get(str(e.get("field", "")))
        if box:
            message = str(e.get("message", ""))
            shown[box] = message.removeprefix(f"{e['field']}: ")
    return shown


def _percentage(text: str) -> Any:
    """The rollout as typed: a number when it reads as one, else the text (the service says why)."""
    try:
        return float(text.strip())
    except ValueError:
        return text


class FlagsAdminState(SignedIn, rx.State):
    """The flags, the one being edited (its form, problems, history) and the create dialog."""

    rows: list[FlagRow] = []
    loaded: bool = False
    load_error: str = ""
    # create dialog
    create_open: bool = False
    new_key: str = ""
    new_description: str = ""
    new_enabled: bool = False
    create_problems: dict[str, str] = {}
    # the flag being edited
    form: FlagForm = FlagForm()
    problems: dict[str, str] = {}
    history: list[ChangeRow] = []
    saving: bool = False
    confirm_open: bool = False
    confirm_text: str = ""

    async def load(self) -> Any:
        """on_load: check flag:manage, list the flags, open `?key=` if given."""
        actor, redirect = await self._require(Permission.FLAG_MANAGE)
        if redirect or actor is None:
            return redirect
        failed = await self._list(actor)
        key = self.router.url.query_parameters.get("key", "")[:80]
        if failed is None and key:
            return await self._open(actor, key)
        return failed

    async def _list(self, actor: Actor) -> Any:
        try:
            self.rows = await run_read(flags_list, actor)
        except DomainError as error:
            self.load_error, self.loaded = error.detail, True
            return problem_toast(error)
        self.load_error, self.loaded = "", True
        return None

    async def _open(self, actor: Actor, key: str) -> Any:
        try:
            form = await run_read(flag_form, actor, key)
            history = await run_read(flag_history, actor, key)
        except DomainError as error:
            return problem_toast(error)
        self.form, self.history, self.problems = form, history, {}
        return None

    async def edit(self, key: str) -> Any:
        """Open one flag's rules and history."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        return await self._open(actor, key)

    def close_editor(self) -> None:
        """Leave the form (nothing is saved)."""
        self.form, self.history, self.problems = FlagForm(), [], {}

    # --- the form's boxes ---------------------------------------------------------

    def _set(self, **values: Any) -> None:
        self.form = dataclasses.replace(self.form, **values)

    def _clear(self, box: str) -> None:
        if box in self.problems:
            self.problems = {k: v for k, v in self.problems.items() if k != box}

    def set_enabled(self, value: bool) -> None:
        """The on/off switch (saved with Save rules)."""
        self._set(enabled=bool(value))
        self._clear("enabled")

    def set_description(self, value: str) -> None:
        """The description as typed."""
        self._set(description=value[:600])
        self._clear("description")

    def set_percentage(self, value: str) -> None:
        """The rollout % as typed in the number box."""
        self._set(percentage=str(value)[:12])
        self._clear("percentage")

    def set_slider(self, value: list[float]) -> None:
        """The rollout % from the slider."""
        if value:
            self._set(percentage=f"{float(value[0]):g}")
            self._clear("percentage")

    def set_role(self, role: str, checked: bool) -> None:
        """Tick or untick a role (none ticked: every role)."""
        roles = [r for r in self.form.roles if r != role]
        self._set(roles=sorted([*roles, role]) if checked else roles)
        self._clear("roles")

    def set_allow_text(self, value: str) -> None:
        """The allow-list as typed, one email (or user id) per line."""
        self._set(allow_text=value[:60_000])
        self._clear("allow")

    # --- saving ---------------------------------------------------------------------

    def _changes(self) -> dict[str, Any]:
        return {"description": self.form.description, "enabled": self.form.enabled,
                "rules": {"allow": allow_entries(self.form.allow_text),
                          "roles": list(self.form.roles),
                          "percentage": _percentage(self.form.percentage)}}

    async def save(self) -> Any:
        """Check the rules; ask first when users would see a change, else save."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        changes = self._changes()
        try:
            reach = await run_read(reach_of_change, actor, self.form.key,
                                   enabled=changes["enabled"], rules=changes["rules"])
        except DomainError as error:
            return self._refused(error)
        if reach.changes_users:
            self.confirm_text, self.confirm_open = reach.sentence(self.form.key), True
            return None
        return await self._write(actor, changes)

    async def confirm(self) -> Any:
        """Save after the confirmation."""
        self.confirm_open = False
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        return await self._write(actor, self._changes())

    def set_confirm_open(self, value: bool) -> None:
        """Open or dismiss the confirmation (dismissed: nothing is saved)."""
        self.confirm_open = bool(value)

    def _refused(self, error: DomainError) -> Any:
        shown = _problems(error) if isinstance(error, InvalidInput | Conflict) else {}
        self.problems = shown
        return None if shown else problem_toast(error)

    async def _write(self, actor: Actor, changes: dict[str, Any]) -> Any:
        self.saving = True
        write = partial(flags.update_flag, changes=changes, context=self._context())
        try:
            await run_write(write, actor, self.form.key)
        except DomainError as error:
            self.saving = False
            return self._refused(error)
        self.saving = False
        key = self.form.key
        await self._list(actor)
        await self._open(actor, key)
        return rx.toast.success(f"Saved {key}. Users see it on their next page load.")

    # --- creating -------------------------------------------------------------------

    def set_create_open(self, value: bool) -> None:
        """Open or close the New flag dialog."""
        self.create_open = bool(value)
        if value:
            self.new_key = self.new_description = ""
            self.new_enabled, self.create_problems = False, {}

    def set_new_key(self, value: str) -> None:
        """The new flag's key as typed."""
        self.new_key = value[:100]
        self.create_problems = {k: v for k, v in self.create_problems.items() if k != "key"}

    def set_new_description(self, value: str) -> None:
        """The new flag's description as typed."""
        self.new_description = value[:600]

    def set_new_enabled(self, value: bool) -> None:
        """Whether the new flag starts switched on."""
        self.new_enabled = bool(value)

    async def create(self) -> Any:
        """Create the flag (audited as flag.create) and open it for its rules."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        create = partial(flags.create_flag, key=self.new_key.strip(),
                         description=self.new_description, enabled=self.new_enabled,
                         context=self._context())
        try:
            view = await run_write(create, actor)
        except DomainError as error:
            shown = _problems(error) if isinstance(error, InvalidInput | Conflict) else {}
            self.create_problems = shown
            return None if shown else problem_toast(error)
        self.create_open = False
        await self._list(actor)
        await self._open(actor, view.key)
        return rx.toast.success(f"Created {view.key}. Set its rules below.")

    @rx.var
    def percentage_value(self) -> float:
        """The rollout % for the slider (0 while the box holds no number from 0 to 100)."""
        try:
            value = float(self.form.percentage)
        except ValueError:
            return 0.0
        return value if 0 <= value <= 100 else 0.0
