"""`/login`: email and password; in demo mode, the demo accounts."""

from __future__ import annotations

import reflex as rx

from components.layout import page
from state.login import LoginState


def _demo_accounts() -> rx.Component:
    return rx.cond(
        LoginState.demo_list.length() > 0,
        rx.card(
            rx.text("Demo accounts (password plangov-demo)", weight="bold", size="2"),
            rx.text("Athletes athlete1 … athlete24@demo.test all exist.", size="1",
                    color_scheme="gray"),
            rx.flex(rx.foreach(LoginState.demo_list, lambda row: rx.button(
                rx.text(row["email"], size="1"), rx.badge(row["role"], size="1"),
                variant="soft", size="1", type="button",
                on_click=LoginState.pick(row["email"]),
                aria_label="Use " + row["email"])),
                wrap="wrap", gap="2", margin_top="0.5em"),
            width="100%", max_width="420px"),
    )


@page("/login", "Sign in", LoginState.load, framed=False)
def login_page() -> rx.Component:
    """The sign-in page."""
    form = rx.form(
        rx.vstack(
            rx.heading("Sign in to PlanGov", size="6", as_="h1"),
            rx.text("Governance for machine-generated training plans.", color_scheme="gray",
                    size="2"),
            rx.text("Email", as_="label", html_for="email", size="2", weight="medium"),
            rx.input(id="email", name="email", type="email", value=LoginState.email,
                     on_change=LoginState.set_email, placeholder="you@example.com",
                     aria_label="Email", auto_complete="username", size="3", width="100%",
                     required=True),
            rx.text("Password", as_="label", html_for="password", size="2", weight="medium"),
            rx.input(id="password", name="password", type="password", aria_label="Password",
                     auto_complete="current-password", size="3", width="100%", required=True),
            rx.cond(LoginState.error != "",
                    rx.callout(LoginState.error, icon="triangle-alert", color_scheme="red",
                               role="alert", width="100%")),
            rx.button("Sign in", type="submit", size="3", width="100%",
                      loading=LoginState.busy),
            spacing="3", width="100%"),
        on_submit=LoginState.submit, reset_on_submit=False, width="100%")
    return rx.center(
        rx.vstack(
            rx.hstack(rx.icon("shield-check", size=28), rx.heading("PlanGov", size="7"),
                      align="center"),
            rx.card(form, width="100%", max_width="420px", size="3"),
            _demo_accounts(),
            spacing="5", align="center", width="100%", padding="1em"),
        min_height="100vh", background="var(--gray-2)")
