"""`/plans/{plan_id}`: the coach's split screen.

Changes and actions on the left, the plan's weeks with inline edit controls on the right.
"""

from __future__ import annotations

import reflex as rx

from components.athlete_notes import athlete_notes
from components.calendar import legend, weeks
from components.calendar_nav import drop_zone, week_nav
from components.comment_thread import comments_panel
from components.layout import loading_view, page
from components.plan_header import plan_header, plan_not_found
from components.ui import status_badge
from plangov_app.services.views.editor import (
    EDITABLE,
    EXERCISE_MODALITIES,
    EXERCISE_UNITS,
    INPUT_MODES,
    LABELS,
)
from state.editor import REASONS, EditorState
from state.plan_view import PlanViewState
from state.session_dialog import SessionDialogState
from state.typed import TypedState

Dialog = SessionDialogState


def _item_editor(item: rx.Var) -> rx.Component:
    def box(field: str) -> rx.Component:
        refused = item.errors[field].to(str)
        error_id = "why-" + item.item_id + "-" + field
        return rx.vstack(
            rx.text(LABELS[field], size="1"),
            rx.input(default_value=item[field], key=item.item_id + field + item[field],
                     type="text", input_mode=INPUT_MODES[field], size="1", width="70px",
                     aria_label=LABELS[field] + " for " + item.name,
                     aria_invalid=rx.cond(refused != "", "true", "false"),
                     aria_describedby=rx.cond(refused != "", error_id, ""),
                     color_scheme=rx.cond(refused != "", "red", "gray"),
                     on_blur=lambda v: Dialog.change_field(
                         item.item_id, item.name, field, v)),
            rx.cond(refused != "", rx.text(refused, id=error_id, size="1", role="alert",
                                           color="var(--red-11)", max_width="150px")),
            spacing="0")
    return rx.vstack(
        rx.hstack(rx.text(item.name, weight="bold", size="2"), rx.spacer(),
                  rx.button(rx.icon("repeat", size=14), "Swap", size="1", variant="soft",
                            on_click=Dialog.open_picker(item.item_id, item.name),
                            aria_label="Swap " + item.name),
                  rx.button(rx.icon("trash-2", size=14), "Remove", size="1", variant="soft",
                            color_scheme="red",
                            on_click=Dialog.remove_item(item.item_id, item.name),
                            aria_label="Remove " + item.name),
                  width="100%", align="center"),
        rx.flex(*[box(f) for f in EDITABLE], gap="2", wrap="wrap"),
        spacing="1", width="100%", key=item.item_id)


def _hit(hit: rx.Var, index: rx.Var) -> rx.Component:
    """One result of the exercise search (the arrow keys' one is marked)."""
    active = index == Dialog.picker_active
    return rx.box(rx.text(hit.label, size="2"), id="exercise-hit-" + index.to_string(),
                  role="option", aria_selected=rx.cond(active, "true", "false"),
                  on_click=Dialog.pick_exercise(hit.value), cursor="pointer",
                  padding="0.35em 0.6em", border_radius="4px", width="100%",
                  background=rx.cond(active, "var(--accent-a4)", "transparent"),
                  _hover={"background": "var(--accent-a3)"})


def _new_problem(field: str) -> rx.Component:
    return rx.cond(Dialog.new_problems.contains(field),
                   rx.text(Dialog.new_problems[field].to(str), id=f"new-why-{field}",
                           role="alert", size="1", color="var(--red-11)"))


def _new_select(field: str, label: str, value: rx.Var, choices: list, on_change) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="bold"),
        rx.select.root(rx.select.trigger(aria_label=f"New exercise {label.lower()}"),
                       rx.select.content(*[rx.select.item(c.label, value=c.value)
                                           for c in choices]),
                       value=value, on_change=on_change),
        _new_problem(field), spacing="1")


