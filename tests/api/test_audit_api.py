"""The audit chain's verification of a missing event and a broken `prev_hash` link (service,
API and CLI), the audit filters and cursors through the API, and reconciliation's alert.

Events with known times are recorded under `clock_at` in 2001, so the date filters never
depend on today's date.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlmodel import col, func, select

from db.models import AuditEvent, clock_at, new_id, utcnow
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import audit, reconcile
from plangov_app.services.context import RequestContext, system_context
from tests.support.cli import run_cli
from tests.support.factories import create_plan

COACH, OTHER_COACH = "coach1@demo.test", "coach2@demo.test"



def _record(n: int) -> list[int]:
    """Append `n` events through the service; their seqs."""
    with unit_of_work() as session:
        return [audit.record(session, action="test.event", context=RequestContext(),
                             metadata={"n": i}).seq for i in range(n)]


def _last() -> tuple[int, str]:
    with read_session() as session:
        return session.exec(select(AuditEvent.seq, AuditEvent.hash)
                            .order_by(col(AuditEvent.seq).desc()).limit(1)).one()


def _forge(seq: int, prev_hash: str) -> None:
    """Insert an event whose own hash is right but whose place in the chain is `seq`,
    after `prev_hash` (INSERT is allowed: only UPDATE and DELETE are refused)."""
    event = AuditEvent(id=new_id(), seq=seq, occurred_at=utcnow(), action="test.forged",
                       metadata_json="{}", prev_hash=prev_hash)
    event.hash = audit.compute_hash(event)
    with unit_of_work() as session:
        session.add(event)


def _verify() -> audit.ChainReport:
    with read_session() as session:
        return audit.verify_chain(session)


def _assert_broken_everywhere(client, headers: dict, seq: int, reason: str) -> None:
    report = _verify()
    assert (report.ok, report.broken_seq) == (False, seq), report
    assert reason in report.reason
    body = client.get("/api/v1/audit/verify", headers=headers).json()
    assert (body["ok"], body["broken_seq"]) == (False, seq) and reason in body["reason"]
    assert body["message"].startswith(f"Audit chain BROKEN at event #{seq}")
    result = run_cli("audit", "verify")
    assert result.returncode == 1 and result.stdout == ""
    assert f"#{seq}" in result.stderr and reason in result.stderr


def test_records_are_numbered_without_gaps(seeded):
    first = _record(4)
    assert first == list(range(first[0], first[0] + 4))
    with read_session() as session:
        seqs = list(session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq))))
    assert seqs == list(range(1, len(seqs) + 1))
    assert _verify().ok and _verify().checked == len(seqs)


def test_verify_reports_a_gap_in_seq_even_when_the_hashes_link(client, token_for, app_env):
    compliance = token_for("compliance@demo.test")
    _record(3)
    seq, last_hash = _last()
    assert _verify().ok
    _forge(seq + 2, last_hash)  # #seq+1 is missing; prev_hash and hash are consistent
    _assert_broken_everywhere(client, compliance, seq + 2,
                              f"expected event #{seq + 1} next, found #{seq + 2} "
                              "(events missing)")
    assert _verify().checked == seq


def test_verify_reports_a_prev_hash_that_does_not_link(client, token_for, app_env):
    admin = token_for("admin@demo.test")
    _record(2)
    seq, _ = _last()
    _forge(seq + 1, "f" * 64)  # in sequence, its own hash right, but linked to nothing
    _assert_broken_everywhere(client, admin, seq + 1,
                              "its prev_hash does not match the previous event's hash")


@contextlib.contextmanager
def _append_only_triggers_dropped(engine: Engine) -> Iterator[None]:
    """Drop the triggers that make audit_events append-only, and recreate them after."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            triggers = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_events'")).all()
            drops = [f"DROP TRIGGER {name}" for name, _ in triggers]
        else:
            triggers = conn.execute(text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal")).all()
            drops = [f"DROP TRIGGER {name} ON audit_events" for name, _ in triggers]
        assert len(triggers) >= 2
        for drop in drops:
            conn.execute(text(drop))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for _, definition in triggers:
                conn.execute(text(definition))


def _refuses_delete(engine: Engine) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
    except Exception as error:  # the trigger's refusal, whatever the driver calls it
        return "append-only" in str(error)
    return False


def test_verify_reports_a_deleted_event(client, token_for, seeded, app_env):
    admin = token_for("admin@demo.test")
    seqs = _record(5)
    with _append_only_triggers_dropped(seeded), seeded.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seqs[1]})
    assert _refuses_delete(seeded)  # the triggers are back
    _assert_broken_everywhere(client, admin, seqs[2],
                              f"expected event #{seqs[1]} next, found #{seqs[2]} "
                              "(events missing)")


