"""A read-only view of a plan's current version, by week (the editor builds on it)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import reflex as rx
from sqlmodel import Session

from db.models import User
from plangov_app.services import adherence, comments, diffing, plans, versions
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Actor, Permission, can
from plangov_app.services.versions import document_of
from state.calendar import WEEKS_PER_PAGE, WeekRow, calendar, page_start
from state.session import SessionState, problem_toast, run_read, run_write

TYPED_FIELDS = ("draft_comment", "decision_note")
TYPED_LIMIT = 4000


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


def _threads(views: list[comments.CommentView], titles: dict[str, str]) -> list[ThreadRow]:
    rows = []
    for view in views:
        c = view.comment
        original = ""
        if view.original:
            original = f"{view.original.get('title', '')} on {view.original.get('day', '')}"
        rows.append(ThreadRow(
            id=c.id, author=view.author_name, role=view.author_role, message=c.message,
            anchor=titles.get(c.anchor_id or "", "removed session" if c.anchor_id else "plan"),
            when=c.created_at.strftime("%d %b %H:%M"), outdated=view.outdated,
            resolved=c.resolved_at is not None, original=original, reply=bool(c.parent_id)))
    return rows


def open_thread_counts(views: list[comments.CommentView]) -> dict[str, int]:
    """Unresolved threads per session (what the calendar's cards show)."""
    counts: dict[str, int] = {}
    for view in views:
        c = view.comment
        if c.anchor_id and not c.parent_id and c.resolved_at is None:
            counts[c.anchor_id] = counts.get(c.anchor_id, 0) + 1
    return counts


def _context_panel(session: Session, actor: Actor, plan: Any, document: Any
                   ) -> dict[str, Any]:
    weeks = adherence.weekly(session, plan, document, date.today())
    rate = adherence.overall(weeks)
    others, _ = plans.list_plans(session, actor, plans.PlanQuery(
        athlete_id=plan.athlete_id, sort="recent", limit=10))
    return {
        "adherence": "no sessions due yet" if rate is None else f"{rate:.0%}",
        "adherence_weeks": [f"Week {w.index + 1}: {w.completed}/{w.scheduled}"
                            for w in weeks if w.scheduled][:52],
        "previous": [{"label": f"{h.plan.start_date:%d %b %Y} · {h.plan.weeks} wk",
                      "status": h.plan.status, "link": f"/plans/{h.plan.id}"}
                     for h in others if h.plan.id != plan.id],
    }


def _timeline(session: Session, plan: Any, head: Any) -> list[TimelineRow]:
    listed = versions.list_versions(session, plan)
    names = versions.author_names(session, listed)
    rows = []
    for v in reversed(listed[-30:]):
        vs_parent = json.loads(v.diff_summary_json or "{}").get("vs_parent", {})
        rows.append(TimelineRow(
            number=f"v{v.version_number}", kind=v.kind, status=v.status,
            author=f"{names.get(v.author_id or '', 'system')} ({v.author_role or 'system'})",
            when=v.created_at.strftime("%d %b %H:%M"), badges=vs_parent.get("badges", [])[:4],
            current=v.id == head.id))
    return rows


def _view(session: Session, actor: Actor, plan_id: str, compare: str = "baseline",
          week_start: int = -1) -> dict[str, Any]:
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_VIEW)
    head = plans.head_version(session, plan)
    document = document_of(head)
    baseline = document_of(plans.baseline_version(session, plan))
    seen_version = versions.last_reviewed(session, plan, head.version_number)
    seen = document_of(seen_version) if seen_version else None
    reference = seen if compare == "seen" and seen is not None else baseline
    marks = adherence.session_compliance(session, plan, document, date.today())
    views = comments.list_comments(session, actor, plan.id)
    open_threads = open_thread_counts(views)
    first = page_start(document, week_start, date.today())
    weeks = calendar(document, reference, {k: m.colour for k, m in marks.items()},
                     open_threads, first, WEEKS_PER_PAGE)
    athlete = session.get(User, plan.athlete_id)
    summary = diffing.summarize(baseline, document)
    titles = {s.session_id: f"{s.title} ({s.day:%a %d %b})" for _, s in document.sessions()}
    return {"athlete": athlete.display_name if athlete else "", "status": plan.status,
            "algorithm": plan.algorithm_version, "arm": plan.experiment_arm or "—",
            "version": str(head.version_number), "weeks": weeks, "week_start": first,
            "week_total": len(document.weeks),
            "badges": summary["badges"], "impact": diffing.describe(summary, baseline, document),
            "compare": "seen" if reference is seen else "baseline",
            "seen_label": f"version {seen_version.version_number}" if seen_version else "",
            "seen_impact": diffing.describe(diffing.summarize(seen, document), seen, document)
            if seen else "", "timeline": _timeline(session, plan, head),
            "can_decide": plan.status == "coach_reviewed"
            and can(actor, Permission.PLAN_APPROVE, plan.athlete_id),
            "can_comment": can(actor, Permission.PLAN_COMMENT, plan.athlete_id),
            "threads": _threads(views, titles), "open_threads": open_threads,
            "athlete_link": f"/athletes/{plan.athlete_id}",
            "history_link": f"/athletes/{plan.athlete_id}/history", "head_id": head.id,
            **_context_panel(session, actor, plan, document),
            "anchors": [{"id": card.id, "label": titles[card.id]}  # the sessions on screen
                        for week in weeks for card in week.cards() if card.id in titles]}


