"""A session's conversation: the sheet its card opens on the review.

The session as its card shows it, the threads about it (each reply beneath its thread) and
a box to comment on it. A bottom sheet on a phone, a dialog on a wider screen; Escape or
Close gives focus back to the card.
"""

from __future__ import annotations

import reflex as rx

from components.calendar import CHANGE_BADGES, COMPLIANCE, FITS, _exercise_line
from components.comment_thread import thread_row
from state.comments import CommentsState
from state.typed import TypedState

C = CommentsState
CARD = CommentsState.sheet_card
BOX = "sheet-comment"
# Phone: pinned to the bottom edge, full width, the page's top still in sight. From 480 px
# up: Radix's centred dialog.
SHEET_STYLE = {
    "position": rx.breakpoints(initial="fixed", sm="relative"),
    "bottom": rx.breakpoints(initial="0", sm="auto"),
    "left": rx.breakpoints(initial="0", sm="auto"),
    "width": "100%",
    "max_width": rx.breakpoints(initial="100%", sm="560px"),
    "max_height": rx.breakpoints(initial="85dvh", sm="85vh"),
    "overflow_y": "auto",
    "border_radius": rx.breakpoints(initial="var(--radius-5) var(--radius-5) 0 0",
                                    sm="var(--radius-5)"),
}
#: back to the card that opened the sheet (Radix knows no trigger: the sheet is one for all)
FOCUS_CARD = f"setTimeout(() => document.getElementById('open-{C.sheet_id}')?.focus())"


def _session() -> rx.Component:
    """The session as its card shows it: day, marks, exercises and doses, notes, volume."""
    return rx.vstack(
        rx.hstack(rx.badge(CARD.modality, color_scheme=CARD.colour, variant="solid", size="1"),
                  rx.match(CARD.change,
                           *[(k, rx.badge(label, color_scheme=colour, variant="solid", size="1"))
                             for k, (label, colour) in CHANGE_BADGES.items()],
                           rx.fragment()),
                  rx.match(CARD.compliance,
                           *[(k, rx.badge(v, color_scheme=k, size="1", **FITS))
                             for k, v in COMPLIANCE.items()],
                           rx.fragment()),
                  align="center", wrap="wrap", spacing="1"),
        rx.cond(CARD.note != "", rx.text(CARD.note, size="1", color="var(--amber-11)")),
        rx.foreach(CARD.exercises, _exercise_line),
        rx.cond(CARD.notes != "", rx.text(CARD.notes, size="1", font_style="italic",
                                          color_scheme="gray")),
        rx.text("Volume ", CARD.volume, size="1", color_scheme="gray"),
        spacing="1", align="start", width="100%")


def _threads() -> rx.Component:
    return rx.vstack(
        rx.heading("Comments", size="3", as_="h3"),
        rx.cond(C.sheet_threads.length() > 0,
                rx.vstack(rx.foreach(C.sheet_threads, lambda t: thread_row(
                    t, C.sheet_can_comment, with_anchor=False)), spacing="2", width="100%"),
                rx.text("No comments on this session yet", size="2", color_scheme="gray")),
        spacing="2", width="100%")


def _box() -> rx.Component:
    """The comment box, anchored to the session (or a reply to one of its threads)."""
    return rx.cond(C.sheet_can_comment, rx.vstack(
        rx.cond(C.reply_to != "", rx.hstack(
            rx.badge(C.reply_label, color_scheme="blue"),
            rx.button("Cancel reply", size="1", variant="ghost", on_click=C.cancel_reply),
            align="center")),
        rx.el.label("Comment on this session", html_for=BOX, font_size="var(--font-size-2)",
                    font_weight="bold"),
        rx.text_area(id=BOX, value=TypedState.session_comment,
                     on_change=TypedState.set_session_comment,
                     placeholder="Write a comment…", rows="3", width="100%"),
        rx.flex(rx.button("Post", on_click=C.post_on_session, min_height="40px",
                          min_width="96px"),
                justify="end", width="100%"),
        spacing="2", width="100%"))


def session_sheet() -> rx.Component:
    """The sheet of the session whose card was tapped (one for the page)."""
    return rx.dialog.root(rx.dialog.content(
        rx.vstack(
            rx.hstack(
                rx.dialog.title(CARD.title, size="4", margin="0"),
                rx.spacer(),
                rx.dialog.close(rx.button("Close", variant="soft", size="2")),
                align="center", width="100%"),
            rx.dialog.description(CARD.day, size="2", color_scheme="gray"),
            _session(), rx.separator(size="4"), _threads(), _box(),
            spacing="3", width="100%"),
        on_close_auto_focus=[rx.prevent_default, rx.call_script(FOCUS_CARD)],
        **SHEET_STYLE),
        open=C.sheet_open, on_open_change=lambda _open: C.close_sheet())
