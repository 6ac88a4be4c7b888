"""`/audit`: the audit log with filters, pages, chain verification and CSV export."""

from __future__ import annotations

import reflex as rx

from components.layout import page, page_title
from components.ui import empty_state, pager
from state.audit import AuditState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.seq)),
        rx.table.cell(rx.text(row.time, size="1")),
        rx.table.cell(rx.text(row.actor, size="2")),
        rx.table.cell(rx.badge(row.role, variant="soft", size="1")),
        rx.table.cell(rx.code(row.action)),
        rx.table.cell(rx.cond(row.link != "",
                              rx.link(row.target, href=row.link, size="1"),
                              rx.text(row.target, size="1"))),
        rx.table.cell(rx.text(row.metadata, size="1", color_scheme="gray")),
    )


def _filter(name: str, label: str, value: rx.Var, kind: str = "text") -> rx.Component:
    return rx.vstack(rx.text(label, as_="label", html_for=f"audit-{name}", size="1",
                             weight="medium"),
                     rx.input(id=f"audit-{name}", name=name, type=kind, default_value=value,
                              aria_label=label, size="2"),
                     spacing="1")


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
            "#", "Time (UTC)", "Actor", "Role", "Action", "Target", "Details")])),
        rx.table.body(rx.foreach(AuditState.rows, _row)),
        variant="surface", size="1", width="100%")
    actions = rx.hstack(
        rx.button(rx.icon("shield-check", size=16), "Verify chain",
                  on_click=AuditState.verify),
        rx.button(rx.icon("download", size=16), "Export CSV", variant="soft",
                  on_click=AuditState.export))
    return rx.vstack(
        page_title("Audit log", actions),
        rx.cond(AuditState.verify_message != "",
                rx.callout(AuditState.verify_message, role="status", width="100%",
                           icon=rx.cond(AuditState.verify_ok, "circle-check", "octagon-x"),
                           color_scheme=rx.cond(AuditState.verify_ok, "green", "red"))),
        rx.card(filters, width="100%"),
        rx.cond(AuditState.rows.length() > 0, rx.box(table, overflow_x="auto", width="100%"),
                empty_state("No audit events match these filters.")),
        pager("", AuditState),
        width="100%", spacing="4")
