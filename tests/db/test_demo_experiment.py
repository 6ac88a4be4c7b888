"""The demo seed's running experiment (SQLite and PostgreSQL): added once, after the demo
plans (which keep their algorithm), created and started through the audited registry."""

from __future__ import annotations

import json

from sqlmodel import col, func, select

from db.models import AuditEvent, Plan
from db.models.experiments import Experiment
from db.session import read_session, unit_of_work
from plangov_app import demo
from plangov_app.demo.accounts import athlete_id, demo_id
from plangov_app.demo.experiments import DEMO_EXPERIMENT_KEY


def _experiment_events(session, experiment_id: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.target_id == experiment_id)
                             .order_by(col(AuditEvent.seq))))


def test_the_full_seed_starts_the_demo_experiment_once(engine) -> None:
    with unit_of_work() as session:
        created = demo.seed(session)
    assert created["experiments"] == 1
    with read_session() as session:
        row = session.exec(select(Experiment).where(Experiment.key == DEMO_EXPERIMENT_KEY)).one()
        assert (row.status, row.randomization, row.holdout_percentage) == (
            "running", "stratified_blocks", 10)
        assert json.loads(row.stratification_keys) == ["sport", "level"]
        assert [(v["weight"], v["algorithm_version"]) for v in json.loads(row.variants_json)] == [
            (50, "lp-1.0"), (50, "dup-1.0")]
        assert json.loads(row.eligibility_json) == {}  # every athlete, the cohort included
        assert row.owner_id == demo_id("ds@demo.test")
        events = _experiment_events(session, row.id)
        assert [e.action for e in events] == ["experiment.create", "experiment.status"]
        assert {e.actor_id for e in events} == {demo_id("ds@demo.test")}
        status = json.loads(events[1].metadata_json)
        assert (status["old"]["status"], status["new"]["status"]) == ("draft", "running")
    with unit_of_work() as session:
        again = demo.seed(session)
    assert not any(again.values())
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Experiment)).one() == 2  # + srm-demo
        assert len(_experiment_events(session, row.id)) == 2


def test_demo_plans_keep_their_scenario_algorithm(engine) -> None:
    with unit_of_work() as session:
        demo.seed(session)
    with read_session() as session:
        for n in (3, 4, 6, 7):
            plans = session.exec(select(Plan).where(Plan.athlete_id == athlete_id(n))).all()
            assert plans and {p.algorithm_version for p in plans} == {
                "dup-1.0" if n % 3 == 0 else "lp-1.0"}
            assert {p.experiment_arm for p in plans} == {None}


def test_the_fast_seed_adds_no_experiment(seeded) -> None:
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Experiment)).one() == 0
