"""TRANSITIONAL: this module moved to `plangov_app.services.plans.unsaved_edits`.

Kept, with the old names and signatures, only for state/editor.py (owned elsewhere) until
it imports `plans.unsaved_edits`; remove it then. New code must not import this module.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from plangov_app.services.context import RequestContext
from plangov_app.services.plans.unsaved_edits import (
    Edit,
    RestoredEdits,
    compile_edits,
    days_of_week,
    new_item,
    preview_edits,
    restore_unsaved_edits,
    save_draft,
)
from plangov_app.services.rbac import Actor

__all__ = ["Edit", "compile_edits", "days_of_week", "new_item", "preview", "restore_edits",
           "save_edits"]
preview = preview_edits


def save_edits(session: Session, actor: Actor, plan_id: str, base_id: str,
               edits: list[dict[str, Any]], reasons: list[str], rationale: str,
               context: RequestContext) -> tuple[int, list[dict[str, Any]]]:
    """TRANSITIONAL: use `plans.unsaved_edits.save_draft`."""
    return save_draft(session, actor, plan_id, base_version_id=base_id, edits=edits,
                      reasons=reasons, rationale=rationale, context=context)


def restore_edits(session: Session, actor: Actor, plan_id: str, base_id: str,
                  remembered: list[Any]) -> RestoredEdits:
    """TRANSITIONAL: use `plans.unsaved_edits.restore_unsaved_edits`."""
    return restore_unsaved_edits(session, actor, plan_id, base_version_id=base_id,
                                 remembered=remembered)
