"""`/plans/{plan_id}/review`: the plan by week, what changed, the decision, the comments."""

from __future__ import annotations

import reflex as rx

from components.calendar import legend, weeks
from components.calendar_nav import week_nav
from components.comment_thread import comments_panel
from components.diff_view import change_list
from components.layout import loading_view, page
from components.plan_header import plan_header, plan_not_found
from components.session_sheet import session_sheet
from components.side_by_side import side_by_side_weeks
from state.comments import CommentsState
from state.plan_view import PlanViewState
from state.typed import TypedState


def _decision() -> rx.Component:
    return rx.cond(PlanViewState.can_decide, rx.card(rx.vstack(
        rx.heading("Your decision", size="4", as_="h2"),
        rx.text("What should change? (needed to request changes)", as_="label",
                html_for="decision-note", size="2"),
        rx.text_area(id="decision-note", value=TypedState.decision_note,
                     on_change=TypedState.set_decision_note, aria_label="What should change",
                     width="100%", rows="3"),
        # Far apart on a phone (stacked, full width, 48 px tall, 32 px between them): a
        # thumb aiming at one never lands on the other.
        rx.flex(rx.button(rx.icon("check", size=16), "Accept plan", color_scheme="green",
                          size="3", on_click=PlanViewState.accept, flex="1", width="100%",
                          min_height="48px"),
                rx.button("Request changes", color_scheme="orange", variant="soft", size="3",
                          on_click=PlanViewState.request_changes, flex="1", width="100%",
                          min_height="48px"),
                direction={"initial": "column", "sm": "row"},
                row_gap="32px", column_gap="16px", width="100%"),
        spacing="2", width="100%"), width="100%"))


def _coach_note() -> rx.Component:
    """The note the coach gave when submitting, at the top of the review."""
    return rx.cond(PlanViewState.coach_note != "", rx.card(rx.vstack(
        rx.heading("Note from your coach", size="3", as_="h2"),
        rx.text(PlanViewState.coach_note, white_space="pre-wrap"),
        rx.text(PlanViewState.coach_note_by, size="1", color_scheme="gray"),
        spacing="1", width="100%"), id="coach-note", width="100%"))


def _what_changed() -> rx.Component:
    return rx.callout.root(rx.callout.icon(rx.icon("info")), rx.vstack(
        rx.text(rx.text.strong("Since the generated plan: "), PlanViewState.impact),
        rx.cond(PlanViewState.seen_label != "", rx.text(
            rx.text.strong("Since you last reviewed (", PlanViewState.seen_label, "): "),
            PlanViewState.seen_impact)),
        change_list("What changed, one by one", PlanViewState.change_lines,
                    PlanViewState.more_changes),
        spacing="1"), width="100%")


def _compare() -> rx.Component:
    return rx.cond(PlanViewState.seen_label != "", rx.hstack(
        rx.text("Highlight changes since", size="2"),
        rx.segmented_control.root(
            rx.segmented_control.item("Generated plan", value="baseline"),
            rx.segmented_control.item("Last reviewed", value="seen"),
            value=PlanViewState.compare, on_change=PlanViewState.set_compare,
            aria_label="Highlight changes since"),
        align="center", wrap="wrap"))


@page("/plans/[plan_id]/review", "Review plan", PlanViewState.open_review)
def plan_view_page() -> rx.Component:
    """The plan's weeks, what changed, the decision and the comments.

    Tapping a session card opens that session's comments (`session_sheet`).
    """
    return rx.cond(PlanViewState.switching, loading_view(), rx.cond(
        PlanViewState.found,
        rx.vstack(
            plan_header(with_badges=True),
            _coach_note(),
            _what_changed(),
            _compare(),
            rx.cond(PlanViewState.side_by_side, rx.fragment(), legend()),
            _decision(),
            rx.cond(PlanViewState.side_by_side, side_by_side_weeks(PlanViewState.show_weeks),
                    rx.fragment(week_nav(PlanViewState.go_to_week),
                                weeks(PlanViewState.show_weeks,
                                      on_open=CommentsState.open_sheet))),
            comments_panel(),
            session_sheet(),
            width="100%"),
        plan_not_found()))
