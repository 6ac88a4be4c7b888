"""A version's changes in words: a table (kind, what changed) and a plain list."""

from __future__ import annotations

import reflex as rx


def _change(c: rx.Var) -> rx.Component:
    colour = rx.match(c.kind, ("added", "green"), ("removed", "red"), ("moved", "blue"),
                      "amber")
    return rx.table.row(rx.table.cell(rx.badge(c.label, color_scheme=colour)),
                        rx.table.cell(rx.text(c.text, size="2")))


def diff_table(changes: rx.Var) -> rx.Component:
    """The changes (rows with `kind`, `label`, `text`), or a line saying there are none."""
    return rx.cond(changes.length() > 0, rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
            "Type", "What changed")])),
        rx.table.body(rx.foreach(changes, _change)),
        size="1", variant="surface", width="100%"), overflow_x="auto", width="100%"),
        rx.text("No field changes between these versions.", size="2"))


def change_list(title: str, changes: rx.Var, more: rx.Var) -> rx.Component:
    """The changes as sentences under a heading that opens them (closed at first)."""
    return rx.cond(changes.length() > 0, rx.el.details(
        rx.el.summary(rx.text(title, " (", changes.length() + more, ")", as_="span",
                              size="2", weight="medium"), cursor="pointer"),
        rx.el.ul(rx.foreach(changes, lambda c: rx.el.li(rx.text(c, size="2"))),
                 padding_left="1.2em", margin_top="0.4em"),
        rx.cond(more > 0, rx.text(more, " more not shown.", size="1", color_scheme="gray")),
        width="100%"))
