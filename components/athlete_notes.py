"""An athlete's goals and injuries/limitations as the profile and the editor show them."""

from __future__ import annotations

import reflex as rx


def athlete_notes(goals: rx.Var, limitations: rx.Var, noted: rx.Var) -> rx.Component:
    """Goals, then injuries and limitations: an amber callout when some are `noted`."""
    return rx.vstack(
        rx.text("Goals", size="2", weight="bold"),
        rx.text(goals, size="2", white_space="pre-wrap"),
        rx.text("Injuries and limitations", size="2", weight="bold"),
        rx.cond(noted,
                rx.callout(limitations, icon="triangle-alert", color_scheme="amber", size="1",
                           width="100%", white_space="pre-wrap",
                           aria_label="Injuries and limitations"),
                rx.text(limitations, size="2", color_scheme="gray")),
        spacing="1", width="100%")
