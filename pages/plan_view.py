"""`/plans/{plan_id}` and `/plans/{plan_id}/review`: the plan by week (read-only for now)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.layout import loading_view, page_title
from components.ui import status_badge
from state.calendar import WEEKS_PER_PAGE
from state.editor import EditorState
from state.plan_view import PlanViewState

COMPLIANCE = {"green": "Done as planned", "amber": "Partly done", "red": "Missed"}


CHANGE_BADGES = {"added": ("New", "green"), "removed": ("Removed", "red"),
                 "moved": ("Moved", "amber"), "changed": ("Changed", "amber")}
CHANGE_BACKGROUNDS = {"added": "var(--green-a3)", "removed": "var(--red-a3)",
                      "moved": "var(--amber-a3)", "changed": "var(--amber-a3)"}


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


def _session(s: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.badge(s.modality, color_scheme=s.colour, variant="solid",
                               size="1"),
                      rx.text(s.day, size="1", color_scheme="gray",
                              display=rx.breakpoints(initial="block", md="none")),
                      rx.spacer(),
                      rx.match(s.compliance,
                               *[(k, rx.badge(v, color_scheme=k,
                                              size="1")) for k, v in COMPLIANCE.items()],
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
                      rx.cond(PlanViewState.can_edit & (s.change != "removed"),
                              rx.button("Edit", size="1", variant="soft",
                                        on_click=EditorState.edit_session(s.id),
                                        aria_label="Edit " + s.title + " on " + s.day)),
                      width="100%", wrap="wrap", spacing="1", align="center"),
            spacing="1", align="start"),
        width="100%",
        background=rx.match(s.change, *CHANGE_BACKGROUNDS.items(), "var(--color-panel)"))


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


WIDE = rx.breakpoints(initial="none", md="block")  # shown only where days are columns


def _day_label(day: rx.Var) -> rx.Component:
    return rx.text(day.label, size="1", weight="medium", color_scheme="gray", display=WIDE)


def _day(day: rx.Var) -> rx.Component:
    """A day's column: its date and sessions; a rest day shows only where days are columns."""
    return rx.cond(
        day.rest,
        rx.box(_day_label(day), rx.text("Rest", size="1", color_scheme="gray",
                                        padding_top="0.5em"), display=WIDE),
        rx.vstack(_day_label(day), rx.foreach(day.sessions, _session), spacing="2",
                  min_width="0", width="100%"))


def week_view(week: rx.Var) -> rx.Component:
    """One week: its days as columns on a wide screen, stacked on a phone."""
    return rx.vstack(
        rx.heading(week.label, size="3", as_="h2"),
        rx.grid(rx.foreach(week.days, _day),
                columns=rx.breakpoints(initial="1", md="7"), spacing="2", width="100%"),
        width="100%", spacing="2", margin_bottom="1em")


def _decision() -> rx.Component:
    return rx.cond(PlanViewState.can_decide, rx.card(rx.vstack(
        rx.heading("Your decision", size="4", as_="h2"),
        rx.text("What should change? (needed to request changes)", as_="label",
                html_for="decision-note", size="2"),
        rx.text_area(id="decision-note", value=PlanViewState.decision_note,
                     on_change=PlanViewState.set_decision_note, aria_label="What should change",
                     width="100%", rows="3"),
        rx.flex(rx.button(rx.icon("check", size=16), "Accept plan", color_scheme="green",
                          size="3", on_click=PlanViewState.accept, flex="1"),
                rx.button("Request changes", color_scheme="orange", variant="soft", size="3",
                          on_click=PlanViewState.request_changes, flex="1"),
                gap="2", width="100%", wrap="wrap"),
        spacing="2", width="100%"), width="100%"))


def _thread(t: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(rx.text(t.author, weight="bold", size="2"),
                  rx.badge(t.role, size="1", variant="soft"),
                  rx.text(t.when, size="1", color_scheme="gray"),
                  rx.cond(t.outdated, rx.badge("Outdated", color_scheme="amber", size="1")),
                  rx.cond(t.resolved, rx.badge("Resolved", color_scheme="green", size="1")),
                  wrap="wrap", align="center"),
        rx.text("On ", t.anchor, size="1", color_scheme="gray"),
        rx.text(t.message, size="2"),
        rx.cond(t.outdated & (t.original != ""), rx.vstack(
            rx.button(rx.cond(PlanViewState.shown_original == t.id, "Hide original",
                              "Show original"), size="1", variant="ghost",
                      on_click=PlanViewState.toggle_original(t.id)),
            rx.cond(PlanViewState.shown_original == t.id,
                    rx.text("Originally about: ", t.original, size="1")),
            spacing="1")),
        rx.cond(PlanViewState.can_comment & ~t.reply, rx.hstack(
            rx.button("Reply", size="1", variant="ghost",
                      on_click=PlanViewState.start_reply(t.id, t.author),
                      aria_label="Reply to " + t.author),
            rx.cond(t.resolved,
                    rx.button("Reopen", size="1", variant="ghost",
                              on_click=PlanViewState.set_resolved(t.id, False)),
                    rx.button("Resolve", size="1", variant="ghost",
                              on_click=PlanViewState.set_resolved(t.id, True))),
            spacing="2")),
        padding="0.6em 0.8em", border_left="3px solid var(--gray-a6)",
        margin_left=rx.cond(t.reply, "1.5em", "0"), width="100%")


