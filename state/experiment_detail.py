"""The experiment page: one experiment's read model mapped to vars, and its two charts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Permission
from plangov_app.services.views.experiment_detail import (
    ExperimentPage,
    Fact,
    HistoryRow,
    Series,
    SrmView,
    VariantRow,
    cumulative,
    experiment_page,
)
from state.session import SignedIn, run_read

_LAYOUT = {"height": 300, "margin": {"l": 48, "r": 12, "t": 12, "b": 40},
           "legend": {"orientation": "h", "y": -0.2, "traceorder": "normal"},
           "hovermode": "x unified",
           "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"}


def _figure(days: list[str], series: list[Series], *, running_total: bool,
            y_title: str) -> go.Figure:
    """Lines of running totals (enrolment) or stacked daily areas (exposures)."""
    figure = go.Figure()
    for one in series:
        counts = cumulative(one.counts) if running_total else one.counts
        figure.add_trace(go.Scatter(
            x=days, y=counts, name=one.name, mode="lines+markers" if len(days) < 30 else "lines",
            line={"dash": "dot"} if one.name == "Holdout" else None,
            stackgroup=None if running_total else "exposures"))
    figure.update_layout(**_LAYOUT, yaxis={"title": y_title, "rangemode": "tozero"},
                         xaxis=_days_axis(days))
    return figure


def _days_axis(days: list[str]) -> dict[str, Any]:
    """Whole days on the x axis, padded half a day each side (one day still reads as a day)."""
    if not days:
        return {"type": "date"}
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    pad = timedelta(hours=12)
    axis: dict[str, Any] = {"type": "date", "tickformat": "%d %b",
                            "range": [(datetime.combine(first, time()) - pad).isoformat(),
                                      (datetime.combine(last, time()) + pad).isoformat()]}
    if len(days) <= 31:
        axis["dtick"] = 86_400_000  # one tick a day
    return axis


class ExperimentDetailState(SignedIn, rx.State):
    """The experiment of the URL: config, counts, SRM, charts and history."""

    experiment_id: str = ""
    loading: bool = True
    found: bool = True
    error: str = ""
    key: str = ""
    name: str = ""
    status: str = ""
    status_label: str = ""
    phase: int = 1
    facts: list[Fact] = []
    variants: list[VariantRow] = []
    enrolled: int = 0
    holdout: int = 0
    holdout_text: str = ""
    exposures: int = 0
    has_data: bool = False
    srm: SrmView = SrmView()
    history: list[HistoryRow] = []
    more_history: int = 0
    enrolment_figure: go.Figure = go.Figure()
    exposure_figure: go.Figure = go.Figure()

    async def load(self) -> Any:
        """on_load: experiment:view, then the experiment of the URL (a spinner meanwhile)."""
        actor, redirect = await self._require(Permission.EXPERIMENT_VIEW)
        if redirect or actor is None:
            yield redirect
            return
        wanted = self._url_id()
        if wanted != self.experiment_id:
            self.loading, self.experiment_id = True, wanted
            yield
        try:
            page = await run_read(experiment_page, actor, wanted)
        except DomainError as error:
            self.found = error.status != 404
            self.error = "" if error.status == 404 else error.detail
            self.loading = False
            return
        self._show(page)

    def _show(self, page: ExperimentPage) -> None:
        self.found, self.error, self.loading = True, "", False
        self.key, self.name, self.phase = page.key, page.name, page.phase
        self.status, self.status_label = page.status, page.status_label
        self.facts, self.variants = page.facts, page.variants
        self.enrolled, self.holdout, self.holdout_text = (page.enrolled, page.holdout,
                                                          page.holdout_text)
        self.exposures, self.srm = page.exposures, page.srm
        self.history, self.more_history = page.history, page.more_history
        self.has_data = bool(page.days)
        self.enrolment_figure = _figure(page.days, page.enrolment_series, running_total=True,
                                        y_title="Athletes enrolled (running total)")
        self.exposure_figure = _figure(page.days, page.exposure_series, running_total=False,
                                       y_title="Exposures per day")

    async def refresh(self) -> Any:
        """Read the experiment again (new enrolments and exposures)."""
        actor = await self._actor()
        if actor is None:
            return rx.redirect("/login")
        try:
            self._show(await run_read(experiment_page, actor, self.experiment_id))
        except DomainError as error:
            return rx.toast.error(error.detail, duration=6000)
        return None
