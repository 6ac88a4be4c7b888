"""Creating a plan: the generator's document becomes the baseline version 1.

Version 1 is written by the algorithm; the person who asked for it is its requester.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from db.models import AthleteProfile, Plan, new_id
from plangov_app.services import audit, generation, outbox, status
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import NotFound
from plangov_app.services.rbac import Actor, Permission, authorize
from plangov_app.services.versions import (
    NewVersion,
    author_label,
    insert_version,
    prepare_version,
)


def choose_algorithm(session: Session, athlete_id: str) -> tuple[str, str | None]:
    """The algorithm (and experiment arm) for a new plan.

    The experiment service will decide here; until then every plan uses the default.
    """
    return generation.DEFAULT_ALGORITHM, None


def generate_plan(session: Session, actor: Actor, *, athlete_id: str, start_date: date,
                  weeks: int, context: RequestContext, algorithm: str | None = None,
                  seed: str = "") -> Plan:
    """Generate a plan for an athlete: status `generated`, baseline version 1."""
    missing = f"No athlete profile for {athlete_id}."
    authorize(actor, Permission.PLAN_EDIT, athlete_id, hide=True,
              target=("athlete", athlete_id), not_found=missing)
    profile = session.get(AthleteProfile, athlete_id)
    if profile is None:
        raise NotFound(missing)
    chosen, arm = choose_algorithm(session, athlete_id)
    spec = generation.GenerationInput(
        sport=profile.sport, level=profile.level, days_per_week=profile.days_per_week,
        start_date=start_date, weeks=weeks, algorithm=algorithm or chosen, seed=seed)
    document = generation.generate(spec)
    plan = Plan(id=new_id(), athlete_id=athlete_id, status=status.GENERATED,
                experiment_arm=arm, algorithm_version=spec.algorithm, generation_seed=seed,
                start_date=start_date, weeks=weeks, created_by=actor.user_id)
    session.add(plan)
    session.flush()
    version = insert_version(session, plan, prepare_version(plan, actor, None, NewVersion(
        document=document, status=status.GENERATED, kind="generated",
        generated_by=spec.algorithm)))
    author = author_label(version, {actor.user_id: actor.display_name or actor.email})
    audit.record(session, action="plan.generate", context=context, actor=actor,
                 target_type="plan", target_id=plan.id,
                 metadata={"version_id": version.id, "algorithm_version": spec.algorithm,
                           "weeks": weeks, "start_date": start_date.isoformat(),
                           "experiment_arm": arm, "author": author,
                           "requested_by": actor.user_id})
    outbox.emit(session, "plan.generated", plan, version_id=version.id,
                extra={"weeks": weeks, "variant": arm})
    return plan
