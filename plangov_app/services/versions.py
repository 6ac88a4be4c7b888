"""Immutable plan versions: reading them, writing new ones, diffing any two.

A version is written once — its document, its sessions (one row each, with the stable
`session_id`), its field-level changes against the parent and the diff summary against
the parent and the generated baseline — and the database refuses to change it after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from db.models import Plan, PlanSession, PlanVersion, PlanVersionChange, utcnow
from plangov_app.services import diffing
from plangov_app.services.caching import LruCache
from plangov_app.services.errors import NotFound
from plangov_app.services.plan_document import MODALITIES, PlanDocument, dump_document
from plangov_app.services.rbac import Actor

PERSON, ALGORITHM, SYSTEM = "person", "algorithm", "system"  # who writes a version
_DOCUMENTS = LruCache[str, PlanDocument](256)  # by version id: versions never change


def document_of(version: PlanVersion) -> PlanDocument:
    """The validated document of a stored version (shared: callers must not mutate it)."""
    cached = _DOCUMENTS.get(version.id)
    if cached is None:
        cached = PlanDocument.model_validate(json.loads(version.content_json),
                                             context={"stored": True})
        _DOCUMENTS.put(version.id, cached)
    return cached


def get_version(session: Session, plan: Plan, version_id: str) -> PlanVersion:
    """A version of `plan`, or NotFound."""
    version = session.get(PlanVersion, version_id)
    if version is None or version.plan_id != plan.id:
        raise NotFound(f"Plan {plan.id} has no version {version_id}.")
    return version


def list_versions(session: Session, plan: Plan) -> list[PlanVersion]:
    """Every version of `plan`, oldest first (documents loaded only if read)."""
    return list(session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                             .options(defer(PlanVersion.content_json))  # type: ignore[arg-type]
                             .order_by(col(PlanVersion.version_number))))


def changes_of(session: Session, version_id: str) -> list[PlanVersionChange]:
    """The stored changes of one version."""
    return list(session.exec(select(PlanVersionChange)
                             .where(PlanVersionChange.version_id == version_id)
                             .order_by(col(PlanVersionChange.field_path))))


@dataclass
class NewVersion:
    """Everything a new version is made of."""

    document: PlanDocument
    status: str
    kind: str
    changes: list[diffing.Change] = field(default_factory=list)
    status_change: tuple[str, str] | None = None
    reason_codes: list[str] = field(default_factory=list)
    rationale: str = ""
    idempotency_key: str | None = None
    comment_id: str | None = None
    generated_by: str | None = None  # the algorithm that wrote it (the actor asked for it)


@dataclass
class PreparedVersion:
    """A version worked out in full (summary, document, rows), not yet stored."""

    version: PlanVersion
    document: PlanDocument
    session_rows: list[dict[str, Any]]
    change_rows: list[PlanVersionChange]


def prepare_version(plan: Plan, actor: Actor | None, parent: PlanVersion | None,
                    spec: NewVersion, *, baseline: PlanDocument | None = None,
                    content_json: str | None = None,
                    idempotency_fingerprint: str | None = None) -> PreparedVersion:
    """Everything a new version needs, computed without touching the database.

    Diffing and serialising happen here, so a writer can do them before taking the lock.
    """
    summary = _summary(parent, spec, baseline)
    content = dump_document(spec.document)
    version = PlanVersion(
        plan_id=plan.id,  # id: the model's default
        version_number=(parent.version_number + 1) if parent else 1,
        parent_version_id=parent.id if parent else None, status=spec.status, kind=spec.kind,
        **_author_columns(actor, spec.generated_by),
        diff_summary_json=json.dumps(summary, sort_keys=True),  # JSON-native (mode="json")
        content_json=content_json or json.dumps(content, sort_keys=True),
        reason_codes_json=json.dumps(spec.reason_codes), rationale=spec.rationale,
        idempotency_key=spec.idempotency_key,
        idempotency_fingerprint=idempotency_fingerprint)  # created_at: set when inserted
    return PreparedVersion(version=version, document=spec.document,
                           session_rows=_session_rows(version.id, content),
                           change_rows=_change_rows(version.id, spec))


def _author_columns(actor: Actor | None, algorithm: str | None) -> dict[str, Any]:
    """Who writes a version: the algorithm at `actor`'s request, `actor`, or the system."""
    if algorithm is not None:
        return {"author_role": ALGORITHM, "author_kind": ALGORITHM,
                "algorithm_version": algorithm,
                "requested_by": actor.user_id if actor else None}
    if actor is None:
        return {"author_role": SYSTEM, "author_kind": SYSTEM}
    return {"author_id": actor.user_id, "author_role": actor.role.value, "author_kind": PERSON}


