"""Users & roles (admin only): list, change role, coach and team assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.schemas import ERROR_RESPONSES, RoleChange, TeamOut, UserList, UserOut
from plangov_app.services import users

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)
Id = Annotated[str, Path(min_length=1, max_length=36)]


@router.get("/users", response_model=UserList)
def list_users(
    session: SessionDep,
    actor: CurrentActor,
    search: Annotated[str, Query(max_length=100)] = "",
    role: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,9}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> UserList:
    """Users matching `search` (email or name) and `role`; `cursor` is an offset."""
    offset = int(cursor or 0)
    rows, total = users.list_users(session, actor, search=search, role=role,
                                   offset=offset, limit=limit)
    next_offset = offset + len(rows)
    return UserList(items=[UserOut(**{**r.__dict__, "coach_ids": list(r.coach_ids),
                                      "team_ids": list(r.team_ids)}) for r in rows],
                    total=total, next_cursor=str(next_offset) if next_offset < total else None)


@router.patch("/users/{user_id}/role", response_model=UserOut)
def change_role(
    user_id: Id, body: RoleChange, session: SessionDep, actor: CurrentActor, context: ContextDep
) -> UserOut:
    """Change a user's role (audited as `role.change`)."""
    user = users.change_role(session, actor, user_id, body.role, context)
    rows, _ = users.list_users(session, actor, search=user.email, limit=1)
    row = rows[0]
    return UserOut(**{**row.__dict__, "coach_ids": list(row.coach_ids),
                      "team_ids": list(row.team_ids)})


@router.put("/users/{athlete_id}/coaches/{coach_id}", status_code=204)
def assign_coach(athlete_id: Id, coach_id: Id, session: SessionDep, actor: CurrentActor,
                 context: ContextDep) -> Response:
    """Assign a coach to an athlete (audited as `assignment.change`)."""
    users.set_coach_assignment(session, actor, coach_id, athlete_id, assigned=True,
                               context=context)
    return Response(status_code=204)


@router.delete("/users/{athlete_id}/coaches/{coach_id}", status_code=204)
def unassign_coach(athlete_id: Id, coach_id: Id, session: SessionDep, actor: CurrentActor,
                   context: ContextDep) -> Response:
    """Remove a coach from an athlete (audited)."""
    users.set_coach_assignment(session, actor, coach_id, athlete_id, assigned=False,
                               context=context)
    return Response(status_code=204)


@router.get("/teams", response_model=list[TeamOut])
def list_teams(session: SessionDep, actor: CurrentActor) -> list[TeamOut]:
    """Every team."""
    return [TeamOut(id=t.id, name=t.name) for t in users.list_teams(session, actor)]


@router.put("/teams/{team_id}/members/{user_id}", status_code=204)
def add_member(team_id: Id, user_id: Id, session: SessionDep, actor: CurrentActor,
               context: ContextDep) -> Response:
    """Add an athlete or support person to a team (audited)."""
    users.set_team_membership(session, actor, team_id, user_id, member=True, context=context)
    return Response(status_code=204)


@router.delete("/teams/{team_id}/members/{user_id}", status_code=204)
def remove_member(team_id: Id, user_id: Id, session: SessionDep, actor: CurrentActor,
                  context: ContextDep) -> Response:
    """Remove a user from a team (audited)."""
    users.set_team_membership(session, actor, team_id, user_id, member=False, context=context)
    return Response(status_code=204)
