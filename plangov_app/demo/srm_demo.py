"""The SRM demo: a completed experiment whose stored split is deliberately broken.

"srm-demo" asks for 50/50, but its assignments put 21 of the 24 demo athletes in control
and 3 in treatment (χ² = 13.5, p ≈ 0.00024 < 0.001), so its page shows the sample-ratio
mismatch banner. With only 24 athletes a milder skew (say 70/30, 17/7) stays within
chance (p ≈ 0.04), so the demo needs this one.

The experiment itself goes through the registry (create, start, complete: audited as the
demo data scientist). Its assignments and exposures are inserted directly: they simulate a
broken client that enrolled athletes without asking the assignment service, which is
exactly the bug an SRM check exists to catch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from db.models.experiments import Experiment, ExperimentAssignment, ExposureEvent
from plangov_app.demo.accounts import athlete_id, demo_id
from plangov_app.services.context import system_context
from plangov_app.services.errors import Conflict
from plangov_app.services.experiments import assignment, lifecycle, registry
from plangov_app.services.rbac import load_actor

SRM_DEMO_KEY = "srm-demo"
OWNER_EMAIL = "ds@demo.test"
DAYS = 14
ATHLETES = range(1, 25)


def srm_demo_body(today: date) -> dict:
    """The experiment as a data scientist would POST it: two weeks ending yesterday."""
    start = datetime.combine(today - timedelta(days=DAYS), time(8), tzinfo=UTC)
    return {
        "key": SRM_DEMO_KEY,
        "name": "SRM demo: a broken client's enrolment",
        "hypothesis": "None: this experiment shows what a sample-ratio mismatch looks like.",
        "randomization": "hash",
        "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                     {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
        "stratification_keys": [], "holdout_percentage": 0, "eligibility": {},
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(days=DAYS - 1)).isoformat(),
        "guardrails": [{"metric": "adherence", "max_relative_drop": 0.1}],
    }


def _mis_split(n: int) -> str:
    """Athletes 8, 16 and 24 in treatment, everyone else in control (21/3)."""
    return "treatment" if n % 8 == 0 else "control"


def seed_srm_demo(session: Session, today: date | None = None) -> int:
    """Create the SRM demo unless its key exists; 1 if created, else 0.

    Starting it passes the registry's overlap rule, so seed it before any experiment that
    runs over every athlete; if such a one already runs, nothing is created (0).
    """
    if session.exec(select(Experiment.id).where(Experiment.key == SRM_DEMO_KEY)).first():
        return 0
    today = today or datetime.now(UTC).date()
    owner = load_actor(session, demo_id(OWNER_EMAIL))
    context = system_context("plangov demo seed")
    try:
        with session.begin_nested():
            row = registry.create(session, actor=owner, body=srm_demo_body(today),
                                  context=context)
            registry.set_status(session, actor=owner, experiment_id=row.id,
                                status=lifecycle.RUNNING, context=context)
            _broken_client(session, row, today)
            registry.set_status(session, actor=owner, experiment_id=row.id,
                                status=lifecycle.COMPLETE, context=context)
    except Conflict:  # another experiment runs for the same athletes: leave the demo out
        return 0
    return 1


def _broken_client(session: Session, row: Experiment, today: date) -> None:
    """Assignments and one exposure each, spread over the two weeks, written directly."""
    first = datetime.combine(today - timedelta(days=DAYS), time(9), tzinfo=UTC)
    for n in ATHLETES:
        subject, variant = athlete_id(n), _mis_split(n)
        assigned = first + timedelta(days=(n * 5) % (DAYS - 1), minutes=n)
        session.add(ExperimentAssignment(
            subject_id=subject, experiment_id=row.id, phase=row.phase or 1, variant=variant,
            bucket=assignment.bucket_of(row.seed, subject), is_holdout=False,
            assigned_at=assigned))
        session.add(ExposureEvent(experiment_id=row.id, subject_id=subject,
                                  phase=row.phase or 1, variant=variant,
                                  occurred_at=assigned + timedelta(hours=2)))
    session.flush()