def insert_version(session: Session, plan: Plan, prepared: PreparedVersion) -> PlanVersion:
    """Store a prepared version with its sessions and changes; point the plan at it."""
    version = prepared.version
    version.created_at = utcnow()
    session.add(version)
    session.flush()
    session.execute(insert(PlanSession), prepared.session_rows)
    _DOCUMENTS.put(version.id, prepared.document)  # the next edit starts from it
    session.add_all(prepared.change_rows)
    plan.active_version_id = version.id
    plan.status = version.status
    plan.updated_at = version.created_at
    if version.parent_version_id is None:
        plan.baseline_version_id = version.id
    session.add(plan)
    session.flush()
    return version


def _summary(parent: PlanVersion | None, spec: NewVersion,
             baseline: PlanDocument | None) -> dict[str, Any]:
    summary: dict[str, Any] = {"reason_codes": spec.reason_codes,
                               "rationale_tags": diffing.rationale_tags(spec.rationale)}
    if parent is not None:
        summary["vs_parent"] = diffing.summarize(document_of(parent), spec.document,
                                                 spec.changes)
    if baseline is not None:
        summary["vs_baseline"] = diffing.summarize(baseline, spec.document)
    elif parent is not None and spec.document is document_of(parent):
        summary["vs_baseline"] = stored_summary(parent).get("vs_baseline")  # same document
    if summary.get("vs_baseline") is None:
        summary.pop("vs_baseline", None)
    if spec.status_change:
        summary["status_change"] = {"from": spec.status_change[0], "to": spec.status_change[1]}
    return summary


