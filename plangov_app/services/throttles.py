"""Counters that throttle, or summarise, repeated events for one key.

One `Throttle` row per (scope, key) — e.g. `login:pair` / `alice@x|203.0.113.5` — read and
changed inside the caller's unit of work (locked on PostgreSQL, under BEGIN IMMEDIATE on
SQLite), so concurrent requests count exactly.

- A failure *streak* locks the key once it reaches a limit, for a time that doubles with
  every further failure (`lock_seconds`); a streak is forgotten after a quiet period.
- *Attempts* are counted in fixed windows (`roll_window`, `window_left`).
- *Summaries*: `report_due` says whether an audit event is due for this key in this
  window, and how many were suppressed since the last one.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from db.models import Throttle, utcnow
from db.session import upsert

KEY_CHARS = 320


def row(session: Session, scope: str, key: str) -> Throttle:
    """The counter for (scope, key), created if missing and locked for this transaction."""
    key = key[:KEY_CHARS]
    found = _locked(session, scope, key)
    if found is not None:
        return found
    session.execute(upsert(session, Throttle).values(
        scope=scope, key=key, failures=0, attempts=0, suppressed=0, updated_at=utcnow(),
    ).on_conflict_do_nothing())
    created = _locked(session, scope, key)
    assert created is not None
    return created


def _locked(session: Session, scope: str, key: str) -> Throttle | None:
    query = (select(Throttle).where(Throttle.scope == scope, Throttle.key == key)
             .with_for_update().execution_options(populate_existing=True))
    return session.exec(query).first()


def touch(session: Session, counter: Throttle, now: datetime) -> None:
    """Mark `counter` changed (kept from pruning) and stage it."""
    counter.updated_at = now
    session.add(counter)


def forget_stale(counter: Throttle, now: datetime, memory_s: int) -> None:
    """End the failure streak when its last failure is older than `memory_s`."""
    if counter.last_failure_at and now - counter.last_failure_at > timedelta(seconds=memory_s):
        counter.failures, counter.last_failure_at = 0, None


def fail(counter: Throttle, now: datetime) -> None:
    """Count one failure in the streak."""
    counter.failures += 1
    counter.last_failure_at = now


def lock_seconds(counter: Throttle, now: datetime, *, limit: int, base_s: int,
                 max_s: int) -> int:
    """Seconds the key stays locked, counted from its last failure.

    None below `limit` failures; `base_s` after the limit-th, doubling with every further
    failure, at most `max_s`.
    """
    if counter.failures < limit or counter.last_failure_at is None:
        return 0
    exponent = min(counter.failures - limit, 32)
    length = min(max_s, base_s * 2**exponent)
    left = (counter.last_failure_at + timedelta(seconds=length) - now).total_seconds()
    return max(0, math.ceil(left))


def roll_window(counter: Throttle, now: datetime, window_s: int) -> None:
    """Start a new attempts window when there is none or the current one is over."""
    start = counter.window_started_at
    if start is None or now - start >= timedelta(seconds=window_s):
        counter.window_started_at, counter.attempts = now, 0


def window_left(counter: Throttle, now: datetime, window_s: int) -> int:
    """Seconds until the current attempts window ends (at least 1)."""
    start = counter.window_started_at or now
    return max(1, math.ceil((start + timedelta(seconds=window_s) - now).total_seconds()))


def report_due(counter: Throttle, now: datetime, window_s: int) -> int | None:
    """Whether this occurrence gets an audit event.

    Returns the number suppressed since the last event (and starts a new summary window)
    when one is due; otherwise counts this occurrence as suppressed and returns None.
    """
    last = counter.reported_at
    if last is not None and now - last < timedelta(seconds=window_s):
        counter.suppressed += 1
        return None
    suppressed, counter.suppressed, counter.reported_at = counter.suppressed, 0, now
    return suppressed


def prune(session: Session, older_than_s: int) -> int:
    """Delete counters untouched for `older_than_s` seconds; return how many."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    result = session.execute(delete(Throttle).where(col(Throttle.updated_at) < cutoff))
    return result.rowcount or 0
