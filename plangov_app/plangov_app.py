"""The PlanGov app: pages (they declare themselves), the shell and the REST API in one process."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

import pages  # noqa: F401  (the pages declare themselves)
from components.layout import add_pages
from db.session import unit_of_work
from plangov_app.api import api
from plangov_app.services import outbox

log = logging.getLogger("plangov.app")
RELAY_SECONDS = 5.0

app = rx.App(
    api_transformer=api,
    head_components=[rx.el.meta(name="theme-color", content="#3e63dd")],
)
add_pages(app)


def _relay_once() -> int:
    with unit_of_work() as session:
        return outbox.relay(session, outbox.default_sink())


@app.register_lifespan_task
async def relay_outbox() -> None:
    """Publish outbox messages to the bus every few seconds while the app runs."""
    while True:
        try:
            await asyncio.to_thread(_relay_once)
        except Exception:  # keep relaying; the next run retries what failed
            log.exception("outbox relay failed")
        await asyncio.sleep(RELAY_SECONDS)
