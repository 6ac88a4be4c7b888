"""The signed-in session: the token cookie, who the user is, sign-in and sign-out.

`SessionState` is the one holder of the token, the user and the notifications. Page
states are flat (`rx.State` plus the `SignedIn` mixin) and reach it with
`get_state(SessionState)`; every handler resolves the actor server-side from the cookie
(`_actor`) before calling one service function.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from db.session import DatabaseBusy, read_session, unit_of_work
from plangov_app.services import auth, denials, describing, notifications, users
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Busy, DomainError
from plangov_app.services.rbac import Actor, Permission, Role, can
from plangov_app.services.text import refuse_unstorable
from plangov_app.services.views.shell import Note, notes_of
from plangov_app.settings import get_settings

T = TypeVar("T")
TOKEN_COOKIE = "plangov_token"
#: the browser's own IANA zone (its default for a user who has not chosen one)
BROWSER_ZONE_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"

LANDING = {Role.ADMIN.value: "/admin/users", Role.COMPLIANCE.value: "/audit",
           Role.DATA_SCIENTIST.value: "/welcome"}


def landing_for(role: str) -> str:
    """Where a role lands after signing in."""
    return LANDING.get(role, "/plans")


def _busy(error: DatabaseBusy) -> Busy:
    return Busy(f"Many changes are being saved right now and yours was not stored; try again "
                f"in {error.retry_after} s.", retry_after=error.retry_after)


def _audit_refusal(error: DomainError) -> None:
    """Record a refusal on others' data (summarised, in its own transaction)."""
    denial = denials.denial_of(error)
    if denial is not None:
        denials.record_quietly(denial, RequestContext())


