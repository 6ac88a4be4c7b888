"""The plan's weeks as a calendar: session cards marked with what changed, week pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from plangov_app.services.views.calendar import WEEKS_PER_PAGE
from state.plan_view import PlanViewState

COMPLIANCE = {"green": "Done as planned", "amber": "Partly done", "red": "Missed"}
CHANGE_BADGES = {"added": ("New", "green"), "removed": ("Removed", "red"),
                 "moved": ("Moved", "amber"), "changed": ("Changed", "amber")}
CHANGE_BACKGROUNDS = {"added": "var(--green-a3)", "removed": "var(--red-a3)",
                      "moved": "var(--amber-a3)", "changed": "var(--amber-a3)"}
# a badge in a narrow day column wraps its words rather than running out of the card
FITS = {"white_space": "normal", "max_width": "100%", "flex_shrink": "1"}
WIDE = rx.breakpoints(initial="none", md="block")  # shown only where days are columns


def _exercise_line(i: rx.Var) -> rx.Component:
    return rx.match(
        i.change,
        ("added", rx.text("+ ", i.name, rx.text.span(" " + i.dose), size="1",
                          color="var(--green-11)", weight="medium")),
        ("removed", rx.text("− ", i.name, rx.text.span(" " + i.dose), size="1",
                            color="var(--red-11)", text_decoration="line-through")),
        ("changed", rx.text("~ ", i.name, rx.text.span(" " + i.dose),
                            rx.text.span(" (was " + i.was + ")", color="var(--gray-11)",
                                         weight="regular"),
                            size="1", color="var(--amber-11)", weight="medium")),
        rx.text(i.name, rx.text.span(" " + i.dose, color_scheme="gray"), size="1"))


def _edit_button(s: rx.Var, on_edit: Any) -> rx.Component:
    """The card's Edit button, where the page edits and the plan may be edited now."""
    if on_edit is None:
        return rx.fragment()
    return rx.cond(PlanViewState.can_edit & (s.change != "removed"),
                   rx.button("Edit", size="1", variant="soft", on_click=on_edit(s.id),
                             id="edit-" + s.id,
                             aria_label="Edit " + s.title + " on " + s.day))


def _session(s: rx.Var, on_edit: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.badge(s.modality, color_scheme=s.colour, variant="solid",
                               size="1"),
                      rx.text(s.day, size="1", color_scheme="gray",
                              display=rx.breakpoints(initial="block", md="none")),
                      rx.spacer(),
                      rx.match(s.compliance,
                               *[(k, rx.badge(v, color_scheme=k, size="1", **FITS))
                                 for k, v in COMPLIANCE.items()],
                               rx.fragment()),
                      width="100%", align="center", wrap="wrap", spacing="1"),
            rx.hstack(
                rx.match(s.change,
                         *[(k, rx.badge(label, color_scheme=colour, variant="solid", size="1"))
                           for k, (label, colour) in CHANGE_BADGES.items()],
                         rx.fragment()),
                rx.cond(s.threads > 0, rx.badge(rx.icon("message-circle", size=12), s.threads,
                                                " open", color_scheme="blue", size="1",
                                                title="Open comment threads on this session")),
                spacing="1"),
            rx.cond(s.note != "", rx.text(s.note, size="1", color="var(--amber-11)")),
            rx.text(s.title, weight="bold", size="2",
                    text_decoration=rx.cond(s.change == "removed", "line-through", "none")),
            rx.foreach(s.exercises, _exercise_line),
            rx.cond(s.notes != "", rx.text(s.notes, size="1", font_style="italic",
                                           color_scheme="gray")),
            rx.hstack(rx.text("Volume ", s.volume, size="1", color_scheme="gray"), rx.spacer(),
                      _edit_button(s, on_edit),
                      width="100%", wrap="wrap", spacing="1", align="center"),
            spacing="1", align="start"),
        width="100%",
        background=rx.match(s.change, *CHANGE_BACKGROUNDS.items(), "var(--color-panel)"),
        # dragged onto another day where the plan may be edited (assets/calendar.js)
        draggable=PlanViewState.can_edit & (s.change != "removed"),
        custom_attrs={"data-session": s.id})


def _opener(s: rx.Var, on_open: Any, card: rx.Component) -> rx.Component:
    """The whole card as a button that opens the session's comments (the review)."""
    if on_open is None:
        return card
    return rx.el.button(
        rx.box(card, id="card-" + s.id), type="button", id="open-" + s.id,
        on_click=on_open(s.id), aria_label="Comments on " + s.title + ", " + s.day,
        aria_describedby="card-" + s.id, aria_haspopup="dialog",
        display="block", width="100%", padding="0", margin="0", border="none",
        background="none", text_align="left", font="inherit", color="inherit",
        cursor="pointer", border_radius="var(--radius-3)",
        _hover={"box_shadow": "0 0 0 1px var(--accent-8)"},
        _focus_visible={"outline": "2px solid var(--accent-9)", "outline_offset": "2px"})


