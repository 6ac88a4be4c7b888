"""`/experiments`: the list (counts per variant, days, owner, SRM) and the form's data.

Pure data built from the database: the page's state only keeps what these return.
The form works on text (what the boxes hold); `form_config` turns it into the API
body the registry validates, and `preview_table` shapes a `preview.Preview` for the
table and the chart.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from db.models import Team, User
from db.models.experiments import Experiment, ExperimentAssignment, ExposureEvent
from plangov_app.services.experiments import assignment, lifecycle, registry, stats
from plangov_app.services.experiments.preview import Preview
from plangov_app.services.generation import ALGORITHMS, REFERENCE_SQUAT_KG, SPORT_PATTERNS
from plangov_app.services.rbac import Actor, Permission, authorize

STATUS_FILTERS = ("all", *lifecycle.STATUSES)
SPORTS = tuple(sorted(SPORT_PATTERNS))
LEVELS = tuple(REFERENCE_SQUAT_KG)
#: the χ² approximation wants every arm to expect at least this many athletes
#: strata shown in the preview table (the chart and the totals count them all)
PREVIEW_ROWS = 60
REASON_WORDS = {assignment.NO_CONSENT: "No experiment consent",
                assignment.NOT_ELIGIBLE: "Not eligible"}


@dataclasses.dataclass
class VariantRow:
    """One arm as the list shows it."""

    key: str = ""
    weight: str = ""
    algorithm: str = ""
    enrolled: int = 0
    exposed: int = 0


@dataclasses.dataclass
class ExperimentRow:
    """One experiment in the list."""

    id: str = ""
    key: str = ""
    name: str = ""
    status: str = ""
    status_label: str = ""
    variants: list[VariantRow] = dataclasses.field(default_factory=list)
    holdout: int = 0
    when: str = ""
    owner: str = ""
    srm: str = "none"  # "ok", "fail" or "none" (too few to test)
    srm_text: str = "—"


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _days(n: float) -> str:
    whole = int(n)
    return "1 day" if whole == 1 else f"{whole} days"


def when_text(row: Experiment, now: datetime) -> str:
    """Days running or until the end, in words."""
    start, end = _aware(row.start_at), _aware(row.end_at)
    if row.status == lifecycle.DRAFT:
        return f"Starts in {_days((start - now).days)}" if start and start > now else "Not started"
    if row.status == lifecycle.COMPLETE:
        return "Ended"
    began = start if start and start < now else _aware(row.created_at) or now
    running = f"Day {(now - began).days + 1}"
    if end is None:
        return running
    if end <= now:
        return f"{running} · past its end"
    return f"{running} · {_days((end - now).days)} left"


def srm_of(weights: list[float], enrolled: list[int]) -> tuple[str, str]:
    """("ok" | "fail" | "none", words) for enrolled counts against weights."""
    if stats.srm_too_few(enrolled, weights):
        return "none", "—"
    result = stats.srm_check(enrolled, weights)
    if result.error is not None or result.p_value is None:
        return "none", "—"
    if stats.srm_fails(result.p_value):
        return "fail", f"SRM p = {result.p_value:.2g}"
    return "ok", f"OK (p = {result.p_value:.2f})"


def _counts(session: Session, model: Any, distinct: bool) -> Counter[tuple[str, int, str]]:
    """(experiment, phase, variant) → enrolled (or distinct exposed) athletes."""
    what = func.count(func.distinct(model.subject_id)) if distinct else func.count()
    query = select(model.experiment_id, model.phase, model.variant, what).group_by(
        model.experiment_id, model.phase, model.variant)
    if model is ExperimentAssignment:
        query = query.where(col(ExperimentAssignment.is_holdout).is_(False))
    return Counter({(e, p, v): n for e, p, v, n in session.exec(query)})


def _holdouts(session: Session) -> Counter[tuple[str, int]]:
    query = select(ExperimentAssignment.experiment_id, ExperimentAssignment.phase,
                   func.count()).where(col(ExperimentAssignment.is_holdout).is_(True)).group_by(
        ExperimentAssignment.experiment_id, ExperimentAssignment.phase)
    return Counter({(e, p): n for e, p, n in session.exec(query)})


def _matches(row: Experiment, status: str, search: str) -> bool:
    if status not in ("", "all") and row.status != status:
        return False
    needle = search.strip().lower()
    return not needle or needle in row.key.lower() or needle in row.name.lower()


def experiments_list(session: Session, actor: Actor, *, status: str = "all", search: str = "",
                     now: datetime | None = None) -> list[ExperimentRow]:
    """Every experiment matching `status` and `search` (key or name), newest first."""
    now = _aware(now) or datetime.now(UTC)
    rows = [r for r in registry.list_all(session, actor=actor) if _matches(r, status, search)]
    enrolled = _counts(session, ExperimentAssignment, distinct=False)
    exposed = _counts(session, ExposureEvent, distinct=True)
    holdouts = _holdouts(session)
    owners = dict(session.exec(select(User.id, User.display_name).where(
        col(User.id).in_({r.owner_id for r in rows if r.owner_id}))).all())
    out = []
    for row in rows:
        phase = row.phase or 1
        variants = [VariantRow(key=v["key"], weight=f"{v['weight']:g}%",
                               algorithm=v.get("algorithm_version") or "default",
                               enrolled=enrolled[(row.id, phase, v["key"])],
                               exposed=exposed[(row.id, phase, v["key"])])
                    for v in json.loads(row.variants_json or "[]")]
        srm, srm_text = srm_of([float(v.weight.rstrip("%")) for v in variants],
                               [v.enrolled for v in variants])
        out.append(ExperimentRow(
            id=row.id, key=row.key, name=row.name, status=row.status,
            status_label=lifecycle.label(row.status), variants=variants,
            holdout=holdouts[(row.id, phase)], when=when_text(row, now),
            owner=owners.get(row.owner_id or "", "—"), srm=srm, srm_text=srm_text))
    return out


# --- the form ---------------------------------------------------------------------------


@dataclasses.dataclass
class VariantForm:
    """A variant as typed."""

    key: str = ""
    weight: str = ""
    algorithm: str = ALGORITHMS[0]


@dataclasses.dataclass
class GuardrailForm:
    """A guardrail as typed."""

    metric: str = registry.GUARDRAIL_METRICS[0]
    drop: str = "0.1"


@dataclasses.dataclass
class ExperimentForm:
    """Every field of the create / edit form, as the boxes hold it."""

    key: str = ""
    name: str = ""
    hypothesis: str = ""
    randomization: str = "hash"
    variants: list[VariantForm] = dataclasses.field(default_factory=lambda: [
        VariantForm("control", "50", ALGORITHMS[0]),
        VariantForm("treatment", "50", ALGORITHMS[-1])])
    strata: list[str] = dataclasses.field(default_factory=list)
    holdout: str = "0"
    sports: list[str] = dataclasses.field(default_factory=list)
    levels: list[str] = dataclasses.field(default_factory=list)
    teams: list[str] = dataclasses.field(default_factory=list)
    start: str = ""
    end: str = ""
    guardrails: list[GuardrailForm] = dataclasses.field(default_factory=list)


def _number(text: str) -> Any:
    """A typed number as a number; anything else stays text (the service names the field)."""
    try:
        value = float(text.strip())
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _moment(text: str) -> str | None:
    return text.strip() or None


def form_config(form: ExperimentForm) -> dict[str, Any]:
    """The form as the API body the registry validates."""
    eligibility = {k: v for k, v in (("sports", form.sports), ("levels", form.levels),
                                     ("team_ids", form.teams)) if v}
    return {
        "key": form.key.strip(), "name": form.name.strip(), "hypothesis": form.hypothesis,
        "randomization": form.randomization,
        "variants": [{"key": v.key.strip(), "weight": _number(v.weight),
                      "algorithm_version": v.algorithm or None} for v in form.variants],
        "stratification_keys": [k for k in assignment.STRATIFICATION_KEYS if k in form.strata],
        "holdout_percentage": _number(form.holdout or "0"),
        "start_at": _moment(form.start), "end_at": _moment(form.end),
        "eligibility": eligibility,
        "guardrails": [{"metric": g.metric, "max_relative_drop": _number(g.drop)}
                       for g in form.guardrails],
    }


def _local(value: str | None) -> str:
    """A stored ISO moment as a datetime-local box shows it (UTC, minutes)."""
    return value[:16] if value else ""


def form_of(row: Experiment) -> ExperimentForm:
    """A stored experiment as the form shows it."""
    config = registry.config_of(row)
    eligibility = config["eligibility"]
    return ExperimentForm(
        key=row.key, name=row.name, hypothesis=config["hypothesis"],
        randomization=config["randomization"],
        variants=[VariantForm(v["key"], f"{v['weight']:g}", v.get("algorithm_version") or "")
                  for v in config["variants"]],
        strata=list(config["stratification_keys"]),
        holdout=f"{config['holdout_percentage'] or 0:g}",
        sports=list(eligibility.get("sports", [])), levels=list(eligibility.get("levels", [])),
        teams=list(eligibility.get("team_ids", [])),
        start=_local(config["start_at"]), end=_local(config["end_at"]),
        guardrails=[GuardrailForm(g["metric"], f"{g['max_relative_drop']:g}")
                    for g in config["guardrails"]])


def editable_changes(config: dict[str, Any], row: Experiment) -> dict[str, Any]:
    """The form's values that differ from the stored experiment (what `update` gets)."""
    stored = registry.config_of(row)
    return {k: config[k] for k in registry.EDITABLE if k in config and k != "seed"
            and json.dumps(config[k], sort_keys=True) != json.dumps(stored.get(k),
                                                                   sort_keys=True)}


