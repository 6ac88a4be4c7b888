"""The plan list: Pending Plans (coach), My Plans (athlete), All plans, Published plans."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from plangov_app.services import status
from plangov_app.services.plans.listing import PlanQuery, count_plans, list_plans
from plangov_app.services.rbac import Actor, Permission, Role, can

PAGE_SIZE = 20
#: the heading of each filter: it says what the list shows
HEADINGS = {"pending": "Pending Plans", "all": "All plans",
            status.COACH_REVIEWED: "Plans waiting for the athlete",
            status.NEEDS_REVISION: "Plans needing revision",
            **{s: f"{status.label(s)} plans" for s in (
                status.GENERATED, status.DRAFT, status.APPROVED, status.PUBLISHED,
                status.COMPLETED)}}
#: the filters the list offers, in order, with their words
FILTERS = {"pending": "Pending", "all": "All", **status.LABELS}


@dataclasses.dataclass
class PlanRow:
    """A plan as the list shows it."""

    id: str = ""
    athlete: str = ""
    sport: str = ""
    level: str = ""
    status: str = ""
    waiting: str = ""
    algorithm: str = ""
    weeks: str = ""
    start: str = ""
    comments: str = ""
    link: str = ""
    dates: str = ""  # "04 Jan – 28 Feb 2027"
    status_label: str = ""
    for_me: str = ""  # what the plan waits for from the reader ("" when nothing)


@dataclasses.dataclass
class PlansList:
    """A page of the list, its heading and the filter it shows."""

    heading: str = "Plans"
    status_filter: str = "all"
    rows: list[PlanRow] = dataclasses.field(default_factory=list)
    next_cursor: str = ""
    total: int = 0
    as_cards: bool = False  # an athlete's own plans: cards in plain words, no search
    can_generate: bool = False  # coaches and admins: the Generate plan action


#: what each status asks of the athlete, in their words
FOR_THE_ATHLETE = {status.COACH_REVIEWED: "Waiting for your answer: accept or ask for changes",
                   status.NEEDS_REVISION: "Your coach is revising it",
                   status.APPROVED: "Accepted: it starts on the first day",
                   status.PUBLISHED: "Under way"}


def plan_dates(start: date, weeks: int) -> str:
    """The plan's first and last day: "04 Jan – 28 Feb 2027"."""
    end = start + timedelta(weeks=weeks, days=-1)
    first = f"{start:%d %b}" if start.year == end.year else f"{start:%d %b %Y}"
    return f"{first} – {end:%d %b %Y}"


def waiting(since: datetime, now: datetime | None = None) -> str:
    """How long a plan has waited, as people say it ("3 h", "2 days")."""
    hours = ((now or datetime.now(UTC)) - since).total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"


def waiting_for(plan_status: str, since: datetime, now: datetime | None = None) -> str:
    """How long a plan has waited on someone; "—" when it waits on no one (approved, …)."""
    return waiting(since, now) if plan_status in status.WAITING else "—"


def heading(actor: Actor, status_filter: str) -> str:
    """What the list shows: My Plans (athlete), Pending Plans (coach), All plans and so on."""
    if actor.role is Role.ATHLETE and status_filter == "all":
        return "My Plans"
    return HEADINGS.get(status_filter, "Plans")


def effective_filter(actor: Actor, status_filter: str) -> str:
    """`pending` is the coach's queue; others see every status instead."""
    return "all" if actor.role is not Role.COACH and status_filter == "pending" else status_filter


def _statuses(status_filter: str) -> tuple[str, ...]:
    if status_filter == "pending":
        return status.PENDING_COACH
    return () if status_filter == "all" else (status_filter,)


def plans_list(session: Session, actor: Actor, *, status_filter: str, search: str = "",
               sort: str = "waiting", cursor: str | None = None) -> PlansList:
    """A page of the plans `actor` may see (PLAN_VIEW), filtered and sorted."""
    status_filter = effective_filter(actor, status_filter)
    query = PlanQuery(statuses=_statuses(status_filter), search=search, sort=sort,
                      cursor=cursor, limit=PAGE_SIZE)
    headers, next_cursor = list_plans(session, actor, query)
    link = "/plans/{}/review" if actor.role is Role.ATHLETE else "/plans/{}"
    rows = [PlanRow(id=h.plan.id, athlete=h.athlete_name, sport=h.sport, level=h.level,
                    status=h.plan.status,
                    waiting=waiting_for(h.plan.status, h.plan.updated_at),
                    algorithm=h.plan.algorithm_version, weeks=str(h.plan.weeks),
                    start=h.plan.start_date.strftime("%d %b %Y"),
                    comments=str(h.open_comments), link=link.format(h.plan.id),
                    dates=plan_dates(h.plan.start_date, h.plan.weeks),
                    status_label=status.label(h.plan.status),
                    for_me=FOR_THE_ATHLETE.get(h.plan.status, "")
                    if actor.role is Role.ATHLETE else "")
            for h in headers]
    return PlansList(heading=heading(actor, status_filter), status_filter=status_filter,
                     rows=rows, next_cursor=next_cursor or "",
                     total=count_plans(session, actor, query),
                     as_cards=actor.role is Role.ATHLETE,
                     can_generate=can(actor, Permission.PLAN_EDIT))
