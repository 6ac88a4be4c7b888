"""`/plans/{plan_id}`: the coach's split screen.

Changes and actions on the left, the plan's weeks with inline edit controls on the right.
"""

from __future__ import annotations

import reflex as rx

from components.layout import page_title
from components.ui import status_badge
from pages.plan_view import comments_panel, plan_not_found, week_view
from state.editor import EDITABLE, REASONS, EditorState
from state.plan_view import PlanViewState

LABELS = {"sets": "Sets", "reps": "Reps", "load_kg": "Load kg", "rpe": "RPE",
          "duration_min": "Minutes"}


def _item_editor(item: rx.Var) -> rx.Component:
    def box(field: str) -> rx.Component:
        return rx.vstack(
            rx.text(LABELS[field], size="1"),
            rx.input(default_value=item[field], type="number", step="any", size="1",
                     width="70px", aria_label=LABELS[field] + " for " + item["name"],
                     on_blur=lambda v: EditorState.change_field(
                         item["item_id"], item["name"], field, v)),
            spacing="0")
    return rx.vstack(rx.text(item["name"], weight="bold", size="2"),
                     rx.flex(*[box(f) for f in EDITABLE], gap="2", wrap="wrap"),
                     spacing="1", width="100%")


def _session_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(EditorState.open_title),
        rx.dialog.description("Changes stay unsaved until you save a draft.", size="2"),
        rx.vstack(rx.foreach(EditorState.dialog_items, _item_editor), spacing="3",
                  margin_top="1em"),
        rx.flex(rx.dialog.close(rx.button("Done", on_click=EditorState.close_session)),
                justify="end", margin_top="1em"),
        max_width="560px"),
        open=EditorState.open_session != "",
        on_open_change=lambda _o: EditorState.close_session())


def _save_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title("Save draft"),
        rx.dialog.description("Why are you changing the generated plan?", size="2"),
        rx.flex(*[rx.checkbox(code.replace("_", " "), checked=EditorState.reasons.contains(code),
                              on_change=lambda _v, c=code: EditorState.toggle_reason(c))
                  for code in REASONS], gap="3", wrap="wrap", margin_y="1em"),
        rx.text_area(value=EditorState.rationale, on_change=EditorState.set_rationale,
                     aria_label="Rationale", placeholder="Rationale (#tags welcome)",
                     width="100%"),
        rx.flex(rx.button("Cancel", variant="soft", on_click=EditorState.set_save_open(False)),
                rx.button("Save", on_click=EditorState.save_draft), gap="2", justify="end",
                margin_top="1em"),
        max_width="520px"),
        open=EditorState.save_open, on_open_change=EditorState.set_save_open)


def _sidebar() -> rx.Component:
    edits = rx.cond(
        EditorState.edits.length() > 0,
        rx.vstack(rx.foreach(EditorState.edits, lambda e, i: rx.hstack(
            rx.text(e["label"].to(str), size="1"), rx.spacer(),
            rx.button("Undo", size="1", variant="ghost", on_click=EditorState.undo(i),
                      aria_label="Undo " + e["label"].to(str))), ), width="100%",
                  spacing="1"),
        rx.text("No unsaved edits.", size="2", color_scheme="gray"))
    return rx.vstack(
        rx.card(rx.vstack(
            rx.heading("Changes", size="4", as_="h2"),
            rx.text("Against the generated plan:", size="1", color_scheme="gray"),
            rx.flex(rx.foreach(rx.cond(EditorState.edits.length() > 0,
                                       EditorState.preview_badges, PlanViewState.badges),
                               lambda b: rx.badge(b, color_scheme="blue")), gap="1",
                    wrap="wrap"),
            rx.text("Unsaved edits", weight="bold", size="2"), edits,
            rx.cond(EditorState.can_edit, rx.vstack(
                rx.button("Save draft", on_click=EditorState.set_save_open(True),
                          disabled=EditorState.edits.length() == 0, width="100%"),
                rx.text_area(value=EditorState.submit_note,
                             on_change=EditorState.set_submit_note,
                             aria_label="Note to the athlete", placeholder="Note to the athlete",
                             width="100%"),
                rx.button("Submit for Approval", on_click=EditorState.submit, width="100%",
                          color_scheme="green"),
                width="100%", spacing="2")),
            spacing="2", width="100%"), width="100%"),
        _athlete_panel(),
        comments_panel(), width="100%", spacing="3")


def _athlete_panel() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Athlete", size="4", as_="h2"),
        rx.text("Algorithm ", rx.code(PlanViewState.algorithm), " · arm ", PlanViewState.arm,
                size="2"),
        rx.text("Adherence: ", rx.text.strong(PlanViewState.adherence), size="2"),
        rx.flex(rx.foreach(PlanViewState.adherence_weeks,
                           lambda w: rx.badge(w, variant="soft", size="1")),
                gap="1", wrap="wrap"),
        rx.text("Other plans", weight="bold", size="2"),
        rx.cond(PlanViewState.previous.length() > 0,
                rx.vstack(rx.foreach(PlanViewState.previous, lambda p: rx.hstack(
                    rx.link(p["label"], href=p["link"], size="2"), status_badge(p["status"]),
                    align="center")), spacing="1"),
                rx.text("None", size="2", color_scheme="gray")),
        rx.link("Plan History", href=PlanViewState.history_link, size="2"),
        spacing="2", width="100%"), width="100%")


def editor_page() -> rx.Component:
    """The split-screen editor (read-only for roles that may only view)."""
    return rx.cond(
        PlanViewState.found,
        rx.vstack(
            page_title(rx.text(PlanViewState.athlete, " · plan"),
                       status_badge(PlanViewState.plan_status)),
            rx.text("Version ", PlanViewState.version, " · algorithm ", PlanViewState.algorithm,
                    " · arm ", PlanViewState.arm, size="2", color_scheme="gray"),
            rx.grid(_sidebar(), rx.vstack(rx.foreach(PlanViewState.weeks, week_view),
                                          width="100%"),
                    columns=rx.breakpoints(initial="1", lg="minmax(280px, 1fr) 3fr"),
                    spacing="4", width="100%"),
            _session_dialog(), _save_dialog(), width="100%"),
        plan_not_found())