def week_pager(show_weeks: Any) -> rx.Component:
    """Earlier / later pages of weeks, for plans longer than one page."""
    return rx.cond(PlanViewState.week_total > WEEKS_PER_PAGE, rx.hstack(
        rx.button("Earlier weeks", size="1", variant="soft",
                  disabled=PlanViewState.week_start == 0,
                  on_click=show_weeks(PlanViewState.week_start - WEEKS_PER_PAGE)),
        rx.text(PlanViewState.week_range, size="2"),
        rx.button("Later weeks", size="1", variant="soft",
                  disabled=PlanViewState.week_start + WEEKS_PER_PAGE >= PlanViewState.week_total,
                  on_click=show_weeks(PlanViewState.week_start + WEEKS_PER_PAGE)),
        align="center", wrap="wrap"))


def legend() -> rx.Component:
    """What the calendar's colours mean."""
    return rx.flex(
        rx.badge("New", color_scheme="green", variant="solid", size="1"),
        rx.badge("Removed", color_scheme="red", variant="solid", size="1"),
        rx.badge("Changed / moved", color_scheme="amber", variant="solid", size="1"),
        rx.text("+ added  − removed  ~ changed (was …)", size="1", color_scheme="gray"),
        spacing="2", wrap="wrap", align="center")


def _day_label(day: rx.Var) -> rx.Component:
    label = rx.text(day.label, size="1", weight="medium", color_scheme="gray")
    return rx.cond(day.today,  # today's date shows on phones too
                   rx.hstack(label, rx.badge("Today", variant="solid", size="1"),
                             spacing="1", align="center", wrap="wrap"),
                   rx.text(day.label, size="1", weight="medium", color_scheme="gray",
                           display=WIDE))


def _day_cell(day: rx.Var) -> dict[str, Any]:
    """A day column's date (a drop target's) and, for today, its mark."""
    return {"custom_attrs": {"data-day": day.iso},
            "aria_current": rx.cond(day.today, "date", "false"),
            "background": rx.cond(day.today, "var(--accent-a3)", "transparent"),
            "outline": rx.cond(day.today, "2px solid var(--accent-8)", "none"),
            "padding": rx.cond(day.today, "3px", "0"),
            "outline_offset": "-2px", "border_radius": "var(--radius-2)"}


def _day(day: rx.Var, on_edit: Any, on_open: Any = None) -> rx.Component:
    """A day's column: its date and sessions; a rest day shows only where days are columns."""
    rest = rx.text("Rest", size="1", color_scheme="gray", padding_top="0.5em")
    return rx.cond(
        day.rest,
        rx.cond(day.today, rx.box(_day_label(day), rest, **_day_cell(day)),  # on phones too
                rx.box(_day_label(day), rest, display=WIDE, **_day_cell(day))),
        rx.vstack(_day_label(day), rx.foreach(day.sessions, lambda s: _opener(
            s, on_open, _session(s, on_edit))),
                  spacing="2", min_width="0", width="100%", **_day_cell(day)))


def week_view(week: rx.Var, on_edit: Any = None, on_open: Any = None) -> rx.Component:
    """One week: its days as columns on a wide screen, stacked on a phone."""
    return rx.vstack(
        rx.heading(week.label, size="3", as_="h2"),
        rx.grid(rx.foreach(week.days, lambda day: _day(day, on_edit, on_open)),
                columns=rx.breakpoints(initial="1", md="7"), spacing="2", width="100%"),
        width="100%", spacing="2", margin_bottom="1em",
        # Weeks off screen skip style and layout (opening a dialog restyles the page).
        content_visibility="auto", contain_intrinsic_size="auto 24em",
        custom_attrs={"data-week": week.index})  # where the week jumps scroll to


def weeks(show_weeks: Any, on_edit: Any = None, on_open: Any = None) -> rx.Component:
    """The page of weeks on screen, with the week pager above and below.

    `on_edit(session_id)` opens a session for editing (the editor); without it the
    cards have no Edit button. `on_open(session_id)` makes each card a button that opens
    the session's comments (the review).
    """
    return rx.fragment(week_pager(show_weeks),
                       rx.foreach(PlanViewState.weeks, lambda w: week_view(w, on_edit, on_open)),
                       week_pager(show_weeks))
