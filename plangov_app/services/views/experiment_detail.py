"""`/experiments/{id}`: an experiment's config, its history, enrolment and exposures, SRM.

Pure data built from the database: the config in words, every change from the audit log
(who, when, old → new for the fields that changed), daily enrolment (assignments of the
current phase by `assigned_at`) and exposures (by `occurred_at`) per variant, the holdout's
size and the sample-ratio check over enrolled, non-holdout counts against the weights.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import AuditEvent, User
from db.models.experiments import Experiment, ExperimentAssignment, ExposureEvent
from plangov_app.services import describing
from plangov_app.services.experiments import lifecycle, registry, stats
from plangov_app.services.rbac import Actor

HOLDOUT = "Holdout"
MAX_HISTORY = 200  # audit events listed (the rest are counted)
MAX_DAYS = 366  # days on the charts (the latest ones)
#: audit actions that change the experiment itself (assignments are not changes of it)
HISTORY_ACTIONS = ("experiment.create", "experiment.update", "experiment.new_phase",
                   "experiment.status")
FIELD_LABELS = {
    "name": "Name", "key": "Key", "hypothesis": "Hypothesis", "status": "Status",
    "randomization": "Randomisation", "seed": "Seed", "phase": "Phase",
    "variants": "Variants", "stratification_keys": "Stratified by",
    "holdout_percentage": "Holdout", "eligibility": "Eligible", "start_at": "Starts",
    "end_at": "Ends", "guardrails": "Guardrails",
}
MODE_LABELS = {"hash": "Hash (deterministic buckets)",
               "stratified_blocks": "Stratified permuted blocks"}
STATUS_ACTIONS = {lifecycle.RUNNING: "Started", lifecycle.PAUSED: "Paused",
                  lifecycle.COMPLETE: "Completed"}


@dataclasses.dataclass
class Fact:
    """One line of the config card: a label and its value in words."""

    label: str = ""
    value: str = ""


@dataclasses.dataclass
class VariantRow:
    """A variant: its weight and algorithm, and who is in it (this phase)."""

    key: str = ""
    weight: str = ""
    algorithm: str = ""
    enrolled: int = 0
    share: str = ""
    exposed: int = 0
    exposures: int = 0


@dataclasses.dataclass
class HistoryRow:
    """One change of the experiment: when, who, what, and old → new per changed field."""

    seq: int = 0
    when: str = ""
    who: str = ""
    action: str = ""
    changes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Series:
    """Daily counts of one variant (or the holdout), aligned with `ExperimentPage.days`."""

    name: str = ""
    counts: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SrmView:
    """The sample-ratio check: `state` is "pass", "fail" or "too_few"; `p_value` "" if none."""

    state: str = "too_few"
    p_value: str = ""
    sentence: str = ""


@dataclasses.dataclass
class ExperimentPage:
    """Everything the experiment page shows."""

    id: str = ""
    key: str = ""
    name: str = ""
    status: str = ""
    status_label: str = ""
    phase: int = 1
    facts: list[Fact] = dataclasses.field(default_factory=list)
    variants: list[VariantRow] = dataclasses.field(default_factory=list)
    enrolled: int = 0
    holdout: int = 0
    holdout_text: str = ""
    exposures: int = 0
    days: list[str] = dataclasses.field(default_factory=list)
    enrolment_series: list[Series] = dataclasses.field(default_factory=list)
    exposure_series: list[Series] = dataclasses.field(default_factory=list)
    srm: SrmView = dataclasses.field(default_factory=SrmView)
    history: list[HistoryRow] = dataclasses.field(default_factory=list)
    more_history: int = 0


def experiment_page(session: Session, actor: Actor, experiment_id: str) -> ExperimentPage:
    """The page of `experiment_id` (experiment:view; NotFound for an unknown id)."""
    row = registry.get(session, actor=actor, experiment_id=experiment_id)
    config = registry.config_of(row)
    phase = row.phase or 1
    keys = [v["key"] for v in config["variants"]]
    enrolled_by_day, holdout_by_day = _enrolment_by_day(session, row.id, phase)
    exposures_by_day = _exposures_by_day(session, row.id, phase)
    enrolled = _totals(enrolled_by_day)
    holdout = sum(holdout_by_day.values())
    exposed_subjects = _exposed_subjects(session, row.id, phase)
    exposures = _totals(exposures_by_day)
    days = _days([*enrolled_by_day, *holdout_by_day, *exposures_by_day])
    total = sum(enrolled.get(k, 0) for k in keys)
    history, more = _history(session, row.id, actor.time_zone)
    return ExperimentPage(
        id=row.id, key=row.key, name=row.name, status=row.status,
        status_label=lifecycle.label(row.status), phase=phase,
        facts=_facts(session, row, config, actor.time_zone),
        variants=[VariantRow(key=v["key"], weight=_percent(v["weight"]),
                             algorithm=v.get("algorithm_version") or "default",
                             enrolled=enrolled.get(v["key"], 0),
                             share=_share(enrolled.get(v["key"], 0), total),
                             exposed=exposed_subjects.get(v["key"], 0),
                             exposures=exposures.get(v["key"], 0))
                  for v in config["variants"]],
        enrolled=total, holdout=holdout,
        holdout_text=_holdout_text(holdout, total + holdout, config["holdout_percentage"]),
        exposures=sum(exposures.values()), days=[d.isoformat() for d in days],
        enrolment_series=_series(days, enrolled_by_day, keys, holdout_by_day),
        exposure_series=_series(days, exposures_by_day, keys, {}),
        srm=srm_view([enrolled.get(k, 0) for k in keys],
                     [float(v["weight"]) for v in config["variants"]]),
        history=history, more_history=more)


# --- the sample-ratio check -------------------------------------------------------------


def srm_view(observed: list[int], weights: list[float]) -> SrmView:
    """The SRM check in words; "too_few" until every weighted arm expects 5 athletes."""
    total = sum(observed)
    if stats.srm_too_few(observed, weights):
        return SrmView("too_few", "", (
            f"Too few enrolled athletes to judge the split yet ({total} so far): the "
            f"sample-ratio check needs at least {stats.SRM_MIN_EXPECTED} expected in every arm."))
    result = stats.srm_check(observed, weights)
    if result.p_value is None:
        return SrmView("too_few", "", f"The sample-ratio check cannot be computed: "
                                      f"{result.error}.")
    p_text = p_value_text(result.p_value)
    if result.failed:
        return SrmView("fail", p_text, (
            f"Sample-ratio mismatch: the arms' sizes differ from the weights more than chance "
            f"allows (p = {p_text}). Check for enrolment bugs before trusting results."))
    return SrmView("pass", p_text, f"The arms' sizes match the weights as chance allows "
                                   f"(p = {p_text}; a mismatch is p < {stats.SRM_THRESHOLD:g}).")


def p_value_text(p_value: float) -> str:
    """A p-value with two significant digits ("0.00024", "3.1e-07")."""
    return f"{p_value:.2g}"


# --- counts over time ------------------------------------------------------------------


def _day(value: Any) -> date:
    """`func.date(...)` gives a date on PostgreSQL and text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _enrolment_by_day(session: Session, experiment_id: str, phase: int
                      ) -> tuple[dict[tuple[date, str], int], dict[tuple[date, str], int]]:
    """(variant counts, holdout counts) keyed by (day, variant) for this phase."""
    day = func.date(ExperimentAssignment.assigned_at)
    rows = session.exec(select(day, ExperimentAssignment.variant, ExperimentAssignment.is_holdout,
                               func.count()).where(
        ExperimentAssignment.experiment_id == experiment_id,
        ExperimentAssignment.phase == phase).group_by(
        day, ExperimentAssignment.variant, ExperimentAssignment.is_holdout)).all()
    enrolled: dict[tuple[date, str], int] = defaultdict(int)
    holdout: dict[tuple[date, str], int] = defaultdict(int)
    for when, variant, is_holdout, count in rows:
        if is_holdout:
            holdout[(_day(when), HOLDOUT)] += count
        else:
            enrolled[(_day(when), variant)] += count
    return enrolled, holdout


