"""`/flags`: feature flags — list, create, edit rules (with a confirmation), history."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from components.ui import empty_state
from plangov_app.services.views.flags_page import ROLES
from state.flags_admin import FlagsAdminState as S

F = S.form


def _problem(problems: rx.Var, box: str, prefix: str = "flag") -> rx.Component:
    return rx.cond(problems.contains(box),
                   rx.text(problems[box].to(str), id=f"{prefix}-why-{box}", role="alert",
                           size="1", color="var(--red-11)"))


def _invalid(problems: rx.Var, box: str, prefix: str = "flag") -> dict:
    return {"aria_invalid": rx.cond(problems.contains(box), "true", "false"),
            "aria_describedby": rx.cond(problems.contains(box), f"{prefix}-why-{box}", "")}


def _labelled(label: str, html_for: str, control: rx.Component, box: str,
              hint: str = "", problems: rx.Var = S.problems,
              prefix: str = "flag") -> rx.Component:
    return rx.vstack(rx.text(label, as_="label", html_for=html_for, size="2", weight="bold"),
                     control, rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
                     _problem(problems, box, prefix), spacing="1", width="100%")


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.code(row.key, size="2"),
                                rx.text(row.description, size="1", color_scheme="gray"),
                                spacing="1"), max_width="22em"),
        rx.table.cell(rx.cond(row.enabled, rx.badge("On", color_scheme="green"),
                              rx.badge("Off", color_scheme="gray"))),
        rx.table.cell(rx.text(row.rollout, size="2")),
        rx.table.cell(rx.text(row.roles, size="2")),
        rx.table.cell(rx.text(row.allow, size="2", white_space="nowrap")),
        rx.table.cell(rx.vstack(rx.text(row.changed_by, size="2"),
                                rx.text(row.changed_at, size="1", color_scheme="gray",
                                        white_space="nowrap"), spacing="0")),
        rx.table.cell(rx.button("Edit", size="1", variant="soft", on_click=S.edit(row.key),
                                aria_label="Edit " + row.key)),
    )


def _table() -> rx.Component:
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            "Flag", "State", "Rollout", "Roles", "Allow-list", "Last changed", "")])),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface", width="100%", aria_label="Feature flags")
    return rx.cond(
        ~S.loaded, rx.center(rx.spinner(size="3"), rx.text("Loading flags…", margin_left="0.5em"),
                             padding="2em", role="status", width="100%"),
        rx.cond(S.load_error != "",
                rx.callout(S.load_error, icon="octagon-x", color_scheme="red", role="alert",
                           width="100%"),
                rx.cond(S.rows.length() > 0, rx.box(table, overflow_x="auto", width="100%"),
                        empty_state("No flags yet. Create one with New flag.", "flag"))))


def _create_dialog() -> rx.Component:
    problems = S.create_problems
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title("New flag"),
        rx.dialog.description("Created with rollout 100% for every role: switched on, it is on "
                              "for everyone until you narrow its rules.", size="2"),
        rx.vstack(
            _labelled("Key", "new-flag-key", rx.input(
                id="new-flag-key", value=S.new_key, on_change=S.set_new_key, aria_label="Key",
                placeholder="e.g. calendar_v2", auto_complete="off", width="100%",
                **_invalid(problems, "key", "new-flag")),
                "key", "Lower-case letters, digits, _ . -; starts with a letter.",
                problems, "new-flag"),
            _labelled("Description", "new-flag-description", rx.text_area(
                id="new-flag-description", value=S.new_description,
                on_change=S.set_new_description, aria_label="Description", width="100%",
                **_invalid(problems, "description", "new-flag")),
                "description", "What it switches, for whoever reads the list.", problems,
                "new-flag"),
            rx.hstack(rx.switch(id="new-flag-enabled", checked=S.new_enabled,
                                on_change=S.set_new_enabled, aria_label="Switched on"),
                      rx.text("Switched on", as_="label", html_for="new-flag-enabled",
                              size="2"), align="center"),
            _problem(problems, "enabled", "new-flag"),
            spacing="3", width="100%", margin_top="1em"),
        rx.flex(rx.dialog.close(rx.button("Cancel", variant="soft")),
                rx.button("Create flag", on_click=S.create),
                spacing="2", justify="end", margin_top="1.2em"),
        max_width="480px"),
        open=S.create_open, on_open_change=S.set_create_open)


def _rollout() -> rx.Component:
    return rx.vstack(
        rx.text("Rollout %", as_="label", html_for="flag-percentage", size="2", weight="bold"),
        rx.hstack(
            rx.slider(value=[S.percentage_value], min=0, max=100, step=1,
                      on_change=S.set_slider.throttle(100), aria_label="Rollout slider",
                      width="100%"),
            rx.input(id="flag-percentage", type="number", min=0, max=100, step="any",
                     value=F.percentage, on_change=S.set_percentage, aria_label="Rollout %",
                     width="7em", **_invalid(S.problems, "percentage")),
            align="center", spacing="3", width="100%"),
        rx.text("Of the users the roles let in, this share sees it (stable per user).",
                size="1", color_scheme="gray"),
        _problem(S.problems, "percentage"), spacing="1", width="100%")


def _roles() -> rx.Component:
    return rx.vstack(
        rx.text("Roles", size="2", weight="bold", id="flag-roles-label"),
        rx.flex(*[rx.checkbox(role.replace("_", " "), checked=F.roles.contains(role),
                              on_change=lambda checked, role=role: S.set_role(role, checked),
                              spacing="2")
                  for role in ROLES], spacing="4", wrap="wrap", role="group",
                aria_labelledby="flag-roles-label"),
        rx.text("None ticked: every role.", size="1", color_scheme="gray"),
        _problem(S.problems, "roles"), spacing="1", width="100%")


def _editor() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading("Rules of ", rx.code(F.key), size="4", as_="h2"), rx.spacer(),
                  rx.button("Close", size="1", variant="ghost", on_click=S.close_editor),
                  width="100%", align="center"),
        rx.text(F.reach, size="2", color_scheme="gray"),
        rx.hstack(rx.switch(id="flag-enabled", checked=F.enabled, on_change=S.set_enabled,
                            aria_label="Flag on"),
                  rx.text(rx.cond(F.enabled, "On: the rules below decide",
                                  "Off for everyone (the kill switch beats every rule)"),
                          as_="label", html_for="flag-enabled", size="2"),
                  align="center"),
        _problem(S.problems, "enabled"),
        _labelled("Description", "flag-description", rx.text_area(
            id="flag-description", value=F.description, on_change=S.set_description,
            aria_label="Description", width="100%", **_invalid(S.problems, "description")),
            "description"),
        _rollout(),
        _roles(),
        _labelled("Allow-list", "flag-allow", rx.text_area(
            id="flag-allow", value=F.allow_text, on_change=S.set_allow_text, rows="4",
            aria_label="Allow-list", placeholder="athlete15@demo.test", width="100%",
            **_invalid(S.problems, "allow")),
            "allow", "One email (or user id) per line: on for them whatever the roles and "
                     "rollout. Stored as user ids; shown as emails to admins only."),
        rx.flex(rx.button("Save rules", on_click=S.save, loading=S.saving),
                justify="end", width="100%"),
        spacing="3", width="100%"), width="100%")


def _change(change: rx.Var) -> rx.Component:
    return rx.box(rx.vstack(
        rx.hstack(rx.text(change.action, weight="bold", size="2"),
                  rx.text(change.who, size="2"), spacing="2", wrap="wrap"),
        rx.text(change.when, size="1", color_scheme="gray"),
        rx.vstack(rx.foreach(change.lines, lambda line: rx.text(line, size="2")), spacing="0"),
        spacing="1"), padding_left="0.6em", border_left="3px solid var(--gray-a6)",
        width="100%", role="listitem")


def _history() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("History", size="4", as_="h2"),
        rx.text("Who changed what and when, from the audit log (newest first).", size="1",
                color_scheme="gray"),
        rx.cond(S.history.length() > 0,
                rx.vstack(rx.foreach(S.history, _change), spacing="3", width="100%",
                          role="list", aria_label="Changes of " + F.key),
                rx.text("No changes recorded.", size="2", color_scheme="gray")),
        spacing="3", width="100%", overflow_wrap="anywhere"), width="100%")


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title("Change who sees ", F.key, "?"),
        rx.alert_dialog.description(S.confirm_text, size="2"),
        rx.flex(rx.alert_dialog.cancel(rx.button("Keep it as it is", variant="soft")),
                rx.alert_dialog.action(rx.button("Save and apply", on_click=S.confirm)),
                spacing="2", justify="end", margin_top="1em", wrap="wrap"),
        max_width="480px"),
        open=S.confirm_open, on_open_change=S.set_confirm_open)


@page("/flags", "Feature flags", S.load)
def flags_page() -> rx.Component:
    """The flags of the UI, their rules and who changed them."""
    return rx.vstack(
        page_title("Feature flags", rx.button(rx.icon("plus", size=16), "New flag",
                                              on_click=S.set_create_open(True))),
        rx.text("A flag switches a feature for chosen users. Every change is audited; users "
                "see it on their next page load.", size="2", color_scheme="gray"),
        _table(),
        rx.cond(F.key != "", rx.grid(_editor(), _history(),
                                     columns=rx.breakpoints(initial="1", sm="2"), spacing="4",
                                     width="100%")),
        _create_dialog(),
        _confirm(),
        width="100%", spacing="4")
