"""Creating a plan: the generator's document becomes the baseline version 1.

Version 1 is written by the algorithm; the person who asked for it is its requester.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from db.models import AthleteProfile, Plan, User, new_id
from plangov_app.services import audit, generation, outbox, status
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput, NotFound
from plangov_app.services.experiments import enrolment
from plangov_app.services.rbac import Actor, Permission, Role, authorize, visible_athlete_ids
from plangov_app.services.users import natural_key
from plangov_app.services.versions import (
    NewVersion,
    author_label,
    insert_version,
    prepare_version,
)

START_IN_PAST = ("Start date is in the past: choose {today:%d %b %Y} or later (weeks "
                 "already gone cannot be trained).")


@dataclass(frozen=True)
class GenerateRequest:
    """What a person typed in Generate plan, checked: the values, or per field what is wrong."""

    athlete_id: str = ""
    start_date: date | None = None
    weeks: int | None = None
    problems: dict[str, str] = field(default_factory=dict)  # field → why, in words


def generatable_athletes(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, "Name (email)") of the athletes `actor` may generate plans for, by name."""
    reach = visible_athlete_ids(actor, Permission.PLAN_EDIT)
    if reach is not None and not reach:
        return []
    query = select(User).join(AthleteProfile, col(AthleteProfile.user_id) == User.id).where(
        User.role == Role.ATHLETE.value, col(User.is_active).is_(True))
    if reach is not None:
        query = query.where(col(User.id).in_(reach))
    rows = sorted(session.exec(query), key=lambda u: natural_key(u.display_name))
    return [(u.id, f"{u.display_name} ({u.email})") for u in rows]


def check_generate_request(*, athlete_id: str, start: str, weeks: str, today: date,
                           allowed: set[str]) -> GenerateRequest:
    """Check Generate plan's boxes as typed (`allowed`: the athletes the actor may choose).

    Each problem is a sentence for beside its field: no athlete chosen, a start that is
    not a date or is before `today`, weeks that are not a whole number from 4 to 52.
    """
    problems: dict[str, str] = {}
    if athlete_id not in allowed:
        problems["athlete_id"] = "Choose one of your athletes."
    start_date = None
    try:
        start_date = date.fromisoformat(start.strip())
    except ValueError:
        problems["start_date"] = "Start date must be a date (day, month, year)."
    else:
        if start_date < today:
            problems["start_date"] = START_IN_PAST.format(today=today)
    count = None
    low, high = generation.MIN_WEEKS, generation.MAX_WEEKS
    typed = weeks.strip()
    if typed.isdigit() and low <= int(typed) <= high:
        count = int(typed)
    else:
        problems["weeks"] = f"Weeks must be a whole number from {low} to {high}."
    return GenerateRequest(athlete_id=athlete_id, start_date=start_date, weeks=count,
                           problems=problems)


def generate_plan(session: Session, actor: Actor, *, athlete_id: str, start_date: date,
                  weeks: int, context: RequestContext, algorithm: str | None = None,
                  seed: str = "", today: date | None = None) -> Plan:
    """Generate a plan for an athlete: status `generated`, baseline version 1.

    The algorithm is `algorithm` when given (a fixed choice: no experiment decides),
    otherwise the variant of the running experiment that enrols the athlete (with an
    exposure written in this transaction), otherwise the default.

    With `today` (the UI's Generate plan), a start before it is refused (InvalidInput
    naming `start_date`).
    """
    missing = f"No athlete profile for {athlete_id}."
    authorize(actor, Permission.PLAN_EDIT, athlete_id, hide=True,
              target=("athlete", athlete_id), not_found=missing)
    if today is not None and start_date < today:
        raise InvalidInput(START_IN_PAST.format(today=today), field="start_date")
    profile = session.get(AthleteProfile, athlete_id)
    if profile is None:
        raise NotFound(missing)
    choice = (enrolment.AlgorithmChoice(algorithm) if algorithm else enrolment.choose_algorithm(
        session, athlete_id, default=generation.DEFAULT_ALGORITHM, context=context, actor=actor))
    arm = choice.arm
    spec = generation.GenerationInput(
        sport=profile.sport, level=profile.level, days_per_week=profile.days_per_week,
        start_date=start_date, weeks=weeks, algorithm=choice.algorithm_version, seed=seed)
    document = generation.generate(spec)
    plan = Plan(id=new_id(), athlete_id=athlete_id, status=status.GENERATED,
                experiment_arm=arm, algorithm_version=spec.algorithm, generation_seed=seed,
                start_date=start_date, weeks=weeks, created_by=actor.user_id)
    session.add(plan)
    session.flush()
    enrolment.record_exposure(session, choice, plan.id)
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
    decided_by = choice.enrolment
    outbox.emit(session, "plan.generated", plan, version_id=version.id,
                extra={"weeks": weeks, "variant": arm,
                       "experiment_key": decided_by.experiment_key if arm and decided_by else None,
                       "is_holdout": bool(decided_by and decided_by.is_holdout)})
    return plan


def generate_from_form(session: Session, actor: Actor, *, athlete_id: str, start: str,
                       weeks: str, today: date, context: RequestContext) -> Plan:
    """Generate plan as typed in the UI: checked per field, then `generate_plan`.

    InvalidInput carries every problem as `errors` ([{"field", "message"}], in words),
    so each can be shown beside its box; nothing is written then.
    """
    allowed = {athlete for athlete, _ in generatable_athletes(session, actor)}
    checked = check_generate_request(athlete_id=athlete_id, start=start, weeks=weeks,
                                     today=today, allowed=allowed)
    if checked.problems:
        field_name, message = next(iter(checked.problems.items()))
        raise InvalidInput(message, field=field_name, errors=[
            {"field": f, "message": m} for f, m in checked.problems.items()])
    assert checked.start_date is not None and checked.weeks is not None
    return generate_plan(session, actor, athlete_id=checked.athlete_id,
                         start_date=checked.start_date, weeks=checked.weeks,
                         context=context, today=today)
