"""Denied attempts on others' data, in the audit log without flooding it.

A refusal is a `HiddenDenied` (a NotFound, so the target's existence does not leak) or an
`AccessDenied` (a Forbidden), both raised by `rbac.authorize` with the `Denial` they stand
for; another Forbidden counts too when the caller knows the actor from the bearer token.
The request's own transaction is rolled back, so `record` writes in a short unit of work
of its own, after it.

Summarised per actor: at most one `access.denied` event per actor and target per
`denial_audit_window_seconds`, and at most `denial_audit_max_per_window` per actor in a
window. Denials beyond that are counted, and the actor's next event carries how many were
left out since its previous one (`suppressed_before`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from db.models import AuditEvent, Throttle, utcnow
from db.session import unit_of_work
from plangov_app.services import audit, throttles
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, Unauthorized
from plangov_app.services.rbac import Denial
from plangov_app.services.security import decode_token
from plangov_app.settings import get_settings

ACTOR, TARGET = "denial:actor", "denial:target"
TARGET_CHARS = 254
log = logging.getLogger("plangov.denials")


def denial_of(error: BaseException, *, authorization: str | None = None,
              target: tuple[str, str] | None = None) -> Denial | None:
    """The denial `error` stands for, or None when it is not a refusal.

    A Forbidden without a `Denial` of its own is attributed to the bearer token in
    `authorization` (an `Authorization` header value), with `target` (type, id) if given.
    """
    denial = getattr(error, "denial", None)
    if isinstance(denial, Denial):
        return denial
    if not isinstance(error, Forbidden) or not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        claims = decode_token(token.strip())
    except Unauthorized:
        return None
    target_type, target_id = target or (None, None)
    return Denial(actor_id=claims.sub, actor_role=claims.role, target_type=target_type,
                  target_id=target_id[:TARGET_CHARS] if target_id else None)


def record(denial: Denial, context: RequestContext) -> AuditEvent | None:
    """Audit `denial` in its own unit of work, unless it is summarised; the event if any."""
    settings = get_settings()
    target = f"{denial.permission}:{denial.target_type or ''}:{denial.target_id or ''}"
    with unit_of_work() as session:
        now = utcnow()
        actor = throttles.row(session, ACTOR, denial.actor_id)
        seen = throttles.row(session, TARGET, f"{denial.actor_id}|{target}")
        suppressed = _due(actor, seen, now)
        for counter in (actor, seen):
            throttles.touch(session, counter, now)
        if suppressed is None:
            return None
        return audit.record(
            session, action="access.denied", context=context, actor_id=denial.actor_id,
            actor_role=denial.actor_role, target_type=denial.target_type,
            target_id=denial.target_id,
            metadata={"permission": denial.permission,
                      "window_s": settings.denial_audit_window_seconds,
                      "suppressed_before": suppressed})


def _due(actor: Throttle, seen: Throttle, now: datetime) -> int | None:
    """How many denials the actor's next event reports, or None if this one is summarised.

    `actor` counts the actor's events in the current window and the denials left out;
    `seen` remembers when this actor's denial on this target was last written.
    """
    settings = get_settings()
    window = settings.denial_audit_window_seconds
    throttles.roll_window(actor, now, window)
    recent = seen.reported_at is not None and now - seen.reported_at < timedelta(seconds=window)
    if recent or actor.attempts >= settings.denial_audit_max_per_window:
        actor.suppressed += 1
        return None
    suppressed, actor.suppressed = actor.suppressed, 0
    actor.attempts += 1
    seen.reported_at = now
    return suppressed


def record_quietly(denial: Denial, context: RequestContext) -> None:
    """`record`, logging instead of raising: a refusal's answer never depends on its audit."""
    try:
        record(denial, context)
    except Exception:  # the database is busy or down: the refusal still stands
        log.exception("could not audit a denied request of actor %s", denial.actor_id)
