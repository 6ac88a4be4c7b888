"""The plan's comment threads and the form to add one."""

from __future__ import annotations

import reflex as rx

from state.comments import CommentsState
from state.typed import TypedState


def thread_row(t: rx.Var, can_comment: rx.Var = CommentsState.can_comment,
               with_anchor: bool = True) -> rx.Component:
    """A comment: author, marks, text, and Reply / Resolve where the reader may comment.

    `with_anchor` says what it is about (not needed where the session is on screen).
    """
    return rx.box(
        rx.hstack(rx.text(t.author, weight="bold", size="2"),
                  rx.badge(t.role, size="1", variant="soft"),
                  rx.text(t.when, size="1", color_scheme="gray"),
                  rx.cond(t.outdated, rx.badge("Outdated", color_scheme="amber", size="1")),
                  rx.cond(t.resolved, rx.badge("Resolved", color_scheme="green", size="1")),
                  wrap="wrap", align="center"),
        rx.text("On ", t.anchor, size="1", color_scheme="gray") if with_anchor
        else rx.fragment(),
        rx.text(t.message, size="2"),
        rx.cond(t.outdated & (t.original != ""), rx.vstack(
            rx.button(rx.cond(CommentsState.shown_original == t.id, "Hide original",
                              "Show original"), size="1", variant="ghost",
                      on_click=CommentsState.toggle_original(t.id)),
            rx.cond(CommentsState.shown_original == t.id,
                    rx.text("Originally about: ", t.original, size="1")),
            spacing="1")),
        rx.cond(can_comment & ~t.reply, rx.hstack(
            rx.button("Reply", size="1", variant="ghost",
                      on_click=CommentsState.start_reply(t.id, t.author),
                      aria_label="Reply to " + t.author),
            rx.cond(t.can_resolve, rx.cond(  # an athlete only their own threads
                t.resolved,
                rx.button("Reopen", size="1", variant="ghost",
                          on_click=CommentsState.set_resolved(t.id, False)),
                rx.button("Resolve", size="1", variant="ghost",
                          on_click=CommentsState.set_resolved(t.id, True)))),
            spacing="2")),
        padding="0.6em 0.8em", border_left="3px solid var(--gray-a6)",
        margin_left=rx.cond(t.reply, "1.5em", "0"), width="100%")


def comments_panel() -> rx.Component:
    """The comment threads and the form to add one."""
    form = rx.cond(CommentsState.can_comment, rx.vstack(
        rx.cond(CommentsState.reply_to != "", rx.hstack(
            rx.badge(CommentsState.reply_label, color_scheme="blue"),
            rx.button("Cancel reply", size="1", variant="ghost",
                      on_click=CommentsState.cancel_reply), align="center")),
        rx.select.root(
            rx.select.trigger(placeholder="Whole plan", aria_label="Comment on session",
                              width="100%"),
            rx.select.content(rx.foreach(CommentsState.anchors, lambda a: rx.select.item(
                a.label, value=a.id))),
            value=CommentsState.anchor_choice, on_change=CommentsState.set_anchor_choice),
        rx.text_area(value=TypedState.draft_comment, on_change=TypedState.set_draft_comment,
                     aria_label="Comment", placeholder="Write a comment…", width="100%"),
        rx.button("Post comment", on_click=CommentsState.post_comment),
        spacing="2", width="100%"))
    return rx.card(rx.vstack(
        rx.heading("Comments", size="4", as_="h2"),
        rx.cond(CommentsState.threads.length() > 0,
                rx.vstack(rx.foreach(CommentsState.threads, lambda t: thread_row(t)),
                          width="100%",
                          spacing="2"),
                rx.text("No comments yet.", color_scheme="gray", size="2")),
        form, spacing="3", width="100%"), width="100%")
