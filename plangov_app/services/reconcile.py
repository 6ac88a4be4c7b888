"""Nightly reconciliation (spec §2.4): find what should never exist, and raise an alert.

Looks for versions without their audit event, plan audit events whose version is
missing, versions whose parent is missing, plans pointing at a missing version, and
outbox messages left unpublished too long.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, col, select

from db.models import AuditEvent, OutboxEvent, Plan, PlanVersion, utcnow
from plangov_app.services import audit
from plangov_app.services.context import RequestContext

#: audit actions that record the version they created
VERSION_ACTIONS = ("plan.generate", "plan.edit", "plan.submit", "plan.approve",
                   "plan.request_changes", "plan.override", "plan.publish", "plan.complete",
                   "plan.recall", "plan.revise")


@dataclass
class ReconcileReport:
    """What reconciliation found (all empty means healthy)."""

    versions_without_audit: list[str] = field(default_factory=list)
    audit_without_version: list[int] = field(default_factory=list)
    versions_missing_parent: list[str] = field(default_factory=list)
    plans_missing_version: list[str] = field(default_factory=list)
    outbox_stale: list[str] = field(default_factory=list)
    checked_versions: int = 0
    checked_events: int = 0

    @property
    def problems(self) -> dict[str, list]:
        """Each non-empty finding by name."""
        names = ("versions_without_audit", "audit_without_version", "versions_missing_parent",
                 "plans_missing_version", "outbox_stale")
        return {n: getattr(self, n) for n in names if getattr(self, n)}

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.problems

    def lines(self) -> list[str]:
        """A short report for people."""
        head = (f"checked {self.checked_versions} versions and {self.checked_events} plan "
                "audit events")
        if self.ok:
            return [f"reconcile: OK — {head}; nothing missing."]
        out = [f"reconcile: PROBLEMS — {head}:"]
        for name, items in self.problems.items():
            shown = ", ".join(map(str, items[:5])) + (" …" if len(items) > 5 else "")
            out.append(f"  {name.replace('_', ' ')}: {len(items)} ({shown})")
        return out


def run(session: Session, *, outbox_max_age: timedelta = timedelta(minutes=15)) -> ReconcileReport:
    """Check everything; does not write."""
    report = ReconcileReport()
    versions: dict[str, str | None] = {}
    for version_id, parent_id in session.exec(
            select(PlanVersion.id, PlanVersion.parent_version_id)).yield_per(5000):
        versions[version_id] = parent_id
    report.checked_versions = len(versions)
    audited = _audited_versions(session, versions, report)
    report.versions_without_audit = sorted(set(versions) - audited)
    report.versions_missing_parent = sorted(v for v, p in versions.items()
                                            if p is not None and p not in versions)
    for plan_id, active, baseline in session.exec(
            select(Plan.id, Plan.active_version_id, Plan.baseline_version_id)):
        if any(v is None or v not in versions for v in (active, baseline)):
            report.plans_missing_version.append(plan_id)
    cutoff = utcnow() - outbox_max_age
    report.outbox_stale = list(session.exec(select(OutboxEvent.id).where(
        col(OutboxEvent.published_at).is_(None), OutboxEvent.created_at < cutoff)
        .order_by(col(OutboxEvent.created_at)).limit(1000)))
    return report


def _audited_versions(session: Session, versions: dict[str, str | None],
                      report: ReconcileReport) -> set[str]:
    audited: set[str] = set()
    stmt = select(AuditEvent.seq, AuditEvent.metadata_json).where(
        col(AuditEvent.action).in_(VERSION_ACTIONS))
    for seq, metadata in session.exec(stmt).yield_per(5000):
        report.checked_events += 1
        version_id = json.loads(metadata or "{}").get("version_id")
        if version_id in versions:
            audited.add(version_id)
        else:
            report.audit_without_version.append(seq)
    return audited


def raise_alert(session: Session, report: ReconcileReport, context: RequestContext) -> None:
    """Write a `reconcile.alert` audit event summarising the findings."""
    audit.record(session, action="reconcile.alert", context=context, target_type="system",
                 target_id="reconcile",
                 metadata={name: {"count": len(items), "sample": [str(i) for i in items[:20]]}
                           for name, items in report.problems.items()})
