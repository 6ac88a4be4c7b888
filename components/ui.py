"""Small reusable pieces: status badges, empty states, pagers, labelled fields."""

from __future__ import annotations

from typing import Any

import reflex as rx

from plangov_app.services.views.labels import status_label

STATUS_COLOURS = {"generated": "gray", "draft": "amber", "coach_reviewed": "blue",
                  "needs_revision": "orange", "approved": "green", "published": "teal",
                  "completed": "grass"}


def status_badge(status: Any) -> rx.Component:
    """A plan status as a coloured badge."""
    return rx.match(status,
                    *[(s, rx.badge(status_label(s), color_scheme=c, variant="soft"))
                      for s, c in STATUS_COLOURS.items()],
                    rx.badge(status, variant="soft"))


def empty_state(message: str, icon: str = "inbox") -> rx.Component:
    """A friendly "nothing here" box."""
    return rx.center(rx.vstack(rx.icon(icon, size=32, color="var(--gray-9)"),
                               rx.text(message, color_scheme="gray", align="center"),
                               align="center", spacing="2"),
                     padding="3em 1em", border="1px dashed var(--gray-a6)",
                     border_radius="var(--radius-3)", width="100%")


def pager(label: Any, pages: Any) -> rx.Component:
    """Previous / Next with a label, for a list state paged by cursor (`CursorPager`)."""
    return rx.hstack(
        rx.button(rx.icon("chevron-left", size=16), "Previous", variant="soft",
                  disabled=~pages.has_previous, on_click=pages.previous_page),
        rx.text(label, size="2", color_scheme="gray"),
        rx.button("Next", rx.icon("chevron-right", size=16), variant="soft",
                  disabled=~pages.has_next, on_click=pages.next_page),
        spacing="3", align="center", justify="end", width="100%", margin_top="1em")


def field(label: str, control: rx.Component) -> rx.Component:
    """A visible label above a control (the control also carries an aria-label)."""
    return rx.vstack(rx.text(label, as_="label", size="2", weight="medium"), control,
                     spacing="1", width="100%")