def comments_panel() -> rx.Component:
    """The comment threads and the form to add one."""
    form = rx.cond(PlanViewState.can_comment, rx.vstack(
        rx.cond(PlanViewState.reply_to != "", rx.hstack(
            rx.badge(PlanViewState.reply_label, color_scheme="blue"),
            rx.button("Cancel reply", size="1", variant="ghost",
                      on_click=PlanViewState.cancel_reply), align="center")),
        rx.select.root(
            rx.select.trigger(placeholder="Whole plan", aria_label="Comment on session",
                              width="100%"),
            rx.select.content(rx.foreach(PlanViewState.anchors, lambda a: rx.select.item(
                a["label"], value=a["id"]))),
            value=PlanViewState.anchor_choice, on_change=PlanViewState.set_anchor_choice),
        rx.text_area(value=PlanViewState.draft_comment, on_change=PlanViewState.set_draft_comment,
                     aria_label="Comment", placeholder="Write a comment…", width="100%"),
        rx.button("Post comment", on_click=PlanViewState.post_comment),
        spacing="2", width="100%"))
    return rx.card(rx.vstack(
        rx.heading("Comments", size="4", as_="h2"),
        rx.cond(PlanViewState.threads.length() > 0,
                rx.vstack(rx.foreach(PlanViewState.threads, _thread), width="100%",
                          spacing="2"),
                rx.text("No comments yet.", color_scheme="gray", size="2")),
        form, spacing="3", width="100%"), width="100%")


def plan_header(*, with_badges: bool) -> rx.Component:
    """The athlete (a link to their profile), status, version, algorithm, arm, Plan History."""
    badges = [rx.foreach(PlanViewState.badges, lambda b: rx.badge(b, color_scheme="blue"))
              ] if with_badges else []
    return rx.fragment(
        page_title(rx.text(rx.link(PlanViewState.athlete, href=PlanViewState.athlete_link,
                                   color="inherit", underline="hover"), " · plan"),
                   status_badge(PlanViewState.plan_status)),
        rx.hstack(rx.text("Version ", PlanViewState.version, size="2"),
                  rx.text("Algorithm ", rx.code(PlanViewState.algorithm), size="2"),
                  rx.text("Experiment arm ", PlanViewState.arm, size="2"),
                  *badges,
                  rx.link("Plan History", href=PlanViewState.history_link, size="2"),
                  spacing="4", wrap="wrap", align="center", margin_bottom="0.5em"))


def plan_not_found() -> rx.Component:
    """What a missing or invisible plan shows (never whether it exists)."""
    return rx.center(rx.vstack(rx.heading("Plan not found", size="6", as_="h1"),
                               rx.text("It does not exist, or you may not see it."),
                               rx.link("Back to plans", href="/plans"), align="center"),
                     padding="3em")


def plan_view_page() -> rx.Component:
    """The plan's weeks, what changed, the decision and the comments."""
    return rx.cond(PlanViewState.switching, loading_view(), rx.cond(
        PlanViewState.found,
        rx.vstack(
            plan_header(with_badges=True),
            rx.callout.root(rx.callout.icon(rx.icon("info")), rx.vstack(
                rx.text(rx.text.strong("Since the generated plan: "), PlanViewState.impact),
                rx.cond(PlanViewState.seen_label != "", rx.text(
                    rx.text.strong("Since you last reviewed (", PlanViewState.seen_label,
                                   "): "), PlanViewState.seen_impact)),
                spacing="1"), width="100%"),
            rx.cond(PlanViewState.seen_label != "", rx.hstack(
                rx.text("Highlight changes since", size="2"),
                rx.segmented_control.root(
                    rx.segmented_control.item("Generated plan", value="baseline"),
                    rx.segmented_control.item("Last reviewed", value="seen"),
                    value=PlanViewState.compare, on_change=PlanViewState.set_compare,
                    aria_label="Highlight changes since"),
                align="center", wrap="wrap")),
            legend(),
            _decision(),
            week_pager(PlanViewState.show_weeks),
            rx.foreach(PlanViewState.weeks, week_view),
            week_pager(PlanViewState.show_weeks),
            comments_panel(),
            width="100%"),
        plan_not_found()))
