"""The app shell: header with role-aware navigation, the page frame, guard views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from components.time_zone import time_zone_dialog, zone_menu_item
from state.session import SessionState

#: (label, href, the role that sees it); `{me}` in an href is the signed-in user's id
NAV: list[tuple[str, str, str]] = [
    ("Pending Plans", "/plans", "coach"),
    ("My Plans", "/plans", "athlete"),
    ("My profile", "/athletes/{me}", "athlete"),  # goals and injuries/limitations they note
    ("Plans", "/plans", "support"),
    ("Plans", "/plans", "admin"),
    ("Users & roles", "/admin/users", "admin"),
    ("Audit", "/audit", "admin"),
    ("Audit", "/audit", "compliance"),
    ("Overview", "/welcome", "data_scientist"),
    ("Experiments", "/experiments", "admin"),
    ("Experiments", "/experiments", "data_scientist"),
    ("Flags", "/flags", "admin"),
    ("Flags", "/flags", "data_scientist"),
]


def _href(href: str) -> str | rx.Var:
    """A link's address; `{me}` stands for the signed-in user's id."""
    if "{me}" not in href:
        return href
    before, after = href.split("{me}", 1)
    return before + SessionState.user_id + after


def _links(vertical: bool) -> rx.Component:
    items = [rx.cond(SessionState.user_role == role,
                     rx.link(label, href=_href(href), size="3", weight="medium",
                             underline="none",
                             color_scheme="gray", high_contrast=True,
                             padding_y="0.25em" if vertical else "0"))
             for label, href, role in NAV]
    return (rx.vstack if vertical else rx.hstack)(*items, spacing="4", role="navigation",
                                                   aria_label="Main")


def _user_box() -> rx.Component:
    """The user (a menu: their time zone) and Log out."""
    menu = rx.menu.root(
        rx.menu.trigger(rx.button(
            rx.vstack(rx.text(SessionState.user_name, size="2", weight="bold"),
                      rx.badge(SessionState.role_label, variant="soft", size="1"),
                      spacing="0", align="end"),
            rx.icon("chevron-down", size=14), variant="ghost", color_scheme="gray",
            high_contrast=True, height="auto", padding_y="0.2em",
            aria_label=SessionState.user_name + ", account menu")),
        rx.menu.content(zone_menu_item()), modal=False)
    return rx.hstack(
        menu,
        rx.button("Log out", on_click=SessionState.logout, variant="outline", size="2"),
        spacing="3", align="center")


def bell() -> rx.Component:
    """Notifications with the unread count; choosing one opens its plan."""
    return rx.menu.root(
        rx.menu.trigger(rx.box(
            rx.icon_button(rx.icon("bell"), variant="ghost", size="3",
                           aria_label=rx.cond(
                               SessionState.unread > 0,
                               SessionState.unread.to_string() + " unread notifications",
                               "Notifications")),
            rx.cond(SessionState.unread > 0,
                    rx.badge(SessionState.unread, color_scheme="red", variant="solid",
                             radius="full", size="1", position="absolute", top="-4px",
                             right="-6px")),
            position="relative")),
        rx.menu.content(
            rx.cond(SessionState.notes.length() > 0,
                    rx.foreach(SessionState.notes, lambda n: rx.menu.item(
                        rx.vstack(rx.text(n.title, size="2",
                                          weight=rx.cond(n.read, "regular", "bold")),
                                  rx.text(n.when, size="1", color_scheme="gray"),
                                  spacing="0"),
                        on_click=SessionState.open_note(n.id, n.link),
                        height="auto", padding_y="0.4em")),
                    rx.menu.item("No notifications yet", disabled=True)),
            rx.cond(SessionState.unread > 0, rx.fragment(
                rx.menu.separator(),
                rx.menu.item("Mark all as read", on_click=SessionState.mark_all_read))),
            max_width="340px"),
    )


def _phone_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", size="3",
                                       aria_label="Open menu")),
        rx.menu.content(
            rx.box(rx.text(SessionState.user_name, weight="bold", size="2"),
                   rx.text(SessionState.role_label, size="1", color_scheme="gray"),
                   padding="0.5em 0.75em"),
            rx.menu.separator(),
            *[rx.cond(SessionState.user_role == role,
                      rx.menu.item(label, on_click=rx.redirect(_href(href))))
              for label, href, role in NAV],
            rx.menu.separator(),
            zone_menu_item(),
            rx.menu.item("Log out", on_click=SessionState.logout, color="red"),
        ),
        modal=False,
    )


def header() -> rx.Component:
    """Brand, navigation and the user (collapses into a menu on phones)."""
    brand = rx.link(rx.hstack(rx.icon("shield-check", size=22),
                              rx.heading("PlanGov", size="5"), spacing="2", align="center"),
                    href="/", underline="none", color_scheme="gray", high_contrast=True)
    return rx.box(
        rx.desktop_only(rx.hstack(brand, _links(vertical=False), rx.spacer(), bell(),
                                  _user_box(),
                                  spacing="6", align="center", width="100%")),
        rx.mobile_and_tablet(rx.hstack(brand, rx.spacer(), bell(), _phone_menu(),
                                       align="center", width="100%")),
        time_zone_dialog(),
        padding="0.75em 1.25em", border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)", position="sticky", top="0", z_index="10",
        width="100%", id="app-header",  # assets/calendar.js keeps the week navigation under it
    )


def loading_view() -> rx.Component:
    """Shown until the session is known."""
    return rx.center(rx.spinner(size="3"), rx.text("Loading…", margin_left="0.5em"),
                     padding="4em", role="status")


def denied_view() -> rx.Component:
    """Shown when the role may not use the page (decided on the server)."""
    return rx.center(rx.callout(
        "You don't have access to this page. Ask an administrator if you think you should.",
        icon="ban", color_scheme="red", size="2", role="alert"), padding="3em 1em")


def _browser_zone_default() -> rx.Component:
    """For a user with no time zone yet: read the browser's and store it (once)."""
    return rx.cond((SessionState.time_zone == "") & (SessionState.user_id != ""),
                   rx.box(display="none", on_mount=SessionState.read_browser_zone))