def test_verify_reports_an_event_relinked_with_a_consistent_hash(client, token_for, seeded,
                                                                 app_env):
    admin = token_for("admin@demo.test")
    seq = _record(3)[-1]
    with read_session() as session:
        target = session.exec(select(AuditEvent).where(AuditEvent.seq == seq)).one()
        target.prev_hash = "0" * 64
        forged_hash = audit.compute_hash(target)  # its own hash stays right
        session.rollback()
    with _append_only_triggers_dropped(seeded), seeded.begin() as conn:
        conn.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"),
                     {"p": "0" * 64, "h": forged_hash, "s": seq})
    assert _refuses_delete(seeded)
    _assert_broken_everywhere(client, admin, seq,
                              "its prev_hash does not match the previous event's hash")


# --- Filters and cursors -------------------------------------------------------------------


DAY = [datetime(2001, 3, d, 12, 0, tzinfo=UTC) for d in (1, 2, 3)]


def _dated_events() -> dict[str, int]:
    """Three events on 1, 2 and 3 March 2001 at noon UTC, by different actors; their seqs."""
    coach, other = demo_id(COACH), demo_id(OTHER_COACH)
    made = {}
    for key, moment, actor_id, action, target in (
            ("alpha", DAY[0], coach, "test.alpha", ("plan", "p1")),
            ("beta", DAY[1], other, "test.beta", ("user", "u1")),
            ("gamma", DAY[2], coach, "test.alpha.sub", ("plan", "p2"))):
        with clock_at(moment), unit_of_work() as session:
            made[key] = audit.record(session, action=action, context=RequestContext(),
                                     actor_id=actor_id, actor_role="coach",
                                     target_type=target[0], target_id=target[1]).seq
    return made


def _tests(client, headers: dict, **params: str) -> list[int]:
    """Seqs of the test.* events the audit list returns for `params` (all pages)."""
    seqs, cursor = [], None
    while True:
        query = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/audit", headers=headers, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        seqs += [e["seq"] for e in body["items"] if e["action"].startswith("test.")]
        cursor = body["next_cursor"]
        if not cursor:
            return seqs


def test_audit_filters_by_date_actor_action_and_target(client, token_for):
    compliance = token_for("compliance@demo.test")
    made = _dated_events()
    alpha, beta, gamma = made["alpha"], made["beta"], made["gamma"]
    day2, day3 = "2001-03-02T00:00:00Z", "2001-03-03T00:00:00Z"
    assert _tests(client, compliance) == [gamma, beta, alpha]  # newest first
    assert _tests(client, compliance, **{"from": day2, "to": day3}) == [beta]
    assert _tests(client, compliance, **{"from": "2001-03-02T12:00:00Z",
                                         "to": "2001-03-03T12:00:00Z"}) == [beta]  # [from, to)
    assert _tests(client, compliance, to=day2) == [alpha]
    assert _tests(client, compliance, **{"from": "2001-03-03T00:00:00+01:00"}) == [gamma]
    assert _tests(client, compliance, **{"from": "2001-03-04T00:00:00Z",
                                         "to": "2001-03-05T00:00:00Z"}) == []
    assert _tests(client, compliance, actor_id=demo_id(COACH)) == [gamma, alpha]
    by_other = client.get("/api/v1/audit", headers=compliance,
                          params={"actor_id": demo_id(OTHER_COACH)}).json()["items"]
    assert {e["actor_id"] for e in by_other} == {demo_id(OTHER_COACH)}
    assert _tests(client, compliance, action="test.alpha") == [gamma, alpha]  # a prefix
    assert _tests(client, compliance, action="test.alpha.sub") == [gamma]
    assert _tests(client, compliance, action="test.", target_type="user") == [beta]
    assert _tests(client, compliance, target_id="p2") == [gamma]
    assert _tests(client, compliance, action="test.", target_type="plan",
                  **{"from": day2}) == [gamma]

    export = client.get("/api/v1/audit/export", headers=compliance,
                        params={"action": "test.", "from": day2, "to": day3})
    assert export.status_code == 200, export.text
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [int(r["seq"]) for r in rows] == [beta] and rows[0]["action"] == "test.beta"


