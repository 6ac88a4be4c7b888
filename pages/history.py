"""`/athletes/{athlete_id}/history`: Plan History with diffs, audit entries and CSV export."""

from __future__ import annotations

import reflex as rx

from components.diff_view import diff_table
from components.layout import page, page_title
from components.time_zone import zone_note
from components.ui import STATUS_COLOURS, empty_state
from state.history import HistoryState


def _status(v: rx.Var) -> rx.Component:
    """The version's status as its label ("Needs revision"), coloured as everywhere."""
    colour = rx.match(v.status, *[(s, c) for s, c in STATUS_COLOURS.items()], "gray")
    return rx.badge(v.status_label, color_scheme=colour, variant="soft")


def _version(v: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(v.label, weight="bold", size="2"), _status(v),
                  rx.badge(v.kind, variant="outline", size="1"), wrap="wrap", align="center"),
        rx.text(v.author, " (", v.role, ") · ", v.when, size="1", color_scheme="gray"),
        rx.flex(rx.foreach(v.badges, lambda b: rx.badge(b, size="1", color_scheme="blue")),
                gap="1", wrap="wrap"),
        rx.cond(v.note != "", rx.text("“", v.note, "”", size="1")),
        rx.button("Show changes", size="1", variant="soft",
                  on_click=HistoryState.select(v.plan_id, v.id),
                  aria_label="Show changes of " + v.label),
        padding="0.6em 0.8em", width="100%",
        border_left=rx.cond(HistoryState.selected_id == v.id, "4px solid var(--accent-9)",
                            "4px solid var(--gray-a5)"))


@page("/athletes/[athlete_id]/history", "Plan History", HistoryState.load)
def history_page() -> rx.Component:
    """Timeline on the left, the selected version on the right."""
    detail = rx.cond(
        HistoryState.selected_id != "",
        rx.vstack(
            rx.hstack(rx.heading("Changes in ", HistoryState.selected_label, size="4",
                                 as_="h2"), rx.spacer(),
                      rx.button(rx.icon("download", size=16), "Export CSV",
                                on_click=HistoryState.export), width="100%"),
            rx.hstack(
                rx.text("Compared with", size="2"),
                rx.select.root(
                    rx.select.trigger(placeholder="its parent", aria_label="Compare with"),
                    rx.select.content(rx.foreach(HistoryState.against_options,
                                                 lambda o: rx.select.item(o.label,
                                                                          value=o.value))),
                    value=HistoryState.against_id, on_change=HistoryState.compare_with),
                align="center", wrap="wrap"),
            diff_table(HistoryState.changes),
            rx.cond(HistoryState.truncated > 0, rx.text(
                HistoryState.truncated, " more changes not shown.",
                size="1", color_scheme="gray")),
            rx.heading("Audit entries", size="4", as_="h2"),
            rx.foreach(HistoryState.audit_rows, lambda a: rx.box(
                rx.text(a.heading, size="2", weight="bold"),
                rx.foreach(a.details, lambda d: rx.text(d, size="1")),
                padding_left="0.6em", border_left="3px solid var(--gray-a6)", width="100%")),
            width="100%", spacing="3", id="history-detail"),
        empty_state("Select a version to see what changed and its audit entries.", "history"))
    return rx.cond(
        HistoryState.found,
        rx.vstack(
            page_title(rx.text("Plan History · ", rx.link(
                HistoryState.athlete, href="/athletes/" + HistoryState.athlete_id,
                color="inherit", underline="hover"))),
            zone_note(),
            rx.grid(
                rx.vstack(rx.foreach(HistoryState.rows, _version), spacing="2",
                          width="100%"),
                detail, columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                width="100%"),
            width="100%"),
        rx.center(rx.heading("Athlete not found", size="6", as_="h1"), padding="3em"))
