"""`/athletes/{athlete_id}`: who the athlete is, their plans, and the way to Plan History.

Goals and injuries/limitations sit in a card of their own, with a small form for those who
may note them (the athlete's coach, the athlete, an admin).
"""

from __future__ import annotations

import reflex as rx

from components.athlete_notes import athlete_notes
from components.layout import page, page_title
from components.ui import empty_state, status_badge
from state.athlete import AthleteState


def _fact(label: str, value: rx.Var | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _note_box(label: str, box: str, value: rx.Var, on_change: rx.EventHandler) -> rx.Component:
    """A labelled text area, its character count as typed and the service's error beside it."""
    problems = AthleteState.notes_problems
    box_id, why_id = f"notes-{box}", f"notes-{box}-why"
    count = value.length()
    return rx.vstack(
        rx.text(label, as_="label", html_for=box_id, size="2", weight="bold"),
        rx.text_area(id=box_id, value=value, on_change=on_change, rows="3", width="100%",
                     aria_label=label,
                     aria_invalid=rx.cond(problems.contains(box), "true", "false"),
                     aria_describedby=rx.cond(problems.contains(box), why_id, "")),
        rx.text(count.to_string(), "/", AthleteState.notes_limit.to_string(), " characters",
                size="1", align="right", width="100%",
                color=rx.cond(count > AthleteState.notes_limit, "var(--red-11)",
                              "var(--gray-11)")),
        rx.cond(problems.contains(box),
                rx.text(problems[box].to(str), id=why_id, role="alert", size="2",
                        color="var(--red-11)")),
        spacing="1", width="100%")


def _notes_form() -> rx.Component:
    return rx.vstack(
        _note_box("Goals", "goals", AthleteState.goals_draft, AthleteState.set_goals_draft),
        _note_box("Injuries and limitations", "limitations", AthleteState.limitations_draft,
                  AthleteState.set_limitations_draft),
        rx.flex(rx.button("Cancel", variant="soft", color_scheme="gray", size="3",
                          on_click=AthleteState.cancel_notes),
                rx.button("Save", size="3", on_click=AthleteState.save_notes),
                gap="3", justify="end", width="100%"),
        spacing="3", width="100%")


def _notes_read() -> rx.Component:
    return athlete_notes(AthleteState.goals, AthleteState.limitations,
                         AthleteState.limitations_noted)


def _notes() -> rx.Component:
    """Goals and injuries/limitations, with Edit for those who may note them."""
    return rx.card(rx.vstack(
        rx.flex(rx.heading("Goals and limitations", size="4", as_="h2"),
                rx.cond(AthleteState.can_edit_notes & ~AthleteState.editing_notes,
                        rx.button(rx.icon("pencil", size=14), "Edit", size="1", variant="soft",
                                  aria_label="Edit goals and limitations",
                                  on_click=AthleteState.edit_notes)),
                justify="between", align="center", width="100%", gap="2"),
        rx.cond(AthleteState.editing_notes, _notes_form(), _notes_read()),
        spacing="2", width="100%"), width="100%")


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
            rx.grid(rx.vstack(facts, _notes(), spacing="4", width="100%"), plans,
                    columns=rx.breakpoints(initial="1", md="1fr 2fr"), spacing="4",
                    width="100%"),
            width="100%"),
        rx.center(rx.vstack(rx.heading("Athlete not found", size="6", as_="h1"),
                            rx.text("They do not exist, or you may not see them."),
                            rx.link("Back to plans", href="/plans"), align="center"),
                  padding="3em"))
