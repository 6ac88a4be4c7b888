"""The experiment form (create / edit), its allocation preview and the lifecycle buttons."""

from __future__ import annotations

import reflex as rx

from plangov_app.services.experiments.assignment import STRATIFICATION_KEYS
from plangov_app.services.experiments.registry import GUARDRAIL_METRICS
from plangov_app.services.generation import ALGORITHMS
from plangov_app.services.views.experiments_list import LEVELS, SPORTS
from state.experiments import ExperimentsState as S

LOCK_REASON = ("Locked while the experiment is live: changing it would reshuffle athletes "
               "already assigned. Start a new phase to change it.")


def choice(options: list[str], value: rx.Var, on_change: object, label: rx.Var | str, *,
           disabled: rx.Var | bool = False, id_: str | None = None) -> rx.Component:
    """A select whose trigger carries the label (so a screen reader and a test find it)."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, id=id_),
        rx.select.content(*[rx.select.item(o, value=o) for o in options]),
        value=value, on_change=on_change, disabled=disabled)


def _error(field: str) -> rx.Component:
    return rx.cond(S.error_field == field,
                   rx.text(S.error_text, size="1", color_scheme="red", role="alert"))


def _labelled(label: str, control: rx.Component, field: str, html_for: str) -> rx.Component:
    return rx.vstack(rx.text(label, as_="label", html_for=html_for, size="2", weight="medium"),
                     control, _error(field), spacing="1", width="100%")


def _text(name: str, label: str, value: rx.Var, *, kind: str = "text",
          disabled: rx.Var | bool = False, placeholder: str = "") -> rx.Component:
    control = rx.input(id=f"exp-{name}", value=value, type=kind, aria_label=label,
                       placeholder=placeholder, disabled=disabled, width="100%",
                       on_change=lambda v: S.set_text(name, v))
    field = {"holdout": "holdout_percentage", "start": "start_at", "end": "end_at"}.get(name, name)
    return _labelled(label, control, field, f"exp-{name}")


def _locked_note() -> rx.Component:
    return rx.cond(S.locked, rx.callout(LOCK_REASON, icon="lock", size="1", color_scheme="gray",
                                        id="lock-reason", width="100%"))


def _checks(name: str, label: str, options: list[tuple[str, str]] | rx.Var,
            chosen: rx.Var, disabled: rx.Var | bool = False) -> rx.Component:
    def box(value: rx.Var | str, text: rx.Var | str) -> rx.Component:
        return rx.box(rx.checkbox(text, checked=chosen.contains(value), disabled=disabled,
                                  on_change=lambda c: S.toggle(name, value, c)),
                      padding_right="0.75em")
    boxes = (rx.foreach(options, lambda t: box(t.id, t.name)) if isinstance(options, rx.Var)
             else rx.fragment(*[box(v, t) for v, t in options]))
    return rx.vstack(rx.text(label, size="2", weight="medium"),
                     rx.flex(boxes, gap="3", wrap="wrap", role="group", aria_label=label),
                     spacing="1", width="100%")


def _variant(v: rx.Var, i: rx.Var) -> rx.Component:
    n = (i + 1).to_string()
    where = "variants." + i.to_string()
    disabled = S.locked | S.read_only
    return rx.vstack(
        rx.flex(
            rx.input(value=v.key, aria_label="Variant " + n + " key", disabled=disabled,
                     on_change=lambda x: S.set_variant(i, "key", x), width="10em"),
            rx.input(value=v.weight, aria_label="Variant " + n + " weight (%)", type="text",
                     input_mode="decimal", disabled=disabled, width="6em",
                     on_change=lambda x: S.set_variant(i, "weight", x)),
            choice(list(ALGORITHMS), v.algorithm, lambda x: S.set_variant(i, "algorithm", x),
                   "Variant " + n + " algorithm", disabled=disabled),
            rx.icon_button(rx.icon("x", size=14), variant="soft", color_scheme="red",
                           size="1", disabled=disabled | (S.variants.length() <= 2),
                           aria_label="Remove variant " + n, on_click=S.remove_variant(i)),
            gap="2", align="center", wrap="wrap"),
        rx.cond(S.error_field.contains(where),
                rx.text(S.error_text, size="1", color_scheme="red", role="alert")),
        spacing="1")


def _variants() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text("Variants (key, weight %, algorithm)", size="2", weight="medium"),
                  rx.spacer(),
                  rx.button(rx.icon("plus", size=14), "Add variant", size="1", variant="soft",
                            disabled=S.locked | S.read_only | (S.variants.length() >= 10),
                            on_click=S.add_variant),
                  width="100%", align="center"),
        rx.foreach(S.variants, _variant),
        _error("variants"),
        spacing="2", width="100%")


def _guardrail(g: rx.Var, i: rx.Var) -> rx.Component:
    n = (i + 1).to_string()
    return rx.vstack(rx.flex(
        choice(list(GUARDRAIL_METRICS), g.metric, lambda x: S.set_guardrail(i, "metric", x),
               "Guardrail " + n + " metric", disabled=S.read_only),
        rx.input(value=g.drop, aria_label="Guardrail " + n + " max relative drop",
                 disabled=S.read_only, width="6em",
                 on_change=lambda x: S.set_guardrail(i, "drop", x)),
        rx.icon_button(rx.icon("x", size=14), variant="soft", color_scheme="red", size="1",
                       aria_label="Remove guardrail " + n, disabled=S.read_only,
                       on_click=S.remove_guardrail(i)),
        gap="2", align="center", wrap="wrap"),
        rx.cond(S.error_field.contains("guardrails." + i.to_string()),
                rx.text(S.error_text, size="1", color_scheme="red", role="alert")),
        spacing="1")


def _guardrails() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text("Guardrails (metric, max relative drop as a fraction)", size="2",
                          weight="medium"),
                  rx.spacer(),
                  rx.button(rx.icon("plus", size=14), "Add guardrail", size="1", variant="soft",
                            disabled=S.read_only, on_click=S.add_guardrail),
                  width="100%", align="center"),
        rx.foreach(S.guardrails, _guardrail),
        spacing="2", width="100%")


def form_fields() -> rx.Component:
    """Every field of the form, validated as typed."""
    locked = S.locked | S.read_only
    return rx.vstack(
        rx.flex(_text("key", "Key", S.key, disabled=S.editing_id != "",
                      placeholder="lp-vs-dup"),
                _text("name", "Name", S.name, disabled=S.read_only), gap="3", width="100%"),
        _text("hypothesis", "Hypothesis", S.hypothesis, disabled=S.read_only),
        _locked_note(),
        _labelled("Randomisation", choice(
            ["hash", "stratified_blocks"], S.randomization,
            lambda v: S.set_text("randomization", v), "Randomisation", disabled=locked,
            id_="exp-randomization"), "randomization", "exp-randomization"),
        _variants(),
        _checks("strata", "Stratify by", [(k, k.replace("_", " ")) for k in STRATIFICATION_KEYS],
                S.strata, locked),
        _error("stratification_keys"),
        rx.flex(_text("holdout", "Holdout %", S.holdout, disabled=locked),
                _text("start", "Start (UTC)", S.start, kind="datetime-local",
                      disabled=S.read_only),
                _text("end", "End (UTC)", S.end, kind="datetime-local", disabled=S.read_only),
                gap="3", width="100%", wrap="wrap"),
        rx.heading("Eligibility", size="3", as_="h3"),
        _checks("sports", "Sports", [(s, s) for s in SPORTS], S.sports, S.read_only),
        _checks("levels", "Levels", [(lv, lv) for lv in LEVELS], S.levels, S.read_only),
        _checks("chosen_teams", "Teams", S.team_options, S.chosen_teams, S.read_only),
        rx.text("None ticked: everyone with experiment consent.", size="1", color_scheme="gray"),
        _error("eligibility"),
        _guardrails(),
        spacing="3", width="100%")


def _preview_table() -> rx.Component:
    p = S.preview
    return rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell("Stratum"),
            rx.foreach(p.variants, lambda v: rx.table.column_header_cell(v)),
            rx.table.column_header_cell("Holdout"))),
        rx.table.body(
            rx.foreach(p.rows, lambda r: rx.table.row(
                rx.table.cell(rx.hstack(rx.text(r.stratum, size="2"), rx.cond(
                    r.small, rx.badge("too few", color_scheme="amber", size="1")), spacing="2")),
                rx.foreach(r.counts, lambda c: rx.table.cell(c)),
                rx.table.cell(r.holdout))),
            rx.table.row(
                rx.table.row_header_cell(rx.text("Total", weight="bold")),
                rx.foreach(p.totals, lambda c: rx.table.cell(rx.text(c, weight="bold"))),
                rx.table.cell(rx.text(p.holdout, weight="bold")))),
        variant="surface", size="1", width="100%")


def preview_panel() -> rx.Component:
    """How today's athletes would split: table, chart, exclusions, small strata."""
    p = S.preview
    body = rx.cond(
        S.preview_error != "",
        rx.callout(S.preview_error, icon="triangle-alert", color_scheme="amber", size="1",
                   width="100%"),
        rx.cond(p.matched == 0,
                rx.center(rx.text("No athletes match", color_scheme="gray"),
                          padding="2em", border="1px dashed var(--gray-a6)", width="100%"),
                rx.vstack(
                    rx.text(p.matched, " of ", p.population, " athletes would take part.",
                            size="2"),
                    rx.cond(p.excluded.length() > 0, rx.text(
                        "Excluded — ", p.excluded.join(", "), size="2", color_scheme="gray")),
                    rx.cond(p.small_note != "", rx.callout(
                        p.small_note, icon="scale", color_scheme="amber", size="1",
                        width="100%", id="small-strata")),
                    rx.cond(p.block_note != "", rx.text(p.block_note, size="1",
                                                        color_scheme="gray")),
                    rx.box(_preview_table(), overflow_x="auto", width="100%", max_height="22em",
                           overflow_y="auto", id="preview-table"),
                    rx.cond(p.more_strata > 0, rx.text(p.more_strata, " more strata in the chart.",
                                                       size="1", color_scheme="gray")),
                    rx.plotly(data=S.figure, width="100%", height="300px"),
                    spacing="2", width="100%")))
    return rx.vstack(
        rx.hstack(rx.heading("Allocation preview", size="4", as_="h2"),
                  rx.cond(S.preview_loading, rx.spinner(size="2")), align="center"),
        rx.text("Today's active athletes, as they would split now. Nothing is written.",
                size="1", color_scheme="gray"),
        body, spacing="2", width="100%", id="allocation-preview", role="region",
        aria_label="Allocation preview")


