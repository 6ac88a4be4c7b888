"""`/admin/users`: Users & roles."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from components.ui import empty_state, field, pager
from plangov_app.services.views.users_admin import ROLES
from state.users import UsersState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.cond(  # an athlete's name leads to their profile
            row.role == "athlete",
            rx.link(row.name, href="/athletes/" + row.id.to(str),
                    weight="medium"),
            rx.text(row.name, weight="medium"))),
        rx.table.cell(rx.text(row.email, size="2")),
        rx.table.cell(rx.badge(row.role, variant="soft")),
        rx.table.cell(rx.text(row.coaches, size="2")),
        rx.table.cell(rx.text(row.teams, size="2")),
        rx.table.cell(rx.button("Edit", size="1", variant="soft",
                                on_click=UsersState.open_editor(row),
                                aria_label="Edit " + row.email)),
    )


def _options(rows: rx.Var, placeholder: str, value: rx.Var, on_change: rx.EventHandler,
             label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, aria_label=label, width="100%"),
        rx.select.content(rx.foreach(rows, lambda r: rx.select.item(r.name, value=r.id))),
        value=value, on_change=on_change)


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.text("Edit ", UsersState.editing_name)),
            rx.dialog.description("Every change is written to the audit log.", size="2"),
            rx.vstack(
                field("Role", rx.hstack(
                    rx.select.root(
                        rx.select.trigger(aria_label="Role"),
                        rx.select.content(*[rx.select.item(r, value=r) for r in ROLES]),
                        value=UsersState.new_role, on_change=UsersState.set_new_role),
                    rx.button("Change role", on_click=UsersState.save_role,
                              disabled=UsersState.new_role == UsersState.editing_role))),
                rx.cond(UsersState.editing_role == "athlete", field("Coach", rx.hstack(
                    _options(UsersState.coaches, "Choose a coach", UsersState.coach_choice,
                             UsersState.set_coach_choice, "Coach"),
                    rx.button("Assign", on_click=UsersState.assign_coach(True)),
                    rx.button("Unassign", variant="soft", color_scheme="red",
                              on_click=UsersState.assign_coach(False)),
                    width="100%"))),
                rx.cond((UsersState.editing_role == "athlete")
                        | (UsersState.editing_role == "support"), field("Team", rx.hstack(
                            _options(UsersState.teams, "Choose a team", UsersState.team_choice,
                                     UsersState.set_team_choice, "Team"),
                            rx.button("Add", on_click=UsersState.set_team(True)),
                            rx.button("Remove", variant="soft", color_scheme="red",
                                      on_click=UsersState.set_team(False)),
                            width="100%"))),
                spacing="4", margin_top="1em"),
            rx.flex(rx.dialog.close(rx.button("Done", variant="soft",
                                              on_click=UsersState.close_editor)),
                    justify="end", margin_top="1.5em"),
            max_width="520px"),
        open=UsersState.editing_id != "",
        on_open_change=lambda _open: UsersState.close_editor())


@page("/admin/users", "Users & roles", UsersState.load)
def users_page() -> rx.Component:
    """The admin list of people."""
    controls = rx.flex(
        rx.input(placeholder="Search name or email…", value=UsersState.search,
                 on_change=UsersState.set_search.debounce(300),
                 aria_label="Search name or email", width=["100%", "260px"]),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by role"),
            rx.select.content(*[rx.select.item(r, value=r) for r in ["all", *ROLES]]),
            value=UsersState.role_filter, on_change=UsersState.set_role_filter),
        gap="2", wrap="wrap", width=["100%", "auto"])
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            "Name", "Email", "Role", "Coaches", "Teams", "")])),
        rx.table.body(rx.foreach(UsersState.rows, _row)),
        variant="surface", width="100%")
    return rx.vstack(
        page_title("Users & roles", controls),
        rx.cond(UsersState.rows.length() > 0, rx.box(table, overflow_x="auto", width="100%"),
                empty_state("No users match.")),
        pager(UsersState.page_label, UsersState),
        _editor(),
        width="100%")