def _session_rows(version_id: str, content: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per session, inserted in a single statement (52 weeks: 260 rows)."""
    return [{"version_id": version_id, "session_id": s["session_id"], "week_index": w["index"],
             "day": date.fromisoformat(s["day"]), "modality": s["modality"],
             "prescribed_work_json": json.dumps([
                 {k: v for k, v in item.items() if v is not None} for item in s["items"]])}
            for w in content["weeks"] for s in w["sessions"]]


def _change_rows(version_id: str, spec: NewVersion) -> list[PlanVersionChange]:
    reasons = json.dumps(spec.reason_codes)
    rows = [PlanVersionChange(version_id=version_id, field_path=c.field_path,
                              old_value=diffing.encode_value(c.old_value),
                              new_value=diffing.encode_value(c.new_value),
                              change_type=c.change_type, session_id=c.session_id,
                              item_id=c.item_id, reason_codes_json=reasons)
            for c in spec.changes]
    if spec.status_change:
        old, new = spec.status_change
        rows.append(PlanVersionChange(version_id=version_id, field_path="status",
                                      old_value=json.dumps(old), new_value=json.dumps(new),
                                      change_type="modified", comment_id=spec.comment_id,
                                      reason_codes_json=reasons))
    return rows


def stored_summary(version: PlanVersion) -> dict[str, Any]:
    """The diff summary written with `version` (`vs_parent`, `vs_baseline`, …).

    The figures are read back as stored; their badges are worded anew, so every version
    speaks today's vocabulary (`diffing.badges`).
    """
    summary = json.loads(version.diff_summary_json)  # NOT NULL, always written
    for part in summary.values():
        if isinstance(part, dict) and "volume" in part:
            part["badges"] = diffing.badges(part)
    return summary


def summary_vs_baseline(version: PlanVersion, baseline: PlanVersion) -> dict[str, Any]:
    """What changed from the generated baseline to `version`: read back as stored.

    Worked out only for a version stored without it (the baseline itself, or a version
    written before the summary was kept).
    """
    stored = stored_summary(version).get("vs_baseline")
    if stored is None:
        return diffing.summarize(document_of(baseline), document_of(version))
    by_modality = stored["volume"]["by_modality"]  # stored with sorted keys: back in order
    stored["volume"]["by_modality"] = {m: by_modality[m] for m in MODALITIES
                                       if m in by_modality}
    return stored


def diff_between(old: PlanVersion, new: PlanVersion) -> dict[str, Any]:
    """Changes and summary from one version to another (any two of a plan)."""
    before, after = document_of(old), document_of(new)
    changes = diffing.diff_documents(before, after)
    return {"from_version_id": old.id, "to_version_id": new.id,
            "from_version_number": old.version_number, "to_version_number": new.version_number,
            "changes": [c.as_dict() for c in changes],
            "summary": diffing.summarize(before, after, changes)}


def decisions(session: Session, plan_id: str, up_to: int | None = None) -> list[PlanVersion]:
    """The versions that record a decision (athlete or admin override), oldest first."""
    found = _of_kinds(session, plan_id, ("decision", "override"))
    return [v for v in found if up_to is None or v.version_number <= up_to]


def _of_kinds(session: Session, plan_id: str, kinds: tuple[str, ...]) -> list[PlanVersion]:
    """A plan's versions of `kinds`, oldest first.

    Filtered and sorted here, not in SQL: a version-number range or ORDER BY makes SQLite
    pick the (plan_id, version_number) index and read every version of the plan.
    """
    stmt = select(PlanVersion).where(PlanVersion.plan_id == plan_id,
                                     col(PlanVersion.kind).in_(kinds))
    return sorted(session.exec(stmt), key=lambda v: v.version_number)


@dataclass(frozen=True)
class Authorship:
    """Who wrote a version: a person, the algorithm (and who asked for it), or the system."""

    kind: str  # person | algorithm | system
    person_id: str | None = None
    algorithm: str | None = None
    requested_by: str | None = None


def authorship(version: PlanVersion, plan_algorithm: str | None = None) -> Authorship:
    """Who wrote `version`.

    A generated version stored before authorship was recorded (`author_kind` NULL) is the
    algorithm's (`plan_algorithm`), asked for by the person it was credited to.
    """
    kind = version.author_kind
    if kind is None:
        kind = ALGORITHM if version.kind == "generated" else (
            PERSON if version.author_id else SYSTEM)
        if kind == ALGORITHM:
            return Authorship(ALGORITHM, algorithm=plan_algorithm,
                              requested_by=version.author_id)
    if kind == ALGORITHM:
        return Authorship(ALGORITHM, algorithm=version.algorithm_version or plan_algorithm,
                          requested_by=version.requested_by)
    return Authorship(kind, person_id=version.author_id)


def author_label(version: PlanVersion, names: dict[str, str],
                 plan_algorithm: str | None = None) -> str:
    """Who wrote `version`, in words.

    "Coach One", "System", or "Generator lp-1.0 (requested by Coach One)" for a generated
    version; `names` comes from `author_names`.
    """
    who = authorship(version, plan_algorithm)
    name, requester = author_name(who, names), _requester(who, names)
    return f"{name} (requested by {requester})" if requester else name


def author_parts(version: PlanVersion, names: dict[str, str],
                 plan_algorithm: str | None = None) -> tuple[str, str]:
    """The author's name and what to say beside it in brackets.

    ("Coach One", "coach"), ("Generator lp-1.0", "requested by Coach One") or
    ("System", "system"), for lists that show "name (detail)".
    """
    who = authorship(version, plan_algorithm)
    name = author_name(who, names)
    if who.kind != ALGORITHM:
        return name, version.author_role or who.kind
    requester = _requester(who, names)
    return name, f"requested by {requester}" if requester else "algorithm"


def _requester(who: Authorship, names: dict[str, str]) -> str | None:
    """The name of whoever asked for a generated version, if known."""
    return who.requested_by and names.get(who.requested_by)


def author_name(who: Authorship, names: dict[str, str]) -> str:
    """The author's name alone: the person's, "Generator lp-1.0" or "System"."""
    if who.kind == ALGORITHM:
        return f"Generator {who.algorithm or ''}".strip()
    if who.kind == SYSTEM:
        return "System"
    return names.get(who.person_id or "", "Someone")


def author_names(session: Session, versions: list[PlanVersion]) -> dict[str, str]:
    """Display names of the versions' authors and of who asked for generated ones."""
    from db.models import User

    ids = {i for v in versions for i in (v.author_id, v.requested_by) if i}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all())


def last_reviewed(session: Session, plan: Plan, before_number: int) -> PlanVersion | None:
    """The last version the athlete decided on (accepted or sent back) before `before_number`.

    A decision version holds the document the athlete was shown, so it is what they last saw.
    """
    theirs = [v for v in _of_kinds(session, plan.id, ("decision",))
              if v.author_id == plan.athlete_id and v.version_number < before_number]
    return theirs[-1] if theirs else None
