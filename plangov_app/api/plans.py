"""Plans, versions, diffs, transitions, comments and the change log (spec §1.3)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response

from db.models import Plan, PlanVersion
from db.session import finish_write
from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.exports import audited_csv
from plangov_app.api.schemas import (
    ERROR_RESPONSES,
    ApprovalOut,
    ChangelogEntry,
    ChangeOut,
    CommentIn,
    CommentOut,
    DecisionIn,
    DiffOut,
    Page,
    PlanCreate,
    PlanOut,
    SubmitIn,
    VersionBrief,
    VersionEdit,
    VersionOut,
)
from plangov_app.services import changelog, comments, describing, versions
from plangov_app.services.plans import creation, edits, listing, lookup, transitions
from plangov_app.services.rbac import Actor, Permission

router = APIRouter(prefix="/plans", tags=["plans"], responses=ERROR_RESPONSES)
PlanId = Annotated[str, Path(min_length=1, max_length=36)]
VersionId = Annotated[str, Path(min_length=1, max_length=36)]


def author_fields(version: PlanVersion, names: dict[str, str],
                  plan_algorithm: str | None) -> dict[str, Any]:
    """Who wrote a version: the person, or the algorithm and who asked for it."""
    who = versions.authorship(version, plan_algorithm)
    return {"author_id": version.author_id, "author_name": versions.author_name(who, names),
            "author_role": version.author_role, "author_kind": who.kind,
            "algorithm_version": who.algorithm, "requested_by": who.requested_by,
            "requested_by_name": names.get(who.requested_by or ""),
            "author_label": versions.author_label(version, names, plan_algorithm)}


def version_brief(version: PlanVersion, names: dict[str, str],
                  plan_algorithm: str | None = None) -> VersionBrief:
    """A version's list entry."""
    summary = versions.stored_summary(version)
    vs_parent = summary.get("vs_parent", {})
    return VersionBrief(
        id=version.id, version_number=version.version_number,
        parent_version_id=version.parent_version_id, status=version.status, kind=version.kind,
        **author_fields(version, names, plan_algorithm), created_at=version.created_at,
        reason_codes=json.loads(version.reason_codes_json or "[]"), rationale=version.rationale,
        badges=vs_parent.get("badges", []), change_count=vs_parent.get("change_count", 0))


def plan_out(plan: Plan, header: listing.PlanHeader | None = None,
             names: dict[str, str] | None = None) -> PlanOut:
    """A plan's API shape."""
    data = plan.model_dump()
    if header is not None:
        data.update(athlete_name=header.athlete_name, sport=header.sport, level=header.level,
                    open_comments=header.open_comments)
        if header.head is not None:
            data["latest_version"] = version_brief(header.head, names or {},
                                                   plan.algorithm_version)
    return PlanOut(**data)


def _header(session: Any, actor: Actor, plan: Plan) -> PlanOut:
    rows, _ = listing.list_plans(session, actor, listing.PlanQuery(athlete_id=plan.athlete_id,
                                                                   limit=100))
    header = next((h for h in rows if h.plan.id == plan.id), None)
    heads = [header.head] if header and header.head else []
    return plan_out(plan, header, versions.author_names(session, heads))


