"""The signed-in user's feature flags, as the UI reads them.

The one way pages read flags: `services.flags.evaluated_config`, the function
`GET /api/v1/flags/config` serves (one evaluation, the same ETag). Only `{key: on}` is
kept; a page refreshes it in its on_load, so a flag change shows on the next page load.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from plangov_app.services import flags
from plangov_app.services.rbac import Actor
from state.session import SignedIn, run_read


class FlagsState(SignedIn, rx.State):
    """The evaluated flags of the user signed in."""

    flags: dict[str, bool] = {}
    _etag: str = ""  # of the config shown: an unchanged config is not sent again

    async def _refresh(self, actor: Actor) -> None:
        """Evaluate the flags for `actor` again (off the event loop)."""
        config, etag = await run_read(flags.evaluated_config, actor)
        if etag != self._etag:
            self.flags, self._etag = config, etag

    def _on(self, key: str) -> bool:
        """Whether flag `key` is on for the user (an unknown flag is off)."""
        return self.flags.get(key, False) is True

    async def refresh(self) -> Any:
        """on_load for a page that reads flags but loads nothing else."""
        actor = await self._actor()
        if actor is None:
            self.flags, self._etag = {}, ""
            return None
        await self._refresh(actor)
        return None
