"""`plangov demo cohort N`: N synthetic athletes for experiments to work on.

Each athlete is pseudonymous ("Athlete 00042", cohort-00042@example.invalid), has a
sport, level, days per week and consent drawn from `random.Random(f"{seed}:{number}")`,
a synthetic coach (one per `ATHLETES_PER_COACH`), and one plan generated through
`creation.generate_plan` (so a running experiment decides its algorithm), submitted,
accepted and published as of its start, 3 to 7 weeks ago. Every session up to yesterday
has a workout log.

Known effect: an athlete completes a share of their past sessions equal to their base
rate (drawn uniformly from `BASE_COMPLETION`) plus `ALGORITHM_EFFECT[plan.algorithm_version]`
(dup-1.0 +6 points), does `PARTIAL_SHARE` of them partially and skips the rest. So the
completion rate (completed / logged sessions) of dup-1.0 plans exceeds lp-1.0's by 6
points, up to rounding and the spread of base rates between the arms.

Running it again adds N more athletes, numbered after those already there (the numbers,
and so every draw, are new). Each batch is its own transaction, so memory stays flat.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from db.models import AthleteProfile, CoachAthlete, Plan, User, WorkoutLog, clock_at
from db.session import unit_of_work
from plangov_app.demo.accounts import DEMO_PASSWORD, GOALS, LEVELS, SPORTS, demo_id, ensure
from plangov_app.services import audit
from plangov_app.services.context import RequestContext, system_context
from plangov_app.services.errors import InvalidInput
from plangov_app.services.plan_document import PlanSessionDoc
from plangov_app.services.plans import creation, lifecycle, lookup, transitions
from plangov_app.services.rbac import Actor, Role, load_actor
from plangov_app.services.security import hash_password
from plangov_app.services.versions import document_of

MIN_COHORT, MAX_COHORT = 1, 100_000
BATCH_SIZE = 200
ATHLETES_PER_COACH = 25
CONSENT_SHARE = 0.8
LEVEL_WEIGHTS = (0.4, 0.4, 0.2)
DAYS_PER_WEEK = (2, 3, 4, 5, 6)
PLAN_WEEKS = (8, 12, 16)
WEEKS_AGO = (3, 7)
BASE_COMPLETION = (0.62, 0.74)
PARTIAL_SHARE = 0.12
#: added to the per-session completion probability, by the plan's algorithm
ALGORITHM_EFFECT = {"lp-1.0": 0.0, "dup-1.0": 0.06}
ATHLETE_EMAIL = "cohort-{number:05d}@example.invalid"
COACH_EMAIL = "cohort-coach-{number:03d}@example.invalid"
TOOL = "plangov demo cohort"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CohortAthlete:
    """What the draws decided for synthetic athlete `number`."""

    number: int
    sport: str
    level: str
    days_per_week: int
    consent: bool
    research_consent: bool
    weeks_ago: int
    weeks: int
    base_completion: float

    @property
    def email(self) -> str:
        """The pseudonymous address (the reserved .invalid domain: nobody gets mail)."""
        return ATHLETE_EMAIL.format(number=self.number)

    @property
    def name(self) -> str:
        """The pseudonymous display name."""
        return f"Athlete {self.number:05d}"

    @property
    def coach_number(self) -> int:
        """The synthetic coach who looks after this athlete."""
        return (self.number - 1) // ATHLETES_PER_COACH + 1


@dataclass
class CohortReport:
    """What one run added."""

    first: int = 0
    last: int = 0
    athletes: int = 0
    coaches: int = 0
    plans: int = 0
    workout_logs: int = 0
    consenting: int = 0
    by_algorithm: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for the terminal."""
        algorithms = ", ".join(f"{n} {a}" for a, n in sorted(self.by_algorithm.items()))
        return (f"added athletes {self.first}–{self.last} ({self.athletes}, {self.consenting} "
                f"consenting to experiments), {self.coaches} coaches, {self.plans} plans "
                f"({algorithms}), {self.workout_logs} workout logs")


def draw_athlete(number: int, seed: str) -> CohortAthlete:
    """The deterministic attributes of athlete `number` under `seed`."""
    rng = random.Random(f"{seed}:{number}")
    return CohortAthlete(
        number=number, sport=rng.choice(SPORTS),
        level=rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0],
        days_per_week=rng.choice(DAYS_PER_WEEK), consent=rng.random() < CONSENT_SHARE,
        research_consent=rng.random() < CONSENT_SHARE, weeks_ago=rng.randint(*WEEKS_AGO),
        weeks=rng.choice(PLAN_WEEKS), base_completion=rng.uniform(*BASE_COMPLETION))


def check_size(n: int) -> None:
    """Refuse a cohort size outside MIN_COHORT..MAX_COHORT (InvalidInput naming `n`)."""
    if not MIN_COHORT <= n <= MAX_COHORT:
        raise InvalidInput(f"N: give a number of athletes from {MIN_COHORT} to "
                           f"{MAX_COHORT:,}; {n} is outside.", field="n")


def existing_count(session: Session) -> int:
    """How many cohort athletes the database already holds."""
    return session.exec(select(func.count()).select_from(User).where(
        col(User.email).like("cohort-%@example.invalid"),
        col(User.email).not_like("cohort-coach-%"))).one()


