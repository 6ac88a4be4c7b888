"""`/athletes/{athlete_id}`: who the athlete is, their plans, and the way to Plan History."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from components.ui import empty_state, status_badge
from state.athlete import AthleteState


def _fact(label: str, value: rx.Var | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _plan(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.start, href=row.link, weight="medium",
                              aria_label="Open the plan from " + row.start.to(str))),
        rx.table.cell(row.weeks, " wk"),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell("v", row.version),
        rx.table.cell(rx.code(row.algorithm), " · ", row.arm),
        rx.table.cell(row.adherence))


@page("/athletes/[athlete_id]", "Athlete", AthleteState.load)
def athlete_page() -> rx.Component:
    """Profile facts on the left, plans on the right; Plan History one click away."""
    facts = rx.card(rx.data_list.root(
        _fact("Sport and level", AthleteState.summary),
        _fact("Goals", AthleteState.goals),
        _fact("Coaches", AthleteState.coaches),
        _fact("Teams", AthleteState.teams),
        _fact("Consent", rx.vstack(rx.foreach(AthleteState.consent, rx.text), spacing="0")),
        orientation=rx.breakpoints(initial="vertical", sm="horizontal")), width="100%")
    plans = rx.vstack(
        rx.heading("Plans", size="4", as_="h2"),
        rx.cond(AthleteState.plans.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                "Start", "Length", "Status", "Version", "Algorithm · arm", "Adherence")])),
            rx.table.body(rx.foreach(AthleteState.plans, _plan)),
            variant="surface", size="1", width="100%"), overflow_x="auto", width="100%"),
            empty_state("No plans yet.")),
        width="100%")
    return rx.cond(
        AthleteState.found,
        rx.vstack(
            page_title(AthleteState.name, rx.link(
                rx.button(rx.icon("history", size=16), "Plan History"),
                href="/athletes/" + AthleteState.athlete_id + "/history")),
            rx.grid(facts, plans, columns=rx.breakpoints(initial="1", md="1fr 2fr"),
                    spacing="4", width="100%"),
            width="100%"),
        rx.center(rx.vstack(rx.heading("Athlete not found", size="6", as_="h1"),
                            rx.text("They do not exist, or you may not see them."),
                            rx.link("Back to plans", href="/plans"), align="center"),
                  padding="3em"))
