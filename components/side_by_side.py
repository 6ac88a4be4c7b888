"""The review's side-by-side view (flag `diff_viewer_v2`): before on the left, after on the right.

It renders `plangov_app.services.views.side_by_side`: a row per session, the reference
version's cell beside this version's, what was removed or changed from in red (−) and what
was added or changed to in green (+). Under 640 px the two cells stack (assets/plangov.css).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.calendar import week_pager
from state.plan_view import PlanViewState

#: side → (prefix, text colour, background) of what changed on that side
SIDES = {"old": ("− ", "var(--red-11)", "var(--red-a3)"),
         "new": ("+ ", "var(--green-11)", "var(--green-a3)")}
STATUS_COLOURS = {"added": "green", "removed": "red", "moved": "amber", "changed": "amber"}


def _marked(text: rx.Var, changed: rx.Var, side: str, **props: Any) -> rx.Component:
    """`text`, highlighted (with its prefix) when `changed`."""
    prefix, colour, background = SIDES[side]
    return rx.cond(changed, rx.text(prefix, text, color=colour, background=background,
                                    border_radius="var(--radius-1)", padding_x="0.25em",
                                    **props),
                   rx.text(text, **props))


def _line(line: rx.Var, side: str) -> rx.Component:
    return _marked(line.text, line.change == side, side, size="1")


def _cell(cell: rx.Var, side: str, label: rx.Var) -> rx.Component:
    """One side of a row: the session as that version has it, or a note that it has none."""
    _, _, background = SIDES[side]
    fields = cell.changed_fields
    return rx.cond(
        cell.present,
        rx.card(rx.vstack(
            rx.text(label, size="1", color_scheme="gray", class_name="side-by-side-side"),
            _marked(cell.day, fields.contains("day"), side, size="1", weight="medium"),
            _marked(cell.title, fields.contains("title"), side, size="2", weight="bold"),
            rx.foreach(cell.lines, lambda line: _line(line, side)),
            rx.cond(cell.notes != "", _marked(cell.notes, fields.contains("notes"), side,
                                              size="1", font_style="italic")),
            spacing="1", align="start"),
            role="group", aria_label=label, width="100%", min_width="0",
            background=rx.cond(cell.change == side, background, "var(--color-panel)")),
        rx.box(rx.text(label, size="1", color_scheme="gray", class_name="side-by-side-side"),
               rx.text("Not in this version", size="1", color_scheme="gray"),
               role="group", aria_label=label, padding="var(--space-3)",
               border="1px dashed var(--gray-a6)", border_radius="var(--radius-3)"))


def _row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(rx.text(row.label, size="2", weight="medium"),
                  rx.cond(row.status != "", rx.badge(
                      row.status_label, variant="solid", size="1",
                      color_scheme=rx.match(row.status, *STATUS_COLOURS.items(), "gray"))),
                  rx.cond(row.threads > 0, rx.badge(
                      rx.icon("message-circle", size=12), row.threads, " open",
                      color_scheme="blue", size="1",
                      title="Open comment threads on this session")),
                  align="center", wrap="wrap", spacing="2"),
        rx.box(_cell(row.before, "old", PlanViewState.before_label),
               _cell(row.after, "new", PlanViewState.after_label),
               class_name="side-by-side-pair"),
        list_style="none", margin_bottom="var(--space-3)")


def _week(week: rx.Var) -> rx.Component:
    return rx.el.section(
        rx.hstack(rx.heading(week.label, size="3", as_="h2"),
                  rx.text(week.changed, rx.cond(week.changed == 1, " session changed",
                                                " sessions changed"),
                          size="1", color_scheme="gray"),
                  align="baseline", spacing="2"),
        rx.box(rx.text(PlanViewState.before_label, size="2", weight="medium"),
               rx.text(PlanViewState.after_label, size="2", weight="medium"),
               class_name="side-by-side-pair side-by-side-heads", aria_hidden="true"),
        rx.el.ul(rx.foreach(week.rows, _row), padding="0", margin="0"),
        aria_label=week.label + ", side by side", width="100%", margin_bottom="1em",
        content_visibility="auto", contain_intrinsic_size="auto 24em")


def legend() -> rx.Component:
    """What the side-by-side's colours mean."""
    return rx.flex(
        rx.text("Left: ", rx.text.strong(PlanViewState.before_label), " · Right: ",
                rx.text.strong(PlanViewState.after_label), size="1"),
        rx.badge("− was (removed or changed)", color_scheme="red", size="1"),
        rx.badge("+ now (added or changed)", color_scheme="green", size="1"),
        spacing="2", wrap="wrap", align="center")


def side_by_side_weeks(show_weeks: Any) -> rx.Component:
    """The page of weeks side by side, with the week pager above and below."""
    return rx.vstack(legend(), week_pager(show_weeks),
                     rx.foreach(PlanViewState.side_weeks, _week), week_pager(show_weeks),
                     id="side-by-side", width="100%", spacing="3")
