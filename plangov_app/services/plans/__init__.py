"""Plans, split by job: import the module that does the job you need.

- `lookup`        a plan the actor may act on (`get_plan`), its head and baseline versions,
                  its coaches
- `creation`      `generate_plan`: the generator's document becomes version 1
- `edits`         `create_edited_version`: a JSON Patch or whole document on the head
                  becomes version n+1 (the API's PATCH)
- `unsaved_edits` the editor's id-addressed edits: `compile_edits`, `preview_edits`,
                  `save_draft` (through `edits`), `restore_unsaved_edits`
- `transitions`   `submit_for_approval`, `record_decision` (the athlete's, or an override)
- `listing`       `list_plans` with filters and cursors, `open_comment_counts`
- `lifecycle`     `advance_lifecycle`: publish started plans, complete ended ones

Storing a version is `versions.prepare_version` (worked out, no database) then
`versions.insert_version` (written); every write follows spec §2.4 inside the caller's
transaction: RBAC → version and changes → audit event → outbox event (and notifications).
"""

# TRANSITIONAL re-exports of the names `plangov_app.services.plans` had before it became a
# package, with their old signatures, for callers owned elsewhere (state/, cli, demo data)
# until they import the modules above. Remove once nothing imports these names from here.
# Do not add to this list; new code imports the modules.
from __future__ import annotations

from sqlmodel import Session

from db.models import Plan, PlanVersion
from plangov_app.services.context import RequestContext
from plangov_app.services.plans.creation import generate_plan
from plangov_app.services.plans.edits import REASON_CODES, EditRequest, create_edited_version
from plangov_app.services.plans.lifecycle import advance_lifecycle
from plangov_app.services.plans.listing import PlanQuery, list_plans
from plangov_app.services.plans.lookup import baseline_version, get_plan, head_version
from plangov_app.services.plans.transitions import record_decision, submit_for_approval
from plangov_app.services.rbac import Actor, Permission

__all__ = ["REASON_CODES", "EditRequest", "PlanQuery", "advance_lifecycle",
           "baseline_version", "decide", "edit_plan", "generate_plan", "head_version",
           "list_plans", "load_plan", "submit_plan"]


def load_plan(session: Session, actor: Actor, plan_id: str, permission: Permission,
              *, for_update: bool = False) -> Plan:
    """TRANSITIONAL: use `lookup.get_plan`."""
    return get_plan(session, actor, plan_id, permission=permission, for_update=for_update)


def edit_plan(session: Session, actor: Actor, plan_id: str, request: EditRequest,
              context: RequestContext) -> tuple[PlanVersion, bool]:
    """TRANSITIONAL: use `edits.create_edited_version`."""
    return create_edited_version(session, actor, plan_id, request=request, context=context)


def submit_plan(session: Session, actor: Actor, plan_id: str, comment: str,
                context: RequestContext) -> Plan:
    """TRANSITIONAL: use `transitions.submit_for_approval`."""
    return submit_for_approval(session, actor, plan_id, comment=comment, context=context)


def decide(session: Session, actor: Actor, plan_id: str, decision: str, comment: str,
           context: RequestContext) -> Plan:
    """TRANSITIONAL: use `transitions.record_decision`."""
    return record_decision(session, actor, plan_id, decision=decision, comment=comment,
                           context=context)