@dataclasses.dataclass
class Named:
    """A team for the eligibility checkboxes."""

    id: str = ""
    name: str = ""


def teams(session: Session, actor: Actor) -> list[Named]:
    """The teams an eligibility rule can name."""
    authorize(actor, Permission.EXPERIMENT_VIEW)
    return [Named(t.id, t.name) for t in session.exec(select(Team).order_by(col(Team.name)))]


# --- the preview ------------------------------------------------------------------------


@dataclasses.dataclass
class PreviewRow:
    """One stratum of the preview table."""

    stratum: str = ""
    counts: list[int] = dataclasses.field(default_factory=list)
    holdout: int = 0
    small: bool = False


@dataclasses.dataclass
class PreviewTable:
    """The preview as the page shows it: table rows, totals, exclusions, warnings."""

    variants: list[str] = dataclasses.field(default_factory=list)
    rows: list[PreviewRow] = dataclasses.field(default_factory=list)
    more_strata: int = 0
    totals: list[int] = dataclasses.field(default_factory=list)
    holdout: int = 0
    excluded: list[str] = dataclasses.field(default_factory=list)
    population: int = 0
    matched: int = 0
    small_note: str = ""
    block_note: str = ""


def stratum_words(stratum: str, teams_by_id: dict[str, str] | None = None) -> str:
    """`sport=running|level=beginner` as `running · beginner` (team ids as names)."""
    if not stratum:
        return "Everyone"
    parts = []
    for part in stratum.split("|"):
        name, _, value = part.partition("=")
        parts.append((teams_by_id or {}).get(value, value) if name == "team_id" else value)
    return " · ".join(parts)