def add_cohort(n: int, *, seed: str = "cohort", today: date | None = None,
               batch_size: int = BATCH_SIZE, engine: Engine | None = None,
               progress: Progress | None = None, with_plans: bool = True) -> CohortReport:
    """Add `n` synthetic athletes after those already there, committing every batch.

    `progress(done, n)` is called after each committed batch. Without `with_plans` only
    the people are added (accounts, profiles, coaches): a population for previews.
    """
    check_size(n)
    today = today or date.today()
    password_hash = hash_password(DEMO_PASSWORD)  # one slow hash serves everyone
    with unit_of_work(engine) as session:
        first = existing_count(session) + 1
    report = CohortReport(first=first, last=first + n - 1)
    for start in range(first, first + n, batch_size):
        numbers = range(start, min(start + batch_size, first + n))
        with unit_of_work(engine) as session:
            _add_batch(session, [draw_athlete(k, seed) for k in numbers], password_hash,
                       today, report, with_plans=with_plans)
        if progress:
            progress(report.athletes, n)
    with unit_of_work(engine) as session:
        audit.record(session, action="demo.cohort", context=system_context(TOOL),
                     target_type="system", target_id="demo",
                     metadata={"seed": seed, "first": report.first, "last": report.last,
                               "plans": report.plans, "workout_logs": report.workout_logs})
    return report


def _add_batch(session: Session, athletes: list[CohortAthlete], password_hash: str,
               today: date, report: CohortReport, *, with_plans: bool = True) -> None:
    for athlete in athletes:
        report.coaches += _add_people(session, athlete, password_hash)
        report.consenting += athlete.consent
    session.flush()
    if not with_plans:
        report.athletes += len(athletes)
        return
    coaches = {n: load_actor(session, demo_id(COACH_EMAIL.format(number=n)))
               for n in {a.coach_number for a in athletes}}
    context = system_context(TOOL)
    plans = [(athlete, _plan(session, coaches[athlete.coach_number], athlete, today, context))
             for athlete in athletes]
    starts = sorted({plan.start_date for _, plan in plans})
    for start in starts:  # publish each plan as of its first day
        with clock_at(datetime.combine(start, time(6), UTC)):
            lifecycle.advance_lifecycle(session, start, context)
    for athlete, plan in plans:
        report.workout_logs += _logs(session, athlete, plan, today)
        report.by_algorithm[plan.algorithm_version] += 1
    report.athletes += len(athletes)
    report.plans += len(plans)
    session.flush()


def _add_people(session: Session, athlete: CohortAthlete, password_hash: str) -> int:
    """The athlete's account, profile and coach link (and the coach if new); coaches added."""
    coach_email = COACH_EMAIL.format(number=athlete.coach_number)
    coach_id, athlete_id = demo_id(coach_email), demo_id(athlete.email)
    added = ensure(session, User, coach_id, id=coach_id, email=coach_email,
                   display_name=f"Coach {athlete.coach_number:03d}", role=Role.COACH.value,
                   password_hash=password_hash)
    session.add(User(id=athlete_id, email=athlete.email, display_name=athlete.name,
                     role=Role.ATHLETE.value, password_hash=password_hash))
    session.flush()
    session.add(AthleteProfile(user_id=athlete_id, sport=athlete.sport, level=athlete.level,
                               days_per_week=athlete.days_per_week, goals=GOALS[athlete.sport],
                               experiment_consent=athlete.consent,
                               research_consent=athlete.research_consent))
    session.add(CoachAthlete(coach_id=coach_id, athlete_id=athlete_id))
    return int(added)


def _plan(session: Session, coach: Actor, athlete: CohortAthlete, today: date,
          context: RequestContext) -> Plan:
    """Generate (the experiment decides the algorithm), submit and accept the plan."""
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(weeks=athlete.weeks_ago)
    clock = datetime.combine(start - timedelta(days=7), time(8), UTC)
    athlete_id = demo_id(athlete.email)
    with clock_at(clock):
        plan = creation.generate_plan(session, coach, athlete_id=athlete_id, start_date=start,
                                      weeks=athlete.weeks, context=context,
                                      seed=f"cohort-{athlete.number}")
    with clock_at(clock + timedelta(hours=2)):
        transitions.submit_for_approval(session, coach, plan.id, comment="", context=context)
    with clock_at(clock + timedelta(days=1)):
        transitions.record_decision(session, load_actor(session, athlete_id), plan.id,
                                    decision="accept", comment="", context=context)
    return plan


def _logs(session: Session, athlete: CohortAthlete, plan: Plan, today: date) -> int:
    """A workout log for every session before `today`, with the known algorithm effect.

    Of the k past sessions, round(k × completion) are completed and round(k ×
    PARTIAL_SHARE) partial, the rest skipped, in a shuffled order: the athlete's rate is
    their base plus the effect, without coin-flip noise on top.
    """
    rng = random.Random(f"{plan.generation_seed}:logs")
    completion = athlete.base_completion + ALGORITHM_EFFECT.get(plan.algorithm_version, 0.0)
    document = document_of(lookup.head_version(session, plan))
    past = [planned for _, planned in document.sessions() if planned.day < today]
    completed, partial = round(len(past) * completion), round(len(past) * PARTIAL_SHARE)
    outcomes = (["completed"] * completed + ["partial"] * min(partial, len(past) - completed))
    outcomes += ["skipped"] * (len(past) - len(outcomes))
    rng.shuffle(outcomes)
    for planned, status in zip(past, outcomes, strict=True):
        session.add(_log(plan, planned, status, rng))
    return len(past)


def _log(plan: Plan, planned: PlanSessionDoc, status: str, rng: random.Random) -> WorkoutLog:
    volume = planned.volume()
    ratio = {"completed": rng.uniform(0.85, 1.1), "partial": rng.uniform(0.5, 0.79)}.get(
        status, 0.0)
    return WorkoutLog(
        athlete_id=plan.athlete_id, plan_id=plan.id, session_id=planned.session_id,
        scheduled_date=planned.day, status=status, planned_volume=round(volume, 1),
        completed_volume=round(volume * ratio, 1),
        rpe=None if status == "skipped" else round(rng.uniform(5, 9), 1),
        logged_at=datetime.combine(planned.day, time(19), UTC))
