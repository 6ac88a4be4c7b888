"""The plan page (review and editor): a page of weeks, what changed, threads, options.

`plan_page` assembles everything `/plans/{id}` and `/plans/{id}/review` show, and what the
user may do there (`can_edit`, `can_decide`, `can_comment`), from `status` and `rbac`.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlmodel import Session

from db.models import AthleteProfile, Plan, PlanVersion, User
from plangov_app.services import adherence, comments, describing, diffing, status, versions
from plangov_app.services.athletes import notes_editable
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans import revisions
from plangov_app.services.plans.listing import PlanQuery, list_plans
from plangov_app.services.plans.lookup import baseline_version, get_plan, head_version
from plangov_app.services.plans.moving import current_week
from plangov_app.services.rbac import Actor, Permission, Role, can
from plangov_app.services.versions import document_of
from plangov_app.services.views.calendar import (
    WEEKS_PER_PAGE,
    SessionCard,
    WeekRow,
    calendar,
    opening_week,
    page_start,
    today_note,
    week_choices,
)
from plangov_app.services.views.common import Choice
from plangov_app.services.views.side_by_side import SideWeek, side_by_side_weeks

TIMELINE_VERSIONS = 30  # the newest versions the editor's timeline lists
REVIEW_CHANGES = 100  # changes listed one by one on the review (the rest are counted)


@dataclasses.dataclass
class TimelineRow:
    """One version of this plan, for the editor's timeline."""

    number: str = ""
    kind: str = ""
    status: str = ""
    author: str = ""
    when: str = ""
    badges: list[str] = dataclasses.field(default_factory=list)
    current: bool = False


@dataclasses.dataclass
class ThreadRow:
    """A comment as the review shows it."""

    id: str = ""
    author: str = ""
    role: str = ""
    message: str = ""
    anchor: str = ""
    when: str = ""
    outdated: bool = False
    resolved: bool = False
    original: str = ""
    reply: bool = False
    can_resolve: bool = False  # the reader may resolve or reopen this thread


@dataclasses.dataclass
class Anchor:
    """A session on screen that a comment can be about."""

    id: str = ""
    label: str = ""


@dataclasses.dataclass
class SessionSheet:
    """One session's conversation (the review's sheet, opened from its card)."""

    session_id: str = ""  # "" when no session is open, or it is not on the page any more
    card: SessionCard = dataclasses.field(default_factory=SessionCard)  # as the card shows it
    threads: list[ThreadRow] = dataclasses.field(default_factory=list)
    can_comment: bool = False  # the reader may comment, and the session is in the plan


@dataclasses.dataclass
class OtherPlan:
    """Another plan of the same athlete (the editor's Athlete panel)."""

    label: str = ""
    status: str = ""
    link: str = ""


@dataclasses.dataclass
class ComplianceWeek:
    """One of the athlete's last calendar weeks (the editor's Athlete panel)."""

    label: str = ""  # "Week of 28 Dec", "This week"
    sessions: str = ""  # sessions done of those due: "3/4", "none due"
    percent: str = ""  # "75%", "—"
    current: bool = False


