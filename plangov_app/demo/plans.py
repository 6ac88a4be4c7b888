"""Demo plans: every status, edit histories, comment threads and workout logs.

Everything is written through the real services (so audit, outbox and versions agree),
back-dated with `clock_at` so the history reads like weeks of real use.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from db.models import Plan, PlanVersion, WorkoutLog, clock_at
from plangov_app.demo.accounts import demo_id
from plangov_app.services import comments
from plangov_app.services.catalogue import catalogue
from plangov_app.services.context import system_context
from plangov_app.services.plan_document import PlanDocument
from plangov_app.services.plans import creation, edits, lifecycle, lookup, transitions
from plangov_app.services.rbac import Actor, load_actor
from plangov_app.services.versions import document_of

Step = Callable[["_Story"], None]


@dataclass
class _Story:
    session: Session
    coach: Actor
    athlete: Actor
    plan: Plan
    clock: datetime
    rng: random.Random

    def tick(self, hours: float) -> datetime:
        self.clock += timedelta(hours=hours)
        return self.clock

    def head(self) -> PlanVersion:
        return lookup.head_version(self.session, self.plan)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _edit(story: _Story, kind: str, reasons: tuple[str, ...], rationale: str) -> None:
    head = story.head()
    operations = _operations(document_of(head), kind, story.rng)
    if not operations:
        return
    with clock_at(story.tick(3)):
        edits.create_edited_version(
            story.session, story.coach, story.plan.id, request=edits.EditRequest(
                base_version_id=head.id, operations=operations, reason_codes=reasons,
                rationale=rationale), context=system_context("demo seed"))


def _operations(document: PlanDocument, kind: str, rng: random.Random) -> list[dict[str, Any]]:
    for w, week in enumerate(document.weeks[:2]):
        for s, plan_session in enumerate(week.sessions):
            for i, item in enumerate(plan_session.items):
                path = f"/weeks/{w}/sessions/{s}/items/{i}"
                if kind == "volume" and item.sets and item.sets < 20:
                    return [{"op": "replace", "path": f"{path}/sets", "value": item.sets + 1}]
                if kind == "swap":
                    other = _alternative(item.exercise, rng)
                    if other:
                        return [{"op": "replace", "path": f"{path}/exercise", "value": other},
                                {"op": "replace", "path": f"{path}/name",
                                 "value": catalogue()[other].name}]
            if kind == "move":
                busy = {x.day for x in week.sessions}
                target = plan_session.day + timedelta(days=1)
                first = document.start_date + timedelta(days=7 * w) if document.start_date else None
                if target not in busy and first and target <= first + timedelta(days=6):
                    return [{"op": "replace", "path": f"/weeks/{w}/sessions/{s}/day",
                             "value": target.isoformat()}]
    return []


def _alternative(key: str, rng: random.Random) -> str | None:
    current = catalogue()[key]
    options = sorted(e.key for e in catalogue().values()
                     if e.key != key and e.category == current.category
                     and e.pattern == current.pattern and e.loaded == current.loaded
                     and e.unit == current.unit)
    return rng.choice(options) if options else None


def _submit(story: _Story, note: str = "Ready for you — have a look.") -> None:
    with clock_at(story.tick(2)):
        transitions.submit_for_approval(story.session, story.coach, story.plan.id, comment=note,
                                        context=system_context("demo seed"))


def _request_changes(story: _Story) -> None:
    document = document_of(story.head())
    first = document.weeks[0].sessions[0]
    with clock_at(story.tick(20)):
        comments.create_comment(story.session, story.athlete, story.plan.id,
                                message=f"Can we make '{first.title}' a bit shorter? "
                                        "Work is busy that day.",
                                anchor_id=first.session_id, context=system_context("demo seed"))
        transitions.record_decision(
            story.session, story.athlete, story.plan.id, decision="request_changes",
            comment="Mostly good — see my note on the first session.",
            context=system_context("demo seed"))


def _coach_reply(story: _Story) -> None:
    threads = comments.list_comments(story.session, story.coach, story.plan.id)
    anchored = next((t for t in threads if t.comment.anchor_id), None)
    if anchored is None:
        return
    with clock_at(story.tick(4)):
        comments.create_comment(story.session, story.coach, story.plan.id,
                                message="Done — moved some volume to later in the week.",
                                anchor_id=None, parent_id=anchored.comment.id,
                                context=system_context("demo seed"))
        comments.set_resolved(story.session, story.coach, story.plan.id, anchored.comment.id,
                              resolved=True, context=system_context("demo seed"))


def _accept(story: _Story) -> None:
    with clock_at(story.tick(9)):
        transitions.record_decision(story.session, story.athlete, story.plan.id,
                                    decision="accept", comment="",
                                    context=system_context("demo seed"))


def _coach_note(story: _Story) -> None:
    with clock_at(story.tick(1)):
        comments.create_comment(story.session, story.coach, story.plan.id,
                                message="Watch the knee: keep squats to a box if it flares.",
                                anchor_id=None, visibility="coaches",
                                context=system_context("demo seed"))


SCENARIOS: dict[int, tuple[int, int, list[Step]]] = {
    # k: (weeks from this Monday to the start, plan weeks, steps)
    1: (1, 8, []),
    2: (1, 12, [lambda s: _edit(s, "volume", ("fatigue",), "Building up slowly #ramp")]),
    3: (1, 8, [lambda s: _edit(s, "swap", ("equipment",), "No trap bar at the home gym"),
               _submit]),
    4: (1, 16, [lambda s: _edit(s, "volume", ("athlete_preference",), "Extra set on squats"),
                _submit, _request_changes]),
    5: (1, 8, [lambda s: _edit(s, "move", ("time_constraint",), "Tuesday is travel day"),
               _submit, _accept]),
    6: (-3, 12, [lambda s: _edit(s, "swap", ("injury",), "Sore shoulder — swap pressing"),
                 _submit, _accept]),
    7: (-12, 8, [_submit, _accept]),
    8: (1, 8, [lambda s: _edit(s, "volume", ("fatigue",), "Poor sleep this week"),
               lambda s: _edit(s, "swap", ("athlete_preference",), "Prefers dumbbells"),
               _coach_note]),
    9: (1, 12, [lambda s: _edit(s, "volume", ("other",), "Race moved #competition"), _submit,
                _request_changes, _coach_reply,
                lambda s: _edit(s, "move", ("athlete_preference",), "Shorter first day"),
                _submit]),
    10: (-5, 16, [lambda s: _edit(s, "move", ("time_constraint",), "Night shifts"), _submit,
                  _accept]),
    11: (1, 4, []),
    12: (1, 8, [_submit, _request_changes]),
}


def seed_plans(session: Session, today: date) -> int:
    """Give each demo athlete without plans their scenario; return plans created."""
    created = 0
    for n in range(1, 25):
        athlete_id = demo_id(f"athlete{n}@demo.test")
        if session.exec(select(Plan.id).where(Plan.athlete_id == athlete_id)).first():
            continue
        coach_email = "coach1@demo.test" if n <= 12 else "coach2@demo.test"
        k = (n - 1) % 12 + 1
        created += _play(session, load_actor(session, demo_id(coach_email)),
                         load_actor(session, athlete_id), k, n, today)
    return created


def _play(session: Session, coach: Actor, athlete: Actor, k: int, n: int, today: date) -> int:
    offset, weeks, steps = SCENARIOS[k]
    start = _monday(today) + timedelta(weeks=offset)
    algorithm = "dup-1.0" if n % 3 == 0 else "lp-1.0"
    generated_at = datetime.combine(start - timedelta(days=10), time(8), UTC)
    rng = random.Random(f"demo-{n}")
    with clock_at(generated_at):
        plan = creation.generate_plan(session, coach, athlete_id=athlete.user_id, start_date=start,
                                   weeks=weeks, context=system_context("demo seed"),
                                   algorithm=algorithm, seed=f"demo-{n}")
    story = _Story(session, coach, athlete, plan, generated_at, rng)
    for step in steps:
        step(story)
    if k == 7:  # a finished plan, then this cycle's freshly generated one
        _settle(session, today)
        with clock_at(datetime.combine(_monday(today) - timedelta(days=6), time(8), UTC)):
            creation.generate_plan(session, coach, athlete_id=athlete.user_id,
                                start_date=_monday(today) + timedelta(weeks=1), weeks=8,
                                context=system_context("demo seed"), algorithm=algorithm,
                                seed=f"demo-{n}-next")
        return 2
    return 1


def _settle(session: Session, today: date) -> None:
    lifecycle.advance_lifecycle(session, today, system_context("demo seed"))


def seed_workout_logs(session: Session, today: date) -> int:
    """Logs for every past session of started plans: mostly done, some partial or missed."""
    created = 0
    started = session.exec(select(Plan).where(col(Plan.status).in_(("published", "completed"))))
    for plan in list(started):
        if session.exec(select(WorkoutLog.id).where(WorkoutLog.plan_id == plan.id)).first():
            continue
        document = document_of(lookup.head_version(session, plan))
        for _, planned in document.sessions():
            if planned.day >= today:
                continue
            session.add(_log(plan, planned))
            created += 1
    session.flush()
    return created


def _log(plan: Plan, planned: Any) -> WorkoutLog:
    rng = random.Random(planned.session_id)
    volume = planned.volume()
    roll = rng.random()
    if roll < 0.13:
        status, ratio = "skipped", 0.0
    elif roll < 0.25:
        status, ratio = "partial", rng.uniform(0.5, 0.79)
    else:
        status, ratio = "completed", rng.uniform(0.85, 1.18)
    return WorkoutLog(athlete_id=plan.athlete_id, plan_id=plan.id, session_id=planned.session_id,
                      scheduled_date=planned.day, status=status, planned_volume=round(volume, 1),
                      completed_volume=round(volume * ratio, 1),
                      rpe=None if status == "skipped" else round(rng.uniform(5, 9), 1),
                      logged_at=datetime.combine(planned.day, time(19), UTC))
