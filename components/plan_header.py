"""The plan page's header: athlete, status, version and author, algorithm, arm, Plan History."""

from __future__ import annotations

import reflex as rx

from components.layout import page_title
from components.ui import status_badge
from state.plan_view import PlanViewState


def plan_header(*, with_badges: bool) -> rx.Component:
    """The athlete (a link to their profile), status, version and author, algorithm, arm."""
    badges = [rx.foreach(PlanViewState.badges, lambda b: rx.badge(b, color_scheme="blue"))
              ] if with_badges else []
    return rx.fragment(
        page_title(rx.text(rx.link(PlanViewState.athlete, href=PlanViewState.athlete_link,
                                   color="inherit", underline="hover"), " · plan"),
                   status_badge(PlanViewState.plan_status)),
        rx.hstack(rx.cond(PlanViewState.show_internals, rx.fragment(
                      rx.text("Version ", PlanViewState.version, " by ",
                              PlanViewState.version_author, size="2"),
                      rx.text("Algorithm ", rx.code(PlanViewState.algorithm), size="2"),
                      rx.text("Experiment arm ", PlanViewState.arm, size="2")),
                      rx.text("Version ", PlanViewState.version, size="2")),
                  *badges,
                  rx.link("Plan History", href=PlanViewState.history_link, size="2"),
                  spacing="4", wrap="wrap", align="center", margin_bottom="0.5em"))


def plan_not_found() -> rx.Component:
    """What a missing or invisible plan shows (never whether it exists)."""
    return rx.center(rx.vstack(rx.heading("Plan not found", size="6", as_="h1"),
                               rx.text("It does not exist, or you may not see it."),
                               rx.link("Back to plans", href="/plans"), align="center"),
                     padding="3em")