@dataclasses.dataclass
class PlanPage:
    """Everything the plan page shows, and what the user may do there."""

    plan_id: str = ""
    athlete: str = ""
    status: str = ""
    algorithm: str = ""
    arm: str = ""
    show_internals: bool = True  # algorithm, experiment arm, author: not for athletes
    version: str = ""
    version_author: str = ""  # who wrote the version shown, in words
    head_id: str = ""
    weeks: list[WeekRow] = dataclasses.field(default_factory=list)
    week_start: int = 0
    week_total: int = 0
    week_options: list[Choice] = dataclasses.field(default_factory=list)  # the week selector
    current_week: int = 0  # the week holding today (clamped to the plan): where Today goes
    open_week: int = -1  # the week scrolled to when the page opens (-1: the page's top)
    today_note: str = ""  # where today falls in the plan, in words
    badges: list[str] = dataclasses.field(default_factory=list)
    impact: str = ""
    change_lines: list[str] = dataclasses.field(default_factory=list)  # vs the reference
    more_changes: int = 0
    compare: str = "baseline"  # baseline | seen
    seen_label: str = ""
    seen_impact: str = ""
    timeline: list[TimelineRow] = dataclasses.field(default_factory=list)
    threads: list[ThreadRow] = dataclasses.field(default_factory=list)
    open_threads: dict[str, int] = dataclasses.field(default_factory=dict)
    anchors: list[Anchor] = dataclasses.field(default_factory=list)
    athlete_link: str = ""
    history_link: str = ""
    adherence: str = ""
    recent_weeks: list[ComplianceWeek] = dataclasses.field(default_factory=list)
    recent_note: str = ""  # said instead of the weeks when nothing was due in them
    goals: str = ""  # the athlete's goals, or "None noted"
    limitations: str = ""  # injuries and limitations, or "None noted"
    limitations_noted: bool = False  # shown highlighted when there are some
    can_edit_notes: bool = False  # may change goals and limitations (on the profile)
    previous: list[OtherPlan] = dataclasses.field(default_factory=list)
    coach_note: str = ""  # the note given with the latest Submit for Approval
    coach_note_by: str = ""  # who gave it and when, e.g. "Casey Coach, 02 Feb 2027, 14:05 UTC"
    can_edit: bool = False
    can_decide: bool = False
    can_comment: bool = False
    revising: bool = False  # an edit revises the running (approved or published) plan
    can_recall: bool = False  # submitted, not answered yet: the coach may take it back
    done_weeks: int = 0  # weeks already done (a revision leaves them as they were)
    can_add_exercise: bool = False  # may add custom exercises to the club's catalogue
    side_by_side: bool = False  # the review shows `side_weeks` instead of the calendar
    before_label: str = ""  # the side-by-side's left column: the reference version
    after_label: str = ""  # its right column: the version under review
    side_weeks: list[SideWeek] = dataclasses.field(default_factory=list)
    sheet: SessionSheet = dataclasses.field(default_factory=SessionSheet)  # `open_session`'s


def may_edit(actor: Actor, plan: Plan) -> bool:
    """Whether `actor` may change `plan` now (an edit or a revision, and RBAC allows it)."""
    return ((plan.status, "edit") in status.TRANSITIONS or plan.status in status.REVISABLE) \
        and can(actor, Permission.PLAN_EDIT, plan.athlete_id)


def _threads(views: list[comments.CommentView], titles: dict[str, str],
             actor: Actor, *, may_comment: bool) -> list[ThreadRow]:
    """The comment rows as `actor` reads them; Resolve only where they may comment and resolve."""
    rows = []
    for view in views:
        c = view.comment
        original = ""
        if view.original:
            original = f"{view.original.get('title', '')} on {view.original.get('day', '')}"
        rows.append(ThreadRow(
            id=c.id, author=view.author_name, role=view.author_role, message=c.message,
            anchor=titles.get(c.anchor_id or "", "removed session" if c.anchor_id else "plan"),
            when=describing.moment(c.created_at, actor.time_zone, short=True),
            outdated=view.outdated, resolved=c.resolved_at is not None, original=original,
            reply=bool(c.parent_id),
            can_resolve=may_comment and comments.may_resolve(actor, c)))
    return rows


def open_thread_counts(views: list[comments.CommentView]) -> dict[str, int]:
    """Unresolved threads per session (what the calendar's cards show)."""
    counts: dict[str, int] = {}
    for view in views:
        c = view.comment
        if c.anchor_id and not c.parent_id and c.resolved_at is None:
            counts[c.anchor_id] = counts.get(c.anchor_id, 0) + 1
    return counts


def session_threads(views: list[comments.CommentView],
                    session_id: str) -> list[comments.CommentView]:
    """The threads about `session_id`: each root, then its replies, as `views` orders them.

    `views` is `comments.list_comments`'s answer (threads in the order they were started,
    each root followed by its replies); a thread is about the session its root is anchored to.
    """
    listed = {v.comment.id for v in views}
    about, found = False, []
    for view in views:
        c = view.comment
        if c.parent_id is None or c.parent_id not in listed:  # a thread starts
            about = c.anchor_id == session_id
        if about:
            found.append(view)
    return found


def _sheet(weeks: list[WeekRow], views: list[comments.CommentView], titles: dict[str, str],
           session_id: str, *, can_comment: bool, actor: Actor) -> SessionSheet:
    """The sheet of `session_id` if its card is on the page (else an empty one).

    A removed session's threads are read-only: a comment needs the session in the plan.
    """
    card = next((c for week in weeks for c in week.cards() if c.id == session_id), None)
    if not session_id or card is None:
        return SessionSheet()
    return SessionSheet(session_id=session_id, card=card,
                        threads=_threads(session_threads(views, session_id), titles, actor,
                                         may_comment=can_comment),
                        can_comment=can_comment and card.change != "removed")


