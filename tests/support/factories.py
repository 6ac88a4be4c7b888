"""Factories: demo actors, and plans created and edited through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from db.models import (
    AuditEvent,
    Notification,
    OutboxEvent,
    PlanComment,
    PlanSession,
    PlanVersion,
    PlanVersionChange,
)
from db.session import read_session
from plangov_app.demo import demo_id
from plangov_app.services.rbac import Actor, load_actor

TABLES = (PlanVersion, PlanVersionChange, PlanSession, AuditEvent, OutboxEvent, Notification,
          PlanComment)


def create_plan(client, headers: dict, athlete: str = "athlete1@demo.test", weeks: int = 4,
                **extra: Any) -> dict:
    """A generated plan via POST /api/v1/plans."""
    response = client.post("/api/v1/plans", headers=headers, json={
        "athlete_id": demo_id(athlete), "start_date": "2027-01-04", "weeks": weeks, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def version(client, headers: dict, plan: dict, version_id: str | None = None) -> dict:
    """A version (default: the head) with its content."""
    vid = version_id or client.get(f"/api/v1/plans/{plan['id']}",
                                   headers=headers).json()["active_version_id"]
    return client.get(f"/api/v1/plans/{plan['id']}/versions/{vid}", headers=headers).json()


def patch(client, headers: dict, plan_id: str, base: str, operations: list[dict],
          reasons: tuple[str, ...] = ("fatigue",), rationale: str = "", **kw: Any):
    """PATCH the plan's version `base`."""
    return client.patch(f"/api/v1/plans/{plan_id}/versions/{base}", headers=headers, json={
        "operations": operations, "reason_codes": list(reasons), "rationale": rationale}, **kw)


def counts(session) -> dict[str, int]:
    """Row counts of every table a plan write touches."""
    session.rollback()
    return {t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in TABLES}


def actor(email: str) -> Actor:
    """The demo account `email` as the services see it (role and scope from the database)."""
    with read_session() as session:
        return load_actor(session, demo_id(email))
