"""Users & roles (admin): search, filter, page, change roles and assignments."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from plangov_app.services import users
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Actor, Permission, Role
from state.session import SessionState, problem_toast, run_read, run_write

PAGE_SIZE = 25
ROLES = [r.value for r in Role]


def _page(session: Session, actor: Actor, search: str, role: str, offset: int) -> dict:
    rows, total = users.list_users(session, actor, search=search, role=role or None,
                                   offset=offset, limit=PAGE_SIZE)
    teams = {t.id: t.name for t in users.list_teams(session, actor)}
    coaches, _ = users.list_users(session, actor, role=Role.COACH.value, limit=100)
    coach_names = {c.id: c.display_name for c in coaches}
    return {
        "rows": [{"id": r.id, "name": r.display_name, "email": r.email, "role": r.role,
                  "coaches": ", ".join(coach_names.get(c, "?") for c in r.coach_ids) or "—",
                  "teams": ", ".join(teams.get(t, "?") for t in r.team_ids) or "—"}
                 for r in rows],
        "total": total,
        "teams": [{"id": k, "name": v} for k, v in sorted(teams.items(), key=lambda x: x[1])],
        "coaches": [{"id": k, "name": v} for k, v in sorted(coach_names.items(),
                                                            key=lambda x: x[1])],
    }


class UsersState(SessionState):
    """One page of users plus the edit dialog."""

    search: str = ""
    role_filter: str = "all"
    offset: int = 0
    total: int = 0
    rows: list[dict[str, str]] = []
    teams: list[dict[str, str]] = []
    coaches: list[dict[str, str]] = []
    loading: bool = False
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
        self.offset = 0
        return await self._fetch(actor)

    async def _fetch(self, actor: Actor | None = None) -> Any:
        actor = actor or await self._actor()
        if actor is None:
            return rx.redirect("/login")
        self.loading = True
        try:
            role = "" if self.role_filter == "all" else self.role_filter
            data = await run_read(_page, actor, self.search, role, self.offset)
        except DomainError as error:
            self.loading = False
            return problem_toast(error)
        self.rows, self.total = data["rows"], data["total"]
        self.teams, self.coaches = data["teams"], data["coaches"]
        self.loading = False
        return None

    async def set_search(self, value: str) -> Any:
        """Search as you type (name or email)."""
        self.search, self.offset = value[:100], 0
        return await self._fetch()

    async def set_role_filter(self, value: str) -> Any:
        """Filter by role."""
        self.role_filter, self.offset = value, 0
        return await self._fetch()

    async def next_page(self) -> Any:
        """The next 25."""
        if self.offset + PAGE_SIZE < self.total:
            self.offset += PAGE_SIZE
        return await self._fetch()

    async def previous_page(self) -> Any:
        """The previous 25."""
        self.offset = max(0, self.offset - PAGE_SIZE)
        return await self._fetch()

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
        await self._fetch(actor)
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
        def change(session: Session, actor: Actor) -> None:
            users.set_coach_assignment(session, actor, self.coach_choice, self.editing_id,
                                       assigned=assigned, context=self._context())
        verb = "assigned to" if assigned else "removed from"
        return await self._change(change, done=f"Coach {verb} {self.editing_name}.")

    async def set_team(self, member: bool) -> Any:
        """Add to or remove from the chosen team (audited as assignment.change)."""
        if not self.team_choice:
            return rx.toast.error("Choose a team first.")
        def change(session: Session, actor: Actor) -> None:
            users.set_team_membership(session, actor, self.team_choice, self.editing_id,
                                      member=member, context=self._context())
        verb = "added to" if member else "removed from"
        return await self._change(change, done=f"{self.editing_name} {verb} the team.")

    @rx.var
    def page_label(self) -> str:
        """"26–30 of 30"."""
        if not self.total:
            return "No users"
        return f"{self.offset + 1}–{min(self.offset + PAGE_SIZE, self.total)} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        """Whether there is a next page."""
        return self.offset + PAGE_SIZE < self.total

    @rx.var
    def has_previous(self) -> bool:
        """Whether there is a previous page."""
        return self.offset > 0
