"""Users & roles (admin): browse people, change roles, assign coaches and teams."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from db.models import CoachAthlete, Team, TeamMember, User
from plangov_app.services import audit, time_zones
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, InvalidInput, NotFound
from plangov_app.services.rbac import Actor, Permission, Role, authorize
from plangov_app.services.search import LIKE_ESCAPE, contains_pattern, filter_text

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class UserRow:
    """A user as the admin list shows them."""

    id: str
    email: str
    display_name: str
    role: str
    is_active: bool
    coach_ids: tuple[str, ...]
    team_ids: tuple[str, ...]


def _get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def list_users(
    session: Session,
    actor: Actor,
    *,
    search: str = "",
    role: str | None = None,
    offset: int = 0,
    limit: int = 25,
) -> tuple[list[UserRow], int]:
    """A page of users matching `search` (name or email, literally) and `role`, and the total.

    Sorted by role, then by name as people count ("Athlete 2" before "Athlete 10").
    """
    authorize(actor, Permission.USER_MANAGE)
    search, role = filter_text(search, "search") or "", filter_text(role, "role")
    query = select(User.id, User.role, User.display_name, User.email)
    if search.strip():
        pattern = contains_pattern(search.strip().lower())
        query = query.where(or_(func.lower(User.email).like(pattern, escape=LIKE_ESCAPE),
                                func.lower(User.display_name).like(pattern, escape=LIKE_ESCAPE)))
    if role:
        query = query.where(User.role == role)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    ordered = sorted(session.exec(query),  # names and emails only: cheap for every user
                     key=lambda u: (u.role, natural_key(u.display_name), u.email))
    total = len(ordered)
    ids = [u.id for u in ordered[max(0, offset):max(0, offset) + limit]]
    found = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    users = [found[i] for i in ids]
    coaches = _pairs(session, select(CoachAthlete.athlete_id, CoachAthlete.coach_id)
                     .where(col(CoachAthlete.athlete_id).in_(ids)))
    teams = _pairs(session, select(TeamMember.user_id, TeamMember.team_id)
                   .where(col(TeamMember.user_id).in_(ids)))
    rows = [UserRow(id=u.id, email=u.email, display_name=u.display_name, role=u.role,
                    is_active=u.is_active, coach_ids=tuple(sorted(coaches.get(u.id, []))),
                    team_ids=tuple(sorted(teams.get(u.id, [])))) for u in users]
    return rows, total


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that counts as people do: "Athlete 2" before "Athlete 10"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold())
                 for part in _DIGITS.split(text) if part)


_DIGITS = re.compile(r"(\d+)")


def _pairs(session: Session, query: object) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in session.exec(query):  # type: ignore[call-overload]
        grouped.setdefault(key, []).append(value)
    return grouped


def list_teams(session: Session, actor: Actor) -> list[Team]:
    """Every team, by name."""
    authorize(actor, Permission.USER_MANAGE)
    return list(session.exec(select(Team).order_by(Team.name)))


def change_role(
    session: Session, actor: Actor, user_id: str, new_role: str, context: RequestContext
) -> User:
    """Give `user_id` a new role; audited as `role.change` with old and new values."""
    authorize(actor, Permission.USER_MANAGE)
    try:
        role = Role(new_role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Unknown role {new_role!r}; use one of: {allowed}.") from None
    user = _get_user(session, user_id)
    if user.id == actor.user_id and role is not Role.ADMIN:
        raise Conflict("You cannot remove your own admin role; ask another admin.")
    old = user.role
    if old == role.value:
        return user
    user.role = role.value
    session.add(user)
    audit.record(session, action="role.change", context=context, actor=actor,
                 target_type="user", target_id=user.id,
                 metadata={"email": user.email, "old": old, "new": role.value})
    session.flush()
    return user


def set_coach_assignment(
    session: Session, actor: Actor, coach_id: str, athlete_id: str, *, assigned: bool,
    context: RequestContext,
) -> None:
    """Assign (or unassign) a coach to an athlete; audited as `assignment.change`."""
    authorize(actor, Permission.USER_MANAGE)
    coach, athlete = _get_user(session, coach_id), _get_user(session, athlete_id)
    if coach.role != Role.COACH.value:
        raise InvalidInput(f"{coach.email} is not a coach.")
    if athlete.role != Role.ATHLETE.value:
        raise InvalidInput(f"{athlete.email} is not an athlete.")
    existing = session.get(CoachAthlete, (coach_id, athlete_id))
    if bool(existing) == assigned:
        return
    if assigned:
        session.add(CoachAthlete(coach_id=coach_id, athlete_id=athlete_id))
    else:
        session.delete(existing)
    audit.record(session, action="assignment.change", context=context, actor=actor,
                 target_type="user", target_id=athlete_id,
                 metadata={"kind": "coach", "coach_id": coach_id, "coach": coach.email,
                           "athlete": athlete.email, "old": not assigned, "new": assigned})
    session.flush()


def set_team_membership(
    session: Session, actor: Actor, team_id: str, user_id: str, *, member: bool,
    context: RequestContext,
) -> None:
    """Add (or remove) a user to a team; audited as `assignment.change`."""
    authorize(actor, Permission.USER_MANAGE)
    team, user = session.get(Team, team_id), _get_user(session, user_id)
    if team is None:
        raise NotFound(f"No team with id {team_id}.")
    if user.role not in (Role.SUPPORT.value, Role.ATHLETE.value):
        raise InvalidInput(f"{user.email} is a {user.role}; teams hold athletes and support.")
    existing = session.get(TeamMember, (team_id, user_id))
    if bool(existing) == member:
        return
    if member:
        session.add(TeamMember(team_id=team_id, user_id=user_id))
    else:
        session.delete(existing)
    audit.record(session, action="assignment.change", context=context, actor=actor,
                 target_type="user", target_id=user_id,
                 metadata={"kind": "team", "team_id": team_id, "team": team.name,
                           "user": user.email, "old": not member, "new": member})
    session.flush()


def set_time_zone(session: Session, actor: Actor, *, zone: str, context: RequestContext,
                  source: str = "user") -> str:
    """Store the IANA zone `actor` reads times in (themself only); the zone now stored.

    Audited as `user.time_zone` with old → new (nothing when unchanged). An unknown name is
    refused naming the field. `source="browser"` is the first visit's default, the browser's
    own zone: stored only while the user has none, so it never replaces a choice.
    """
    name = time_zones.canonical(zone) if isinstance(zone, str) else None
    if name is None:
        shown = zone[:time_zones.MAX_NAME] if isinstance(zone, str) else zone
        raise InvalidInput(f"time_zone: {shown!r} is not a known time zone; use an IANA "
                           "name such as Europe/Oslo or America/New_York.", field="time_zone")
    user = _get_user(session, actor.user_id)
    old = user.time_zone
    if old == name or (source == "browser" and old):
        return old
    user.time_zone = name
    session.add(user)
    audit.record(session, action="user.time_zone", context=context, actor=actor,
                 target_type="user", target_id=user.id,
                 metadata={"kind": "time_zone", "old": old, "new": name, "source": source})
    session.flush()
    return name
