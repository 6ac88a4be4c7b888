"""Users & roles (admin): a page of users with their coaches and teams, and the pick lists."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session

from plangov_app.services import users
from plangov_app.services.rbac import Actor, Role

PAGE_SIZE = 25
ROLES = [r.value for r in Role]


@dataclasses.dataclass
class UserRow:
    """A user as the table shows it."""

    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    coaches: str = ""
    teams: str = ""


@dataclasses.dataclass
class Named:
    """A coach or a team, for the pick lists."""

    id: str = ""
    name: str = ""


@dataclasses.dataclass
class UsersPage:
    """A page of users, how many match, and the coaches and teams to assign."""

    rows: list[UserRow] = dataclasses.field(default_factory=list)
    total: int = 0
    teams: list[Named] = dataclasses.field(default_factory=list)
    coaches: list[Named] = dataclasses.field(default_factory=list)


def users_page(session: Session, actor: Actor, *, search: str, role: str,
               offset: int) -> UsersPage:
    """The users matching `search` and `role` ("all": any) from `offset` (USER_MANAGE)."""
    rows, total = users.list_users(session, actor, search=search,
                                   role=None if role in ("", "all") else role,
                                   offset=offset, limit=PAGE_SIZE)
    teams = {t.id: t.name for t in users.list_teams(session, actor)}
    coaches, _ = users.list_users(session, actor, role=Role.COACH.value, limit=100)
    coach_names = {c.id: c.display_name for c in coaches}
    return UsersPage(
        rows=[UserRow(id=r.id, name=r.display_name, email=r.email, role=r.role,
                      coaches=", ".join(coach_names.get(c, "?") for c in r.coach_ids) or "—",
                      teams=", ".join(teams.get(t, "?") for t in r.team_ids) or "—")
              for r in rows],
        total=total,
        teams=[Named(k, v) for k, v in sorted(teams.items(), key=lambda x: x[1])],
        coaches=[Named(k, v) for k, v in sorted(coach_names.items(), key=lambda x: x[1])])
