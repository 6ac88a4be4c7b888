"""Getting around the calendar (Today, week selector, previous / next) and dropping sessions.

The drop target turns a session card dragged onto a day into a move.

The browser side is assets/calendar.js (loaded once, in the app's head): it scrolls to a
week, says which week is in view, and runs the native HTML5 drag and drop (on wide screens
only); the drop itself reaches the server through `DropZone.on_drop`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from state.plan_view import PlanViewState

#: the drag data type a session card carries (its session id); assets/calendar.js sets it
SESSION_TYPE = "application/x-plangov-session"


def _dropped(e: rx.Var) -> tuple[rx.Var[str], rx.Var[str]]:
    """A drop's session id and the ISO date of the day cell it landed on ("" if none)."""
    return (rx.Var(f"({e}.dataTransfer?.getData('{SESSION_TYPE}') ?? '')", _var_type=str),
            rx.Var(f"({e}.target?.closest?.('[data-day]')?.dataset.day ?? '')",
                   _var_type=str))


class DropZone(rx.el.Div):
    """A block whose day cells take dropped session cards (`on_drop(session_id, day)`)."""

    on_drop: rx.EventHandler[_dropped]


def drop_zone(*children: rx.Component, on_move: Any) -> rx.Component:
    """`children` (the calendar) taking dropped sessions where the plan may be edited."""
    return DropZone.create(*children, on_drop=on_move, width="100%",
                           custom_attrs={"data-drop-zone": PlanViewState.can_edit.to_string()})


def _step(label: str, icon: str, step: int, go_to_week: Any) -> rx.Component:
    """Previous / next week: from the week in view (asked of the page) to the one beside it."""
    return rx.icon_button(
        rx.icon(icon, size=16), size="2", variant="soft", aria_label=label, title=label,
        on_click=rx.call_script(f"window.plangovCalendar?.stepWeek({step})",
                                callback=go_to_week))


def week_nav(go_to_week: Any) -> rx.Component:
    """Today, previous / next week and a week selector, kept in view above the weeks.

    `go_to_week(index)` shows the page holding that week and scrolls to it.
    """
    return rx.cond(PlanViewState.week_total > 0, rx.flex(
        rx.button("Today", size="2",
                  on_click=go_to_week(PlanViewState.current_week),
                  title="Go to the week holding today"),
        _step("Previous week", "chevron-left", -1, go_to_week),
        rx.el.select(
            rx.foreach(PlanViewState.week_options,
                       lambda o: rx.el.option(o.label, value=o.value)),
            # not controlled: the page keeps it on the week in view as you scroll
            default_value=rx.cond(PlanViewState.open_week >= 0,
                                  PlanViewState.open_week.to_string(), "0"),
            key=PlanViewState.plan_id + PlanViewState.week_total.to_string(),
            on_change=go_to_week, aria_label="Go to week", class_name="week-select",
            custom_attrs={"data-week-select": ""}),
        _step("Next week", "chevron-right", 1, go_to_week),
        rx.text(PlanViewState.today_note, size="1", color_scheme="gray",
                class_name="week-note"),
        rx.box(class_name="visually-hidden", aria_live="polite",
               custom_attrs={"data-week-announce": ""}),
        role="navigation", aria_label="Weeks", class_name="week-nav",
        spacing="2", align="center", wrap="wrap", width="100%",
        custom_attrs={"data-week-nav": ""}))
