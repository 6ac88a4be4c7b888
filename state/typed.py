"""What is being typed on a plan (comment, decision note, rationale, note to the athlete).

Kept in the browser's local storage, so a reload or a phone dropping the tab loses
nothing; one user and plan at a time.
"""

from __future__ import annotations

import json

import reflex as rx

TYPED_LIMIT = 4000
RATIONALE_LIMIT = 2000
FIELDS = ("draft_comment", "decision_note", "rationale", "submit_note", "session_comment")


class TypedState(rx.State):
    """The plan's text boxes and their copy in the browser."""

    draft_comment: str = ""
    decision_note: str = ""
    rationale: str = ""
    submit_note: str = ""
    session_comment: str = ""  # the box of a session's sheet (the review)
    typed: str = rx.LocalStorage("", name="plangov_typed")
    typed_for: str = ""  # the user:plan whose typing the boxes hold

    def _restore(self, key: str) -> None:
        """Fill the boxes with what this user typed on this plan (or empty them)."""
        if key == self.typed_for:
            return
        try:
            stored = json.loads(self.typed or "{}")
        except ValueError:
            stored = {}
        mine = stored if isinstance(stored, dict) and stored.get("key") == key else {}
        for name in FIELDS:
            value = mine.get(name, "")
            setattr(self, name, value[:TYPED_LIMIT] if isinstance(value, str) else "")
        self.typed_for = key

    def _keep(self) -> None:
        """Remember what the boxes hold now."""
        values = {name: getattr(self, name) for name in FIELDS if getattr(self, name)}
        self.typed = json.dumps({"key": self.typed_for, **values}) if values else ""

    def _clear(self, *names: str) -> None:
        """Empty boxes whose text was used."""
        for name in names:
            setattr(self, name, "")
        self._keep()

    def set_draft_comment(self, value: str) -> None:
        """The comment being typed."""
        self.draft_comment = value[:TYPED_LIMIT]
        self._keep()

    def set_decision_note(self, value: str) -> None:
        """What should change (required to request changes)."""
        self.decision_note = value[:TYPED_LIMIT]
        self._keep()

    def set_rationale(self, value: str) -> None:
        """Why the edit is made."""
        self.rationale = value[:RATIONALE_LIMIT]
        self._keep()

    def set_submit_note(self, value: str) -> None:
        """A note to the athlete."""
        self.submit_note = value[:TYPED_LIMIT]
        self._keep()

    def set_session_comment(self, value: str) -> None:
        """A comment on the session whose sheet is open."""
        self.session_comment = value[:TYPED_LIMIT]
        self._keep()
