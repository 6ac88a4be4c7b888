"""The PlanGov app: pages (they declare themselves), the shell and the REST API in one process."""

from __future__ import annotations

import reflex as rx

import pages  # noqa: F401  (the pages declare themselves)
from components.layout import add_pages
from plangov_app.api import api
from plangov_app.theme import STYLESHEETS
from plangov_app.workers.experiments import schedule_experiments
from plangov_app.workers.relay import relay_outbox

app = rx.App(
    api_transformer=api,
    # assets/calendar.js: week jumps and drag and drop in the plan calendar (loaded once)
    head_components=[rx.el.meta(name="theme-color", content="#3e63dd"),
                     rx.script(src="/calendar.js")],
    stylesheets=STYLESHEETS,
)
add_pages(app)

app.register_lifespan_task(relay_outbox)
app.register_lifespan_task(schedule_experiments)
