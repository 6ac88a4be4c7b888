"""`/experiments/{id}`: an experiment's config, SRM check, enrolment and exposures, history."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from components.ui import empty_state
from state.experiment_detail import ExperimentDetailState as S
from state.session import SessionState

STATUS_COLOURS = {"draft": "gray", "running": "green", "paused": "amber", "complete": "blue"}


def _status_badge() -> rx.Component:
    colour = rx.match(S.status, *STATUS_COLOURS.items(), "gray")
    return rx.badge(S.status_label, color_scheme=colour, variant="soft", size="2")


def _srm() -> rx.Component:
    """A red alert when the split is broken; otherwise a quiet line saying where it stands."""
    return rx.match(
        S.srm.state,
        ("fail", rx.callout(S.srm.sentence, icon="triangle-alert", color_scheme="red",
                            variant="surface", size="2", role="alert", width="100%",
                            id="srm-banner")),
        ("pass", rx.callout(S.srm.sentence, icon="circle-check", color_scheme="green",
                            variant="soft", size="1", role="status", width="100%")),
        rx.callout(S.srm.sentence, icon="info", color_scheme="gray", variant="soft", size="1",
                   role="status", width="100%"))


def _fact(fact: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(fact.label, min_width="9em"),
                             rx.data_list.value(fact.value))


def _variant_row(v: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(v.key)),
        rx.table.cell(v.weight), rx.table.cell(rx.code(v.algorithm, variant="ghost")),
        rx.table.cell(v.enrolled, text_align="right"), rx.table.cell(v.share, text_align="right"),
        rx.table.cell(v.exposed, text_align="right"),
        rx.table.cell(v.exposures, text_align="right"))


def _variants() -> rx.Component:
    headers = ("Variant", "Weight", "Algorithm", "Enrolled", "Share", "Exposed athletes",
               "Exposures")
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(S.variants, _variant_row)),
        variant="surface", size="1", width="100%"),
        overflow_x="auto", width="100%", role="region", aria_label="Variants")


def _number(label: str, value: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="1", color_scheme="gray"),
                             rx.text(value, size="6", weight="bold"), spacing="0"),
                   flex="1", min_width="9em")


def _config() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Configuration", size="4", as_="h2"),
        _variants(),
        rx.data_list.root(rx.foreach(S.facts, _fact), size="2", orientation=rx.breakpoints(
            initial="vertical", sm="horizontal")),
        spacing="3", width="100%"), width="100%")


def _chart(title: str, figure: rx.Var, label: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(title, size="4", as_="h2"),
        rx.cond(S.has_data,
                rx.box(rx.plotly(data=figure, width="100%", height="300px"),
                       role="img", aria_label=label, width="100%"),
                empty_state("No athletes enrolled in this phase yet.", "chart-line")),
        spacing="2", width="100%"), width="100%", min_width="0")


def _history_row(h: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(h.when, size="1", white_space="nowrap")),
        rx.table.cell(rx.text(h.who, size="2")),
        rx.table.cell(rx.text(h.action, size="2", weight="medium")),
        rx.table.cell(rx.vstack(rx.foreach(h.changes, lambda c: rx.text(c, size="1")),
                                spacing="1"), min_width="18em"))


def _history() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            rx.text("When (", SessionState.zone_label, ")", as_="span"), "Who", "What",
            "Old → new")])),
        rx.table.body(rx.foreach(S.history, _history_row)),
        variant="surface", size="1", width="100%")
    return rx.card(rx.vstack(
        rx.heading("History", size="4", as_="h2"),
        rx.text("Every change from the audit log, newest first.", size="1",
                color_scheme="gray"),
        rx.box(table, overflow_x="auto", width="100%", role="region", aria_label="History"),
        rx.cond(S.more_history > 0, rx.text(S.more_history, " older changes not shown.",
                                            size="1", color_scheme="gray")),
        spacing="2", width="100%"), width="100%")


def _content() -> rx.Component:
    actions = rx.hstack(
        _status_badge(), rx.badge("Phase ", S.phase, variant="outline", size="2"),
        rx.button(rx.icon("refresh-cw", size=14), "Refresh", size="2", variant="soft",
                  on_click=S.refresh, aria_label="Refresh counts"),
        align="center", spacing="3")
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("All experiments"),
                          align="center", spacing="1"), href="/experiments", size="2"),
        page_title(S.name, actions),
        rx.text("Key ", rx.code(S.key), size="2", color_scheme="gray", margin_top="-0.8em"),
        _srm(),
        rx.flex(_number("Enrolled (this phase)", S.enrolled), _number("Holdout", S.holdout),
                _number("Exposures", S.exposures), gap="3", wrap="wrap", width="100%"),
        rx.text(S.holdout_text, size="2", color_scheme="gray"),
        rx.grid(_chart("Enrolment by variant", S.enrolment_figure,
                       "Running total of athletes enrolled per variant, by day"),
                _chart("Exposures by variant", S.exposure_figure,
                       "Exposures per variant per day"),
                columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
        _config(),
        _history(),
        width="100%", spacing="4")


def _not_found() -> rx.Component:
    return rx.center(rx.vstack(
        rx.icon("flask-conical", size=36, color="var(--gray-9)"),
        rx.heading("Experiment not found", size="6", as_="h1"),
        rx.text("No experiment has this address. It may have been mistyped.",
                color_scheme="gray"),
        rx.link("Back to all experiments", href="/experiments"),
        align="center", spacing="2"), padding="3em 1em")


@page("/experiments/[experiment_id]", "Experiment", S.load)
def experiment_detail_page() -> rx.Component:
    """One experiment: config, SRM, charts and history; not found and loading states."""
    return rx.cond(
        S.loading,
        rx.center(rx.spinner(size="3"), rx.text("Loading the experiment…", margin_left="0.5em"),
                  padding="4em", role="status"),
        rx.cond(S.error != "",
                rx.callout(S.error, icon="octagon-x", color_scheme="red", role="alert",
                           width="100%"),
                rx.cond(S.found, _content(), _not_found())))
