"""`/plans/{plan_id}` and `/plans/{plan_id}/review`: the plan by week (read-only for now)."""

from __future__ import annotations

import reflex as rx

from components.layout import page_title
from components.ui import status_badge
from state.plan_view import PlanViewState

COMPLIANCE = {"green": "Done as planned", "amber": "Partly done", "red": "Missed"}


def _session(s: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.badge(s.modality, color_scheme=s.colour, variant="solid",
                               size="1"),
                      rx.text(s.day, size="1", color_scheme="gray"),
                      rx.spacer(),
                      rx.match(s.compliance,
                               *[(k, rx.badge(v, color_scheme=k,
                                              size="1")) for k, v in COMPLIANCE.items()],
                               rx.fragment()),
                      width="100%", align="center"),
            rx.text(s.title, weight="bold", size="2"),
            rx.foreach(s.exercises, lambda i: rx.text(
                i.name, rx.text.span(" " + i.dose, color_scheme="gray"),
                size="1")),
            rx.text("Volume ", s.volume, size="1", color_scheme="gray"),
            spacing="1", align="start"),
        width="100%")


def _week(week: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.heading(week.label, size="3", as_="h2"),
        rx.grid(rx.foreach(week.sessions, _session),
                columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="3",
                width="100%"),
        width="100%", spacing="2", margin_bottom="1em")


def plan_view_page() -> rx.Component:
    """The plan's weeks."""
    return rx.cond(
        PlanViewState.found,
        rx.vstack(
            page_title(rx.text(PlanViewState.athlete, " · plan"),
                       status_badge(PlanViewState.plan_status)),
            rx.hstack(rx.text("Version ", PlanViewState.version, size="2"),
                    rx.text("Algorithm ", rx.code(PlanViewState.algorithm), size="2"),
                    rx.text("Experiment arm ", PlanViewState.arm, size="2"),
                    rx.foreach(PlanViewState.badges, lambda b: rx.badge(b, color_scheme="blue")),
                    spacing="4", wrap="wrap", align="center", margin_bottom="1em"),
            rx.foreach(PlanViewState.weeks, _week),
            width="100%"),
        rx.center(rx.vstack(rx.heading("Plan not found", size="6", as_="h1"),
                            rx.text("It does not exist, or you may not see it."),
                            rx.link("Back to plans", href="/plans"), align="center"),
                  padding="3em"))
