"""`/experiments`: the list, the create / edit form, its allocation preview and the lifecycle."""

from __future__ import annotations

import dataclasses
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from plangov_app.services.errors import DomainError, InvalidInput
from plangov_app.services.experiments import lifecycle, preview, registry
from plangov_app.services.generation import ALGORITHMS
from plangov_app.services.rbac import Permission
from plangov_app.services.views.experiments_list import (
    ExperimentForm,
    ExperimentRow,
    GuardrailForm,
    Named,
    PreviewTable,
    VariantForm,
    change_status,
    chart_data,
    experiments_list,
    form_config,
    load_form,
    preview_table,
    save,
    teams,
)
from state.session import SignedIn, problem_toast, run_read, run_write

TEXT_FIELDS = ("key", "name", "hypothesis", "randomization", "holdout", "start", "end")
LIST_FIELDS = ("strata", "sports", "levels", "chosen_teams")
#: what each lifecycle step does to athletes, said before it is done
CONFIRM = {
    "start": ("Start this experiment?", "Eligible athletes who consent are enrolled as their next "
              "plan is generated: each gets a variant (or the holdout) and keeps it for this "
              "phase. Variants, weights, strata, holdout and seed lock while it runs."),
    "pause": ("Pause this experiment?", "No one new is enrolled and every athlete's next plan "
              "uses the default algorithm until it is resumed. Assignments are kept."),
    "resume": ("Resume this experiment?", "Enrolment starts again; athletes already assigned "
               "keep their variant."),
    "complete": ("Complete this experiment?", "It ends for good: no one new is enrolled and "
                 "every athlete's next plan uses the default algorithm. Assignments and "
                 "exposures are kept for the analysis."),
    "new_phase": ("Start a new phase?", "Saving re-randomises everyone: each athlete gets a new "
                  "variant under the changed settings when their next plan is generated. The "
                  "earlier phase's assignments stay for the analysis."),
}
STATUS_OF = {"start": lifecycle.RUNNING, "pause": lifecycle.PAUSED,
             "resume": lifecycle.RUNNING, "complete": lifecycle.COMPLETE}


def _figure(traces: list[dict]) -> go.Figure:
    figure = go.Figure(data=traces)
    figure.update_layout(barmode="stack", height=300, margin={"l": 40, "r": 10, "t": 10, "b": 80},
                         legend={"orientation": "h", "y": 1.12}, yaxis_title="Athletes")
    return figure


