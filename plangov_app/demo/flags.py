"""Demo feature flags: created switched off, left as they are when they exist."""

from __future__ import annotations

from sqlmodel import Session

from plangov_app.services import flags
from plangov_app.services.context import system_context

DEMO_FLAGS = {
    "diff_viewer_v2": "The athlete's review page shows the plan side by side: what it was "
                      "on the left, this version on the right, changed values highlighted.",
}


def seed_flags(session: Session) -> int:
    """Create the missing demo flags (off); the number created."""
    context = system_context("plangov demo seed")
    return sum(flags.ensure_flag(session, key=key, description=text, context=context)
               for key, text in DEMO_FLAGS.items())
