"""The outbox relay: publish pending outbox messages to the bus every few seconds."""

from __future__ import annotations

import asyncio
import logging

from db.session import unit_of_work
from plangov_app.adapters.bus import default_sink
from plangov_app.services import outbox

log = logging.getLogger("plangov.app")
RELAY_SECONDS = 5.0


def relay_once(*, batch: int = 500) -> int:
    """Publish up to `batch` pending messages to the configured bus; return how many."""
    with unit_of_work() as session:
        return outbox.relay(session, default_sink(), batch=batch)


def relay_all(*, batch: int = 500) -> int:
    """Publish every pending message, `batch` per transaction; return how many."""
    total = 0
    while True:
        sent = relay_once(batch=batch)
        total += sent
        if sent < batch:
            return total


async def relay_outbox() -> None:
    """Publish outbox messages to the bus every few seconds while the app runs."""
    while True:
        try:
            await asyncio.to_thread(relay_once)
        except Exception:  # keep relaying; the next run retries what failed
            log.exception("outbox relay failed")
        await asyncio.sleep(RELAY_SECONDS)
