"""The comment threads of the plan shown: replies, resolving, the new-comment form.

On the review a session card opens that session's sheet: its card, its threads and a box
anchored to it (`open_sheet`); the plan page's read model decides which threads those are.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services import comments
from plangov_app.services.errors import DomainError
from plangov_app.services.views.calendar import SessionCard
from plangov_app.services.views.plan_page import Anchor, SessionSheet, ThreadRow
from state.session import SignedIn, problem_toast, run_write
from state.typed import TypedState

#: comment toasts at the top: on a phone the page's form and the sheet's box are at the bottom
TOAST = {"position": "top-center"}


class CommentsState(SignedIn, rx.State):
    """The threads (from the plan page's read model) and what the form holds."""

    threads: list[ThreadRow] = []
    anchors: list[Anchor] = []
    can_comment: bool = False
    anchor_choice: str = ""
    reply_to: str = ""
    reply_label: str = ""
    shown_original: str = ""
    # The session sheet: which session (kept once closed, so focus goes back to its card)
    sheet_id: str = ""
    sheet_open: bool = False
    sheet_card: SessionCard = SessionCard()
    sheet_threads: list[ThreadRow] = []
    sheet_can_comment: bool = False

    def _show(self, threads: list[ThreadRow], anchors: list[Anchor], *,
              can_comment: bool, sheet: SessionSheet | None = None) -> None:
        self.threads, self.anchors, self.can_comment = threads, anchors, can_comment
        sheet = sheet or SessionSheet()
        if self.sheet_open and sheet.session_id != self.sheet_id:  # no longer on the page
            self.sheet_open = False
        self.sheet_card, self.sheet_threads = sheet.card, sheet.threads
        self.sheet_can_comment = sheet.can_comment

    def _open_session(self) -> str:
        """The session whose sheet the plan page's read model should add ("" if none)."""
        return self.sheet_id if self.sheet_open else ""

    def _close_sheet(self) -> None:
        self.sheet_open = False
        self.reply_to = self.reply_label = ""

    async def _act(self, write: Any, done: str, *, clear: str = "") -> Any:
        """Run `write(session, actor, plan_id)`, then show the plan (and threads) again.

        `clear` names the box (a `TypedState` field) emptied once the write succeeded
        (else what was typed is kept).
        """
        from state.plan_view import PlanViewState  # the plan page holds the threads

        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        plan = await self.get_state(PlanViewState)
        try:
            await run_write(write, actor, plan.plan_id)
        except DomainError as error:
            return problem_toast(error, **TOAST)
        if clear:
            self.reply_to = self.reply_label = ""
            (await self.get_state(TypedState))._clear(clear)
        await plan._load()
        return rx.toast.success(done, **TOAST)

    async def post_comment(self) -> Any:
        """Comment on the chosen session (or the whole plan)."""
        typed = await self.get_state(TypedState)
        text = typed.draft_comment.strip()
        if not text:
            return rx.toast.error("Write a comment first.", **TOAST)
        parent = self.reply_to or None
        create = partial(_create, message=text, anchor_id=self.anchor_choice or None,
                         parent_id=parent, context=self._context())
        return await self._act(create, "Reply posted." if parent else "Comment posted.",
                               clear="draft_comment")

    async def open_sheet(self, session_id: str) -> Any:
        """Open a session's sheet (its card was tapped): its threads and a box for it."""
        from state.plan_view import PlanViewState

        self._close_sheet()
        self.sheet_id, self.sheet_open = session_id, True
        return await (await self.get_state(PlanViewState))._load()

    def close_sheet(self) -> None:
        """Close the sheet (Escape, Close); focus goes back to the card (the page's script)."""
        self._close_sheet()

    async def post_on_session(self) -> Any:
        """Comment on the open sheet's session, or reply to one of its threads."""
        typed = await self.get_state(TypedState)
        text = typed.session_comment.strip()
        if not text:
            return rx.toast.error("Write a comment first.", **TOAST)
        parent = self.reply_to or None
        create = partial(_create, message=text, anchor_id=self.sheet_id or None,
                         parent_id=parent, context=self._context())
        return await self._act(create, "Reply posted." if parent else "Comment posted.",
                               clear="session_comment")

    def set_anchor_choice(self, value: str) -> None:
        """The session a new comment is about."""
        self.anchor_choice = value

    def start_reply(self, comment_id: str, author: str) -> Any:
        """Answer a thread (in the sheet, the box takes the focus)."""
        self.reply_to, self.reply_label = comment_id, f"Replying to {author}"
        if self.sheet_open:
            return rx.call_script("document.getElementById('sheet-comment')?.focus()")
        return None

    def cancel_reply(self) -> None:
        """Back to a new comment."""
        self.reply_to = self.reply_label = ""

    def toggle_original(self, comment_id: str) -> None:
        """Show or hide what an outdated comment was about."""
        self.shown_original = "" if self.shown_original == comment_id else comment_id

    async def set_resolved(self, comment_id: str, resolved: bool) -> Any:
        """Resolve or reopen a thread (its coach, an admin or its author)."""
        change = partial(_resolve, comment_id=comment_id, resolved=resolved,
                         context=self._context())
        return await self._act(change, "Resolved." if resolved else "Reopened.")


def _create(session: Any, actor: Any, plan_id: str, **fields: Any) -> None:
    comments.create_comment(session, actor, plan_id, **fields)


def _resolve(session: Any, actor: Any, plan_id: str, *, comment_id: str, resolved: bool,
             context: Any) -> None:
    comments.set_resolved(session, actor, plan_id, comment_id, resolved=resolved,
                          context=context)
