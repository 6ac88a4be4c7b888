"""Enrolment on a real database (SQLite and PostgreSQL): sticky assignments, consent from
the profile, holdout, stratified blocks, phases, plan generation by the assigned algorithm
with exposures and the outbox, bad input writing nothing, RBAC."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from db.models import AthleteProfile, AuditEvent, OutboxEvent, Plan, User
from db.models.experiments import Experiment, ExperimentAssignment, ExposureEvent
from db.session import read_session, unit_of_work
from plangov_app.demo.accounts import athlete_id
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, InvalidInput, NotFound
from plangov_app.services.experiments import assignment, enrolment, registry
from plangov_app.services.plans.creation import generate_plan
from plangov_app.services.rbac import load_actor

CTX = RequestContext()
DS = "ds@demo.test"


def _actor(session, email: str = DS):
    user = session.exec(select(User).where(User.email == email)).one()
    return load_actor(session, user.id)


def _experiment(*, start: bool = True, **over) -> str:
    body = {
        "key": "lp-vs-dup", "name": "Linear vs undulating", "randomization": "hash",
        "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                     {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
        "stratification_keys": ["sport", "level"], "holdout_percentage": 0,
    }
    body.update(over)
    with unit_of_work() as s:
        eid = registry.create(s, actor=_actor(s), body=body, context=CTX).id
    if start:
        with unit_of_work() as s:
            registry.set_status(s, actor=_actor(s), experiment_id=eid, status="running",
                                context=CTX)
    return eid


def _assign(subject: str, key: str = "lp-vs-dup", email: str = DS, attributes=None,
            **kwargs) -> enrolment.Enrolment:
    with unit_of_work() as s:
        return enrolment.assign_subject(s, actor=_actor(s, email), experiment_key=key,
                                        subject_id=subject, attributes=attributes or {},
                                        context=CTX, **kwargs)


def _stored_rows(eid: str) -> list[ExperimentAssignment]:
    with read_session() as s:
        return list(s.exec(select(ExperimentAssignment).where(
            ExperimentAssignment.experiment_id == eid)))


def _set_consent(n: int, consent: bool) -> None:
    with unit_of_work() as s:
        profile = s.get(AthleteProfile, athlete_id(n))
        profile.experiment_consent = consent
        s.add(profile)


def _count(model) -> int:
    with read_session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_the_first_answer_is_stored_audited_and_returned_unchanged(seeded) -> None:
    eid = _experiment()
    first = _assign(athlete_id(1))
    assert first.variant in {"control", "treatment"} and first.reason is None
    assert first.bucket == assignment.bucket_of("lp-vs-dup", athlete_id(1))
    assert first.stratum == "sport=running|level=beginner"
    # eligibility may change while running; the stored answer does not
    with unit_of_work() as s:
        registry.update(s, actor=_actor(s), experiment_id=eid,
                        changes={"eligibility": {"sports": ["rowing"]}}, context=CTX)
    again = _assign(athlete_id(1))
    assert (again.variant, again.bucket, again.assigned_at) == (
        first.variant, first.bucket, first.assigned_at)
    assert len(_stored_rows(eid)) == 1
    with read_session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "experiment.assign")).all()
    assert len(events) == 1
    state = json.loads(events[0].metadata_json)["state"]
    assert (state["variant"], state["bucket"], state["phase"]) == (first.variant, first.bucket, 1)


def test_consent_comes_from_the_profile_and_withdrawal_stops_exposure(seeded) -> None:
    eid = _experiment()
    refused = _assign(athlete_id(5), attributes={"experiment_consent": True})  # no consent
    assert (refused.variant, refused.reason) == (None, "no_consent")
    assert _stored_rows(eid) == []
    enrolled = _assign(athlete_id(1))
    _set_consent(1, False)
    withdrawn = _assign(athlete_id(1))
    assert (withdrawn.variant, withdrawn.reason) == (None, "no_consent")
    _set_consent(1, True)
    assert _assign(athlete_id(1)).variant == enrolled.variant
    assert len(_stored_rows(eid)) == 1


def test_caller_attributes_cannot_override_the_profile(seeded) -> None:
    _experiment(eligibility={"sports": ["rowing"]})
    answer = _assign(athlete_id(1), attributes={"sport": "rowing"})  # athlete 1 runs
    assert answer.reason == "not_eligible" and answer.stratum.startswith("sport=running")


def test_holdout_is_stored_and_gets_no_variant(seeded) -> None:
    eid = _experiment(holdout_percentage=100)
    answer = _assign(athlete_id(1))
    assert (answer.variant, answer.is_holdout, answer.reason) == (None, True, None)
    [row] = _stored_rows(eid)
    assert (row.variant, row.is_holdout) == ("", True)


def test_not_running_and_outside_the_window_enrol_nobody(seeded) -> None:
    eid = _experiment(start=False)
    assert _assign(athlete_id(1)).reason == "not_running"
    with unit_of_work() as s:
        registry.update(s, actor=_actor(s), experiment_id=eid, context=CTX, changes={
            "start_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()})
        registry.set_status(s, actor=_actor(s), experiment_id=eid, status="running",
                            context=CTX)
    assert _assign(athlete_id(1)).reason == "outside_window"
    assert _stored_rows(eid) == []


def test_stratified_blocks_keep_every_stratum_within_one_block(seeded) -> None:
    eid = _experiment(randomization="stratified_blocks", stratification_keys=["level"])
    answers = [_assign(athlete_id(n)) for n in range(1, 25)]
    enrolled = [a for a in answers if a.variant]
    assert len(enrolled) == 20  # athletes 5, 10, 15, 20 gave no consent
    by_stratum: dict[str, list[str]] = {}
    for a in enrolled:
        by_stratum.setdefault(a.stratum, []).append(a.variant)
        counts = Counter(by_stratum[a.stratum])
        assert abs(counts["control"] - counts["treatment"]) <= 1  # block of 2 at every moment
    for stratum, variants in by_stratum.items():  # the documented sequence, recomputed
        with read_session() as s:
            compiled = registry.compiled_of(s.get(Experiment, eid))
        expected = [assignment.block_sequence(compiled, stratum, i // 2)[i % 2]
                    for i in range(len(variants))]
        assert variants == expected


def test_a_new_phase_re_randomises_with_its_own_rows(seeded) -> None:
    eid = _experiment()
    first = _assign(athlete_id(1))
    with unit_of_work() as s:
        registry.set_status(s, actor=_actor(s), experiment_id=eid, status="paused", context=CTX)
        registry.update(s, actor=_actor(s), experiment_id=eid, context=CTX, new_phase=True,
                        changes={"variants": [
                            {"key": "control", "weight": 20, "algorithm_version": "lp-1.0"},
                            {"key": "treatment", "weight": 80, "algorithm_version": "dup-1.0"}]})
    assert _assign(athlete_id(1)).reason == "not_running"  # paused: kept, nobody exposed
    with unit_of_work() as s:
        registry.set_status(s, actor=_actor(s), experiment_id=eid, status="running",
                            context=CTX)
    second = _assign(athlete_id(1))
    assert (second.phase, first.phase) == (2, 1)
    assert second.bucket == assignment.bucket_of("lp-vs-dup:phase2", athlete_id(1))
    assert sorted(r.phase for r in _stored_rows(eid)) == [1, 2]


@pytest.mark.parametrize(("kwargs", "error", "field"), [
    ({"key": "no-such"}, NotFound, "experiment_key"),
    ({"key": ""}, InvalidInput, "experiment_key"),
    ({"subject": "not-an-athlete"}, NotFound, "subject_id"),
    ({"subject": ""}, InvalidInput, "subject_id"),
    ({"attributes": {"x": {"nested": 1}}}, InvalidInput, "attributes.x"),
    ({"attributes": {f"k{i}": i for i in range(21)}}, InvalidInput, "attributes"),
])
def test_bad_requests_name_the_field_and_write_nothing(seeded, kwargs, error, field) -> None:
    _experiment()
    before = (_count(ExperimentAssignment), _count(AuditEvent))
    with pytest.raises(error) as raised:
        _assign(kwargs.get("subject", athlete_id(1)), key=kwargs.get("key", "lp-vs-dup"),
                attributes=kwargs.get("attributes"))
    assert raised.value.extra.get("field") == field
    assert (_count(ExperimentAssignment), _count(AuditEvent)) == before


@pytest.mark.parametrize("email", ["coach1@demo.test", "athlete1@demo.test",
                                   "support@demo.test"])
def test_only_experiment_managers_may_assign(seeded, email) -> None:
    _experiment()
    with pytest.raises(Forbidden):
        _assign(athlete_id(1), email=email)
    assert _count(ExperimentAssignment) == 0


def test_admin_may_assign(seeded) -> None:
    _experiment()
    assert _assign(athlete_id(2), email="admin@demo.test").variant is not None


def test_concurrent_first_requests_store_one_row(seeded) -> None:
    eid = _experiment(randomization="stratified_blocks")
    answers: list[enrolment.Enrolment] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            answers.append(_assign(athlete_id(3)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({(a.variant, a.bucket, a.assigned_at) for a in answers}) == 1
    assert len(_stored_rows(eid)) == 1


def _generate(n: int) -> Plan:
    with unit_of_work() as s:
        coach = _actor(s, "coach1@demo.test" if n <= 12 else "coach2@demo.test")
        return generate_plan(s, coach, athlete_id=athlete_id(n), weeks=4, context=CTX,
                             start_date=date.today() + timedelta(days=7))


def _exposures(plan_id: str) -> list[ExposureEvent]:
    with read_session() as s:
        return list(s.exec(select(ExposureEvent).where(ExposureEvent.plan_id == plan_id)))


def _outbox_payload(plan_id: str) -> dict:
    with read_session() as s:
        row = s.exec(select(OutboxEvent).where(OutboxEvent.aggregate_id == plan_id,
                                               OutboxEvent.topic == "plan.generated")).one()
    return json.loads(row.payload_json)


def test_generation_uses_the_assigned_algorithm_and_logs_one_exposure(seeded) -> None:
    _experiment()
    plan = _generate(1)
    answer = _assign(athlete_id(1))
    expected = {"control": "lp-1.0", "treatment": "dup-1.0"}[answer.variant]
    assert (plan.experiment_arm, plan.algorithm_version) == (answer.variant, expected)
    [exposure] = _exposures(plan.id)
    assert (exposure.subject_id, exposure.variant) == (athlete_id(1), answer.variant)
    payload = _outbox_payload(plan.id)
    assert (payload["variant"], payload["experiment_key"], payload["algorithm_version"]) == (
        answer.variant, "lp-vs-dup", expected)
    second = _generate(1)  # sticky: the same arm, a second exposure for the new plan
    assert second.experiment_arm == answer.variant and len(_exposures(second.id)) == 1


def test_generation_gives_the_default_to_non_consenting_and_holdout(seeded) -> None:
    _experiment(holdout_percentage=100)
    for n in (5, 1):  # 5: no consent; 1: held out
        plan = _generate(n)
        assert (plan.experiment_arm, plan.algorithm_version) == (None, "lp-1.0")
        assert _exposures(plan.id) == []
        assert _outbox_payload(plan.id)["is_holdout"] is (n == 1)
    with read_session() as s:
        rows = s.exec(select(ExperimentAssignment)).all()
    assert [(r.subject_id, r.is_holdout) for r in rows] == [(athlete_id(1), True)]


def test_concurrent_enrolments_in_one_stratum_take_distinct_block_slots(seeded) -> None:
    eid = _experiment(randomization="stratified_blocks", stratification_keys=[])
    consenting = [n for n in range(1, 25) if n % 5 != 0]
    threads = [threading.Thread(target=_assign, args=(athlete_id(n),)) for n in consenting]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = Counter(r.variant for r in _stored_rows(eid))
    assert counts == {"control": 10, "treatment": 10}  # 20 enrolments fill 10 blocks of 2


def test_preview_keeps_stored_answers_unless_the_form_reshuffles(seeded) -> None:
    from plangov_app.services.experiments import preview

    eid = _experiment()
    first = _assign(athlete_id(1))
    before = (_count(ExperimentAssignment), _count(AuditEvent))
    with read_session() as s:
        stored = preview.preview(s, actor=_actor(s), experiment_id=eid)
        reshuffled = preview.preview(s, actor=_actor(s), experiment_id=eid,
                                     config={"holdout_percentage": 100})
        unsaved = preview.preview(s, actor=_actor(s), config={
            "variants": [{"key": "x", "weight": 100.0 - 30}, {"key": "y", "weight": 30}]})
    assert (stored.population, stored.already_assigned) == (24, 1)
    assert stored.excluded["no_consent"] == 4
    assert stored.totals[first.variant] >= 1
    assert (reshuffled.already_assigned, reshuffled.holdout) == (0, 20)
    assert set(unsaved.totals) == {"x", "y"} and sum(unsaved.totals.values()) == 20
    assert (_count(ExperimentAssignment), _count(AuditEvent)) == before
    with read_session() as s, pytest.raises(Forbidden):
        preview.preview(s, actor=_actor(s, "coach1@demo.test"), experiment_id=eid)
