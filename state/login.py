"""The sign-in form."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from db.session import DatabaseBusy
from plangov_app.demo import demo_accounts
from plangov_app.services import auth
from plangov_app.services.errors import Busy, DomainError
from plangov_app.settings import get_settings
from state.session import BROWSER_ZONE_JS, SignedIn, landing_for, run_read

DEMO_SHORTLIST = ["admin@demo.test", "coach1@demo.test", "coach2@demo.test",
                  "athlete1@demo.test", "athlete13@demo.test", "support@demo.test",
                  "compliance@demo.test", "ds@demo.test"]


class LoginState(SignedIn, rx.State):
    """Email, password, the error under the form, the demo accounts list."""

    email: str = ""
    error: str = ""
    busy: bool = False
    demo_list: list[dict[str, str]] = []
    _browser_zone: str = ""  # the browser's zone, the default of a user who has none

    async def load(self) -> Any:
        """Show the demo accounts in demo mode; skip the form when already signed in.

        Reads the browser's time zone, so a user who has not chosen one reads times in it
        from the first page on.
        """
        self.error = ""
        session = await self._session()
        if await session._actor() is not None:
            return rx.redirect(landing_for(session.user_role))
        if get_settings().is_demo:
            rows = dict(await run_read(demo_accounts))
            shown = [e for e in DEMO_SHORTLIST if e in rows]
            self.demo_list = [{"email": e, "role": rows[e].replace("_", " ")} for e in shown]
        return rx.call_script(BROWSER_ZONE_JS, callback=LoginState.keep_browser_zone)

    def keep_browser_zone(self, zone: Any) -> None:
        """Remember the browser's zone for the sign-in."""
        self._browser_zone = zone if isinstance(zone, str) and len(zone) <= 64 else ""

    def pick(self, email: str) -> None:
        """Fill the email field from the demo list."""
        self.email = email

    def set_email(self, value: str) -> None:
        """Keep the typed email."""
        self.email = value

    async def submit(self, form: dict[str, Any]) -> Any:
        """Sign in; show "Incorrect email or password." or the throttle message."""
        self.busy, self.error = True, ""
        yield
        email = str(form.get("email") or self.email).strip()
        password = str(form.get("password") or "")
        if not email or not password:
            self.busy, self.error = False, "Enter your email and password."
            return
        try:  # opens its own short sessions; Argon2 runs outside any transaction
            outcome = await asyncio.to_thread(auth.login, email, password, self._context())
        except DomainError as error:
            outcome = auth.LoginOutcome(error=error)
        except DatabaseBusy as error:
            outcome = auth.LoginOutcome(error=Busy(
                f"The service is busy; try again in {error.retry_after} s.", error.retry_after))
        self.busy = False
        if outcome.error is not None:
            self.error = outcome.error.detail
            return
        session = await self._session()
        session.token = outcome.access_token or ""
        actor = await session._actor()
        if actor is not None:
            await session._adopt_zone(actor, self._browser_zone)
        next_path = self.router.url.query_parameters.get("next", "")
        target = next_path if next_path.startswith("/") and not next_path.startswith("//") \
            else landing_for(session.user_role)
        yield rx.redirect(target)
