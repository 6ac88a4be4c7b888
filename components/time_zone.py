"""The Time zone dialog (from the user menu): type to find a zone, choose it, Save."""

from __future__ import annotations

import reflex as rx

from state.session import SessionState
from state.time_zone import TimeZoneState as Z


def zone_menu_item() -> rx.Component:
    """The user menu's entry: the zone times are shown in, and the way to change it."""
    return rx.menu.item(rx.icon("globe", size=16), "Time zone: ", SessionState.zone_label,
                        on_click=Z.open_dialog)


def zone_note(*after: str) -> rx.Component:
    """Where the page says which zone its times are in: "Times in Europe/Oslo."."""
    return rx.text("Times in ", SessionState.zone_label, *(after or (".",)), size="1",
                   color_scheme="gray")


def _option(choice: rx.Var) -> rx.Component:
    return rx.text(rx.radio_group.item(value=choice.name), choice.label, as_="label",
                   size="2", display="flex", align_items="center", gap="0.5em",
                   padding_y="0.3em", cursor="pointer", overflow_wrap="anywhere")


def time_zone_dialog() -> rx.Component:
    """Search box, matching zones (a radio group: arrow keys move), Cancel / Save.

    Enter in the search box saves the zone chosen, which follows the best match as you type.
    """
    matches = rx.radio_group.root(
        rx.foreach(Z.matches, _option),
        value=Z.choice, on_change=Z.choose, aria_label="Time zones", width="100%")
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title("Time zone"),
        rx.dialog.description(
            "Times are stored in UTC and shown to you in this zone (exports and the API "
            "stay in UTC). Now: ", SessionState.zone_label, ".", size="2",
            color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.input(id="zone-search", value=Z.query, on_change=Z.set_query.debounce(200),
                         placeholder="Type a city or region, e.g. Oslo",
                         aria_label="Search time zones", auto_complete="off", auto_focus=True,
                         width="100%"),
                rx.box(rx.cond(Z.matches.length() > 0, matches,
                               rx.text("No zone matches; try a city such as Tokyo.",
                                       size="2", color_scheme="gray", role="status")),
                       max_height=["38vh", "300px"], overflow_y="auto", width="100%",
                       padding="0.2em 0.4em", border="1px solid var(--gray-a5)",
                       border_radius="var(--radius-2)"),
                rx.cond(Z.total > Z.matches.length(),
                        rx.text(Z.total - Z.matches.length(), " more — keep typing to narrow.",
                                size="1", color_scheme="gray")),
                rx.flex(rx.dialog.close(rx.button("Cancel", type="button", variant="soft")),
                        rx.button("Save", type="submit", disabled=Z.choice == ""),
                        gap="2", justify="end", width="100%"),
                spacing="3", width="100%", margin_top="0.8em"),
            on_submit=Z.save, reset_on_submit=False, width="100%"),
        max_width="min(460px, 94vw)"),
        open=Z.is_open, on_open_change=Z.set_open)
