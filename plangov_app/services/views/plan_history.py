"""Plan History (Flow C): an athlete's versions, and one version's changes and audit."""

from __future__ import annotations

import dataclasses
import json

from sqlmodel import Session, col, select

from db.models import Plan, PlanVersion, User
from plangov_app.services import describing, diffing, history, versions
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans.lookup import get_plan
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.versions import document_of
from plangov_app.services.views.common import Choice

MAX_CHANGES = 300  # field changes listed for one version (the rest are counted)
KIND_LABELS = {"added": "Added", "removed": "Removed", "modified": "Changed", "moved": "Moved"}


@dataclasses.dataclass
class VersionRow:
    """One version on the timeline."""

    id: str = ""
    plan_id: str = ""
    label: str = ""
    status: str = ""
    status_label: str = ""
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
    """A change of the selected version, in words (`kind` is the change type, for colour)."""

    kind: str = ""
    label: str = ""
    text: str = ""


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
                          rows=[_version_row(entry.plan, v, entry.authors, actor.time_zone)
                                for entry in timeline.plans for v in reversed(entry.versions)])


def _version_row(plan: Plan, v: PlanVersion, names: dict[str, str],
                 zone: str) -> VersionRow:
    summary = versions.stored_summary(v).get("vs_parent", {})
    author, role = versions.author_parts(v, names, plan.algorithm_version)
    return VersionRow(
        id=v.id, plan_id=v.plan_id,
        label=f"Plan from {plan.start_date:%d %b %Y} · v{v.version_number}",
        status=v.status, status_label=describing.status_label(v.status), kind=v.kind,
        author=author, role=role, when=describing.moment(v.created_at, zone),
        badges=summary.get("badges", []), note=v.rationale)


def version_detail(session: Session, actor: Actor, plan_id: str, version_id: str,
                   against_id: str = "") -> VersionDetail:
    """What `version_id` changed against `against_id` (default: its parent), and its audit."""
    plan = get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    version = versions.get_version(session, plan, version_id)
    listed = versions.list_versions(session, plan)
    parent = next((v for v in listed if v.id == version.parent_version_id), None)
    against = versions.get_version(session, plan, against_id) if against_id else parent
    rows: list[ChangeRow] = []
    total = 0
    if against is not None:
        before, after = document_of(against), document_of(version)
        changes = diffing.diff_documents(before, after)
        total = len(changes)
        rows = [change_row(c, before, after) for c in changes[:MAX_CHANGES]]
    events = history.events_for_version(session, actor, plan.id, version.id)
    names = _names(session, {e.actor_id for e in events if e.actor_id})
    zone = actor.time_zone
    audit_rows = [AuditRow(heading=f"#{e.seq} · {describing.moment(e.occurred_at, zone)} · "
                                   f"{describing.action_label(e.action)} by "
                                   f"{_who(names.get(e.actor_id or ''), e.actor_role)}",
                           details=describing.event_lines(json.loads(e.metadata_json or "{}")))
                  for e in events]
    return VersionDetail(
        label=f"v{version.version_number}", changes=rows,
        truncated=max(0, total - MAX_CHANGES), audit=audit_rows,
        against_id=against.id if against else "",
        options=[Choice(v.id, f"v{v.version_number} · {v.kind}")
                 for v in listed if v.id != version.id])


def change_row(change: diffing.Change, before: PlanDocument | None,
               after: PlanDocument | None) -> ChangeRow:
    """A change as the change tables show it: its kind in a word and what it did in words."""
    return ChangeRow(kind=change.change_type,
                     label=KIND_LABELS.get(change.change_type, change.change_type.capitalize()),
                     text=describing.describe_change(change, before, after))


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name)
                             .where(col(User.id).in_(ids))).all())


def _who(name: str | None, role: str | None) -> str:
    if name is None:
        return "the system" if role is None else role
    return f"{name} ({role})" if role else name
