"""`plangov demo seed`: the whole demo data set, idempotent, so it can run on every start."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from plangov_app.demo.accounts import (
    DEMO_PASSWORD,
    seed_coaches,
    seed_profiles,
    seed_reference,
    seed_teams,
    seed_users,
)
from plangov_app.demo.experiments import seed_experiment
from plangov_app.demo.flags import seed_flags
from plangov_app.demo.plans import seed_plans, seed_workout_logs
from plangov_app.demo.srm_demo import seed_srm_demo
from plangov_app.services import audit
from plangov_app.services.context import system_context
from plangov_app.services.plans import lifecycle
from plangov_app.services.security import hash_password


def seed(session: Session, *, with_plans: bool = True, today: date | None = None,
         with_experiment: bool | None = None) -> dict[str, int]:
    """Create whatever of the demo data set is missing; return what was created.

    `with_plans` adds plans in every status with histories, comments and workout logs;
    `with_experiment` (default: as `with_plans`) then starts the demo experiment, after the
    plans so that they keep the algorithm their scenario gives them.
    """
    created = {"users": 0, "profiles": 0, "assignments": 0, "teams": 0, "reference": 0,
               "plans": 0, "workout_logs": 0, "flags": 0, "srm_demo": 0, "experiments": 0}
    # Every demo account shares the published demo password, so one (slow) hash serves all.
    created["users"] = seed_users(session, hash_password(DEMO_PASSWORD))
    created["profiles"] = seed_profiles(session)
    created["teams"], team_members = seed_teams(session)
    created["assignments"] = seed_coaches(session) + team_members
    created["reference"] = seed_reference(session)
    created["flags"] = seed_flags(session)
    session.flush()
    if with_plans:
        today = today or date.today()
        created["plans"] = seed_plans(session, today)
        lifecycle.advance_lifecycle(session, today, system_context("plangov demo seed"))
        created["workout_logs"] = seed_workout_logs(session, today)
    if with_plans if with_experiment is None else with_experiment:  # default: with the plans
        # the mis-split demo first: it passes through "running", which the demo experiment
        # (over every athlete) would refuse once it runs
        created["srm_demo"] = seed_srm_demo(session, today=today)
        created["experiments"] = seed_experiment(session)
    if any(created.values()):
        audit.record(session, action="demo.seed", context=system_context("plangov demo seed"),
                     target_type="system", target_id="demo", metadata=created)
    return created