def _new_exercise() -> rx.Component:
    """A custom exercise for the club's catalogue: name, modality, unit."""
    invalid = Dialog.new_problems.contains("name")
    return rx.cond(PlanViewState.can_add_exercise, rx.cond(
        Dialog.new_open,
        rx.vstack(
            rx.text("New exercise for the club's catalogue", weight="bold", size="2"),
            rx.vstack(rx.text("Name", as_="label", html_for="new-exercise-name", size="1",
                              weight="bold"),
                      rx.input(id="new-exercise-name", value=Dialog.new_name,
                               on_change=Dialog.set_new_name, aria_label="New exercise name",
                               width="100%", aria_invalid=rx.cond(invalid, "true", "false"),
                               aria_describedby=rx.cond(invalid, "new-why-name", "")),
                      _new_problem("name"), spacing="1", width="100%"),
            rx.flex(_new_select("modality", "Modality", Dialog.new_modality,
                                EXERCISE_MODALITIES, Dialog.set_new_modality),
                    _new_select("unit", "Unit", Dialog.new_unit, EXERCISE_UNITS,
                                Dialog.set_new_unit), gap="3", wrap="wrap"),
            rx.flex(rx.button("Cancel", size="1", variant="soft", on_click=Dialog.toggle_new),
                    rx.button("Add to catalogue and use it", size="1",
                              on_click=Dialog.add_new_exercise),
                    gap="2", wrap="wrap"),
            spacing="2", width="100%", padding="0.6em", border="1px dashed var(--gray-a7)",
            border_radius="6px"),
        rx.button(rx.icon("circle-plus", size=14), "New exercise…", size="1", variant="ghost",
                  on_click=Dialog.toggle_new)))


def _picker() -> rx.Component:
    has_hits = Dialog.catalogue_hits.length() > 0
    return rx.vstack(
        rx.text(Dialog.picker_label, weight="bold", size="2"),
        # not a controlled input: its changes are sent at once, so an arrow key or Enter
        # typed right after a letter acts on that letter's results
        rx.input(default_value="", key=Dialog.picker_for, on_change=Dialog.search_catalogue,
                 on_key_down=Dialog.picker_key,
                 placeholder="Search the catalogue (name, pattern, equipment)",
                 aria_label="Search exercises", auto_focus=True, width="100%",
                 role="combobox", aria_autocomplete="list", aria_controls="exercise-hits",
                 aria_expanded=rx.cond(has_hits, "true", "false"),
                 aria_activedescendant=rx.cond(
                     has_hits, "exercise-hit-" + Dialog.picker_active.to_string(), "")),
        rx.cond(has_hits,
                rx.vstack(rx.foreach(Dialog.catalogue_hits, _hit), spacing="0", width="100%",
                          id="exercise-hits", role="listbox", aria_label="Exercises"),
                rx.text("No exercise matches.", size="2", color_scheme="gray")),
        rx.text("↑ ↓ to choose, Enter to pick, Esc to go back", size="1",
                color_scheme="gray"),
        _new_exercise(),
        rx.button("Cancel", size="1", variant="soft", on_click=Dialog.close_picker),
        spacing="2", width="100%", padding="0.6em", border="1px solid var(--gray-a6)",
        border_radius="6px")


def _move_to() -> rx.Component:
    """"Move to…": a date box for any day of the plan not yet past (another week too)."""
    return rx.cond(
        Dialog.move_note != "",
        rx.text(Dialog.move_note, size="1", color_scheme="gray", margin_top="0.4em"),
        rx.vstack(
            rx.hstack(
                rx.text("Move to…", as_="label", html_for="move-to", size="2", weight="bold"),
                rx.input(id="move-to", type="date", aria_label="Move to…",
                         min=Dialog.move_min, max=Dialog.move_max,
                         key=Dialog.open_session + Dialog.dialog_day,
                         default_value=Dialog.dialog_day, on_change=Dialog.move_to_date,
                         aria_invalid=rx.cond(Dialog.move_error != "", "true", "false"),
                         aria_describedby=rx.cond(Dialog.move_error != "", "move-to-why", ""),
                         size="2"),
                align="center", wrap="wrap"),
            rx.cond(Dialog.move_error != "",
                    rx.text(Dialog.move_error, id="move-to-why", size="1",
                            color="var(--red-11)", role="alert")),
            spacing="1", margin_top="0.4em"))