def _timeline(session: Session, plan: Plan, head: PlanVersion,
              zone: str = "") -> list[TimelineRow]:
    listed = versions.list_versions(session, plan)
    names = versions.author_names(session, listed)
    rows = []
    for v in reversed(listed[-TIMELINE_VERSIONS:]):
        vs_parent = versions.stored_summary(v).get("vs_parent", {})
        rows.append(TimelineRow(
            number=f"v{v.version_number}", kind=v.kind, status=v.status,
            author="{} ({})".format(*versions.author_parts(v, names, plan.algorithm_version)),
            when=describing.moment(v.created_at, zone, short=True),
            badges=vs_parent.get("badges", [])[:4],
            current=v.id == head.id))
    return rows


def _coach_note(session: Session, plan: Plan, head: PlanVersion,
                zone: str = "") -> dict[str, str]:
    """The note the coach gave with the latest submit up to `head`, and who gave it when."""
    submits = [v for v in versions.list_versions(session, plan)
               if v.kind == "submit" and v.version_number <= head.version_number]
    if not submits or not submits[-1].rationale.strip():
        return {"coach_note": "", "coach_note_by": ""}
    latest = submits[-1]
    name, _ = versions.author_parts(latest, versions.author_names(session, [latest]),
                                    plan.algorithm_version)
    return {"coach_note": latest.rationale.strip(),
            "coach_note_by": f"{name}, {describing.moment(latest.created_at, zone)}"}


def _recent_weeks(session: Session, athlete_id: str, today: date) -> dict[str, Any]:
    """The athlete's last calendar weeks: sessions done of those due, this week marked."""
    weeks = adherence.recent_weeks(session, athlete_id, today)
    if not any(w.scheduled for w in weeks):
        return {"recent_weeks": [], "recent_note": f"No sessions were due in the last "
                                                   f"{len(weeks)} weeks."}
    return {"recent_note": "", "recent_weeks": [ComplianceWeek(
        label="This week" if w.current else f"Week of {w.start:%d %b}",
        sessions=f"{w.completed}/{w.scheduled}" if w.scheduled else "none due",
        percent="—" if w.rate is None else f"{w.rate:.0%}", current=w.current)
        for w in weeks]}


def _athlete_notes(session: Session, actor: Actor, athlete_id: str) -> dict[str, Any]:
    """Goals and injuries/limitations from the profile, and whether `actor` may note them."""
    profile = session.get(AthleteProfile, athlete_id)
    goals = profile.goals.strip() if profile else ""
    limitations = profile.limitations.strip() if profile else ""
    return {"goals": goals or "None noted", "limitations": limitations or "None noted",
            "limitations_noted": bool(limitations),
            "can_edit_notes": notes_editable(actor, profile)}


def _athlete_panel(session: Session, actor: Actor, plan: Plan,
                   document: PlanDocument, today: date) -> dict[str, Any]:
    rate = adherence.overall(adherence.weekly(session, plan, document, today))
    others, _ = list_plans(session, actor, PlanQuery(
        athlete_id=plan.athlete_id, sort="recent", limit=10))
    return {
        "adherence": "no sessions due yet" if rate is None else f"{rate:.0%}",
        **_recent_weeks(session, plan.athlete_id, today),
        **_athlete_notes(session, actor, plan.athlete_id),
        "previous": [OtherPlan(label=f"{h.plan.start_date:%d %b %Y} · {h.plan.weeks} wk",
                               status=h.plan.status, link=f"/plans/{h.plan.id}")
                     for h in others if h.plan.id != plan.id],
    }


def _seen(session: Session, plan: Plan, head: PlanVersion,
          document: PlanDocument) -> tuple[PlanDocument | None, str, str]:
    """The version the athlete last reviewed: its document, label and impact sentence."""
    seen_version = versions.last_reviewed(session, plan, head.version_number)
    if seen_version is None:
        return None, "", ""
    seen = document_of(seen_version)
    impact = diffing.describe(diffing.summarize(seen, document), seen, document)
    return seen, f"version {seen_version.version_number}", impact


def _side_by_side(document: PlanDocument, reference: PlanDocument, seen_label: str,
                  head: PlanVersion, first: int, threads: dict[str, int],
                  changes: list[diffing.Change]) -> dict[str, Any]:
    """The side-by-side view's fields: `reference` on the left, `document` on the right."""
    before = f"Last reviewed ({seen_label})" if seen_label else "Generated plan"
    return {"side_by_side": True, "before_label": before,
            "after_label": f"This version (version {head.version_number})",
            "side_weeks": side_by_side_weeks(document, reference, first, WEEKS_PER_PAGE,
                                             threads=threads, changes=changes)}


