"""`/experiments`: the control plane's list, with the create / edit form and its preview."""

from __future__ import annotations

import reflex as rx

from components.experiment_form import choice, confirm_dialog, editor_panel
from components.layout import page, page_title
from components.ui import empty_state
from plangov_app.services.views.experiments_list import STATUS_FILTERS
from state.experiments import ExperimentsState as S

STATUS_COLOURS = {"draft": "amber", "running": "green", "paused": "orange", "complete": "gray"}
SRM_BADGES = {"ok": "green", "fail": "red"}


def _status(row: rx.Var) -> rx.Component:
    return rx.match(row.status,
                    *[(s, rx.badge(row.status_label, color_scheme=c, variant="soft"))
                      for s, c in STATUS_COLOURS.items()],
                    rx.badge(row.status_label, variant="soft"))


def _variants(row: rx.Var) -> rx.Component:
    return rx.vstack(rx.foreach(row.variants, lambda v: rx.text(
        rx.code(v.key), " ", v.weight, " · ", v.algorithm, " — ", v.enrolled, " enrolled / ",
        v.exposed, " exposed", size="1")),
        rx.cond(row.holdout > 0, rx.text("Holdout: ", row.holdout, size="1",
                                         color_scheme="gray")),
        spacing="1")


def _srm(row: rx.Var) -> rx.Component:
    return rx.match(row.srm,
                    ("fail", rx.badge(row.srm_text, color_scheme="red", variant="solid")),
                    ("ok", rx.badge(row.srm_text, color_scheme="green", variant="soft")),
                    rx.text("—", color_scheme="gray", aria_label="Too few athletes for SRM"))


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(rx.code(row.key), href="/experiments/" + row.id)),
        rx.table.cell(rx.link(row.name, href="/experiments/" + row.id, weight="medium")),
        rx.table.cell(_status(row)),
        rx.table.cell(_variants(row)),
        rx.table.cell(rx.text(row.when, size="1", white_space="nowrap")),
        rx.table.cell(rx.text(row.owner, size="2")),
        rx.table.cell(_srm(row)),
        rx.table.cell(rx.button("Edit", size="1", variant="soft", aria_label="Edit " + row.key,
                                on_click=S.edit(row.id))),
    )


def _list() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            "Key", "Name", "Status", "Variants (weight · algorithm — enrolled / exposed)",
            "Running", "Owner", "SRM", "")])),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface", size="1", width="100%")
    return rx.cond(
        S.loading, rx.center(rx.spinner(size="3"), padding="2em", role="status"),
        rx.cond(S.load_error != "",
                rx.callout(S.load_error, icon="octagon-x", color_scheme="red", role="alert"),
                rx.cond(S.rows.length() > 0,
                        rx.box(table, overflow_x="auto", width="100%", id="experiments-list",
                               role="region", aria_label="Experiments list"),
                        empty_state("No experiments match."))))


@page("/experiments", "Experiments", S.load)
def experiments_page() -> rx.Component:
    """Experiments: list, create / edit with the allocation preview, lifecycle."""
    controls = rx.flex(
        rx.input(placeholder="Search key or name…", value=S.search, on_change=S.set_search,
                 aria_label="Search key or name", width=["100%", "240px"]),
        choice(list(STATUS_FILTERS), S.status_filter, S.set_status_filter, "Filter by status"),
        rx.button(rx.icon("plus", size=16), "New experiment", on_click=S.new_experiment),
        gap="2", wrap="wrap", align="center")
    return rx.vstack(
        page_title("Experiments", controls),
        rx.cond(S.editor_open, editor_panel()),
        _list(),
        confirm_dialog(),
        width="100%", spacing="4")
