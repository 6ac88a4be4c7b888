"""The experiment page's read model on a real database (SQLite and PostgreSQL): history as
old → new per changed field, newest first; daily enrolment and exposures per variant for the
current phase; the holdout's size; the SRM check passing, failing (the srm-demo) and saying
when there are too few to judge; RBAC and unknown ids."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from db.models import AuditEvent
from db.models.experiments import Experiment
from db.session import read_session, unit_of_work
from plangov_app.demo.accounts import athlete_id
from plangov_app.demo.srm_demo import SRM_DEMO_KEY, seed_srm_demo
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, NotFound
from plangov_app.services.experiments import enrolment, registry
from plangov_app.services.views import experiment_detail as view
from tests.support.factories import actor

CTX = RequestContext()
DS, ADMIN = "ds@demo.test", "admin@demo.test"
DAY1 = datetime(2027, 3, 1, 10, tzinfo=UTC)


def _body(**over) -> dict:
    body = {"key": "lp-vs-dup", "name": "Linear vs undulating", "randomization": "hash",
            "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                         {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
            "stratification_keys": ["sport"], "holdout_percentage": 10}
    body.update(over)
    return body


def _create(**over) -> str:
    with unit_of_work() as s:
        return registry.create(s, actor=actor(DS), body=_body(**over), context=CTX).id


def _status(eid: str, status: str, email: str = DS) -> None:
    with unit_of_work() as s:
        registry.set_status(s, actor=actor(email), experiment_id=eid, status=status,
                            context=CTX)


def _page(eid: str, email: str = DS) -> view.ExperimentPage:
    with read_session() as s:
        return view.experiment_page(s, actor(email), eid)


def _assign(n: int, when: datetime, expose: bool = False) -> enrolment.Enrolment:
    with unit_of_work() as s:
        got = enrolment.assign_subject(s, actor=actor(DS), experiment_key="lp-vs-dup",
                                       subject_id=athlete_id(n), attributes={}, context=CTX,
                                       now=when)
        if expose:
            enrolment.record_exposure(s, enrolment.AlgorithmChoice("lp-1.0", got),
                                      plan_id=f"plan-{n}", now=when + timedelta(hours=1))
    return got


def test_history_lists_every_change_newest_first_with_old_and_new(seeded):
    eid = _create()
    with unit_of_work() as s:
        registry.update(s, actor=actor(ADMIN), experiment_id=eid, context=CTX,
                        changes={"name": "LP vs DUP", "holdout_percentage": 5,
                                 "eligibility": {"sports": ["running"]}})
    for status in ("running", "paused", "running"):
        _status(eid, status)
    _assign(1, DAY1)  # an assignment is audited, but it is not a change of the experiment
    with unit_of_work() as s:
        registry.update(s, actor=actor(DS), experiment_id=eid, context=CTX,
                        changes={"end_at": "2027-04-01T00:00:00+00:00"})
    with unit_of_work() as s:
        assert registry.tick(s, now=datetime(2027, 4, 2, tzinfo=UTC), context=CTX) == [
            "lp-vs-dup"]
    page = _page(eid)
    assert [h.action for h in page.history] == [
        "Completed", "Edited", "Resumed", "Paused", "Started", "Edited", "Created"]
    assert [h.seq for h in page.history] == sorted((h.seq for h in page.history), reverse=True)
    assert page.history[0].who == "the scheduler"
    assert page.history[0].changes == ["Status: Running → Complete"]
    assert page.history[1].changes == ["Ends: not set → 01 Apr 2027, 00:00 UTC"]
    edit = page.history[-2]
    assert edit.who == "Alex Admin (admin)"
    assert edit.changes == ["Name: Linear vs undulating → LP vs DUP", "Holdout: 10% → 5%",
                            "Eligible: every consenting athlete → sports: running"]
    created = page.history[-1]
    assert created.who == "Dana Scientist (data_scientist)"
    assert "Variants: control 50% (lp-1.0), treatment 50% (dup-1.0)" in created.changes
    assert "Status: Draft" in created.changes and "Stratified by: sport" in created.changes
    assert page.more_history == 0
    with read_session() as s:
        assert s.exec(select(AuditEvent.id).where(AuditEvent.target_id == eid,
                                                  AuditEvent.action == "experiment.assign")
                      ).first() is not None


def test_history_new_phase_names_the_phase_and_the_reshuffled_field(seeded):
    eid = _create()
    _status(eid, "running")
    with unit_of_work() as s:
        registry.update(s, actor=actor(DS), experiment_id=eid, context=CTX, new_phase=True,
                        changes={"holdout_percentage": 20})
    top = _page(eid).history[0]
    assert top.action == "New phase 2 (everyone re-randomised)"
    assert top.changes == ["Seed: lp-vs-dup → lp-vs-dup:phase2", "Phase: 1 → 2",
                           "Holdout: 10% → 20%"]


def test_daily_enrolment_and_exposures_by_variant_for_the_current_phase(seeded):
    eid = _create(holdout_percentage=30, stratification_keys=[])
    _status(eid, "running")
    days = {1: DAY1, 2: DAY1, 3: DAY1 + timedelta(days=3), 4: DAY1 + timedelta(days=3)}
    for n in range(5, 21):
        days[n] = DAY1 + timedelta(days=n % 4)
    got = {n: _assign(n, when, expose=n % 2 == 0) for n, when in days.items()}
    assert {g.reason for g in got.values()} <= {None, "no_consent"}
    stored = {n: g for n, g in got.items() if g.assigned_at is not None}
    page = _page(eid)
    assert page.days == [(DAY1.date() + timedelta(days=d)).isoformat() for d in range(4)]
    expected: Counter = Counter()
    exposed: Counter = Counter()
    for n, g in stored.items():
        arm = view.HOLDOUT if g.is_holdout else g.variant
        expected[(arm, (days[n].date() - DAY1.date()).days)] += 1
        if n % 2 == 0 and g.variant:
            exposed[(g.variant, (days[n].date() - DAY1.date()).days)] += 1
    series = {s.name: s.counts for s in page.enrolment_series}
    assert set(series) == {"control", "treatment", view.HOLDOUT}
    for name, counts in series.items():
        assert counts == [expected[(name, d)] for d in range(4)], name
    assert {s.name: s.counts for s in page.exposure_series} == {
        k: [exposed[(k, d)] for d in range(4)] for k in ("control", "treatment")}
    holdout = sum(1 for g in stored.values() if g.is_holdout)
    assert holdout > 0 and page.holdout == holdout
    assert page.holdout_text.startswith(f"{holdout} of {len(stored)} assigned athletes")
    rows = {v.key: v for v in page.variants}
    assert page.enrolled == rows["control"].enrolled + rows["treatment"].enrolled
    assert page.enrolled == len(stored) - holdout
    assert rows["control"].exposed == sum(exposed[("control", d)] for d in range(4))
    assert view.cumulative(series["control"])[-1] == rows["control"].enrolled
    with unit_of_work() as s:  # a new phase starts counting again
        registry.update(s, actor=actor(DS), experiment_id=eid, context=CTX, new_phase=True,
                        changes={"holdout_percentage": 0})
    fresh = _page(eid)
    assert (fresh.phase, fresh.enrolled, fresh.holdout, fresh.days) == (2, 0, 0, [])
    assert fresh.srm.state == "too_few" and "(0 so far)" in fresh.srm.sentence


def test_srm_demo_fails_the_check_and_says_what_it_means(seeded):
    with unit_of_work() as s:
        assert seed_srm_demo(s, today=date(2027, 3, 20)) == 1
    with unit_of_work() as s:
        assert seed_srm_demo(s, today=date(2027, 3, 20)) == 0  # idempotent
    with read_session() as s:
        row = s.exec(select(Experiment).where(Experiment.key == SRM_DEMO_KEY)).one()
    page = _page(row.id)
    assert page.status == "complete"
    assert [(v.key, v.enrolled, v.exposed) for v in page.variants] == [
        ("control", 21, 21), ("treatment", 3, 3)]
    assert page.srm.state == "fail" and page.srm.p_value == "0.00024"
    assert page.srm.sentence == (
        "Sample-ratio mismatch: the arms' sizes differ from the weights more than chance "
        "allows (p = 0.00024). Check for enrolment bugs before trusting results.")
    assert [h.action for h in page.history] == ["Completed", "Started", "Created"]
    assert len(page.days) <= 14 and sum(page.enrolment_series[0].counts) == 21


def test_srm_passes_when_the_split_matches_and_waits_when_too_few():
    assert view.srm_view([12, 12], [50, 50]).state == "pass"
    passing = view.srm_view([48, 52], [50, 50])
    assert passing.state == "pass" and passing.p_value == "0.69"
    assert "match the weights" in passing.sentence
    few = view.srm_view([4, 0], [50, 50])
    assert few.state == "too_few" and few.p_value == ""
    assert few.sentence.startswith("Too few enrolled athletes to judge the split yet (4 so far)")
    assert view.srm_view([9, 1], [90, 10]).state == "too_few"  # treatment expects 1
    assert view.srm_view([45, 5], [90, 10]).state == "pass"
    assert view.srm_view([30, 0], [50, 50]).state == "fail"


def test_unknown_ids_are_not_found_and_other_roles_are_refused(seeded):
    eid = _create()
    with pytest.raises(NotFound):
        _page("no-such-experiment")
    for email in ("coach1@demo.test", "athlete1@demo.test", "support@demo.test",
                  "compliance@demo.test"):
        with pytest.raises(Forbidden):
            _page(eid, email)
    assert _page(eid, ADMIN).key == "lp-vs-dup"


def test_srm_demo_is_left_out_while_another_experiment_runs_for_everyone(seeded):
    eid = _create(eligibility={})
    _status(eid, "running")
    with read_session() as s:
        before = s.exec(select(AuditEvent.id)).all()
    with unit_of_work() as s:
        assert seed_srm_demo(s, today=date(2027, 3, 20)) == 0
    with read_session() as s:
        assert s.exec(select(Experiment).where(Experiment.key == SRM_DEMO_KEY)).first() is None
        assert s.exec(select(AuditEvent.id)).all() == before
