"""The transactional outbox: bus messages written in the same transaction as their cause.

Payloads carry what analytics needs (experiment arm, algorithm version, coach id, a
pseudonymous athlete id) and never a name, an email or comment text (spec §6). `relay`
hands them to a `Sink`; the sinks (Redis, JSON lines) live in plangov_app/adapters/, the
loop that relays in plangov_app/workers/relay.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Protocol

from sqlmodel import Session, col, select

from db.models import CoachAthlete, OutboxEvent, Plan, utcnow
from plangov_app.settings import get_settings

TOPICS = ("plan.generated", "plan.version.updated", "plan.submitted", "plan.approved",
          "plan.published", "plan.changes_requested", "plan.comment.created",
          "plan.completed", "plan.recalled")


class Sink(Protocol):
    """Where the relay publishes: a callable taking a topic and a JSON payload (adapters/)."""

    def __call__(self, topic: str, payload_json: str) -> None:
        """Publish one message; raise if the bus did not accept it."""


def pseudonym(athlete_id: str) -> str:
    """A stable pseudonymous id for an athlete (keyed HMAC; not reversible without the key)."""
    key = get_settings().signing_key().encode()
    return "ath_" + hmac.new(key, athlete_id.encode(), hashlib.sha256).hexdigest()[:24]


def coach_of(session: Session, athlete_id: str) -> str | None:
    """The athlete's first assigned coach, if any."""
    return session.exec(select(CoachAthlete.coach_id).where(CoachAthlete.athlete_id == athlete_id)
                        .order_by(col(CoachAthlete.assigned_at), col(CoachAthlete.coach_id))
                        ).first()


def emit(session: Session, topic: str, plan: Plan, *, version_id: str | None,
         coach_id: str | None = None, extra: dict[str, Any] | None = None) -> OutboxEvent:
    """Queue `topic` about `plan` inside the caller's transaction."""
    if topic not in TOPICS:
        raise ValueError(f"unknown outbox topic {topic}")
    payload = {
        "topic": topic,
        "plan_id": plan.id,
        "version_id": version_id,
        "status": plan.status,
        "athlete": pseudonym(plan.athlete_id),
        "coach_id": coach_id or coach_of(session, plan.athlete_id),
        "experiment_arm": plan.experiment_arm,
        "algorithm_version": plan.algorithm_version,
        "occurred_at": utcnow().isoformat(),
        **(extra or {}),
    }
    event = OutboxEvent(topic=topic, aggregate_id=plan.id,
                        payload_json=json.dumps(payload, sort_keys=True, default=str))
    session.add(event)
    session.flush()
    return event


def relay(session: Session, sink: Sink, batch: int = 500) -> int:
    """Publish unpublished messages, oldest first, to `sink(topic, payload_json)`.

    A message is marked published only after the sink accepted it; a failing sink
    leaves it (with its attempt counted) for the next run.
    """
    pending = list(session.exec(select(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))
                                .order_by(col(OutboxEvent.created_at)).limit(batch)))
    sent = 0
    for event in pending:
        event.attempts += 1
        try:
            sink(event.topic, event.payload_json)
        except Exception:  # the bus is down: keep the rest for the next run
            session.add(event)
            break
        event.published_at = utcnow()
        session.add(event)
        sent += 1
    session.flush()
    return sent
