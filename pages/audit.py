"""`/audit`: the audit log with filters, pages, chain verification and CSV export."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from components.time_zone import zone_note
from components.ui import empty_state, pager
from state.audit import AuditState
from state.session import SessionState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.seq)),
        rx.table.cell(rx.text(row.time, size="1", white_space="nowrap")),
        rx.table.cell(rx.text(row.actor, size="2")),
        rx.table.cell(rx.badge(row.role, variant="soft", size="1")),
        rx.table.cell(rx.vstack(rx.text(row.action_label, size="2"),
                                rx.code(row.action, size="1"), spacing="1")),
        rx.table.cell(rx.cond(row.link != "",
                              rx.link(row.target, href=row.link, size="1"),
                              rx.text(row.target, size="1"))),
        rx.table.cell(rx.text(row.details, size="1", color_scheme="gray"), min_width="14em"),
        rx.table.cell(_show_button(row)),
    )


def _show_button(row: rx.Var) -> rx.Component:
    return rx.button(rx.icon("panel-right-open", size=14), "Show", size="1", variant="soft",
                     aria_label="Show event #" + row.seq,
                     on_click=AuditState.show_event(row.seq))


def _card(row: rx.Var) -> rx.Component:
    """An event on a phone: what, when, who, about what, and the way to all of it."""
    return rx.card(rx.vstack(
        rx.hstack(rx.code(row.seq), rx.text(row.action_label, weight="bold", size="2"),
                  rx.code(row.action, size="1"), rx.spacer(), _show_button(row),
                  align="center", width="100%", wrap="wrap"),
        rx.text(row.time, " · ", row.actor, " (", row.role, ")", size="1",
                color_scheme="gray"),
        rx.cond(row.link != "", rx.link(row.target, href=row.link, size="2"),
                rx.text(row.target, size="2")),
        rx.text(row.details, size="1", color_scheme="gray"),
        spacing="1", width="100%", overflow_wrap="anywhere"), width="100%")


def _filter(name: str, label: str, value: rx.Var, kind: str = "text") -> rx.Component:
    return rx.vstack(rx.text(label, as_="label", html_for=f"audit-{name}", size="1",
                             weight="medium"),
                     rx.input(id=f"audit-{name}", name=name, type=kind, default_value=value,
                              aria_label=label, size="2", auto_complete="off"),
                     spacing="1")


def _lines(lines: rx.Var) -> rx.Component:
    return rx.vstack(rx.foreach(lines, lambda line: rx.text(line, size="2")), spacing="1",
                     width="100%")


def _event_dialog() -> rx.Component:
    """One event in full: who, when, from where, what it changed and why."""
    detail = AuditState.detail
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(detail.title),
        rx.dialog.description("Everything this audit event records, in words.", size="2",
                              color_scheme="gray"),
        rx.vstack(
            _lines(detail.facts),
            rx.cond(detail.lines.length() > 0, _lines(detail.lines)),
            rx.cond(detail.changes.length() > 0, rx.vstack(
                rx.heading("Changes", size="3", as_="h3"),
                rx.box(_lines(detail.changes), padding_left="0.6em",
                       border_left="3px solid var(--gray-a6)", width="100%"),
                rx.cond(detail.more_changes > 0, rx.text(
                    detail.more_changes, " more changes not shown.", size="1",
                    color_scheme="gray")),
                spacing="2", width="100%")),
            rx.flex(
                rx.cond(detail.link != "", rx.link("Open Plan History", href=detail.link,
                                                   size="2")),
                rx.cond(detail.target_id != "", rx.button(
                    "Show this target's events", size="2", variant="soft",
                    on_click=AuditState.only_target)),
                rx.spacer(),
                rx.dialog.close(rx.button("Close", size="2")),
                gap="3", wrap="wrap", align="center", width="100%"),
            spacing="3", width="100%", margin_top="0.8em", overflow_wrap="anywhere"),
        max_width="min(44em, 94vw)"),
        open=AuditState.detail_open, on_open_change=AuditState.set_detail_open)


@page("/audit", "Audit", AuditState.load)
def audit_page() -> rx.Component:
    """The audit browser."""
    filters = rx.form(
        rx.flex(
            _filter("date_from", "From", AuditState.date_from, "date"),
            _filter("date_to", "To", AuditState.date_to, "date"),
            _filter("actor", "Actor (email or id)", AuditState.actor),
            _filter("action", "Action", AuditState.action),
            _filter("target", "Target id", AuditState.target),
            rx.hstack(rx.button("Apply", type="submit"),
                      rx.button("Clear", type="button", variant="soft",
                                on_click=AuditState.clear),
                      align="end"),
            gap="3", wrap="wrap", align="end"),
        on_submit=AuditState.apply, reset_on_submit=False, width="100%")
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            "#", rx.text("Time (", SessionState.zone_label, ")", as_="span"), "Actor", "Role",
            "Action", "Target", "Details", "Event")])),
        rx.table.body(rx.foreach(AuditState.rows, _row)),
        variant="surface", size="1", width="100%")
    actions = rx.hstack(
        rx.button(rx.icon("shield-check", size=16), "Verify chain",
                  on_click=AuditState.verify),
        rx.button(rx.icon("download", size=16), "Export CSV", variant="soft",
                  on_click=AuditState.export))
    return rx.vstack(
        page_title("Audit log", actions),
        zone_note(" (the From and To days too); the CSV export keeps UTC, ISO 8601."),
        rx.cond(AuditState.verify_message != "",
                rx.callout(AuditState.verify_message, role="status", width="100%",
                           icon=rx.cond(AuditState.verify_ok, "circle-check", "octagon-x"),
                           color_scheme=rx.cond(AuditState.verify_ok, "green", "red"))),
        rx.card(filters, width="100%"),
        rx.cond(AuditState.rows.length() > 0, rx.fragment(
            rx.tablet_and_desktop(rx.box(table, overflow_x="auto"), width="100%"),
            rx.mobile_only(rx.vstack(rx.foreach(AuditState.rows, _card), spacing="2"),
                           width="100%")),
            empty_state("No audit events match these filters.")),
        pager("", AuditState),
        _event_dialog(),
        width="100%", spacing="4")