def frame(content: rx.Component) -> rx.Component:
    """The shell around a protected page; waits for hydration and the server's check."""
    return rx.box(
        header(),
        rx.box(
            rx.cond(rx.State.is_hydrated & SessionState.page_ready,
                    rx.fragment(rx.cond(SessionState.page_allowed, content, denied_view()),
                                _browser_zone_default()),
                    loading_view()),
            max_width="1200px", margin="0 auto", padding=["1em 0.75em", "1.5em 1.25em"],
            width="100%"),
        min_height="100vh", background="var(--gray-1)")


def page_title(text: Any, *extra: rx.Component) -> rx.Component:
    """The page's heading row."""
    return rx.flex(rx.heading(text, size="7", as_="h1"), rx.spacer(), *extra,
                   wrap="wrap", gap="3", align="center", margin_bottom="1em", width="100%")


@dataclass(frozen=True)
class PageSpec:
    """A page as it declared itself with `page`."""

    build: Callable[[], rx.Component]
    route: str
    title: str
    on_load: Any
    framed: bool


#: every page declared with `page`, in import order (`add_pages` registers them)
PAGES: list[PageSpec] = []


def page(route: str, title: str, on_load: Any = None, *,
         framed: bool = True) -> Callable[[Callable[[], rx.Component]], Callable]:
    """Declare a page: its route, title ("… · PlanGov") and server-side guard (on_load).

    A framed page gets the shell (header, sign-in check); the sign-in page does not.
    """
    def declare(build: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        PAGES.append(PageSpec(build, route, title, on_load, framed))
        return build
    return declare


def add_pages(app: rx.App) -> None:
    """Register every declared page with the app."""
    for spec in PAGES:
        build = spec.build
        component = (lambda build=build: frame(build())) if spec.framed else build
        title = "PlanGov" if spec.title == "PlanGov" else f"{spec.title} · PlanGov"
        app.add_page(component, route=spec.route, title=title, on_load=spec.on_load)