def test_audit_lists_only_for_audit_readers(client, token_for):
    _dated_events()
    for email in (COACH, "athlete1@demo.test", "support@demo.test", "ds@demo.test"):
        headers = token_for(email)
        for url in ("/api/v1/audit", "/api/v1/audit/verify", "/api/v1/audit/export"):
            response = client.get(url, headers=headers)
            assert response.status_code == 403, (email, url)
            assert "test.alpha" not in response.text
    for email in ("admin@demo.test", "compliance@demo.test"):
        assert len(_tests(client, token_for(email))) == 3


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "9" * 13, " 7", "7;"])
def test_a_bad_audit_cursor_is_a_422(client, token_for, cursor):
    _dated_events()
    response = client.get("/api/v1/audit", headers=token_for("compliance@demo.test"),
                          params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "cursor" in response.json()["detail"]


@pytest.mark.parametrize("bad", ["yesterday", "2001-13-01", "2001-03-02T25:00:00Z"])
def test_a_malformed_audit_date_is_a_422(client, token_for, bad):
    compliance = token_for("compliance@demo.test")
    for url in ("/api/v1/audit", "/api/v1/audit/export"):
        response = client.get(url, headers=compliance, params={"from": bad})
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    with read_session() as session:  # a refused export is not recorded as one
        assert session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "audit.export")).one() == 0


def test_a_date_without_a_time_zone_is_never_a_500(client, token_for):
    """Naive dates are either taken as UTC or refused with 422 (issue 9, point 7)."""
    compliance = token_for("compliance@demo.test")
    made = _dated_events()
    response = client.get("/api/v1/audit", headers=compliance,
                          params={"from": "2001-03-02T00:00:00", "to": "2001-03-03T00:00:00"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert [e["seq"] for e in response.json()["items"]] == [made["beta"]]


# --- Reconciliation's alert ----------------------------------------------------------------


def _alerts() -> list[AuditEvent]:
    with read_session() as session:
        return list(session.exec(select(AuditEvent).where(
            AuditEvent.action == "reconcile.alert").order_by(col(AuditEvent.seq))))


def _break_things(engine: Engine, plan_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO plan_versions (id, plan_id, version_number, status, kind, "
            "diff_summary_json, content_json, reason_codes_json, rationale, created_at, "
            "parent_version_id) VALUES ('orphan', :p, 99, 'draft', 'edit', '{}', '{}', '[]', "
            "'', '2001-01-01 00:00:00', 'missing-parent')"), {"p": plan_id})
        conn.execute(text("INSERT INTO outbox_events (id, topic, payload_json, created_at, "
                          "attempts) VALUES ('stuck', 'plan.generated', '{}', "
                          "'2001-01-01 00:00:00', 0)"))


def test_reconcile_alert_records_what_was_found(client, token_for, seeded):
    plan = create_plan(client, token_for(COACH))
    _break_things(seeded, plan["id"])
    with unit_of_work() as session:
        report = reconcile.run(session)
        assert not report.ok
        reconcile.raise_alert(session, report, system_context("test reconcile"))
    [alert] = _alerts()
    assert (alert.target_type, alert.target_id, alert.actor_id) == ("system", "reconcile", None)
    assert alert.user_agent == "test reconcile"
    assert json.loads(alert.metadata_json) == {
        "versions_without_audit": {"count": 1, "sample": ["orphan"]},
        "versions_missing_parent": {"count": 1, "sample": ["orphan"]},
        "outbox_stale": {"count": 1, "sample": ["stuck"]}}
    assert _verify().ok
    assert report.lines()[0].startswith("reconcile: PROBLEMS")
    assert "  versions without audit: 1 (orphan)" in report.lines()


def test_cli_reconcile_alerts_only_when_something_is_wrong(client, token_for, seeded, app_env):
    plan = create_plan(client, token_for(COACH))
    healthy = run_cli("reconcile")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.startswith("reconcile: OK") and _alerts() == []
    _break_things(seeded, plan["id"])
    broken = run_cli("reconcile")
    assert broken.returncode == 1
    assert "reconcile: PROBLEMS" in broken.stdout and "outbox stale: 1 (stuck)" in broken.stdout
    assert "versions missing parent: 1 (orphan)" in broken.stdout
    [alert] = _alerts()
    assert json.loads(alert.metadata_json)["outbox_stale"] == {"count": 1, "sample": ["stuck"]}
    assert alert.user_agent == "plangov reconcile"
    assert _verify().ok
