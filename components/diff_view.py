"""A version's field changes as a table (Type, What, Old, New)."""

from __future__ import annotations

import reflex as rx


def _change(c: rx.Var) -> rx.Component:
    colour = rx.match(c.kind, ("added", "green"), ("removed", "red"), "amber")
    return rx.table.row(rx.table.cell(rx.badge(c.kind, color_scheme=colour)),
                        rx.table.cell(rx.text(c.path, size="1")),
                        rx.table.cell(rx.text(c.old, size="1", color="var(--red-11)")),
                        rx.table.cell(rx.text(c.new, size="1", color="var(--green-11)")))


def diff_table(changes: rx.Var) -> rx.Component:
    """The changes, or a line saying there are none."""
    return rx.cond(changes.length() > 0, rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            "Type", "What", "Old", "New")])),
        rx.table.body(rx.foreach(changes, _change)),
        size="1", variant="surface", width="100%"), overflow_x="auto", width="100%"),
        rx.text("No field changes between these versions.", size="2"))
