"""`/` (redirect to the role's landing), `/welcome` and the 404 page."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from state.session import SessionState


@page("/", "PlanGov", SessionState.go_home, framed=False)
def home_page() -> rx.Component:
    """Redirects on load; shows a spinner meanwhile."""
    return rx.center(rx.spinner(size="3"), min_height="60vh")


@page("/welcome", "Welcome", SessionState.open_page)
def welcome_page() -> rx.Component:
    """A landing page for roles without a dedicated queue yet."""
    return rx.vstack(
        page_title(rx.text("Welcome, ", SessionState.user_name)),
        rx.card(rx.vstack(
            rx.text("PlanGov governs machine-generated training plans: coaches review and "
                    "edit them, athletes approve them, and every change is audited."),
            rx.text("Experiments, dashboards and the retraining loop arrive in the next "
                    "releases; they will appear in the menu for your role.",
                    color_scheme="gray"),
            spacing="2")),
        width="100%")


@page("404", "Not found", SessionState.open_page)
def not_found_page() -> rx.Component:
    """404."""
    return rx.center(rx.vstack(
        rx.heading("Page not found", size="7", as_="h1"),
        rx.text("There is nothing at this address — or you may not see it."),
        rx.link(rx.button("Go to your start page"), href="/"),
        align="center", spacing="3"), min_height="70vh", padding="1em")
