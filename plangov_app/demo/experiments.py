"""The demo experiment: lp-1.0 against dup-1.0 over every demo athlete, already running.

Created through the registry (create, then start), so both steps are audited as the demo
data scientist. It is added after the demo plans, which fix their own algorithm and so
keep it; plans generated later (the UI, `plangov demo cohort N`) are decided by it.
"""

from __future__ import annotations

from sqlmodel import Session, select

from db.models.experiments import Experiment
from plangov_app.demo.accounts import demo_id
from plangov_app.services.context import system_context
from plangov_app.services.experiments import lifecycle, registry
from plangov_app.services.rbac import load_actor

DEMO_EXPERIMENT_KEY = "plan-algorithm-2026"
OWNER_EMAIL = "ds@demo.test"


def demo_experiment_body() -> dict:
    """The demo experiment as a data scientist would POST it (no time window, no end)."""
    return {
        "key": DEMO_EXPERIMENT_KEY,
        "name": "Linear vs undulating periodisation (2026)",
        "hypothesis": "Daily undulating periodisation (dup-1.0) raises session completion "
                      "against linear progression (lp-1.0) without more overrides.",
        "randomization": "stratified_blocks",
        "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                     {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
        "stratification_keys": ["sport", "level"],
        "holdout_percentage": 10,
        "eligibility": {},
        "guardrails": [{"metric": "adherence", "max_relative_drop": 0.1},
                       {"metric": "overrides", "max_relative_drop": 0.2}],
    }


def seed_experiment(session: Session) -> int:
    """Create and start the demo experiment unless its key exists; return 1 if created."""
    if session.exec(select(Experiment.id).where(Experiment.key == DEMO_EXPERIMENT_KEY)).first():
        return 0
    owner = load_actor(session, demo_id(OWNER_EMAIL))
    context = system_context("plangov demo seed")
    row = registry.create(session, actor=owner, body=demo_experiment_body(), context=context)
    registry.set_status(session, actor=owner, experiment_id=row.id, status=lifecycle.RUNNING,
                        context=context)
    return 1