def lifecycle_buttons() -> rx.Component:
    """Start, pause, resume, complete and new phase, each behind a confirmation."""
    status = S.editing_status
    saved = S.editing_id != ""
    return rx.flex(
        rx.cond(saved & (status == "draft"), rx.button(
            rx.icon("play", size=14), "Start", color_scheme="green", on_click=S.ask("start"))),
        rx.cond(status == "running", rx.button(
            rx.icon("pause", size=14), "Pause", variant="soft", on_click=S.ask("pause"))),
        rx.cond(status == "paused", rx.button(
            rx.icon("play", size=14), "Resume", color_scheme="green", on_click=S.ask("resume"))),
        rx.cond((status == "running") | (status == "paused"), rx.fragment(
            rx.button(rx.icon("flag", size=14), "Complete", variant="soft", color_scheme="red",
                      on_click=S.ask("complete")),
            rx.button(rx.icon("shuffle", size=14), "New phase", variant="outline",
                      disabled=S.new_phase_mode, on_click=S.ask("new_phase")))),
        gap="2", wrap="wrap")


def confirm_dialog() -> rx.Component:
    """What the chosen step does to athletes, and Confirm / Cancel."""
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title(S.confirm_title),
        rx.alert_dialog.description(S.confirm_text, size="2"),
        rx.flex(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", on_click=S.cancel)),
                rx.alert_dialog.action(rx.button("Confirm", on_click=S.confirm)),
                gap="3", justify="end", margin_top="1em"),
        max_width="480px"), open=S.confirm_action != "")


def editor_panel() -> rx.Component:
    """The form and its preview side by side (stacked below 1024 px)."""
    title = rx.cond(S.editing_id == "", "New experiment", "Edit " + S.key)
    return rx.card(rx.vstack(
        rx.flex(rx.heading(title, size="5", as_="h2"),
                rx.cond(S.editing_id != "", rx.badge(S.editing_status, variant="soft")),
                rx.spacer(), lifecycle_buttons(),
                gap="3", align="center", width="100%", wrap="wrap"),
        rx.grid(form_fields(), preview_panel(),
                columns=rx.breakpoints(initial="1", md="2"), gap="5", width="100%"),
        rx.flex(
            rx.button(rx.icon("save", size=14),
                      rx.cond(S.new_phase_mode, "Save the new phase", "Save"),
                      on_click=S.save_form, loading=S.saving, disabled=S.read_only),
            rx.button("Close", variant="soft", on_click=S.close_editor),
            rx.cond(S.editing_id != "", rx.link("Open the experiment page",
                                                href="/experiments/" + S.editing_id, size="2")),
            gap="3", align="center", width="100%"),
        spacing="4", width="100%"), width="100%", id="experiment-editor")