def _session_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(Dialog.open_title),
        rx.dialog.description("Changes stay unsaved until you save a draft.", size="2"),
        rx.hstack(
            rx.text("Day", size="2", weight="bold"),
            rx.select.root(
                rx.select.trigger(aria_label="Move to day"),
                rx.select.content(rx.foreach(Dialog.day_options, lambda d: rx.select.item(
                    d.label, value=d.value))),
                value=Dialog.dialog_day, on_change=Dialog.move_to),
            align="center", margin_top="0.8em"),
        _move_to(),
        rx.vstack(rx.foreach(Dialog.dialog_items, _item_editor), spacing="3",
                  margin_top="1em", width="100%"),
        rx.box(rx.cond(Dialog.picker_for != "", _picker(),
                       rx.button(rx.icon("plus", size=14), "Add exercise", size="2",
                                 variant="soft", on_click=Dialog.open_picker("new", ""))),
               margin_top="0.8em"),
        rx.vstack(
            rx.text("Notes", as_="label", html_for="session-notes", size="2", weight="bold"),
            rx.text_area(id="session-notes", aria_label="Session notes",
                         default_value=Dialog.dialog_notes,
                         key=Dialog.open_session + Dialog.dialog_notes,
                         on_blur=Dialog.change_notes, width="100%", rows="2"),
            spacing="1", width="100%", margin_top="0.8em"),
        rx.flex(rx.dialog.close(rx.button("Done", on_click=Dialog.close_session)),
                justify="end", margin_top="1em"),
        max_width="600px",
        # Escape closes the picker first; closing gives focus back to the Edit button
        on_escape_key_down=[rx.prevent_default, Dialog.escape],
        on_close_auto_focus=[rx.prevent_default, rx.call_script(
            f"setTimeout(() => document.getElementById('edit-{Dialog.return_to}')?.focus())")]),
        open=Dialog.open_session != "",
        on_open_change=lambda _o: Dialog.close_session())


def _clash(clash: rx.Var) -> rx.Component:
    """A value both coaches changed: keep theirs or mine."""
    def option(value: str, label: str, shown: rx.Var) -> rx.Component:
        return rx.text(rx.radio_group.item(value=value), label + ": ", shown, as_="label",
                       size="2", display="flex", align_items="center", gap="0.4em",
                       margin_right="1.5em")
    return rx.radio_group.root(
        rx.text(clash.what, weight="bold", size="2"),
        rx.text("was ", clash.was, size="1", color_scheme="gray"),
        rx.flex(option("theirs", "Theirs", clash.theirs), option("mine", "Mine", clash.mine),
                wrap="wrap"),
        value=rx.cond(EditorState.choices.contains(clash.key),
                      EditorState.choices[clash.key].to(str), ""), aria_label=clash.what,
        on_change=lambda v: EditorState.choose(clash.key, v), width="100%")


def _clashes() -> rx.Component:
    return rx.cond(EditorState.clashes.length() > 0, rx.callout.root(rx.vstack(
        rx.text("You and the other coach both changed these. Choose which value to keep:",
                size="2", weight="bold"),
        rx.foreach(EditorState.clashes, _clash), spacing="3", width="100%"),
        color_scheme="amber", width="100%", margin_top="0.8em"))


def _save_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(rx.cond(PlanViewState.revising, "Save revision", "Save draft")),
        rx.dialog.description("Why are you changing the generated plan? Tick at least one "
                              "reason.", size="2"),
        _revision_effect(),
        rx.flex(*[rx.box(rx.checkbox(code.replace("_", " "),
                                     checked=EditorState.reasons.contains(code),
                                     on_change=lambda _v, c=code: EditorState.toggle_reason(c)),
                         margin_right="0.9em")
                  for code in REASONS], gap="3", wrap="wrap", margin_y="1em"),
        rx.text_area(value=TypedState.rationale, on_change=TypedState.set_rationale,
                     aria_label="Rationale", placeholder="Rationale (#tags welcome)",
                     width="100%"),
        _clashes(),
        rx.flex(rx.button("Cancel", variant="soft", on_click=EditorState.set_save_open(False)),
                rx.button("Save", on_click=EditorState.save_draft,
                          disabled=(EditorState.reasons.length() == 0)
                          | (EditorState.unchosen > 0)), gap="2", justify="end",
                margin_top="1em"),
        max_width="520px"),
        open=EditorState.save_open, on_open_change=EditorState.set_save_open)


