"""The audit chain: append-only in the database, tamper detection, concurrent writers,
the API and the CLI; migrations agree with the models."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, col, select

import db.models  # noqa: F401
from db.models import AuditEvent
from db.session import read_session, unit_of_work
from plangov_app.services import audit
from plangov_app.services.context import RequestContext
from tests.support.cli import run_cli


def _verify():
    with read_session() as session:
        return audit.verify_chain(session)


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    indexes = {ix["name"] for table in ("plans", "audit_events", "plan_versions")
               for ix in inspect(engine).get_indexes(table)}
    assert {"ix_plans_athlete_status", "ix_plans_status_updated", "ix_audit_events_actor_occurred",
            "ix_audit_events_target", "ix_plan_versions_plan_created"} <= indexes


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'",
                                       "DELETE FROM audit_events"])
def test_the_database_refuses_changes_to_audit_events(seeded, statement):
    with pytest.raises(Exception, match="append-only"), seeded.begin() as conn:
        conn.execute(text(statement))
    if seeded.dialect.name == "postgresql":
        with pytest.raises(Exception, match="append-only"), seeded.begin() as conn:
            conn.execute(text("TRUNCATE audit_events"))
    assert _verify().ok


def _disable_triggers(conn, dialect: str) -> None:
    if dialect == "sqlite":
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
    else:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete"))



def test_tampering_is_detected_by_verify_and_the_cli(seeded, app_env):
    with unit_of_work() as session:
        for n in range(5):
            audit.record(session, action="test.event", context=RequestContext(),
                         metadata={"n": n})
    assert run_cli("audit", "verify").returncode == 0
    with seeded.begin() as conn:
        _disable_triggers(conn, seeded.dialect.name)
        target = conn.execute(text("SELECT seq FROM audit_events WHERE action = 'test.event' "
                                   "ORDER BY seq LIMIT 1 OFFSET 2")).scalar_one()
        conn.execute(text("UPDATE audit_events SET metadata_json = '{\"n\": 99}' "
                          "WHERE seq = :s"), {"s": target})
    report = _verify()
    assert not report.ok and report.broken_seq == target
    result = run_cli("audit", "verify")
    assert result.returncode == 1
    assert f"#{target}" in result.stderr and "altered" in result.stderr


def test_concurrent_writers_never_fork_the_chain(seeded):
    before = _verify().checked
    errors: list[Exception] = []

    def writer(worker: int) -> None:
        try:
            for n in range(15):
                with unit_of_work() as session:
                    audit.record(session, action="test.concurrent", context=RequestContext(),
                                 metadata={"worker": worker, "n": n})
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session() as session:
        seqs = list(session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq))))
    assert seqs == list(range(1, len(seqs) + 1))
    report = _verify()
    assert report.ok and report.checked == before + 90


def test_audit_api_filters_pages_verifies_and_exports(client, token_for):
    admin, compliance = token_for("admin@demo.test"), token_for("compliance@demo.test")
    for email in ("coach1@demo.test", "athlete1@demo.test", "ds@demo.test",
                  "support@demo.test"):
        assert client.get("/api/v1/audit", headers=token_for(email)).status_code == 403
        assert client.get("/api/v1/audit/verify", headers=token_for(email)).status_code == 403
    logins = client.get("/api/v1/audit?action=auth.login&limit=2", headers=compliance).json()
    assert len(logins["items"]) == 2 and logins["next_cursor"]
    assert all(e["action"].startswith("auth.login") for e in logins["items"])
    rest = client.get(f"/api/v1/audit?action=auth.login&cursor={logins['next_cursor']}",
                      headers=compliance).json()
    seen = [e["seq"] for e in logins["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) and seen == sorted(seen, reverse=True)
    verify = client.get("/api/v1/audit/verify", headers=admin).json()
    assert verify["ok"] and verify["message"].startswith("Audit chain intact")
    export = client.get("/api/v1/audit/export?action=auth.login", headers=compliance)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("seq,occurred_at") and len(lines) - 1 == len(seen)
    actions = client.get("/api/v1/audit?action=audit.export", headers=admin).json()["items"]
    assert len(actions) == 1
    bad = client.get("/api/v1/audit?from=yesterday", headers=admin)
    assert bad.status_code == 422
