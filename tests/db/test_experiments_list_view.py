"""The `/experiments` read model on a real database (SQLite and PostgreSQL): counts per
variant from stored assignments and exposures, filters, owner, days, the SRM badge, the
form's round trip through the registry (audited, locked fields refused while live) and the
preview's table words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from db.models import AuditEvent, User
from db.models.experiments import Experiment, ExperimentAssignment
from db.session import read_session, unit_of_work
from plangov_app.demo.accounts import athlete_id
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, Forbidden, InvalidInput
from plangov_app.services.experiments import enrolment, preview, registry
from plangov_app.services.rbac import load_actor
from plangov_app.services.views import experiments_list as view
from plangov_app.services.views.experiments_list import ExperimentForm, VariantForm

CTX = RequestContext()
DS = "ds@demo.test"


def _actor(session, email: str = DS):
    user = session.exec(select(User).where(User.email == email)).one()
    return load_actor(session, user.id)


def _form(**over) -> ExperimentForm:
    form = ExperimentForm(key="lp-vs-dup", name="Linear vs undulating",
                          hypothesis="DUP raises adherence")
    for name, value in over.items():
        setattr(form, name, value)
    return form


def _save(form: ExperimentForm, experiment_id: str = "", new_phase: bool = False) -> str:
    with unit_of_work() as s:
        return view.save(s, _actor(s), experiment_id=experiment_id, form=form, context=CTX,
                         new_phase=new_phase)


def _status(eid: str, status: str) -> str:
    with unit_of_work() as s:
        return view.change_status(s, _actor(s), experiment_id=eid, status=status, context=CTX)


def _list(email: str = DS, **filters) -> list[view.ExperimentRow]:
    with read_session() as s:
        return view.experiments_list(s, _actor(s, email), **filters)


def _enrol(n: int) -> enrolment.AlgorithmChoice:
    with unit_of_work() as s:
        return enrolment.choose_algorithm(s, athlete_id(n), default="lp-1.0", context=CTX,
                                          actor=None)


def test_counts_per_variant_come_from_stored_assignments_and_exposures(seeded) -> None:
    eid = _save(_form())
    _save(_form(key="other", name="Another draft"))
    _status(eid, "running")
    choices = [_enrol(n) for n in range(1, 25)]
    enrolled = [c.enrolment for c in choices if c.enrolment and c.enrolment.variant]
    with unit_of_work() as s:  # two plans for the first athlete: exposed counts athletes once
        for plan in ("plan-a", "plan-b"):
            enrolment.record_exposure(s, choices[0], plan)
    row = next(r for r in _list() if r.id == eid)
    assert (row.key, row.status, row.status_label, row.owner) == (
        "lp-vs-dup", "running", "Running", "Dana Scientist")
    with read_session() as s:
        stored = dict(s.exec(select(ExperimentAssignment.variant, func.count()).where(
            ExperimentAssignment.experiment_id == eid).group_by(
            ExperimentAssignment.variant)).all())
    assert {v.key: v.enrolled for v in row.variants} == {
        "control": stored.get("control", 0), "treatment": stored.get("treatment", 0)}
    assert sum(v.enrolled for v in row.variants) == len(enrolled) > 0
    first = choices[0].enrolment.variant
    assert {v.key: v.exposed for v in row.variants} == {
        k: int(k == first) for k in ("control", "treatment")}
    assert [(v.weight, v.algorithm) for v in row.variants] == [("50%", "lp-1.0"),
                                                               ("50%", "dup-1.0")]
    assert row.when == "Day 1"


def test_status_filter_and_search(seeded) -> None:
    running = _save(_form())
    _save(_form(key="squat-volume", name="Squat volume"))
    _status(running, "running")
    assert [r.key for r in _list(status="running")] == ["lp-vs-dup"]
    assert [r.key for r in _list(status="draft")] == ["squat-volume"]
    assert [r.key for r in _list(search="SQUAT")] == ["squat-volume"]
    assert [r.key for r in _list(search="undulating")] == ["lp-vs-dup"]
    assert _list(status="complete") == []
    assert sorted(r.key for r in _list(status="all")) == ["lp-vs-dup", "squat-volume"]


@pytest.mark.parametrize("email", ["coach1@demo.test", "athlete1@demo.test",
                                   "support@demo.test", "compliance@demo.test"])
def test_other_roles_are_refused(seeded, email: str) -> None:
    with pytest.raises(Forbidden):
        _list(email)


def test_srm_badge_flags_a_mis_split_and_waits_for_enough_athletes(seeded) -> None:
    eid = _save(_form())
    _status(eid, "running")
    assert next(r for r in _list() if r.id == eid).srm == "none"  # nobody yet: "—"

    def add(variant: str, count: int, start: int) -> None:
        with unit_of_work() as s:
            for i in range(start, start + count):
                s.add(ExperimentAssignment(subject_id=f"synthetic-{i}", experiment_id=eid,
                                           phase=1, variant=variant, bucket=0))

    add("control", 4, 0)
    add("treatment", 4, 100)
    row = next(r for r in _list() if r.id == eid)
    assert (row.srm, row.srm_text) == ("none", "—")  # 4 + 4 expects fewer than 5 per arm
    add("control", 46, 4)
    add("treatment", 46, 104)
    assert next(r for r in _list() if r.id == eid).srm == "ok"
    add("control", 60, 1000)  # 110 vs 50
    row = next(r for r in _list() if r.id == eid)
    assert row.srm == "fail" and row.srm_text.startswith("SRM p = ")


def test_srm_of_pure_cases() -> None:
    assert view.srm_of([50, 50], [0, 0]) == ("none", "—")
    assert view.srm_of([90, 10], [30, 2]) == ("none", "—")  # the 10 % arm expects 3.2 < 5
    assert view.srm_of([90, 10], [90, 4])[0] == "ok"  # it expects 9.4
    assert view.srm_of([50, 50], [51, 49])[0] == "ok"
    assert view.srm_of([50, 50], [200, 100])[0] == "fail"


def test_when_text_reads_days_running_and_left() -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    row = Experiment(key="k", name="n", status="draft", created_at=now - timedelta(days=9))
    assert view.when_text(row, now) == "Not started"
    row.start_at = now + timedelta(days=3, hours=1)
    assert view.when_text(row, now) == "Starts in 3 days"
    row.status, row.start_at, row.end_at = "running", now - timedelta(days=4), now + timedelta(
        days=10, hours=2)
    assert view.when_text(row, now) == "Day 5 · 10 days left"
    row.end_at = now - timedelta(hours=1)
    assert view.when_text(row, now) == "Day 5 · past its end"
    row.status = "complete"
    assert view.when_text(row, now) == "Ended"


def test_form_round_trip_through_the_registry_is_audited(seeded) -> None:
    with read_session() as s:
        north = next(t for t in view.teams(s, _actor(s)) if t.name == "Team North")
    form = _form(randomization="stratified_blocks", strata=["level", "sport"], holdout="10",
                 sports=["running"], levels=["beginner"], teams=[north.id],
                 start="2030-01-01T09:00", end="2030-02-01T09:00",
                 variants=[VariantForm("control", "60", "lp-1.0"),
                           VariantForm("treatment", "40", "dup-1.0")],
                 guardrails=[view.GuardrailForm("adherence", "0.1")])
    eid = _save(form)
    with read_session() as s:
        loaded, status = view.load_form(s, _actor(s), eid)
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.target_id == eid)).all()
    assert status == "draft" and actions == ["experiment.create"]
    assert loaded.strata == ["sport", "level"]  # in STRATIFICATION_KEYS order
    assert (loaded.holdout, loaded.start, loaded.end) == ("10", "2030-01-01T09:00",
                                                         "2030-02-01T09:00")
    assert [(v.key, v.weight, v.algorithm) for v in loaded.variants] == [
        ("control", "60", "lp-1.0"), ("treatment", "40", "dup-1.0")]
    assert (loaded.sports, loaded.levels, loaded.teams) == (["running"], ["beginner"], [north.id])
    assert [(g.metric, g.drop) for g in loaded.guardrails] == [("adherence", "0.1")]


def test_a_live_experiment_saves_its_name_but_refuses_new_weights(seeded) -> None:
    eid = _save(_form())
    _status(eid, "running")
    _save(_form(name="Renamed while running"), eid)  # unchanged locked fields are not sent
    with read_session() as s:
        assert s.get(Experiment, eid).name == "Renamed while running"
    weights = [VariantForm("control", "70", "lp-1.0"), VariantForm("treatment", "30", "dup-1.0")]
    with pytest.raises(Conflict, match="variants"):
        _save(_form(variants=weights), eid)
    _save(_form(variants=weights), eid, new_phase=True)
    with read_session() as s:
        row = s.get(Experiment, eid)
        assert (row.phase, row.variant_weights) == (2, '{"control": 70.0, "treatment": 30.0}')
        last = s.exec(select(AuditEvent.action).where(AuditEvent.target_id == eid).order_by(
            AuditEvent.seq.desc())).first()
    assert last == "experiment.new_phase"


@pytest.mark.parametrize(("over", "field"), [
    ({"variants": [VariantForm("control", "abc", "lp-1.0"), VariantForm("t", "50", "lp-1.0")]},
     "variants.0.weight"),
    ({"variants": [VariantForm("control", "60", "lp-1.0"), VariantForm("t", "50", "lp-1.0")]},
     "variants"),
    ({"holdout": "120"}, "holdout_percentage"),
    ({"name": " "}, "name"),
    ({"start": "2030-02-01T09:00", "end": "2030-01-01T09:00"}, "end_at"),
    ({"guardrails": [view.GuardrailForm("adherence", "2")]}, "guardrails.0.max_relative_drop"),
])
def test_validation_names_the_field_and_writes_nothing(seeded, over, field) -> None:
    config = view.form_config(_form(**over))
    with pytest.raises(InvalidInput) as caught:
        registry.validate(config)
    assert caught.value.extra["field"] == field
    with pytest.raises(InvalidInput):
        _save(_form(**over))
    with read_session() as s:
        assert s.exec(select(func.count()).select_from(Experiment)).one() == 0


def _preview(**over) -> view.PreviewTable:
    with read_session() as s:
        names = {t.id: t.name for t in view.teams(s, _actor(s))}
        result = preview.preview(s, actor=_actor(s), config=view.form_config(_form(**over)))
    return view.preview_table(result, names)


def test_preview_table_counts_exclusions_and_small_strata(seeded) -> None:
    plain = _preview()
    assert plain.population == 24 and plain.variants == ["control", "treatment"]
    assert plain.excluded == ["No experiment consent: 4"]  # athletes 5, 10, 15, 20
    assert plain.matched == 20 == sum(plain.totals)
    assert [r.stratum for r in plain.rows] == ["Everyone"] and plain.small_note == ""
    strata = _preview(strata=["team_id", "level"], randomization="stratified_blocks",
                      variants=[VariantForm("control", "60", "lp-1.0"),
                                VariantForm("treatment", "40", "dup-1.0")])  # blocks of 5
    assert strata.block_note == "Blocks of 5 per stratum."
    assert {r.stratum.split(" · ")[1] for r in strata.rows} == {"Team North", "Team South"}
    assert sum(sum(r.counts) + r.holdout for r in strata.rows) == 20
    small = [r.stratum for r in strata.rows if r.small]
    assert small == [r.stratum for r in strata.rows if sum(r.counts) < 5]
    assert small and strata.small_note == f"Too few athletes to balance: {', '.join(small)}."
    held = _preview(holdout="50")
    assert held.holdout == sum(r.holdout for r in held.rows) > 0
    assert held.matched == 20


def test_preview_with_nobody_eligible_matches_no_one(seeded) -> None:
    nobody = _preview(sports=["running"], levels=["advanced"], teams=["no-such-team"])
    assert nobody.matched == 0 and nobody.rows == [] and nobody.excluded[-1].startswith(
        "Not eligible: ")


def test_chart_traces_stack_variants_and_holdout(seeded) -> None:
    with read_session() as s:
        result = preview.preview(s, actor=_actor(s), config=view.form_config(
            _form(strata=["sport"], holdout="20")))
    traces = view.chart_data(result)
    assert [t["name"] for t in traces] == ["control", "treatment", "holdout"]
    assert all(t["x"] == [s.stratum.split("=")[1] for s in result.strata] for t in traces)
    assert [sum(t["y"]) for t in traces] == [result.totals["control"],
                                             result.totals["treatment"], result.holdout]