def _revision_effect() -> rx.Component:
    """What saving the unsaved edits of a running plan will do (approval asked or kept)."""
    asks = EditorState.revision.contains("approval again")
    return rx.cond(PlanViewState.revising & (EditorState.revision != ""), rx.callout(
        EditorState.revision, icon=rx.cond(asks, "triangle-alert", "info"),
        color_scheme=rx.cond(asks, "amber", "blue"), size="1", width="100%",
        margin_top="0.6em", id="revision-effect"))


def _revising_note() -> rx.Component:
    """A running plan: edits revise it; weeks already done stay as they were."""
    return rx.cond(PlanViewState.revising, rx.text(
        "This plan is running: saving makes a revision. Changes to exercises, load, volume "
        "or days go back to the athlete for approval; notes and wording only tell them.",
        rx.cond(PlanViewState.done_weeks > 0, rx.text.span(
            " The ", PlanViewState.done_weeks, " week(s) already done stay as they were.")),
        size="1", color_scheme="gray"))


def _recall() -> rx.Component:
    """Recall a submitted plan before the athlete answers, after a confirmation."""
    return rx.cond(PlanViewState.can_recall, rx.vstack(
        rx.text("Sent to the athlete; waiting for their answer.", size="2"),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.button(rx.icon("undo-2", size=14), "Recall from athlete",
                                              variant="soft", color_scheme="orange",
                                              width="100%")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Recall this plan?"),
                rx.alert_dialog.description(
                    "The athlete can no longer accept it and is told it was withdrawn. It "
                    "becomes a draft you can edit and submit again.", size="2"),
                rx.flex(rx.alert_dialog.cancel(rx.button("Keep it with the athlete",
                                                         variant="soft")),
                        rx.alert_dialog.action(rx.button("Recall plan", color_scheme="orange",
                                                         on_click=EditorState.recall)),
                        gap="2", justify="end", margin_top="1em", wrap="wrap"),
                max_width="440px"),
            open=EditorState.recall_open, on_open_change=EditorState.set_recall_open),
        spacing="2", width="100%"))


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
            rx.cond(PlanViewState.can_edit | (EditorState.edits.length() > 0), rx.vstack(
                rx.text("Unsaved edits", weight="bold", size="2"), edits,
                spacing="2", width="100%")),
            rx.cond(PlanViewState.can_edit, rx.vstack(
                _revising_note(),
                _revision_effect(),
                rx.button(rx.cond(PlanViewState.revising, "Save revision", "Save draft"),
                          on_click=EditorState.set_save_open(True),
                          disabled=EditorState.edits.length() == 0, width="100%"),
                rx.cond(~PlanViewState.revising, rx.vstack(
                    rx.text_area(value=TypedState.submit_note,
                                 on_change=TypedState.set_submit_note,
                                 aria_label="Note to the athlete",
                                 placeholder="Note to the athlete", width="100%"),
                    rx.button("Submit for Approval", on_click=EditorState.submit,
                              width="100%", color_scheme="green"),
                    width="100%", spacing="2")),
                width="100%", spacing="2")),
            _recall(),
            spacing="2", width="100%"), width="100%"),
        _versions_panel(),
        _athlete_panel(),
        comments_panel(), width="100%", spacing="3")


