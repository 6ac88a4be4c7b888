"""Feature flags: the caller's evaluated config (cacheable, conditional) and management.

`GET /flags/config` is for every signed-in user; the rest needs flag:manage (admin,
data scientist). Changes are audited by the service; the history reads the audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from plangov_app.api.conditional import none_match
from plangov_app.api.deps import ContextDep, CurrentActor, SessionDep
from plangov_app.api.schemas.common import ERROR_RESPONSES
from plangov_app.api.schemas.flags import (
    FlagChangeOut,
    FlagConfig,
    FlagCreate,
    FlagHistory,
    FlagList,
    FlagOut,
    FlagPatch,
)
from plangov_app.services import flags
from plangov_app.services.audit import canonical_json

router = APIRouter(tags=["flags"], responses=ERROR_RESPONSES)
Key = Annotated[str, Path(min_length=1, max_length=80)]
#: per user (private: shared caches keep none), fresh for 30 s, then served stale for up
#: to 60 s more while one revalidation (a 304 when nothing changed) runs behind it
CONFIG_CACHE_CONTROL = "private, max-age=30, stale-while-revalidate=60"
CONFIG_HEADERS = {"Cache-Control": CONFIG_CACHE_CONTROL, "Vary": "Authorization"}


@router.get("/flags/config", response_model=FlagConfig,
            responses={304: {"description": "Not modified (If-None-Match matched)"}})
def flag_config(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """The flags evaluated for the caller, with a strong ETag; 304 when it matches."""
    config, etag = flags.evaluated_config(session, actor)
    headers = {**CONFIG_HEADERS, "ETag": etag}
    if none_match(request.headers.getlist("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(canonical_json({"flags": config}), media_type="application/json",
                    headers=headers)


def _out(view: flags.FlagView) -> FlagOut:
    return FlagOut(key=view.key, description=view.description, enabled=view.enabled,
                   rules=view.rules, updated_at=view.updated_at, updated_by=view.updated_by)


@router.get("/flags", response_model=FlagList)
def list_flags(session: SessionDep, actor: CurrentActor) -> FlagList:
    """Every flag with its rules (flag:manage)."""
    return FlagList(items=[_out(v) for v in flags.list_flags(session, actor)])


@router.post("/flags", response_model=FlagOut, status_code=201)
def create_flag(body: FlagCreate, session: SessionDep, actor: CurrentActor,
                context: ContextDep, response: Response) -> FlagOut:
    """Create a flag (flag:manage; audited as `flag.create`)."""
    view = flags.create_flag(session, actor, key=body.key, description=body.description,
                             enabled=body.enabled, rules=body.rules.model_dump(),
                             context=context)
    response.headers["Location"] = f"/api/v1/flags/{view.key}"
    return _out(view)


@router.get("/flags/{key}", response_model=FlagOut)
def get_flag(key: Key, session: SessionDep, actor: CurrentActor) -> FlagOut:
    """One flag (flag:manage)."""
    return _out(flags.get_flag(session, actor, key))


@router.patch("/flags/{key}", response_model=FlagOut)
def update_flag(key: Key, body: FlagPatch, session: SessionDep, actor: CurrentActor,
                context: ContextDep) -> FlagOut:
    """Change a flag's description, switch or rules (flag:manage; audited with old → new)."""
    changes = body.model_dump(exclude_unset=True)
    return _out(flags.update_flag(session, actor, key, changes=changes, context=context))


@router.get("/flags/{key}/history", response_model=FlagHistory)
def flag_history(
    key: Key, session: SessionDep, actor: CurrentActor,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,9}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> FlagHistory:
    """The flag's changes from the audit log, newest first (flag:manage)."""
    rows, next_seq = flags.history(session, actor, key,
                                   before_seq=int(cursor) if cursor else None, limit=limit)
    return FlagHistory(items=[FlagChangeOut(**r.__dict__) for r in rows],
                       next_cursor=str(next_seq) if next_seq is not None else None)