def _exposures_by_day(session: Session, experiment_id: str, phase: int
                      ) -> dict[tuple[date, str], int]:
    day = func.date(ExposureEvent.occurred_at)
    rows = session.exec(select(day, ExposureEvent.variant, func.count()).where(
        ExposureEvent.experiment_id == experiment_id, ExposureEvent.phase == phase).group_by(
        day, ExposureEvent.variant)).all()
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for when, variant, count in rows:
        counts[(_day(when), variant)] += count
    return counts


def _exposed_subjects(session: Session, experiment_id: str, phase: int) -> dict[str, int]:
    """Distinct athletes exposed per variant this phase."""
    return dict(session.exec(select(
        ExposureEvent.variant, func.count(func.distinct(ExposureEvent.subject_id))).where(
        ExposureEvent.experiment_id == experiment_id, ExposureEvent.phase == phase).group_by(
        ExposureEvent.variant)).all())


def _totals(by_day: dict[tuple[date, str], int]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (_, variant), count in by_day.items():
        totals[variant] += count
    return dict(totals)


def _days(keys: list[tuple[date, str]]) -> list[date]:
    """Every day from the first count to the last (at most the latest MAX_DAYS)."""
    if not keys:
        return []
    first, last = min(k[0] for k in keys), max(k[0] for k in keys)
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _series(days: list[date], by_day: dict[tuple[date, str], int], keys: list[str],
            holdout: dict[tuple[date, str], int]) -> list[Series]:
    """One daily series per variant (in config order), then the holdout if it has anyone."""
    out = [Series(k, [by_day.get((d, k), 0) for d in days]) for k in keys]
    if holdout:
        out.append(Series(HOLDOUT, [holdout.get((d, HOLDOUT), 0) for d in days]))
    return out


def cumulative(counts: list[int]) -> list[int]:
    """Running totals of daily counts."""
    out, running = [], 0
    for count in counts:
        running += count
        out.append(running)
    return out


# --- config in words ---------------------------------------------------------------------


def _percent(value: Any) -> str:
    return f"{float(value):g}%"


def _share(count: int, total: int) -> str:
    return f"{count / total:.1%}" if total else "—"


def _holdout_text(holdout: int, assigned: int, percentage: float) -> str:
    configured = f"{_percent(percentage)} configured"
    if not assigned:
        return f"No athletes assigned yet ({configured})."
    return (f"{holdout} of {assigned} assigned athletes are held out "
            f"({holdout / assigned:.1%}; {configured}); they get the default algorithm.")


def field_text(field: str, value: Any, zone: str = "") -> str:
    """One config field's value in words ("control 50% (lp-1.0), treatment 50% (dup-1.0)").

    Start and end times read in the reader's `zone` (UTC when "").
    """
    if field == "variants":
        return ", ".join(f"{v['key']} {_percent(v['weight'])} "
                         f"({v.get('algorithm_version') or 'default'})" for v in value or [])
    if field == "stratification_keys":
        return ", ".join(k.replace("_", " ") for k in value or []) or "not stratified"
    if field == "holdout_percentage":
        return _percent(value or 0)
    if field == "eligibility":
        rules = [f"{k.replace('_ids', 's').replace('_', ' ')}: {', '.join(v)}"
                 for k, v in (value or {}).items() if v]
        return "; ".join(rules) or "every consenting athlete"
    if field == "guardrails":
        return ", ".join(f"{g['metric'].replace('_', ' ')} may drop at most "
                         f"{float(g['max_relative_drop']):.0%}" for g in value or []) or "none"
    if field in ("start_at", "end_at"):
        return describing.moment(datetime.fromisoformat(value), zone) if value else "not set"
    if field == "status":
        return lifecycle.label(str(value))
    if field == "randomization":
        return MODE_LABELS.get(str(value), str(value))
    if value is None or value == "":
        return "none"
    return str(value)


def _facts(session: Session, row: Experiment, config: dict[str, Any],
           zone: str) -> list[Fact]:
    owner = session.get(User, row.owner_id) if row.owner_id else None
    order = ("hypothesis", "randomization", "seed", "phase", "stratification_keys",
             "holdout_percentage", "eligibility", "start_at", "end_at", "guardrails")
    return [*[Fact(FIELD_LABELS[f], field_text(f, config.get(f), zone)) for f in order],
            Fact("Owner", owner.display_name if owner else "—"),
            Fact("Created", describing.moment(row.created_at, zone))]


# --- history from the audit log -----------------------------------------------------------


def _history(session: Session, experiment_id: str,
             zone: str) -> tuple[list[HistoryRow], int]:
    """The experiment's changes, newest first, and how many more are not listed."""
    where = (AuditEvent.target_type == "experiment", AuditEvent.target_id == experiment_id,
             col(AuditEvent.action).in_(HISTORY_ACTIONS))
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    events = list(session.exec(select(AuditEvent).where(*where).order_by(
        col(AuditEvent.seq).desc()).limit(MAX_HISTORY)))
    ids = {e.actor_id for e in events if e.actor_id}
    names = dict(session.exec(select(User.id, User.display_name).where(
        col(User.id).in_(ids))).all()) if ids else {}
    rows = [history_row(e, names, zone) for e in events]
    return rows, max(0, total - len(rows))


def history_row(event: AuditEvent, names: dict[str, str], zone: str = "") -> HistoryRow:
    """One audit event of the experiment in words, its time in the reader's `zone`."""
    metadata = json.loads(event.metadata_json or "{}")
    old, new = metadata.get("old") or {}, metadata.get("new") or {}
    name = names.get(event.actor_id or "")
    who = (f"{name} ({event.actor_role})" if name else
           "the scheduler" if event.actor_role == "system" else event.actor_role or "—")
    return HistoryRow(seq=event.seq, when=describing.moment(event.occurred_at, zone), who=who,
                      action=_action(event.action, old, new), changes=changes(old, new, zone))


def _action(action: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    if action == "experiment.create":
        return "Created"
    if action == "experiment.new_phase":
        return f"New phase {new.get('phase', '')} (everyone re-randomised)".replace("  ", " ")
    if action == "experiment.status":
        if old.get("status") == lifecycle.PAUSED and new.get("status") == lifecycle.RUNNING:
            return "Resumed"
        return STATUS_ACTIONS.get(str(new.get("status")), "Status changed")
    return "Edited"


def changes(old: dict[str, Any], new: dict[str, Any], zone: str = "") -> list[str]:
    """"Label: old → new" for every field that differs (just the value when it is new)."""
    lines = []
    for field, label in FIELD_LABELS.items():
        if field not in new and field not in old:
            continue
        before, after = old.get(field), new.get(field)
        if not old:
            if after not in (None, "", [], {}):
                lines.append(f"{label}: {field_text(field, after, zone)}")
        elif before != after:
            lines.append(f"{label}: {field_text(field, before, zone)} → "
                         f"{field_text(field, after, zone)}")
    return lines