def preview_table(result: Preview, teams_by_id: dict[str, str] | None = None) -> PreviewTable:
    """Shape a preview for the table (first `PREVIEW_ROWS` strata) and the words around it."""
    keys = result.variant_keys
    small = set(result.small_strata)
    rows = [PreviewRow(stratum_words(s.stratum, teams_by_id), [s.variants.get(k, 0) for k in keys],
                       s.holdout, s.stratum in small) for s in result.strata]
    excluded = [f"{REASON_WORDS.get(reason, reason)}: {n}"
                for reason, n in result.excluded.items() if n]
    small_names = [stratum_words(s, teams_by_id) for s in result.small_strata]
    note = ""
    if small_names:
        shown = ", ".join(small_names[:8]) + (f" and {len(small_names) - 8} more"
                                              if len(small_names) > 8 else "")
        note = f"Too few athletes to balance: {shown}."
    return PreviewTable(
        variants=list(keys), rows=rows[:PREVIEW_ROWS], more_strata=max(0, len(rows) - PREVIEW_ROWS),
        totals=[result.totals.get(k, 0) for k in keys], holdout=result.holdout,
        excluded=excluded, population=result.population,
        matched=sum(result.totals.values()) + result.holdout, small_note=note,
        block_note=(f"Blocks of {result.block_size} per stratum." if result.block_size else ""))


def chart_data(result: Preview, teams_by_id: dict[str, str] | None = None) -> list[dict]:
    """Plotly traces of a stacked bar chart: one per variant and the holdout, by stratum."""
    strata = [stratum_words(s.stratum, teams_by_id) for s in result.strata]
    traces = [{"type": "bar", "name": key, "x": strata,
               "y": [s.variants.get(key, 0) for s in result.strata]}
              for key in result.variant_keys]
    if result.holdout:
        traces.append({"type": "bar", "name": "holdout", "x": strata,
                       "y": [s.holdout for s in result.strata], "marker": {"color": "#9e9e9e"}})
    return traces


# --- loading and saving the form ----------------------------------------------------------


def load_form(session: Session, actor: Actor, experiment_id: str) -> tuple[ExperimentForm, str]:
    """A stored experiment's form and its status (experiment:manage)."""
    authorize(actor, Permission.EXPERIMENT_MANAGE)
    row = registry.get(session, actor=actor, experiment_id=experiment_id)
    return form_of(row), row.status


def save(session: Session, actor: Actor, *, experiment_id: str, form: ExperimentForm,
         context: Any, new_phase: bool = False) -> str:
    """Create (no id) or update the experiment from the form; its id (audited by the registry)."""
    config = form_config(form)
    if not experiment_id:
        return registry.create(session, actor=actor, body=config, context=context).id
    row = registry.get(session, actor=actor, experiment_id=experiment_id)
    changes = editable_changes(config, row)
    return registry.update(session, actor=actor, experiment_id=experiment_id, changes=changes,
                           context=context, new_phase=new_phase).id


def change_status(session: Session, actor: Actor, *, experiment_id: str, status: str,
                  context: Any) -> str:
    """Move the experiment along its lifecycle (registry.set_status, audited); the new status."""
    return registry.set_status(session, actor=actor, experiment_id=experiment_id, status=status,
                               context=context).status
