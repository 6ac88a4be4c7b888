"""Experiments registry on a real database (SQLite and PostgreSQL): create, edit, lifecycle,
overlap, scheduler tick, audit with old and new values, nothing written on bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from db.models import AuditEvent, User
from db.models.experiments import Experiment
from db.session import read_session, unit_of_work
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, DomainError, Forbidden, InvalidInput
from plangov_app.services.experiments import registry
from plangov_app.services.rbac import load_actor

CTX = RequestContext()


def _body(**over) -> dict:
    body = {
        "key": "lp-vs-dup", "name": "Linear vs undulating", "hypothesis": "DUP raises adherence",
        "randomization": "stratified_blocks",
        "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                     {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
        "stratification_keys": ["sport", "level"], "holdout_percentage": 10,
        "eligibility": {"sports": ["running"]},
        "guardrails": [{"metric": "adherence", "max_relative_drop": 0.1}],
    }
    body.update(over)
    return body


def _actor(session, email: str):
    user = session.exec(select(User).where(User.email == email)).one()
    return load_actor(session, user.id)


def _counts() -> tuple[int, int]:
    with read_session() as s:
        return (s.exec(select(func.count()).select_from(Experiment)).one(),
                s.exec(select(func.count()).select_from(AuditEvent)).one())


def _create(email: str = "ds@demo.test", **over) -> str:
    with unit_of_work() as s:
        return registry.create(s, actor=_actor(s, email), body=_body(**over), context=CTX).id


def _status(eid: str, status: str, email: str = "ds@demo.test") -> str:
    with unit_of_work() as s:
        return registry.set_status(s, actor=_actor(s, email), experiment_id=eid, status=status,
                                   context=CTX).status


def test_create_edit_and_lifecycle_are_audited(seeded) -> None:
    eid = _create()
    with read_session() as s:
        row = s.get(Experiment, eid)
        assert (row.status, row.seed, row.randomization, row.phase) == (
            "draft", "lp-vs-dup", "stratified_blocks", 1)
        assert json.loads(row.variant_weights) == {"control": 50.0, "treatment": 50.0}
    with unit_of_work() as s:
        registry.update(s, actor=_actor(s, "admin@demo.test"), experiment_id=eid,
                        changes={"holdout_percentage": 5}, context=CTX)
    assert [_status(eid, st) for st in ("running", "paused", "running", "complete")] == [
        "running", "paused", "running", "complete"]
    with pytest.raises(Conflict, match="final"):
        _status(eid, "running")
    with read_session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.target_id == eid)
                        .order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["experiment.create", "experiment.update"] + [
        "experiment.status"] * 4
    update = json.loads(events[1].metadata_json)
    assert (update["old"]["holdout_percentage"], update["new"]["holdout_percentage"]) == (10, 5)
    last = json.loads(events[-1].metadata_json)
    assert (last["old"]["status"], last["new"]["status"]) == ("running", "complete")


def test_locked_fields_while_running_and_new_phase(seeded) -> None:
    eid = _create()
    _status(eid, "running")
    before = _counts()
    with unit_of_work() as s, pytest.raises(Conflict, match="reshuffled"):
        registry.update(s, actor=_actor(s, "ds@demo.test"), experiment_id=eid,
                        changes={"holdout_percentage": 20}, context=CTX)
    assert _counts() == before
    with unit_of_work() as s:
        row = registry.update(s, actor=_actor(s, "ds@demo.test"), experiment_id=eid,
                              changes={"holdout_percentage": 20}, context=CTX, new_phase=True)
        assert (row.phase, row.seed, row.holdout_percentage) == (2, "lp-vs-dup:phase2", 20)
    with unit_of_work() as s:
        assert registry.update(s, actor=_actor(s, "ds@demo.test"), experiment_id=eid,
                               changes={"name": "Renamed"}, context=CTX).name == "Renamed"


def test_overlapping_running_experiments_are_refused(seeded) -> None:
    first = _create()
    _status(first, "running")
    second = _create(key="other", eligibility={})
    disjoint = _create(key="cyclists", eligibility={"sports": ["cycling"]})
    with pytest.raises(Conflict, match="only one experiment"):
        _status(second, "running")
    assert _status(disjoint, "running") == "running"


@pytest.mark.parametrize(("over", "field"), [
    ({"variants": [{"key": "a", "weight": -1, "algorithm_version": "lp-1.0"},
                   {"key": "b", "weight": 101, "algorithm_version": "lp-1.0"}]},
     "variants.0.weight"),
    ({"variants": [{"key": "a", "weight": 50, "algorithm_version": "lp-9.9"},
                   {"key": "b", "weight": 50, "algorithm_version": "lp-1.0"}]},
     "variants.0.algorithm_version"),
    ({"stratification_keys": ["eye_colour"]}, "stratification_keys"),
    ({"holdout_percentage": 150}, "holdout_percentage"),
    ({"start_at": "2026-05-01T00:00:00Z", "end_at": "2026-04-01T00:00:00Z"}, "end_at"),
    ({"guardrails": [{"metric": "vibes", "max_relative_drop": 0.1}]}, "guardrails.0.metric"),
    ({"name": ""}, "name"),
])
def test_bad_input_names_the_field_and_writes_nothing(seeded, over: dict, field: str) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        _create(**over)
    assert err.value.extra["field"] == field
    assert _counts() == before


def test_taken_key_is_refused(seeded) -> None:
    _create()
    before = _counts()
    with pytest.raises(Conflict) as err:
        _create()
    assert err.value.extra["field"] == "key"
    assert _counts() == before


@pytest.mark.parametrize("email", ["coach1@demo.test", "athlete1@demo.test",
                                   "support@demo.test", "compliance@demo.test"])
def test_other_roles_cannot_manage_or_view(seeded, email: str) -> None:
    with pytest.raises(Forbidden):
        _create(email)
    eid = _create()
    with read_session() as s, pytest.raises(DomainError):
        registry.list_all(s, actor=_actor(s, email))
    with pytest.raises(Forbidden):
        _status(eid, "running", email)


def test_tick_completes_at_the_end(seeded) -> None:
    eid = _create(start_at="2026-01-01T00:00:00Z", end_at="2026-02-01T00:00:00Z")
    _status(eid, "running")
    with unit_of_work() as s:
        assert registry.tick(s, now=datetime(2026, 1, 31, tzinfo=UTC), context=CTX) == []
    with unit_of_work() as s:
        assert registry.tick(s, now=datetime(2026, 2, 1, tzinfo=UTC), context=CTX) == [
            "lp-vs-dup"]
    with read_session() as s:
        assert s.get(Experiment, eid).status == "complete"