def plan_page(session: Session, actor: Actor, plan_id: str, *, compare: str = "baseline",
              week_start: int = -1, editing: bool = False, side_by_side: bool = False,
              open_session: str = "", today: date | None = None) -> PlanPage:
    """The plan page of `plan_id` for `actor` (NotFound unless they may view it).

    `compare` picks the reference the calendar is marked against ("seen": the version the
    athlete last reviewed, when there is one); `editing` offers the edit controls when the
    plan may be edited by `actor` now. `side_by_side` (the review with flag `diff_viewer_v2`
    on) adds the reference and this version side by side, week by week. `open_session`
    (a session whose card is on the page) adds its sheet: the card and its threads.
    `today` (default: the day it is in the reader's time zone) decides adherence marks, the
    day marked as today and the week the page opens at.
    """
    today = today or describing.today_in(actor.time_zone)
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    head = head_version(session, plan)
    baseline_row = baseline_version(session, plan)
    document, baseline = document_of(head), document_of(baseline_row)
    seen, seen_label, seen_impact = _seen(session, plan, head, document)
    reference = seen if compare == "seen" and seen is not None else baseline
    marks = adherence.session_compliance(session, plan, document, today)
    views = comments.list_comments(session, actor, plan.id)
    open_threads = open_thread_counts(views)
    first = page_start(document, week_start, today)
    weeks = calendar(document, reference, {k: m.colour for k, m in marks.items()},
                     open_threads, first, WEEKS_PER_PAGE, today=today)
    athlete = session.get(User, plan.athlete_id)
    summary = versions.summary_vs_baseline(head, baseline_row)
    titles = {s.session_id: f"{s.title} ({s.day:%a %d %b})" for _, s in document.sessions()}
    changes = diffing.diff_documents(reference, document)
    may_comment = can(actor, Permission.PLAN_COMMENT, plan.athlete_id)
    lines = describing.describe_changes(changes[:REVIEW_CHANGES], reference, document)
    sides = _side_by_side(document, reference, seen_label if reference is seen else "",
                          head, first, open_threads, changes) \
        if side_by_side and not editing else {}
    return PlanPage(
        plan_id=plan.id, athlete=athlete.display_name if athlete else "", status=plan.status,
        algorithm=plan.algorithm_version, arm=plan.experiment_arm or "—",
        show_internals=actor.role is not Role.ATHLETE,
        version=str(head.version_number), head_id=head.id,
        version_author=versions.author_label(head, versions.author_names(session, [head]),
                                             plan.algorithm_version), weeks=weeks, week_start=first,
        week_total=len(document.weeks), week_options=week_choices(document),
        current_week=current_week(document, today=today),
        open_week=opening_week(document, today), today_note=today_note(document, today),
        badges=summary["badges"],
        impact=diffing.describe(summary, baseline, document),
        change_lines=lines, more_changes=max(0, len(changes) - REVIEW_CHANGES),
        compare="seen" if reference is seen else "baseline", seen_label=seen_label,
        seen_impact=seen_impact, timeline=_timeline(session, plan, head, actor.time_zone),
        threads=_threads(views, titles, actor, may_comment=may_comment),
        open_threads=open_threads,
        anchors=[Anchor(id=card.id, label=titles[card.id])  # the sessions on screen
                 for week in weeks for card in week.cards() if card.id in titles],
        athlete_link=f"/athletes/{plan.athlete_id}",
        history_link=f"/athletes/{plan.athlete_id}/history",
        can_edit=editing and may_edit(actor, plan),
        can_decide=plan.status == status.COACH_REVIEWED
        and can(actor, Permission.PLAN_APPROVE, plan.athlete_id),
        can_comment=may_comment,
        revising=editing and plan.status in status.REVISABLE and may_edit(actor, plan),
        can_recall=editing and (plan.status, "recall") in status.TRANSITIONS
        and can(actor, Permission.PLAN_SUBMIT, plan.athlete_id),
        done_weeks=len(revisions.done_weeks(document, today)),
        can_add_exercise=editing and can(actor, Permission.CATALOGUE_MANAGE),
        sheet=_sheet(weeks, views, titles, open_session, can_comment=may_comment,
                     actor=actor),
        **_coach_note(session, plan, head, actor.time_zone), **sides,
        **_athlete_panel(session, actor, plan, document, today))
