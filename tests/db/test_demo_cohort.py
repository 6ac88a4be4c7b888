"""`plangov demo cohort N` (SQLite and PostgreSQL): pseudonymous athletes spread over sports,
levels and consent, with coaches, published plans and workout logs; bounded N; a second run
adds more after the first; with the demo experiment running, dup-1.0 plans complete about
`ALGORITHM_EFFECT` more sessions."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlmodel import col, func, select

from db.models import AthleteProfile, CoachAthlete, Plan, User, WorkoutLog
from db.session import read_session, unit_of_work
from plangov_app.demo import cohort
from plangov_app.demo.accounts import demo_id
from plangov_app.demo.experiments import seed_experiment
from plangov_app.services.errors import InvalidInput
from tests.support.cli import run_cli

TODAY = date(2026, 12, 3)


def _cohort_users(session) -> list[User]:
    return list(session.exec(select(User).where(col(User.email).like("cohort-%"))
                             .order_by(col(User.email))))


def test_a_small_cohort_has_people_plans_and_logs(seeded) -> None:
    report = cohort.add_cohort(30, seed="t", today=TODAY, batch_size=12)
    assert (report.first, report.last, report.athletes, report.coaches, report.plans) == (
        1, 30, 30, 2, 30)
    with read_session() as s:
        users = _cohort_users(s)
        athletes = [u for u in users if u.role == "athlete"]
        assert len(athletes) == 30 and {u.role for u in users} == {"athlete", "coach"}
        assert all(re.fullmatch(r"Athlete \d{5}", u.display_name) for u in athletes)
        assert all(u.email.endswith("@example.invalid") for u in users)
        profiles = s.exec(select(AthleteProfile).where(
            col(AthleteProfile.user_id).in_([u.id for u in athletes]))).all()
        assert len({p.sport for p in profiles}) >= 4 and len({p.level for p in profiles}) == 3
        assert len({p.days_per_week for p in profiles}) >= 3
        consenting = sum(p.experiment_consent for p in profiles)
        assert consenting == report.consenting and 15 <= consenting < 30
        draw = cohort.draw_athlete(7, "t")
        seventh = s.get(AthleteProfile, demo_id(draw.email))
        assert (seventh.sport, seventh.level, seventh.experiment_consent) == (
            draw.sport, draw.level, draw.consent)
        links = s.exec(select(CoachAthlete).where(
            col(CoachAthlete.athlete_id).in_([u.id for u in athletes]))).all()
        assert Counter(link.coach_id for link in links) == {
            demo_id("cohort-coach-001@example.invalid"): 25,
            demo_id("cohort-coach-002@example.invalid"): 5}
        plans = s.exec(select(Plan).where(col(Plan.athlete_id).in_([u.id for u in athletes]))).all()
        assert len(plans) == 30 and {p.status for p in plans} == {"published"}
        assert all(p.start_date < TODAY and p.published_at is not None for p in plans)
        logs = s.exec(select(WorkoutLog).where(
            col(WorkoutLog.plan_id).in_([p.id for p in plans]))).all()
        assert len(logs) == report.workout_logs and {log.plan_id for log in logs} == {
            p.id for p in plans}
        assert max(log.scheduled_date for log in logs) < TODAY
        assert {log.status for log in logs} == {"completed", "partial", "skipped"}


def test_a_second_run_adds_more_after_the_first(seeded) -> None:
    cohort.add_cohort(3, seed="t", today=TODAY)
    again = cohort.add_cohort(2, seed="t", today=TODAY)
    assert (again.first, again.last, again.coaches) == (4, 5, 0)
    with read_session() as s:
        assert [u.display_name for u in _cohort_users(s) if u.role == "athlete"] == [
            f"Athlete {n:05d}" for n in range(1, 6)]


@pytest.mark.parametrize("n", [0, -1, cohort.MAX_COHORT + 1])
def test_n_out_of_bounds_is_refused_and_nothing_written(seeded, n) -> None:
    with read_session() as s:
        before = s.exec(select(func.count()).select_from(User)).one()
    with pytest.raises(InvalidInput, match="1 to 100,000"):
        cohort.add_cohort(n, today=TODAY)
    with read_session() as s:
        assert s.exec(select(func.count()).select_from(User)).one() == before


def test_the_cli_refuses_a_bad_n_and_reports_progress(seeded, database_url, tmp_path) -> None:
    env = {"DATABASE_URL": database_url, "PLANGOV_TELEMETRY_FILE": str(tmp_path / "t.jsonl")}
    bad = run_cli("demo", "cohort", "0", env=env)
    assert bad.returncode == 1 and "1 to 100,000" in bad.stderr
    ok = run_cli("demo", "cohort", "3", "--batch", "2", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "added athletes 1–3" in ok.stdout
    assert "cohort: 2/3 athletes" in ok.stderr and "cohort: 3/3 athletes" in ok.stderr


def _completion_by_algorithm(session) -> dict[str, float]:
    rows = session.exec(select(Plan.algorithm_version, WorkoutLog.status, func.count())
                        .join(Plan, col(Plan.id) == WorkoutLog.plan_id)
                        .join(User, col(User.id) == Plan.athlete_id)
                        .where(col(User.email).like("cohort-%"))
                        .group_by(Plan.algorithm_version, WorkoutLog.status)).all()
    totals, done = Counter(), Counter()
    for algorithm, status, count in rows:
        totals[algorithm] += count
        done[algorithm] += count if status == "completed" else 0
    return {a: done[a] / totals[a] for a in totals}


def test_dup_plans_complete_the_known_amount_more(seeded) -> None:
    with unit_of_work() as s:
        assert seed_experiment(s) == 1
    report = cohort.add_cohort(200, seed="effect", today=TODAY)
    assert set(report.by_algorithm) == {"lp-1.0", "dup-1.0"}
    with read_session() as s:
        rates = _completion_by_algorithm(s)
        arms = Counter(s.exec(select(Plan.experiment_arm).join(
            User, col(User.id) == Plan.athlete_id).where(col(User.email).like("cohort-%"))))
    assert arms["treatment"] == report.by_algorithm["dup-1.0"] and arms["control"] > 0
    assert arms[None] >= 200 - report.consenting  # no consent (and holdout): default, no arm
    effect = rates["dup-1.0"] - rates["lp-1.0"]
    assert effect == pytest.approx(cohort.ALGORITHM_EFFECT["dup-1.0"], abs=0.015)


def test_without_plans_only_the_people_are_added(seeded) -> None:
    report = cohort.add_cohort(4, seed="t", today=TODAY, with_plans=False)
    assert (report.athletes, report.plans, report.workout_logs) == (4, 0, 0)
    with read_session() as s:
        profiles = s.exec(select(func.count()).select_from(AthleteProfile).join(
            User, col(User.id) == AthleteProfile.user_id).where(
            col(User.email).like("cohort-%"))).one()
        assert profiles == 4
        assert s.exec(select(func.count()).select_from(Plan)).one() == 0
