"""Role-based access control: the one permission matrix and the one function that decides.

Every API dependency, Reflex state handler and service asks `authorize()` (or `can()`);
list queries ask `visible_athlete_ids()` for the rows an actor may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, select

from db.models import CoachAthlete, TeamMember, User
from plangov_app.services.errors import Forbidden, NotFound, Unauthorized


class Role(StrEnum):
    """The roles of spec §2.1 (plus compliance, named there under audit:read)."""

    ADMIN = "admin"
    COACH = "coach"
    ATHLETE = "athlete"
    DATA_SCIENTIST = "data_scientist"
    SUPPORT = "support"
    COMPLIANCE = "compliance"


class Permission(StrEnum):
    """What an actor may be allowed to do."""

    PLAN_VIEW = "plan:view"
    PLAN_EDIT = "plan:edit"
    PLAN_SUBMIT = "plan:submit"
    PLAN_APPROVE = "plan:approve"
    PLAN_COMMENT = "plan:comment"
    EXPERIMENT_VIEW = "experiment:view"
    EXPERIMENT_MANAGE = "experiment:manage"
    FLAG_MANAGE = "flag:manage"
    METRICS_VIEW = "metrics:view"
    AUDIT_READ = "audit:read"
    AUDIT_EXPORT = "audit:export"
    USER_MANAGE = "user:manage"
    CATALOGUE_MANAGE = "catalogue:manage"
    PROFILE_EDIT = "profile:edit"


class Scope(StrEnum):
    """Which targets a granted permission reaches."""

    ALL = "all"  # every target
    ASSIGNED = "assigned"  # athletes assigned to the coach
    OWN = "own"  # the athlete themself
    TEAM = "team"  # athletes in the support person's teams


A, C, T, D, S, K = (Role.ADMIN, Role.COACH, Role.ATHLETE, Role.DATA_SCIENTIST, Role.SUPPORT,
                    Role.COMPLIANCE)
P = Permission

#: permission → {role: scope}. A role absent from a row does not have the permission.
MATRIX: dict[Permission, dict[Role, Scope]] = {
    P.PLAN_VIEW: {A: Scope.ALL, C: Scope.ASSIGNED, T: Scope.OWN, S: Scope.TEAM},
    P.PLAN_EDIT: {A: Scope.ALL, C: Scope.ASSIGNED},
    P.PLAN_SUBMIT: {A: Scope.ALL, C: Scope.ASSIGNED},
    P.PLAN_APPROVE: {A: Scope.ALL, T: Scope.OWN},
    P.PLAN_COMMENT: {A: Scope.ALL, C: Scope.ASSIGNED, T: Scope.OWN},
    P.EXPERIMENT_VIEW: {A: Scope.ALL, D: Scope.ALL},
    P.EXPERIMENT_MANAGE: {A: Scope.ALL, D: Scope.ALL},
    P.FLAG_MANAGE: {A: Scope.ALL, D: Scope.ALL},
    P.METRICS_VIEW: {A: Scope.ALL, D: Scope.ALL},
    P.AUDIT_READ: {A: Scope.ALL, K: Scope.ALL},
    P.AUDIT_EXPORT: {A: Scope.ALL, K: Scope.ALL},
    P.USER_MANAGE: {A: Scope.ALL},
    P.CATALOGUE_MANAGE: {A: Scope.ALL, C: Scope.ALL},  # the club's own exercises
    P.PROFILE_EDIT: {A: Scope.ALL, C: Scope.ASSIGNED, T: Scope.OWN},  # goals, limitations
}

#: permissions whose targets are athletes (the others are global to the role).
ATHLETE_SCOPED = {P.PLAN_VIEW, P.PLAN_EDIT, P.PLAN_SUBMIT, P.PLAN_APPROVE, P.PLAN_COMMENT,
                  P.PROFILE_EDIT}


@dataclass(frozen=True)
class Actor:
    """A signed-in user with the scope that limits what they reach."""

    user_id: str
    role: Role
    email: str = ""
    display_name: str = ""
    athlete_ids: frozenset[str] = field(default_factory=frozenset)
    team_ids: frozenset[str] = field(default_factory=frozenset)
    time_zone: str = ""  # the IANA zone they read times in ("" = not chosen: UTC)

    def subject_scope(self) -> dict[str, list[str]]:
        """The scope as carried in a token: athlete ids and team ids."""
        return {"athlete_ids": sorted(self.athlete_ids), "team_ids": sorted(self.team_ids)}


def scope_of(role: Role, permission: Permission) -> Scope | None:
    """The scope `role` has for `permission`, or None when it has none."""
    return MATRIX[permission].get(role)


def _reaches(actor: Actor, scope: Scope, athlete_id: str) -> bool:
    if scope is Scope.ALL:
        return True
    if scope is Scope.OWN:
        return athlete_id == actor.user_id
    return athlete_id in actor.athlete_ids  # ASSIGNED and TEAM resolve to athlete ids


def can(actor: Actor, permission: Permission, athlete_id: str | None = None) -> bool:
    """Whether `actor` may do `permission` (on the athlete `athlete_id`, when it has one).

    With no target, an athlete-scoped permission asks "may do it to someone at all".
    """
    scope = scope_of(actor.role, permission)
    if scope is None:
        return False
    if permission not in ATHLETE_SCOPED or athlete_id is None:
        return True
    return _reaches(actor, scope, athlete_id)


@dataclass(frozen=True)
class Denial:
    """Who was refused what, and on which target: what the audit of denied access records."""

    actor_id: str
    actor_role: str
    permission: str = ""
    target_type: str | None = None
    target_id: str | None = None


class HiddenDenied(NotFound):
    """A refusal shown as "not found" so that the target's existence does not leak.

    Callers see a NotFound like any other; `denial` says it was a refusal (for the audit).
    """

    def __init__(self, detail: str, denial: Denial) -> None:
        super().__init__(detail)
        self.denial = denial


class AccessDenied(Forbidden):
    """A Forbidden raised by `authorize`, with the `denial` it stands for."""

    def __init__(self, detail: str, denial: Denial) -> None:
        super().__init__(detail)
        self.denial = denial


def authorize(
    actor: Actor | None,
    permission: Permission,
    athlete_id: str | None = None,
    *,
    hide: bool = False,
    target: tuple[str, str] | None = None,
    not_found: str = "Not found.",
) -> Actor:
    """Return `actor` when allowed; otherwise raise.

    Raises Unauthorized without an actor; HiddenDenied (a NotFound with the message
    `not_found`, which callers make the same as for a missing row) when `hide` is set and
    the actor may not even see the target, so its existence does not leak; AccessDenied
    (a Forbidden) otherwise. Both carry a `Denial` naming `target` (type, id), by default
    the athlete.
    """
    if actor is None:
        raise Unauthorized("Sign in to continue.")
    if can(actor, permission, athlete_id):
        return actor
    target_type, target_id = target or (("athlete", athlete_id) if athlete_id else (None, None))
    denial = Denial(actor_id=actor.user_id, actor_role=actor.role.value,
                    permission=permission.value, target_type=target_type, target_id=target_id)
    if hide and athlete_id is not None and not can(actor, Permission.PLAN_VIEW, athlete_id):
        raise HiddenDenied(not_found, denial)
    raise AccessDenied(f"Your role ({actor.role}) may not {permission.value} here.", denial)


def require_visible(actor: Actor, athlete_id: str, *, target: tuple[str, str],
                    not_found: str) -> None:
    """Raise HiddenDenied (message `not_found`) unless `actor` may view `athlete_id`'s data.

    For lookups that answer "no such thing" both for a missing row and for one the actor
    may not see: the refusal is then recorded as a denial, the missing row is not.
    """
    authorize(actor, Permission.PLAN_VIEW, athlete_id, hide=True, target=target,
              not_found=not_found)


def visible_athlete_ids(actor: Actor, permission: Permission) -> frozenset[str] | None:
    """Athlete ids `actor` reaches with `permission`: None means all, empty means none."""
    scope = scope_of(actor.role, permission)
    if scope is None:
        return frozenset()
    if scope is Scope.ALL:
        return None
    if scope is Scope.OWN:
        return frozenset({actor.user_id})
    return actor.athlete_ids


def load_actor(session: Session, user_id: str) -> Actor:
    """The actor for `user_id`, with scope resolved from the current assignments."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Unauthorized("This account does not exist or has been deactivated.")
    role = Role(user.role)
    athlete_ids: set[str] = set()
    team_ids: set[str] = set()
    if role is Role.COACH:
        athlete_ids = set(
            session.exec(select(CoachAthlete.athlete_id).where(CoachAthlete.coach_id == user.id))
        )
    elif role is Role.ATHLETE:
        athlete_ids = {user.id}
    if role in (Role.SUPPORT, Role.ATHLETE):
        team_ids = set(
            session.exec(select(TeamMember.team_id).where(TeamMember.user_id == user.id))
        )
    if role is Role.SUPPORT and team_ids:
        athlete_ids = _athletes_in_teams(session, team_ids)
    return Actor(
        user_id=user.id,
        role=role,
        email=user.email,
        display_name=user.display_name,
        athlete_ids=frozenset(athlete_ids),
        team_ids=frozenset(team_ids),
        time_zone=user.time_zone,
    )


def _athletes_in_teams(session: Session, team_ids: set[str]) -> set[str]:
    rows = session.exec(
        select(TeamMember.user_id)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id.in_(team_ids), User.role == Role.ATHLETE.value)
    )
    return set(rows)
