"""`/plans`: Pending Plans (coach), My Plans (athlete), All plans, Published plans, and so on."""

from __future__ import annotations

import reflex as rx

from components.generate_dialog import generate_button, generate_dialog
from components.layout import page, page_title
from components.ui import empty_state, pager, status_badge
from plangov_app.services.views.plans_list import FILTERS
from state.plans import PlansState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.athlete, href=row.link, weight="medium")),
        rx.table.cell(rx.text(row.sport, " · ", row.level, size="2")),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(row.waiting),
        rx.table.cell(rx.text(row.weeks, " wk from ", row.start, size="2")),
        rx.table.cell(rx.code(row.algorithm)),
        rx.table.cell(rx.cond(row.comments != "0",
                              rx.badge(rx.icon("message-square", size=12), row.comments,
                                       color_scheme="orange"), "—")),
    )


def _card(row: rx.Var) -> rx.Component:
    """One of the athlete's plans, made for a phone: dates, status, what waits for them."""
    return rx.link(rx.card(rx.vstack(
        rx.hstack(rx.text(row.dates, weight="bold", size="3"), status_badge(row.status),
                  justify="between", align="center", width="100%", wrap="wrap"),
        rx.text(row.weeks, " weeks", size="2", color_scheme="gray"),
        rx.cond(row.for_me != "", rx.text(row.for_me, size="2", weight="medium",
                                          color_scheme="indigo")),
        rx.cond(row.comments != "0", rx.text(row.comments, " open comments", size="2")),
        spacing="1", width="100%"), width="100%"),
        href=row.link, underline="none", color="inherit", width="100%",
        aria_label="Plan " + row.dates + ", " + row.status_label)


def _cards() -> rx.Component:
    return rx.vstack(rx.foreach(PlansState.rows, _card), spacing="3", width="100%",
                     max_width="640px")


def _waiting_header() -> rx.Component:
    longest_first = PlansState.sort == "waiting"
    return rx.table.column_header_cell(
        rx.button("Waiting", rx.cond(longest_first, rx.icon("arrow-down", size=14),
                                    rx.icon("arrow-up", size=14)),
                  variant="ghost", size="2", color_scheme="gray", high_contrast=True,
                  font_weight="bold", on_click=PlansState.toggle_sort,
                  aria_label=rx.cond(longest_first, "Waiting: longest first (show newest first)",
                                     "Waiting: newest first (show longest first)")),
        aria_sort=rx.cond(longest_first, "descending", "ascending"))


@page("/plans", "Plans", PlansState.load)
def plans_page() -> rx.Component:
    """The plan list."""
    controls = rx.flex(
        rx.input(placeholder="Search athlete…", value=PlansState.search,
                 on_change=PlansState.set_search.debounce(300), aria_label="Search athlete",
                 width=["100%", "240px"]),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by status"),
            rx.select.content(*[rx.select.item(label, value=f) for f, label in FILTERS.items()]),
            value=PlansState.status_filter, on_change=PlansState.set_status_filter),
        rx.cond(PlansState.can_generate, generate_button()),
        gap="2", wrap="wrap", width=["100%", "auto"])
    table = rx.table.root(
        rx.table.header(rx.table.row(
            *[rx.table.column_header_cell(h) for h in ("Athlete", "Sport", "Status")],
            _waiting_header(),
            *[rx.table.column_header_cell(h) for h in ("Plan", "Algorithm", "Comments")])),
        rx.table.body(rx.foreach(PlansState.rows, _row)),
        variant="surface", width="100%")
    return rx.vstack(
        page_title(PlansState.heading, rx.cond(PlansState.as_cards, rx.fragment(), controls)),
        rx.cond(PlansState.rows.length() > 0,
                rx.cond(PlansState.as_cards, _cards(),
                        rx.box(table, overflow_x="auto", width="100%")),
                empty_state("No plans match. New plans appear here when they are generated.")),
        pager(PlansState.page_label, PlansState),
        rx.cond(PlansState.can_generate, generate_dialog()),
        width="100%")