def _version_row(v: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(v.number, weight="bold", size="2"), status_badge(v.status),
                  rx.cond(v.kind != v.status, rx.badge(v.kind, variant="outline", size="1")),
                  rx.cond(v.current, rx.badge("current", color_scheme="blue", size="1")),
                  wrap="wrap", align="center", spacing="1"),
        rx.text(v.author, " · ", v.when, size="1", color_scheme="gray"),
        rx.flex(rx.foreach(v.badges, lambda b: rx.badge(b, size="1", variant="soft")),
                gap="1", wrap="wrap"),
        padding_left="0.6em", border_left=rx.cond(v.current, "3px solid var(--accent-9)",
                                                  "3px solid var(--gray-a5)"), width="100%")


def _versions_panel() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Versions", size="4", as_="h2"),
        rx.vstack(rx.foreach(PlanViewState.timeline, _version_row), spacing="2",
                  width="100%", max_height="320px", overflow_y="auto"),
        spacing="2", width="100%"), width="100%")


def _compliance_week(w: rx.Var) -> rx.Component:
    """One of the last weeks: sessions done of those due, and the rate; this week marked."""
    return rx.hstack(
        rx.text(w.label, size="2", weight=rx.cond(w.current, "bold", "regular"),
                white_space="nowrap"),
        rx.spacer(),
        rx.text(w.sessions, size="1", color_scheme="gray", white_space="nowrap"),
        rx.text(w.percent, size="2", weight="bold", min_width="2.6em", text_align="right"),
        role="listitem", aria_current=rx.cond(w.current, "date", "false"), align="center",
        width="100%",
        padding_left="0.5em", border_left=rx.cond(w.current, "3px solid var(--accent-9)",
                                                  "3px solid var(--gray-a5)"))


def _athlete_notes() -> rx.Component:
    """Goals, and injuries/limitations (an amber callout when some are noted)."""
    return athlete_notes(PlanViewState.goals, PlanViewState.limitations,
                         PlanViewState.limitations_noted)


def _athlete_panel() -> rx.Component:
    """The athlete's context: notes from the profile, the last weeks, other plans."""
    return rx.card(rx.vstack(
        rx.heading("Athlete", size="4", as_="h2"),
        rx.cond(PlanViewState.show_internals,
                rx.text("Algorithm ", rx.code(PlanViewState.algorithm), " · arm ",
                        PlanViewState.arm, size="2")),
        _athlete_notes(),
        rx.text("Last 4 weeks · sessions done", weight="bold", size="2"),
        rx.cond(PlanViewState.recent_weeks.length() > 0,
                rx.vstack(rx.foreach(PlanViewState.recent_weeks, _compliance_week),
                          spacing="1", width="100%", role="list",
                          aria_label="Sessions done in the last 4 weeks"),
                rx.text(PlanViewState.recent_note, size="2", color_scheme="gray")),
        rx.text("Overall adherence: ", rx.text.strong(PlanViewState.adherence), size="2"),
        rx.cond(PlanViewState.can_edit_notes,
                rx.link("Edit goals and limitations", href=PlanViewState.athlete_link,
                        size="2")),
        rx.text("Other plans", weight="bold", size="2"),
        rx.cond(PlanViewState.previous.length() > 0,
                rx.vstack(rx.foreach(PlanViewState.previous, lambda p: rx.hstack(
                    rx.link(p.label, href=p.link, size="2"), status_badge(p.status),
                    align="center")), spacing="1"),
                rx.text("None", size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%")


@page("/plans/[plan_id]", "Plan", EditorState.open_editor)
def editor_page() -> rx.Component:
    """The split-screen editor (read-only for roles that may only view)."""
    return rx.cond(PlanViewState.switching, loading_view(), rx.cond(
        PlanViewState.found,
        rx.vstack(
            plan_header(with_badges=False),
            rx.grid(_sidebar(),
                    rx.vstack(legend(), week_nav(EditorState.go_to_week),
                              drop_zone(weeks(EditorState.show_weeks,
                                              SessionDialogState.edit_session),
                                        on_move=EditorState.move_session_to),
                              width="100%"),
                    columns=rx.breakpoints(initial="1", lg="minmax(280px, 1fr) 3fr"),
                    spacing="4", width="100%"),
            _session_dialog(), _save_dialog(), width="100%"),
        plan_not_found()))
