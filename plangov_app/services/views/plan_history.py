"""Plan History (Flow C): an athlete's versions, and one version's changes and audit."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlmodel import Session

from db.models import Plan, PlanVersion
from plangov_app.services import diffing, history, versions
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans.lookup import get_plan
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.versions import document_of
from plangov_app.services.views.common import Choice

MAX_CHANGES = 300  # field changes listed for one version (the rest are counted)
DETAIL_LABELS = {"reason_codes": "Reason codes", "rationale_tags": "Rationale tags",
                 "badges": "Changes", "change_count": "Fields changed",
                 "fields_changed": "Fields", "comment": "Comment", "decision": "Decision"}


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


@dataclasses.dataclass
class AthleteHistory:
    """The athlete's name and every version of their plans, each plan's newest first."""

    athlete: str = ""
    rows: list[VersionRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class VersionDetail:
    """One version's changes (against its parent or a chosen version) and audit entries."""

    label: str = ""
    changes: list[ChangeRow] = dataclasses.field(default_factory=list)
    truncated: int = 0
    audit: list[AuditRow] = dataclasses.field(default_factory=list)
    against_id: str = ""
    options: list[Choice] = dataclasses.field(default_factory=list)


def athlete_history(session: Session, actor: Actor, athlete_id: str) -> AthleteHistory:
    """The timeline of `athlete_id` (NotFound unless `actor` may view their plans)."""
    timeline = history.athlete_timeline(session, actor, athlete_id)
    return AthleteHistory(athlete=timeline.athlete_name,
                          rows=[_version_row(entry.plan, v, entry.authors)
                                for entry in timeline.plans for v in reversed(entry.versions)])


def _version_row(plan: Plan, v: PlanVersion, names: dict[str, str]) -> VersionRow:
    summary = versions.stored_summary(v).get("vs_parent", {})
    author, role = versions.author_parts(v, names, plan.algorithm_version)
    return VersionRow(
        id=v.id, plan_id=v.plan_id,
        label=f"Plan from {plan.start_date:%d %b %Y} · v{v.version_number}",
        status=v.status, kind=v.kind, author=author,
        role=role, when=v.created_at.strftime("%d %b %Y %H:%M"),
        badges=summary.get("badges", []), note=v.rationale)


def version_detail(session: Session, actor: Actor, plan_id: str, version_id: str,
                   against_id: str = "") -> VersionDetail:
    """What `version_id` changed against `against_id` (default: its parent), and its audit."""
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
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
    return VersionDetail(
        label=f"v{version.version_number}", changes=changes[:MAX_CHANGES],
        truncated=max(0, len(changes) - MAX_CHANGES), audit=audit_rows,
        against_id=against.id if against else "",
        options=[Choice(v.id, f"v{v.version_number} · {v.kind}")
                 for v in listed if v.id != version.id])


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
