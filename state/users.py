"""Users & roles (admin): search, filter, page, change roles and assignments."""

from __future__ import annotations

from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services import users
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission
from plangov_app.services.views.users_admin import PAGE_SIZE, Named, UserRow, users_page
from state.pager import CursorPager
from state.session import SignedIn, problem_toast, run_read, run_write


class UsersState(SignedIn, CursorPager, rx.State):
    """One page of users plus the edit dialog."""

    search: str = ""
    role_filter: str = "all"
    offset: int = 0
    total: int = 0
    rows: list[UserRow] = []
    teams: list[Named] = []
    coaches: list[Named] = []
    # the user being edited
    editing_id: str = ""
    editing_name: str = ""
    editing_role: str = ""
    new_role: str = ""
    coach_choice: str = ""
    team_choice: str = ""

    async def load(self) -> Any:
        """on_load: check user:manage, then fetch the first page."""
        actor, redirect = await self._require(Permission.USER_MANAGE)
        if redirect or actor is None:
            return redirect
        return await self._first_page()

    async def _fetch(self, cursor: str) -> Any:
        """The page at `cursor` (an offset, as text)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        offset = int(cursor or 0)
        read = partial(users_page, search=self.search, role=self.role_filter, offset=offset)
        try:
            page = await run_read(read, actor)
        except DomainError as error:
            return problem_toast(error)
        self.offset, self.rows, self.total = offset, page.rows, page.total
        self.teams, self.coaches = page.teams, page.coaches
        return str(offset + PAGE_SIZE) if offset + PAGE_SIZE < page.total else ""

    async def _refresh(self) -> Any:
        return await self._page(self.cursors[-1] if self.cursors else "")

    async def set_search(self, value: str) -> Any:
        """Search as you type (name or email)."""
        self.search = value[:100]
        return await self._first_page()

    async def set_role_filter(self, value: str) -> Any:
        """Filter by role."""
        self.role_filter = value
        return await self._first_page()

    def open_editor(self, row: dict[str, str]) -> None:
        """Open the dialog for one user."""
        self.editing_id, self.editing_name = row["id"], row["name"]
        self.editing_role = self.new_role = row["role"]
        self.coach_choice = self.team_choice = ""

    def close_editor(self) -> None:
        """Close the dialog."""
        self.editing_id = ""

    def set_new_role(self, value: str) -> None:
        """Pick a role."""
        self.new_role = value

    def set_coach_choice(self, value: str) -> None:
        """Pick a coach."""
        self.coach_choice = value

    def set_team_choice(self, value: str) -> None:
        """Pick a team."""
        self.team_choice = value

    async def _change(self, fn: Any, *args: Any, done: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            await run_write(fn, actor, *args)
        except DomainError as error:
            return problem_toast(error)
        await self._refresh()
        return rx.toast.success(done)

    async def save_role(self) -> Any:
        """Change the role (audited as role.change)."""
        result = await self._change(users.change_role, self.editing_id, self.new_role,
                                    self._context(),
                                    done=f"{self.editing_name} is now {self.new_role}.")
        self.editing_role = self.new_role
        return result

    async def assign_coach(self, assigned: bool) -> Any:
        """Assign or unassign the chosen coach (audited as assignment.change)."""
        if not self.coach_choice:
            return rx.toast.error("Choose a coach first.")
        change = partial(users.set_coach_assignment, assigned=assigned,
                         context=self._context())
        verb = "assigned to" if assigned else "removed from"
        return await self._change(change, self.coach_choice, self.editing_id,
                                  done=f"Coach {verb} {self.editing_name}.")

    async def set_team(self, member: bool) -> Any:
        """Add to or remove from the chosen team (audited as assignment.change)."""
        if not self.team_choice:
            return rx.toast.error("Choose a team first.")
        change = partial(users.set_team_membership, member=member, context=self._context())
        verb = "added to" if member else "removed from"
        return await self._change(change, self.team_choice, self.editing_id,
                                  done=f"{self.editing_name} {verb} the team.")

    @rx.var
    def page_label(self) -> str:
        """"26–30 of 30"."""
        if not self.total:
            return "No users"
        return f"{self.offset + 1}–{min(self.offset + PAGE_SIZE, self.total)} of {self.total}"
