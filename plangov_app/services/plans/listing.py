"""Listing plans: filters, the Pending Plans queue, keyset cursors, open comment counts."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from db.models import AthleteProfile, CoachAthlete, Plan, PlanComment, PlanVersion, User
from plangov_app.services import status
from plangov_app.services.errors import Forbidden, InvalidInput
from plangov_app.services.rbac import Actor, Permission, Role, authorize, visible_athlete_ids
from plangov_app.services.search import LIKE_ESCAPE, contains_pattern
from plangov_app.services.text import refuse_unstorable

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PlanHeader:
    """A plan in a list, with what the Pending Plans queue shows."""

    plan: Plan
    athlete_name: str
    sport: str
    level: str
    head: PlanVersion | None
    open_comments: int


@dataclass(frozen=True)
class PlanQuery:
    """Filters of the plan list."""

    statuses: tuple[str, ...] = ()
    coach_id: str | None = None
    athlete_id: str | None = None
    search: str = ""
    sort: str = "waiting"  # waiting (oldest update first) | recent
    cursor: str | None = None
    limit: int = 25


def parse_statuses(value: str | None) -> tuple[str, ...]:
    """`pending` (the coach's queue), or a comma list of statuses."""
    if not value:
        return ()
    if value == "pending":
        return status.PENDING_COACH
    wanted = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in wanted if s not in status.STATUSES]
    if unknown:
        allowed = ", ".join(status.STATUSES)
        raise InvalidInput(f"status: unknown {unknown}; use pending or {allowed}.")
    return wanted


def list_plans(session: Session, actor: Actor, query: PlanQuery) -> tuple[list[PlanHeader],
                                                                            str | None]:
    """A page of visible plans and the cursor of the next page."""
    authorize(actor, Permission.PLAN_VIEW)
    stmt = (select(Plan, User.display_name, AthleteProfile.sport, AthleteProfile.level)
            .join(User, User.id == Plan.athlete_id)
            .join(AthleteProfile, AthleteProfile.user_id == Plan.athlete_id, isouter=True))
    stmt = _scoped(stmt, actor, query)
    ascending = query.sort != "recent"
    stmt = _after_cursor(stmt, query.cursor, ascending)
    order = (col(Plan.updated_at), col(Plan.id)) if ascending else (
        col(Plan.updated_at).desc(), col(Plan.id).desc())
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    rows = list(session.exec(stmt.order_by(*order).limit(limit + 1)))
    page = rows[:limit]
    heads = _heads(session, [r[0] for r in page])
    comments = open_comment_counts(session, actor, [r[0].id for r in page])
    headers = [PlanHeader(plan=p, athlete_name=name, sport=sport or "", level=level or "",
                          head=heads.get(p.active_version_id or ""),
                          open_comments=comments.get(p.id, 0)) for p, name, sport, level in page]
    next_cursor = _encode_cursor(page[-1][0]) if len(rows) > limit else None
    return headers, next_cursor


def count_plans(session: Session, actor: Actor, query: PlanQuery) -> int:
    """How many plans match `query` (its cursor and limit aside) for `actor`."""
    authorize(actor, Permission.PLAN_VIEW)
    stmt = (select(func.count()).select_from(Plan)
            .join(User, User.id == Plan.athlete_id))
    return session.exec(_scoped(stmt, actor, query)).one()


def _scoped(stmt: Any, actor: Actor, query: PlanQuery) -> Any:
    """`stmt` limited to the plans `actor` may see and `query` asks for."""
    visible = visible_athlete_ids(actor, Permission.PLAN_VIEW)
    if visible is not None:
        stmt = stmt.where(col(Plan.athlete_id).in_(visible))
    if query.coach_id:
        if actor.role is Role.COACH and query.coach_id != actor.user_id:
            raise Forbidden("Coaches list their own athletes' plans only.")
        coached = select(CoachAthlete.athlete_id).where(CoachAthlete.coach_id == query.coach_id)
        stmt = stmt.where(col(Plan.athlete_id).in_(coached))
    if query.athlete_id:
        stmt = stmt.where(Plan.athlete_id == query.athlete_id)
    if query.statuses:
        stmt = stmt.where(col(Plan.status).in_(query.statuses))
    if query.search.strip():
        refuse_unstorable(query.search, "search")
        pattern = contains_pattern(query.search.strip().lower())
        stmt = stmt.where(or_(func.lower(User.display_name).like(pattern, escape=LIKE_ESCAPE),
                              func.lower(User.email).like(pattern, escape=LIKE_ESCAPE)))
    return stmt


_CURSOR_ID = re.compile(r"^[0-9A-Za-z-]{1,36}$")


def _encode_cursor(plan: Plan) -> str:
    raw = f"{_as_utc(plan.updated_at).isoformat()}|{plan.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _as_utc(moment: datetime) -> datetime:
    """An aware UTC time (a cursor without an offset is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(updated_at, plan id) of a cursor this API returned, or InvalidInput."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        stamp, plan_id = raw.split("|", 1)
        when = _as_utc(datetime.fromisoformat(stamp))
    except (ValueError, UnicodeError, OverflowError):
        raise InvalidInput("cursor: not a cursor this API returned.") from None
    if not _CURSOR_ID.match(plan_id):
        raise InvalidInput("cursor: not a cursor this API returned.")
    return when, plan_id


def _after_cursor(stmt: Any, cursor: str | None, ascending: bool) -> Any:
    if not cursor:
        return stmt
    when, plan_id = _decode_cursor(cursor)
    if ascending:
        return stmt.where(or_(col(Plan.updated_at) > when,
                              and_(col(Plan.updated_at) == when, col(Plan.id) > plan_id)))
    return stmt.where(or_(col(Plan.updated_at) < when,
                          and_(col(Plan.updated_at) == when, col(Plan.id) < plan_id)))


def _heads(session: Session, plans: list[Plan]) -> dict[str, PlanVersion]:
    ids = [p.active_version_id for p in plans if p.active_version_id]
    if not ids:
        return {}
    return {v.id: v for v in session.exec(select(PlanVersion).where(col(PlanVersion.id).in_(ids)))}


def open_comment_counts(session: Session, actor: Actor, plan_ids: list[str]) -> dict[str, int]:
    """Unresolved comments per plan that `actor` can see."""
    if not plan_ids:
        return {}
    stmt = (select(PlanComment.plan_id, func.count()).where(
        col(PlanComment.plan_id).in_(plan_ids), col(PlanComment.resolved_at).is_(None))
        .group_by(PlanComment.plan_id))
    if actor.role is Role.ATHLETE:
        stmt = stmt.where(PlanComment.visibility == "shared")
    return dict(session.exec(stmt).all())