def _refuse_nul(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Ids and text from the URL or a form must be storable text (the services' one rule)."""
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, str):
            refuse_unstorable(arg, "address or text")


async def _run(sessions: Callable[[], Any], fn: Callable[..., T], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> T:
    """`fn(session, *args, **kwargs)` in a session from `sessions`, off the event loop.

    Refusals on others' data are audited; a busy database becomes `Busy` (a toast).
    """
    _refuse_nul(args, kwargs)

    def work() -> T:
        try:
            with sessions() as session:
                return fn(session, *args, **kwargs)
        except DomainError as error:
            _audit_refusal(error)
            raise

    try:
        return await asyncio.to_thread(work)
    except DatabaseBusy as error:
        raise _busy(error) from error


async def run_read(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn(session, *args, **kwargs)` in a read session, off the event loop."""
    return await _run(read_session, fn, args, kwargs)


async def run_write(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn(session, *args, **kwargs)` in a unit of work, off the loop.

    The commit happens before this returns, so the page only ever reports stored changes.
    """
    return await _run(unit_of_work, fn, args, kwargs)


def request_context(router: Any) -> RequestContext:
    """Where an event comes from, resolved like the API's (`client_address`).

    `client_ip` is the socket's raw ASGI peer (rxconfig leaves `trusted_proxy_hops`
    unset); X-Forwarded-For is the one the socket connection was opened with.
    """
    headers = router.headers
    return RequestContext.from_connection(
        peer=router.session.client_ip or None,
        forwarded_for=headers.raw_headers.get("x-forwarded-for"),
        user_agent=headers.user_agent or None)


class SessionState(rx.State):
    """The signed-in user, as the pages need it."""

    token: str = rx.Cookie("", name=TOKEN_COOKIE, path="/", same_site="strict",
                           max_age=get_settings().token_ttl_minutes * 60)
    user_id: str = ""
    user_name: str = ""
    user_role: str = ""
    permissions: list[str] = []
    page_ready: bool = False
    page_allowed: bool = True
    unread: int = 0
    notes: list[Note] = []
    time_zone: str = ""  # the zone times are shown in ("" = not chosen yet: UTC)

    def _context(self) -> RequestContext:
        """Where this event comes from (`request_context`)."""
        return request_context(self.router)

    async def _actor(self) -> Actor | None:
        """The actor behind the cookie, or None (and the cookie cleared) if it is invalid."""
        if not self.token:
            return None
        try:
            actor = await run_read(auth.resolve_token, self.token)
        except DomainError:
            self.token = ""
            return None
        self._show_user(actor)
        return actor

    def _show_user(self, actor: Actor) -> None:
        """Who is signed in, set only where it changed (an unchanged var is not sent)."""
        shown = {"user_id": actor.user_id, "user_name": actor.display_name,
                 "user_role": actor.role.value, "time_zone": actor.time_zone,
                 "permissions": [p.value for p in Permission if can(actor, p)]}
        for name, value in shown.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    async def _require(self, permission: Permission | None) -> tuple[Actor | None, Any]:
        """Resolve the actor for a page; return (actor, redirect-or-None)."""
        actor = await self._actor()
        if actor is None:
            self.page_ready = False
            return None, rx.redirect(f"/login?next={self.router.url.path}")
        allowed = permission is None or can(actor, permission)
        if (self.page_allowed, self.page_ready) != (allowed, True):
            self.page_allowed, self.page_ready = allowed, True
        await self._load_notes(actor)
        return (actor if self.page_allowed else None), None

    async def _load_notes(self, actor: Actor) -> None:
        notes, unread = await run_read(notes_of, actor)
        if (notes, unread) != (self.notes, self.unread):
            self.notes, self.unread = notes, unread

    async def open_note(self, note_id: str, link: str) -> Any:
        """Mark a notification read and open what it is about."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        with contextlib.suppress(DomainError):
            await run_write(notifications.mark_read, actor, note_id)
        await self._load_notes(actor)
        return rx.redirect(link or "/plans")

    async def mark_all_read(self) -> Any:
        """Mark every notification read (the bell's "Mark all as read")."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            await run_write(notifications.mark_read, actor)
        except DomainError as error:  # e.g. the database busy (503): nothing was marked
            return problem_toast(error)
        await self._load_notes(actor)
        return None

    async def _plan_opened(self, actor: Actor, plan_id: str) -> None:
        """Opening a plan reads its notifications (the bell updates).

        A side effect of opening the page: if the write cannot be made now (a busy
        database), the plan still opens and the bell keeps its count.
        """
        if not self.unread:
            return
        try:
            marked = await run_write(notifications.mark_plan_read, actor, plan_id)
        except DomainError:
            return
        if marked:
            await self._load_notes(actor)

    def read_browser_zone(self) -> Any:
        """Ask the browser for its zone (mounted by the shell while the user has none)."""
        return rx.call_script(BROWSER_ZONE_JS, callback=SessionState.adopt_browser_zone)

    async def adopt_browser_zone(self, zone: Any) -> Any:
        """Store the browser's zone for a user who has none yet, then show the page again.

        The same service as choosing a zone (audited); a zone chosen meanwhile is kept. A
        zone the server does not know leaves the user on UTC.
        """
        actor = await self._actor()
        if actor is None or actor.time_zone:
            return None
        stored = await self._adopt_zone(actor, zone)
        if describing.zone_label(stored) == describing.DEFAULT_ZONE:
            return None  # times already read right: nothing to show again
        return rx.redirect(self.router.url.path + (f"?{self.router.url.query}"
                                                   if self.router.url.query else ""),
                           replace=True)  # the page's on_load runs again

    async def _adopt_zone(self, actor: Actor, zone: Any) -> str:
        """The browser's `zone` stored for `actor` if they have none (`set_time_zone`)."""
        if actor.time_zone or not isinstance(zone, str) or not zone:
            return actor.time_zone
        try:
            stored = await run_write(users.set_time_zone, actor, zone=zone,
                                     context=self._context(), source="browser")
        except DomainError:
            return actor.time_zone  # an unknown or unstorable name: stay on UTC
        self.time_zone = stored
        return stored

    async def open_page(self) -> Any:
        """on_load for pages that only need a signed-in user."""
        _, redirect = await self._require(None)
        return redirect

    async def go_home(self) -> Any:
        """`/`: the role's landing page, or the sign-in page."""
        actor = await self._actor()
        return rx.redirect(landing_for(actor.role.value) if actor else "/login")

    async def logout(self) -> Any:
        """Revoke the token (audited), clear the cookie, back to sign-in."""
        token, self.token = self.token, ""
        if token:
            with contextlib.suppress(DomainError):
                await run_write(auth.logout, token, self._context())
        self.user_id = self.user_name = self.user_role = self.time_zone = ""
        self.permissions = []
        self.page_ready = False
        return rx.redirect("/login")

    @rx.var
    def role_label(self) -> str:
        """The role as people read it."""
        return self.user_role.replace("_", " ").title()

    @rx.var
    def zone_label(self) -> str:
        """The zone the pages show times in: "Europe/Oslo", or "UTC" until one is chosen."""
        return describing.zone_label(self.time_zone)


def problem_toast(error: DomainError, **options: Any) -> Any:
    """A domain error as a toast (refusals were already audited by `run_read`/`run_write`).

    `options` go to the toast (e.g. `position`).
    """
    return rx.toast.error(error.detail, duration=6000, **options)


class SignedIn:
    """A page state's way to the session (mix into a flat `rx.State`).

    The actor is resolved from `SessionState`'s cookie on every event; nothing about the
    user is copied into the page state.
    """

    async def _session(self) -> SessionState:
        return await self.get_state(SessionState)  # type: ignore[attr-defined]

    async def _actor(self) -> Actor | None:
        """The signed-in actor, or None."""
        return await (await self._session())._actor()

    async def _require(self, permission: Permission | None) -> tuple[Actor | None, Any]:
        """The actor for a page's on_load and the redirect to sign-in, if any."""
        return await (await self._session())._require(permission)

    async def _plan_opened(self, actor: Actor, plan_id: str) -> None:
        """Clear the notifications about the plan just opened (`SessionState._plan_opened`)."""
        await (await self._session())._plan_opened(actor, plan_id)

    def _context(self) -> RequestContext:
        """Where this event comes from (as `SessionState._context`)."""
        return request_context(self.router)  # type: ignore[attr-defined]

    def _url_id(self) -> str:
        """The id in the URL (/plans/{id}, /athletes/{id}/…)."""
        return self.router.url.path.strip("/").split("/")[1]  # type: ignore[attr-defined]