class PlanViewState(SessionState):
    """The plan shown and its weeks (a page of weeks at a time)."""

    plan_id: str = ""
    athlete: str = ""
    plan_status: str = ""
    algorithm: str = ""
    arm: str = ""
    version: str = ""
    badges: list[str] = []
    weeks: list[WeekRow] = []
    found: bool = True
    impact: str = ""
    can_decide: bool = False
    can_comment: bool = False
    threads: list[ThreadRow] = []
    anchors: list[dict[str, str]] = []
    anchor_choice: str = ""
    draft_comment: str = ""
    decision_note: str = ""
    shown_original: str = ""
    history_link: str = ""
    athlete_link: str = ""
    head_id: str = ""
    adherence: str = ""
    adherence_weeks: list[str] = []
    previous: list[dict[str, str]] = []
    reply_to: str = ""
    reply_label: str = ""
    compare: str = "baseline"
    seen_label: str = ""
    seen_impact: str = ""
    timeline: list[TimelineRow] = []
    open_threads: dict[str, int] = {}
    switching: bool = False  # True while another plan's data would still be on screen
    week_start: int = -1  # first week shown (-1: the page holding this week)
    week_total: int = 0
    can_edit: bool = False  # set by the editor; here so the calendar needs no editor state
    # What is being typed on this plan (comment, decision note, …), kept in the browser so
    # a reload or a phone dropping the tab loses nothing; one plan at a time.
    typed: str = rx.LocalStorage("", name="plangov_typed")
    typed_for: str = ""  # the user:plan whose typing the boxes hold

    async def load(self) -> Any:
        """on_load: the plan of the URL, if the actor may see it (else "not found")."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        plan_id = self.router.url.path.strip("/").split("/")[1]
        if plan_id != self.plan_id:
            self.plan_id, self.compare, self.week_start = plan_id, "baseline", -1
        if self.typed_for != f"{actor.user_id}:{plan_id}":
            self._restore_typed(f"{actor.user_id}:{plan_id}")
        try:
            data = await run_read(_view, actor, self.plan_id, self.compare, self.week_start)
        except DomainError as error:
            self.found, self.weeks = False, []
            return None if error.status == 404 else problem_toast(error)
        self.found = True
        self.athlete, self.plan_status = data["athlete"], data["status"]
        self.algorithm, self.arm, self.version = data["algorithm"], data["arm"], data["version"]
        self.badges, self.weeks = data["badges"], data["weeks"]
        self.impact, self.can_decide = data["impact"], data["can_decide"]
        self.can_comment, self.threads = data["can_comment"], data["threads"]
        self.anchors = data["anchors"]
        self.history_link, self.head_id = data["history_link"], data["head_id"]
        self.athlete_link = data["athlete_link"]
        self.adherence, self.adherence_weeks = data["adherence"], data["adherence_weeks"]
        self.previous, self.timeline = data["previous"], data["timeline"]
        self.open_threads = data["open_threads"]
        self.week_start, self.week_total = data["week_start"], data["week_total"]
        self.seen_label, self.seen_impact = data["seen_label"], data["seen_impact"]
        self.compare = data["compare"]
        return None

    def _typed_fields(self) -> tuple[str, ...]:
        """The text boxes whose contents are kept while typing."""
        return TYPED_FIELDS

    def _restore_typed(self, key: str) -> None:
        """Fill the boxes with what this user typed on this plan (or empty them)."""
        try:
            stored = json.loads(self.typed or "{}")
        except ValueError:
            stored = {}
        mine = stored if isinstance(stored, dict) and stored.get("key") == key else {}
        for name in self._typed_fields():
            value = mine.get(name, "")
            setattr(self, name, value[:TYPED_LIMIT] if isinstance(value, str) else "")
        self.typed_for = key

    def _keep_typed(self) -> None:
        """Remember what the boxes hold now."""
        values = {name: getattr(self, name) for name in self._typed_fields()
                  if getattr(self, name)}
        self.typed = json.dumps({"key": self.typed_for, **values}) if values else ""

    def _other_plan_shown(self) -> bool:
        return self.router.url.path.strip("/").split("/")[1] != self.plan_id

    async def _open(self, load: Callable[[], Awaitable[Any]]) -> AsyncIterator[Any]:
        """Run `load`, showing a spinner first if another plan is still on screen."""
        if self._other_plan_shown():
            self.switching = True
            yield
        result = await load()
        self.switching = False
        yield result

    async def open_review(self) -> AsyncIterator[Any]:
        """on_load of the review page."""
        async for update in self._open(self.load_review):
            yield update

    async def load_review(self) -> Any:
        """on_load of the review page: the plan, never with edit controls."""
        self.can_edit = False
        return await self.load()

    async def show_weeks(self, start: int) -> Any:
        """Show the page of weeks beginning at `start`."""
        self.week_start = max(0, start)
        return await self.load()

    @rx.var
    def week_range(self) -> str:
        """Which weeks are on screen, e.g. "Weeks 17–32 of 52"."""
        last = min(self.week_start + WEEKS_PER_PAGE, self.week_total)
        return f"Weeks {self.week_start + 1}–{last} of {self.week_total}"

    async def set_compare(self, value: str | list[str]) -> Any:
        """Compare with the generated plan or with the version last reviewed."""
        self.compare = "seen" if value == "seen" else "baseline"
        return await self.load()

    def set_anchor_choice(self, value: str) -> None:
        """The session a new comment is about."""
        self.anchor_choice = value

    def set_draft_comment(self, value: str) -> None:
        """The comment being typed."""
        self.draft_comment = value[:TYPED_LIMIT]
        self._keep_typed()

    def set_decision_note(self, value: str) -> None:
        """What should change (required to request changes)."""
        self.decision_note = value[:TYPED_LIMIT]
        self._keep_typed()

    def toggle_original(self, comment_id: str) -> None:
        """Show or hide what an outdated comment was about."""
        self.shown_original = "" if self.shown_original == comment_id else comment_id

    async def _act(self, fn: Any, *args: Any, done: str, clear: tuple[str, ...] = ()) -> Any:
        """Run a write; on success empty the `clear` boxes (on failure keep what was typed)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            await run_write(fn, actor, self.plan_id, *args)
        except DomainError as error:
            return problem_toast(error)
        for name in clear:
            setattr(self, name, "")
        self._keep_typed()
        await self.load()
        return rx.toast.success(done)

    async def post_comment(self) -> Any:
        """Comment on the chosen session (or the whole plan)."""
        text = self.draft_comment.strip()
        if not text:
            return rx.toast.error("Write a comment first.")
        anchor, parent = self.anchor_choice or None, self.reply_to or None
        def create(session: Session, actor: Actor, plan_id: str) -> None:
            comments.create_comment(session, actor, plan_id, message=text, anchor_id=anchor,
                                    parent_id=parent, context=self._context())
        return await self._act(create, done="Reply posted." if parent else "Comment posted.",
                               clear=("draft_comment", "reply_to", "reply_label"))

    def start_reply(self, comment_id: str, author: str) -> None:
        """Answer a thread."""
        self.reply_to, self.reply_label = comment_id, f"Replying to {author}"

    def cancel_reply(self) -> None:
        """Back to a new comment."""
        self.reply_to = self.reply_label = ""

    async def set_resolved(self, comment_id: str, resolved: bool) -> Any:
        """Resolve or reopen a thread (its coach, an admin or its author)."""
        def change(session: Session, actor: Actor, plan_id: str) -> None:
            comments.set_resolved(session, actor, plan_id, comment_id, resolved=resolved,
                                  context=self._context())
        return await self._act(change, done="Resolved." if resolved else "Reopened.")

    async def accept(self) -> Any:
        """Accept plan → approved, schedule published."""
        return await self._act(plans.decide, "accept", self.decision_note, self._context(),
                               done="Plan accepted — your schedule is published.",
                               clear=("decision_note",))

    async def request_changes(self) -> Any:
        """Request changes (a note is required) → back to the coach."""
        if not self.decision_note.strip():
            return rx.toast.error("Say what should change before requesting changes.")
        return await self._act(plans.decide, "request_changes", self.decision_note,
                               self._context(), done="Sent back to your coach.",
                               clear=("decision_note",))