class ExperimentsState(SignedIn, rx.State):
    """The list's filters and rows, the form being edited and its preview."""

    status_filter: str = "all"
    search: str = ""
    rows: list[ExperimentRow] = []
    loading: bool = True
    load_error: str = ""
    # the form
    editor_open: bool = False
    editing_id: str = ""
    editing_status: str = ""
    new_phase_mode: bool = False
    key: str = ""
    name: str = ""
    hypothesis: str = ""
    randomization: str = "hash"
    variants: list[VariantForm] = []
    strata: list[str] = []
    holdout: str = "0"
    sports: list[str] = []
    levels: list[str] = []
    chosen_teams: list[str] = []
    start: str = ""
    end: str = ""
    guardrails: list[GuardrailForm] = []
    team_options: list[Named] = []
    error_field: str = ""
    error_text: str = ""
    saving: bool = False
    # the preview
    preview: PreviewTable = PreviewTable()
    figure: go.Figure = go.Figure()
    preview_loading: bool = False
    preview_error: str = ""
    # the confirmation
    confirm_action: str = ""

    async def load(self) -> Any:
        """on_load: check experiment:manage, then read the list."""
        actor, redirect = await self._require(Permission.EXPERIMENT_MANAGE)
        if redirect or actor is None:
            return redirect
        self.editor_open = False
        return await self._reload()

    async def _reload(self) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        self.loading = True
        try:
            self.rows = await run_read(experiments_list, actor, status=self.status_filter,
                                       search=self.search)
            self.load_error = ""
        except DomainError as error:
            self.load_error = error.detail
        self.loading = False
        return None

    async def set_status_filter(self, value: str) -> Any:
        """Filter the list by status."""
        self.status_filter = value
        return await self._reload()

    async def set_search(self, value: str) -> Any:
        """Search key or name as you type."""
        self.search = value[:100]
        return await self._reload()

    # --- the form -------------------------------------------------------------------------

    def _form(self) -> ExperimentForm:
        return ExperimentForm(
            key=self.key, name=self.name, hypothesis=self.hypothesis,
            randomization=self.randomization, variants=list(self.variants),
            strata=list(self.strata), holdout=self.holdout, sports=list(self.sports),
            levels=list(self.levels), teams=list(self.chosen_teams), start=self.start,
            end=self.end, guardrails=list(self.guardrails))

    def _fill(self, form: ExperimentForm) -> None:
        for name in ("key", "name", "hypothesis", "randomization", "holdout", "start", "end"):
            setattr(self, name, getattr(form, name))
        self.variants, self.guardrails = list(form.variants), list(form.guardrails)
        self.strata, self.sports, self.levels = form.strata, form.sports, form.levels
        self.chosen_teams = form.teams
        self.error_field = self.error_text = ""

    async def _open(self, form: ExperimentForm, experiment_id: str, status: str) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        self.team_options = await run_read(teams, actor)
        self._fill(form)
        self.editing_id, self.editing_status = experiment_id, status
        self.new_phase_mode, self.editor_open = False, True
        return await self._changed()

    async def new_experiment(self) -> Any:
        """Open an empty form (two variants, 50 / 50)."""
        return await self._open(ExperimentForm(), "", lifecycle.DRAFT)

    async def edit(self, experiment_id: str) -> Any:
        """Open the form on a stored experiment."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            form, status = await run_read(load_form, actor, experiment_id)
        except DomainError as error:
            return problem_toast(error)
        return await self._open(form, experiment_id, status)

    def close_editor(self) -> None:
        """Close the form (nothing is saved)."""
        self.editor_open = False
        self.new_phase_mode = False

    def _validate(self) -> bool:
        """The registry's checks on the form; the first problem beside its field."""
        try:
            registry.validate(form_config(self._form()))
        except InvalidInput as error:
            self.error_field = str(error.extra.get("field", ""))
            self.error_text = error.detail
            return False
        self.error_field = self.error_text = ""
        return True

    async def _changed(self) -> Any:
        """Validate as typed and recompute the preview."""
        if not self._validate():
            self.preview_error = "The preview waits for the form to be valid."
            return None
        return await self._preview()

    async def _preview(self) -> Any:
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        self.preview_loading = True
        config = form_config(self._form())
        try:
            result = await run_read(preview.preview, actor=actor,
                                    experiment_id=self.editing_id or None, config=config)
        except DomainError as error:
            self.preview_error, self.preview_loading = error.detail, False
            return None
        names = {t.id: t.name for t in self.team_options}
        self.preview = preview_table(result, names)
        self.figure = _figure(chart_data(result, names))
        self.preview_error, self.preview_loading = "", False
        return None

    async def set_text(self, name: str, value: str) -> Any:
        """One text field of the form (key, name, hypothesis, mode, holdout, start, end)."""
        if name not in TEXT_FIELDS:
            return None
        setattr(self, name, str(value)[:2000])
        return await self._changed()

    async def toggle(self, name: str, value: str, checked: bool) -> Any:
        """Tick or untick a stratification key or an eligibility choice."""
        if name not in LIST_FIELDS:
            return None
        current = [v for v in getattr(self, name) if v != value]
        setattr(self, name, [*current, value] if checked else current)
        return await self._changed()

    async def set_variant(self, index: int, part: str, value: str) -> Any:
        """A variant's key, weight or algorithm."""
        rows = list(self.variants)
        if not 0 <= index < len(rows) or part not in ("key", "weight", "algorithm"):
            return None
        rows[index] = dataclasses.replace(rows[index], **{part: str(value)[:64]})
        self.variants = rows
        return await self._changed()

    async def add_variant(self) -> Any:
        """Add a variant (weight 0 until it is given one)."""
        if len(self.variants) < 10:
            self.variants = [*self.variants,
                             VariantForm(f"variant_{len(self.variants) + 1}", "0", ALGORITHMS[0])]
        return await self._changed()

    async def remove_variant(self, index: int) -> Any:
        """Remove a variant."""
        self.variants = [v for i, v in enumerate(self.variants) if i != index]
        return await self._changed()

    async def set_guardrail(self, index: int, part: str, value: str) -> Any:
        """A guardrail's metric or maximum relative drop."""
        rows = list(self.guardrails)
        if not 0 <= index < len(rows) or part not in ("metric", "drop"):
            return None
        rows[index] = dataclasses.replace(rows[index], **{part: str(value)[:32]})
        self.guardrails = rows
        return await self._changed()

    async def add_guardrail(self) -> Any:
        """Add a guardrail."""
        self.guardrails = [*self.guardrails, GuardrailForm()]
        return await self._changed()

    async def remove_guardrail(self, index: int) -> Any:
        """Remove a guardrail."""
        self.guardrails = [g for i, g in enumerate(self.guardrails) if i != index]
        return await self._changed()

    async def save_form(self) -> Any:
        """Save the form: create or update (a new phase when unlocked for one); audited."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        if not self._validate():
            return rx.toast.error(self.error_text)
        self.saving = True
        try:
            experiment_id = await run_write(save, actor, experiment_id=self.editing_id,
                                            form=self._form(), context=self._context(),
                                            new_phase=self.new_phase_mode)
        except DomainError as error:
            self.saving = False
            self.error_field = str(error.extra.get("field", ""))
            self.error_text = error.detail
            return problem_toast(error)
        created = not self.editing_id
        self.saving, self.new_phase_mode = False, False
        self.editing_id = experiment_id
        await self._reload()
        form, status = await run_read(load_form, actor, experiment_id)
        self._fill(form)
        self.editing_status = status
        return rx.toast.success(f"Experiment {self.key} {'created' if created else 'saved'}.")

    # --- lifecycle ------------------------------------------------------------------------

    def ask(self, action: str) -> None:
        """Open the confirmation for a lifecycle step."""
        if action in CONFIRM:
            self.confirm_action = action

    def cancel(self) -> None:
        """Close the confirmation; nothing changes."""
        self.confirm_action = ""

    async def confirm(self) -> Any:
        """Do the confirmed step (a status change, or unlock the form for a new phase)."""
        action, self.confirm_action = self.confirm_action, ""
        if action == "new_phase":
            self.new_phase_mode = True
            return rx.toast.info("Locked fields are open: change them and save the new phase.")
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            status = await run_write(change_status, actor, experiment_id=self.editing_id,
                                     status=STATUS_OF[action], context=self._context())
        except DomainError as error:
            return problem_toast(error)
        self.editing_status = status
        await self._reload()
        return rx.toast.success(f"Experiment {self.key} is now {lifecycle.label(status).lower()}.")

    @rx.var
    def confirm_title(self) -> str:
        """The confirmation's title."""
        return CONFIRM.get(self.confirm_action, ("", ""))[0]

    @rx.var
    def confirm_text(self) -> str:
        """What the step does to athletes."""
        return CONFIRM.get(self.confirm_action, ("", ""))[1]

    @rx.var
    def locked(self) -> bool:
        """Whether the reshuffling fields are locked (running or paused, no new phase)."""
        return lifecycle.fields_locked(self.editing_status) and not self.new_phase_mode

    @rx.var
    def read_only(self) -> bool:
        """A completed experiment takes no edits."""
        return lifecycle.is_final(self.editing_status)
