"""Generate plan: choose an athlete, a start date and a number of weeks (coaches, admins)."""

from __future__ import annotations

import reflex as rx

from state.generate import GenerateState as G


def _problem(field: str) -> rx.Component:
    why = G.problems[field].to(str)
    return rx.cond(G.problems.contains(field),
                   rx.text(why, id=f"generate-why-{field}", role="alert", size="1",
                           color="var(--red-11)"))


def _invalid(field: str) -> dict:
    return {"aria_invalid": rx.cond(G.problems.contains(field), "true", "false"),
            "aria_describedby": rx.cond(G.problems.contains(field),
                                        f"generate-why-{field}", "")}


def _labelled(label: str, html_for: str, control: rx.Component, field: str,
              hint: str = "") -> rx.Component:
    return rx.vstack(rx.text(label, as_="label", html_for=html_for, size="2", weight="bold"),
                     control, rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
                     _problem(field), spacing="1", width="100%")


def generate_button() -> rx.Component:
    """The action that opens the dialog."""
    return rx.button(rx.icon("sparkles", size=16), "Generate plan", on_click=G.open_dialog)


def generate_dialog() -> rx.Component:
    """The dialog: each box says beside it what is wrong; Generate opens the new plan."""
    athlete = rx.select.root(
        rx.select.trigger(placeholder="Choose an athlete", id="generate-athlete",
                          aria_label="Athlete", width="100%", **_invalid("athlete_id")),
        rx.select.content(rx.foreach(G.athletes, lambda a: rx.select.item(a.label,
                                                                          value=a.value))),
        value=G.athlete_id, on_change=G.set_athlete)
    start = rx.input(type="date", id="generate-start", value=G.start, min=G.earliest,
                     on_change=G.set_start, aria_label="Start date", width="100%",
                     **_invalid("start_date"))
    weeks = rx.input(type="text", input_mode="numeric", id="generate-weeks", value=G.weeks,
                     on_change=G.set_weeks, aria_label="Weeks", width="8em",
                     **_invalid("weeks"))
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title("Generate plan"),
        rx.dialog.description("The algorithm drafts the plan (version 1); you review and edit "
                              "it before sending it to the athlete.", size="2"),
        rx.vstack(
            _labelled("Athlete", "generate-athlete", athlete, "athlete_id"),
            _labelled("Start date", "generate-start", start, "start_date",
                      "Today or later."),
            _labelled("Weeks", "generate-weeks", weeks, "weeks", "4 to 52 weeks."),
            spacing="3", width="100%", margin_top="1em"),
        rx.flex(rx.button("Cancel", variant="soft", on_click=G.set_open(False)),
                rx.button("Generate", on_click=G.generate, loading=G.busy),
                gap="2", justify="end", margin_top="1.2em"),
        max_width="460px"),
        open=G.is_open, on_open_change=G.set_open)