@router.get("", response_model=Page[PlanOut])
def list_plans(
    session: SessionDep,
    actor: CurrentActor,
    status: Annotated[str | None, Query(max_length=200, description="pending or a comma list")]
    = None,
    coach_id: Annotated[str | None, Query(max_length=36)] = None,
    athlete_id: Annotated[str | None, Query(max_length=36)] = None,
    search: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[str, Query(pattern="^(waiting|recent)$")] = "waiting",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> Page[PlanOut]:
    """Plans the caller may see; `status=pending` is the coach's review queue."""
    query = listing.PlanQuery(statuses=listing.parse_statuses(status), coach_id=coach_id,
                              athlete_id=athlete_id, search=search, sort=sort, cursor=cursor,
                              limit=limit)
    headers, next_cursor = listing.list_plans(session, actor, query)
    names = versions.author_names(session, [h.head for h in headers if h.head])
    return Page[PlanOut](items=[plan_out(h.plan, h, names) for h in headers],
                         next_cursor=next_cursor)


@router.post("", response_model=PlanOut, status_code=201)
def create_plan(body: PlanCreate, session: SessionDep, actor: CurrentActor,
                context: ContextDep) -> PlanOut:
    """Generate a plan (status `generated`, baseline version 1)."""
    plan = creation.generate_plan(session, actor, athlete_id=body.athlete_id,
                                  start_date=body.start_date, weeks=body.weeks,
                                  context=context, algorithm=body.algorithm, seed=body.seed)
    finish_write(session)
    return _header(session, actor, plan)


@router.get("/{plan_id}", response_model=PlanOut)
def get_plan(plan_id: PlanId, session: SessionDep, actor: CurrentActor) -> PlanOut:
    """One plan's header."""
    plan = lookup.get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    return _header(session, actor, plan)


@router.get("/{plan_id}/versions", response_model=list[VersionBrief])
def list_versions(plan_id: PlanId, session: SessionDep, actor: CurrentActor) -> list[VersionBrief]:
    """Every version of the plan, oldest first (without documents)."""
    plan = lookup.get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    rows = versions.list_versions(session, plan)
    names = versions.author_names(session, rows)
    return [version_brief(v, names, plan.algorithm_version) for v in rows]


def version_out(session: Any, version: PlanVersion) -> VersionOut:
    """A full version payload."""
    names = versions.author_names(session, [version])
    plan = session.get(Plan, version.plan_id)
    approvals = [ApprovalOut(version_id=v.id, version_number=v.version_number, status=v.status,
                             kind=v.kind, author_id=v.author_id, author_role=v.author_role,
                             created_at=v.created_at, comment=v.rationale)
                 for v in versions.decisions(session, version.plan_id, version.version_number)]
    changes = [ChangeOut(field_path=c.field_path, change_type=c.change_type,
                         old_value=json.loads(c.old_value) if c.old_value else None,
                         new_value=json.loads(c.new_value) if c.new_value else None,
                         session_id=c.session_id, item_id=c.item_id, comment_id=c.comment_id)
               for c in versions.changes_of(session, version.id)]
    return VersionOut(
        id=version.id, plan_id=version.plan_id, version_number=version.version_number,
        parent_version_id=version.parent_version_id, status=version.status, kind=version.kind,
        **author_fields(version, names, plan.algorithm_version if plan else None),
        created_at=version.created_at, diff_summary=versions.stored_summary(version),
        content=json.loads(version.content_json), changes=changes,
        reason_codes=json.loads(version.reason_codes_json or "[]"), rationale=version.rationale,
        approvals=approvals)


@router.get("/{plan_id}/versions/{version_id}", response_model=VersionOut)
def get_version(plan_id: PlanId, version_id: VersionId, session: SessionDep,
                actor: CurrentActor) -> VersionOut:
    """A version with its document, change markers and decisions."""
    plan = lookup.get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    return version_out(session, versions.get_version(session, plan, version_id))


@router.patch("/{plan_id}/versions/{version_id}", response_model=VersionOut,
              responses={200: {"description": "The new version (or, for a repeated "
                                               "Idempotency-Key, the one created first)"}})
def edit_version(
    plan_id: PlanId, version_id: VersionId, body: VersionEdit, session: SessionDep,
    actor: CurrentActor, context: ContextDep, response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> VersionOut:
    """Edit the head version into version n+1 (status draft).

    Send JSON Patch `operations` (or a whole `content`), `reason_codes` and a `rationale`.
    A base that is not the head gets 409; a repeated `Idempotency-Key` returns the
    version created the first time. An approved or published plan is revised instead:
    weeks before today are refused (422), and the plan goes back to the athlete
    (coach_reviewed) only when the change alters what they do (audited `plan.revise`).
    """
    operations = None if body.operations is None else [
        op.model_dump(by_alias=True, exclude_unset=True) for op in body.operations]
    request = edits.EditRequest(base_version_id=version_id, operations=operations,
                                content=body.content, reason_codes=tuple(body.reason_codes),
                                rationale=body.rationale, idempotency_key=idempotency_key,
                                today=describing.today_in(actor.time_zone))
    version, created = edits.create_edited_version(session, actor, plan_id, request=request,
                                                   context=context)
    finish_write(session)
    response.headers["Idempotent-Replay"] = "false" if created else "true"
    return version_out(session, version)


@router.get("/{plan_id}/diff", response_model=DiffOut)
def diff(
    plan_id: PlanId, session: SessionDep, actor: CurrentActor,
    from_version: Annotated[str | None, Query(alias="from", max_length=36)] = None,
    to_version: Annotated[str | None, Query(alias="to", max_length=36)] = None,
) -> DiffOut:
    """Changes between two versions (default: the generated baseline → the head)."""
    plan = lookup.get_plan(session, actor, plan_id, permission=Permission.PLAN_VIEW)
    old = versions.get_version(session, plan, from_version or plan.baseline_version_id or "")
    new = versions.get_version(session, plan, to_version or plan.active_version_id or "")
    return DiffOut(**versions.diff_between(old, new))


@router.post("/{plan_id}/submit", response_model=PlanOut)
def submit(plan_id: PlanId, body: SubmitIn, session: SessionDep, actor: CurrentActor,
           context: ContextDep) -> PlanOut:
    """Coach submits for approval → coach_reviewed; the athlete is notified."""
    plan = transitions.submit_for_approval(session, actor, plan_id, comment=body.comment,
                                           context=context)
    finish_write(session)
    return _header(session, actor, plan)


@router.post("/{plan_id}/recall", response_model=PlanOut)
def recall(plan_id: PlanId, body: SubmitIn, session: SessionDep, actor: CurrentActor,
           context: ContextDep) -> PlanOut:
    """Coach takes a submitted plan back before the athlete answers → draft (athlete told)."""
    plan = transitions.recall_submission(session, actor, plan_id, comment=body.comment,
                                         context=context)
    finish_write(session)
    return _header(session, actor, plan)


@router.post("/{plan_id}/approve", response_model=PlanOut)
def approve(plan_id: PlanId, body: DecisionIn, session: SessionDep, actor: CurrentActor,
            context: ContextDep) -> PlanOut:
    """The athlete accepts (→ approved) or requests changes (→ needs_revision)."""
    plan = transitions.record_decision(session, actor, plan_id, decision=body.decision,
                                       comment=body.comment, context=context)
    finish_write(session)
    return _header(session, actor, plan)


def comment_out(view: comments.CommentView) -> CommentOut:
    """A comment's API shape."""
    c = view.comment
    return CommentOut(id=c.id, plan_id=c.plan_id, version_id=c.version_id, anchor_id=c.anchor_id,
                      parent_id=c.parent_id, author_id=c.author_id, author_name=view.author_name,
                      author_role=view.author_role, message=c.message, visibility=c.visibility,
                      created_at=c.created_at, resolved_at=c.resolved_at,
                      resolved_by=c.resolved_by, outdated=view.outdated,
                      anchor_missing=view.anchor_missing, original=view.original)


@router.post("/{plan_id}/comments", response_model=CommentOut, status_code=201)
def create_comment(plan_id: PlanId, body: CommentIn, session: SessionDep, actor: CurrentActor,
                   context: ContextDep) -> CommentOut:
    """Comment on a session (`anchor_id`) or the plan, or reply (`parent_id`)."""
    comment = comments.create_comment(session, actor, plan_id, message=body.message,
                                      anchor_id=body.anchor_id, parent_id=body.parent_id,
                                      visibility=body.visibility, context=context)
    finish_write(session)
    return _comment_by_id(session, actor, plan_id, comment.id)


def _comment_by_id(session: Any, actor: Actor, plan_id: str, comment_id: str) -> CommentOut:
    view = next(v for v in comments.list_comments(session, actor, plan_id)
                if v.comment.id == comment_id)
    return comment_out(view)


@router.get("/{plan_id}/comments", response_model=list[CommentOut])
def list_comments(plan_id: PlanId, session: SessionDep, actor: CurrentActor,
                  version_id: Annotated[str | None, Query(max_length=36)] = None
                  ) -> list[CommentOut]:
    """Comments the caller may read, with outdated markers, as threads.

    Threads in the order they were started, each root followed by its replies, oldest first.
    """
    return [comment_out(v) for v in comments.list_comments(session, actor, plan_id, version_id)]


@router.post("/{plan_id}/comments/{comment_id}/resolve", response_model=CommentOut)
def resolve(plan_id: PlanId, comment_id: VersionId, session: SessionDep, actor: CurrentActor,
            context: ContextDep) -> CommentOut:
    """Mark a thread resolved."""
    comments.set_resolved(session, actor, plan_id, comment_id, resolved=True, context=context)
    finish_write(session)
    return _comment_by_id(session, actor, plan_id, comment_id)


@router.post("/{plan_id}/comments/{comment_id}/reopen", response_model=CommentOut)
def reopen(plan_id: PlanId, comment_id: VersionId, session: SessionDep, actor: CurrentActor,
           context: ContextDep) -> CommentOut:
    """Reopen a resolved thread."""
    comments.set_resolved(session, actor, plan_id, comment_id, resolved=False, context=context)
    finish_write(session)
    return _comment_by_id(session, actor, plan_id, comment_id)


@router.get("/{plan_id}/changelog", response_model=Page[ChangelogEntry],
            responses={200: {"content": {"text/csv": {}},
                             "description": "JSON page, or CSV with format=csv"}})
def get_changelog(
    plan_id: PlanId, session: SessionDep, actor: CurrentActor, context: ContextDep,
    date_from: Annotated[datetime | None, Query(alias="from")] = None,
    date_to: Annotated[datetime | None, Query(alias="to")] = None,
    user: Annotated[str | None, Query(max_length=36)] = None,
    change_type: Annotated[str | None, Query(pattern="^(added|removed|modified|moved)$")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """The plan's change history (newest first), filtered; `format=csv` streams all of it.

    `from`/`to` without a time zone are UTC (`to` is exclusive). A CSV export is audited
    (`plan.changelog_export`) once it has started successfully.
    """
    filters = changelog.ChangelogFilter(date_from=date_from, date_to=date_to, user_id=user,
                                        change_type=change_type)
    if format == "csv":
        changelog.authorize_export(session, actor, plan_id)
        return audited_csv(
            lambda s: _csv(s, plan_id, filters),
            lambda s: changelog.record_export(s, actor, plan_id, filters, context),
            filename=f"plan-{plan_id}-changes.csv")
    entries, next_cursor = changelog.page(session, actor, plan_id, filters, cursor=cursor,
                                          limit=limit)
    return Page[ChangelogEntry](items=[ChangelogEntry(**e) for e in entries],
                                next_cursor=next_cursor)


def _csv(session: Any, plan_id: str, filters: changelog.ChangelogFilter) -> Any:
    return changelog.stream_csv(session, plan_id, filters)
