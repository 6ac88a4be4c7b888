"""The experiment scheduler: complete experiments whose end has passed, every 30 s.

Only the end needs a status change: assignment itself refuses enrolment before
`start_at` and after `end_at` (reason outside_window), so a running experiment whose
start lies ahead simply enrols nobody until then. `plangov experiments tick` runs one
pass for cron.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from db.session import unit_of_work
from plangov_app.services.context import system_context
from plangov_app.services.experiments import registry
from plangov_app.settings import get_settings

log = logging.getLogger("plangov.app")


def tick_once(now: datetime | None = None, *, tool: str = "experiment scheduler") -> list[str]:
    """Complete every running or paused experiment whose end is at or before `now`; keys."""
    with unit_of_work() as session:
        return registry.tick(session, now=now or datetime.now(UTC),
                             context=system_context(tool))


async def schedule_experiments() -> None:
    """Run `tick_once` every `PLANGOV_EXPERIMENT_TICK_SECONDS` (30 s) while the app runs."""
    while True:
        try:
            done = await asyncio.to_thread(tick_once)
            if done:
                log.info("experiments completed at their end: %s", ", ".join(done))
        except Exception:  # keep scheduling; the next pass retries
            log.exception("experiment scheduler failed")
        await asyncio.sleep(get_settings().experiment_tick_seconds)
