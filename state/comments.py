"""The comment threads of the plan shown: replies, resolving, the new-comment form."""

from __future__ import annotations

from functools import partial
from typing import Any

import reflex as rx

from plangov_app.services import comments
from plangov_app.services.errors import DomainError
from plangov_app.services.views.plan_page import Anchor, ThreadRow
from state.session import SignedIn, problem_toast, run_write
from state.typed import TypedState


class CommentsState(SignedIn, rx.State):
    """The threads (from the plan page's read model) and what the form holds."""

    threads: list[ThreadRow] = []
    anchors: list[Anchor] = []
    can_comment: bool = False
    anchor_choice: str = ""
    reply_to: str = ""
    reply_label: str = ""
    shown_original: str = ""

    def _show(self, threads: list[ThreadRow], anchors: list[Anchor], *,
              can_comment: bool) -> None:
        self.threads, self.anchors, self.can_comment = threads, anchors, can_comment

    async def _act(self, write: Any, done: str, *, clear: bool = False) -> Any:
        """Run `write(session, actor, plan_id)`, then show the plan (and threads) again.

        With `clear`, the form is emptied once the write succeeded (else what was typed
        is kept).
        """
        from state.plan_view import PlanViewState  # the plan page holds the threads

        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        plan = await self.get_state(PlanViewState)
        try:
            await run_write(write, actor, plan.plan_id)
        except DomainError as error:
            return problem_toast(error)
        if clear:
            self.reply_to = self.reply_label = ""
            (await self.get_state(TypedState))._clear("draft_comment")
        await plan._load()
        return rx.toast.success(done)

    async def post_comment(self) -> Any:
        """Comment on the chosen session (or the whole plan)."""
        typed = await self.get_state(TypedState)
        text = typed.draft_comment.strip()
        if not text:
            return rx.toast.error("Write a comment first.")
        parent = self.reply_to or None
        create = partial(_create, message=text, anchor_id=self.anchor_choice or None,
                         parent_id=parent, context=self._context())
        return await self._act(create, "Reply posted." if parent else "Comment posted.",
                               clear=True)

    def set_anchor_choice(self, value: str) -> None:
        """The session a new comment is about."""
        self.anchor_choice = value

    def start_reply(self, comment_id: str, author: str) -> None:
        """Answer a thread."""
        self.reply_to, self.reply_label = comment_id, f"Replying to {author}"

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
