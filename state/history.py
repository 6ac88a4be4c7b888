"""Plan History (Flow C): an athlete's plans and versions, a version's diff and audit."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import reflex as rx
from sqlmodel import Session

from db.models import Plan, PlanVersion
from plangov_app.services import changelog, diffing, history, plans, versions
from plangov_app.services.errors import DomainError
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.versions import document_of
from state.session import Choice, SessionState, problem_toast, run_read, run_write


@dataclasses.dataclass
class VersionRow:
    """One version on the timeline."""

    id: str = ""
    plan_id: str = ""
    label: str = ""
    status: str = ""
    kind: str = ""
    author: str = ""
    role: str = ""
    when: str = ""
    badges: list[str] = dataclasses.field(default_factory=list)
    note: str = ""


@dataclasses.dataclass
class AuditRow:
    """An audit event of the selected version."""

    heading: str = ""
    details: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ChangeRow:
    """A field change of the selected version."""

    kind: str = ""
    path: str = ""
    old: str = ""
    new: str = ""


def _timeline_rows(timeline: history.AthleteTimeline) -> list[VersionRow]:
    """Every version of the athlete's plans, each plan's newest first."""
    return [_version_row(entry.plan, v, entry.authors)
            for entry in timeline.plans for v in reversed(entry.versions)]


def _version_row(plan: Plan, v: PlanVersion, names: dict[str, str]) -> VersionRow:
    summary = json.loads(v.diff_summary_json or "{}").get("vs_parent", {})
    return VersionRow(
        id=v.id, plan_id=v.plan_id,
        label=f"Plan from {plan.start_date:%d %b %Y} · v{v.version_number}",
        status=v.status, kind=v.kind, author=names.get(v.author_id or "", "system"),
        role=v.author_role or "system", when=v.created_at.strftime("%d %b %Y %H:%M"),
        badges=summary.get("badges", []), note=v.rationale)


def _detail(session: Session, actor: Actor, plan_id: str, version_id: str,
            against_id: str = "") -> dict[str, Any]:
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_VIEW)
    version = versions.get_version(session, plan, version_id)
    listed = versions.list_versions(session, plan)
    parent = next((v for v in listed if v.id == version.parent_version_id), None)
    against = versions.get_version(session, plan, against_id) if against_id else parent
    changes = []
    if against is not None:
        before, after = document_of(against), document_of(version)
        changes = [ChangeRow(kind=c.change_type, path=_where(c, before, after),
                             old=_value(c.old_value), new=_value(c.new_value))
                   for c in diffing.diff_documents(before, after)]
    events = history.events_for_version(session, actor, plan.id, version.id)
    audit_rows = [AuditRow(heading=f"#{e.seq} · {e.occurred_at:%d %b %Y %H:%M} · {e.action} "
                                   f"by {e.actor_role or 'system'}",
                           details=_details(json.loads(e.metadata_json or "{}")))
                  for e in events]
    return {"changes": changes[:300], "truncated": max(0, len(changes) - 300),
            "audit": audit_rows, "against": against.id if against else "",
            "label": f"v{version.version_number}",
            "options": [Choice(v.id, f"v{v.version_number} · {v.kind}")
                        for v in listed if v.id != version.id]}


DETAIL_LABELS = {"reason_codes": "Reason codes", "rationale_tags": "Rationale tags",
                 "badges": "Changes", "change_count": "Fields changed",
                 "fields_changed": "Fields", "comment": "Comment", "decision": "Decision"}


def _details(metadata: dict[str, Any]) -> list[str]:
    """An audit event's metadata as short lines (ids left out; the row names the version)."""
    lines = []
    for key, value in metadata.items():
        if key.endswith("_id") or key == "version_number" or value in (None, "", [], {}):
            continue
        if key == "status" and isinstance(value, dict):
            lines.append(f"Status: {value.get('from')} → {value.get('to')}")
            continue
        if key == "fields_changed" and isinstance(value, list):
            value = [str(v).split("/")[-1] for v in value]
            value = sorted(set(value))
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{DETAIL_LABELS.get(key, key.replace('_', ' ').capitalize())}: {text}"[:300])
    return lines


def _where(change: diffing.Change, before: PlanDocument, after: PlanDocument) -> str:
    """What a change touched, as a coach names it: "Easy run (Wed 21 Oct) › Plank · sets"."""
    session = after.session(change.session_id or "") or before.session(change.session_id or "")
    if session is None:
        return change.field_path
    where = f"{session.title or session.modality.title()} ({session.day:%a %d %b})"
    if change.item_id:
        items = [*session.items, *(before.session(session.session_id) or session).items]
        item = next((i for i in items if i.item_id == change.item_id), None)
        where += f" › {item.name if item else 'exercise'}"
    last = change.field_path.rsplit("/", 1)[-1]
    return where if last in (change.item_id, change.session_id) else f"{where} · {last}"


def _value(value: Any) -> str:
    text = diffing.encode_value(value)
    return "—" if text is None else text[:120]


def _csv(session: Session, actor: Actor, plan_id: str, context: Any) -> str:
    return changelog.export_csv(session, actor, plan_id, changelog.ChangelogFilter(), context)


class HistoryState(SessionState):
    """The timeline and the selected version."""

    athlete_id: str = ""
    athlete: str = ""
    rows: list[VersionRow] = []
    selected_id: str = ""
    selected_plan: str = ""
    changes: list[ChangeRow] = []
    audit_rows: list[AuditRow] = []
    found: bool = True
    against_id: str = ""
    against_options: list[Choice] = []
    selected_label: str = ""
    truncated: int = 0

    async def load(self) -> Any:
        """on_load: the athlete of the URL, if visible."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        self.athlete_id = self.router.url.path.strip("/").split("/")[1]
        self.selected_id, self.changes, self.audit_rows = "", [], []
        try:
            timeline = await run_read(history.athlete_timeline, actor, self.athlete_id)
        except DomainError as error:
            self.found, self.rows = False, []
            return None if error.status == 404 else problem_toast(error)
        self.found, self.athlete = True, timeline.athlete_name
        self.rows = _timeline_rows(timeline)
        return None

    async def select(self, plan_id: str, version_id: str) -> Any:
        """Show a version's changes against its parent, and its audit entries."""
        return await self._show(plan_id, version_id, "")

    async def compare_with(self, against_id: str) -> Any:
        """Show the selected version's changes against another version of its plan."""
        return await self._show(self.selected_plan, self.selected_id, against_id)

    async def _show(self, plan_id: str, version_id: str, against_id: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            data = await run_read(_detail, actor, plan_id, version_id, against_id)
        except DomainError as error:
            return problem_toast(error)
        self.selected_id, self.selected_plan = version_id, plan_id
        self.changes, self.audit_rows = data["changes"], data["audit"]
        self.against_id, self.against_options = data["against"], data["options"]
        self.selected_label, self.truncated = data["label"], data["truncated"]
        return None

    async def export(self) -> Any:
        """Export CSV: the selected plan's change log (the same rows as the API)."""
        actor = await self._actor()
        if actor is None or not self.selected_plan:
            return rx.toast.error("Select a version first.")
        try:
            data = await run_write(_csv, actor, self.selected_plan, self._context())
        except DomainError as error:
            return problem_toast(error)
        return rx.download(data=data, filename=f"plan-{self.selected_plan}-changes.csv")
