"""Acknowledged writes are stored, repeated keys are honest, and patches cannot balloon.

In-process checks of issue 9 points 1, 3 and 5; the same guarantees under concurrent
clients against a real server are in tests/test_contention.py.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlmodel
from sqlalchemy import func, select, text

from db.models import AuditEvent, PlanComment, PlanVersion
from db.session import SQLITE_BEGIN_OPTION, get_engine, make_engine
from plangov_app.demo import demo_id
from plangov_app.services import audit, notifications, patching
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Busy, InvalidInput
from plangov_app.services.rbac import load_actor
from plangov_app.settings import get_settings
from tests.support.async_helpers import run_coroutine
from tests.support.factories import counts, create_plan, patch, version

NOTES = "/weeks/0/sessions/0/notes"


def _fail_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: sqlmodel.Session) -> None:
        raise RuntimeError("injected commit failure")

    monkeypatch.setattr(sqlmodel.Session, "commit", refuse)


def _writes(client, coach, athlete, plan: dict, head: dict) -> dict:
    pid = plan["id"]
    return {
        "comment": lambda: client.post(f"/api/v1/plans/{pid}/comments", headers=athlete,
                                       json={"message": "is this right?"}),
        "edit": lambda: patch(client, coach, pid, head["id"],
                              [{"op": "replace", "path": NOTES, "value": "kept?"}]),
        "submit": lambda: client.post(f"/api/v1/plans/{pid}/submit", headers=coach,
                                      json={"comment": "please review"}),
        "generate": lambda: client.post("/api/v1/plans", headers=coach, json={
            "athlete_id": plan["athlete_id"], "start_date": "2027-03-01", "weeks": 4}),
        "read-all": lambda: client.post("/api/v1/notifications/read-all", headers=athlete),
    }


@pytest.mark.parametrize("action", ["comment", "edit", "submit", "generate", "read-all"])
def test_a_failed_commit_is_never_acknowledged(client, token_for, session, monkeypatch, action):
    coach, athlete = token_for("coach1@demo.test"), token_for("athlete1@demo.test")
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    before = counts(session)
    _fail_commits(monkeypatch)
    response = _writes(client, coach, athlete, plan, head)[action]()
    monkeypatch.undo()
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "injected" not in response.text
    assert counts(session) == before


def test_a_write_is_visible_to_the_next_request(client, token_for):
    athlete = token_for("athlete1@demo.test")
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach)
    for number in range(20):
        created = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=athlete,
                              json={"message": f"note {number}"})
        assert created.status_code == 201
        listed = client.get(f"/api/v1/plans/{plan['id']}/comments", headers=coach).json()
        assert created.json()["id"] in {c["id"] for c in listed}


def _edit(client, headers, plan, base, value, key, reasons=("fatigue",)):
    return patch(client, {**headers, "Idempotency-Key": key}, plan["id"], base,
                 [{"op": "replace", "path": NOTES, "value": value}], reasons=reasons)


def test_an_idempotency_key_replays_only_the_same_edit(client, token_for, session):
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    first = _edit(client, coach, plan, head["id"], "easy week", "key-1")
    assert first.status_code == 200 and first.headers["Idempotent-Replay"] == "false"
    replay = _edit(client, coach, plan, head["id"], "easy week", "key-1")
    assert replay.status_code == 200 and replay.headers["Idempotent-Replay"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    before = counts(session)
    other_body = _edit(client, coach, plan, head["id"], "hard week", "key-1")
    assert other_body.status_code == 422
    assert "key-1" in other_body.json()["detail"]
    other_reason = _edit(client, coach, plan, head["id"], "easy week", "key-1",
                         reasons=("injury",))
    assert other_reason.status_code == 422
    assert counts(session) == before


def test_idempotency_keys_belong_to_the_sender(client, token_for, session):
    coach, admin = token_for("coach1@demo.test"), token_for("admin@demo.test")
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    mine = _edit(client, coach, plan, head["id"], "coach's note", "shared-key")
    assert mine.status_code == 200
    theirs = _edit(client, admin, plan, mine.json()["id"], "admin's note", "shared-key")
    assert theirs.status_code == 200, theirs.text
    assert theirs.headers["Idempotent-Replay"] == "false"
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["author_id"] != mine.json()["author_id"]
    stored = session.execute(select(func.count()).select_from(PlanVersion)
                             .where(PlanVersion.plan_id == plan["id"])).scalar_one()
    assert stored == 3


def _doubling(count: int) -> list[dict]:
    return [{"op": "copy", "from": "/weeks", "path": "/weeks/-"} for _ in range(count)]


def test_patch_amplification_is_refused_before_the_work(client, token_for, session):
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=16)
    head = version(client, coach, plan)
    before = counts(session)
    tracemalloc.start()
    response = patch(client, coach, plan["id"], head["id"], _doubling(20))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["operation"] < 20 and "grow past" in body["detail"]
    assert peak < 64 * 1024 * 1024  # the 13-copy attack used to need 578 MB
    assert counts(session) == before


def test_large_but_honest_patches_still_apply(client, token_for):
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=16)
    head = version(client, coach, plan)
    weeks = head["content"]["weeks"]
    replaced = [{"op": "replace", "path": f"/weeks/{w}/sessions/0/notes", "value": "n" * 900}
                for w in range(len(weeks))]
    response = patch(client, coach, plan["id"], head["id"], replaced)
    assert response.status_code == 200, response.text
    swap = [{"op": "replace", "path": "/weeks", "value": response.json()["content"]["weeks"]},
            {"op": "replace", "path": NOTES, "value": "whole weeks replaced"}]
    again = patch(client, coach, plan["id"], response.json()["id"], swap)
    assert again.status_code == 200, again.text


def test_estimated_size_stops_at_the_cap():
    nested: list = []
    for _ in range(10_000):
        nested = [nested, "x" * 10]
    assert patching.estimated_size(nested, cap=100) <= 100 + 20
    assert patching.estimated_size({"a": [1, "bc"]}, cap=10**6) == 2 + 5 + 2 + 8 + 4


def test_rows_and_chain_are_intact_after_refusals(client, token_for, session):
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    patch(client, coach, plan["id"], head["id"], _doubling(15))
    _edit(client, coach, plan, head["id"], "a", "k")
    _edit(client, coach, plan, head["id"], "b", "k")
    session.rollback()
    assert session.execute(select(func.count()).select_from(PlanComment)).scalar_one() >= 0
    events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    admin = token_for("admin@demo.test")
    verify = client.get("/api/v1/audit/verify", headers=admin)
    assert verify.status_code == 200, verify.text
    assert verify.json()["ok"] is True and events > 0


@contextmanager
def _writer_holding_the_lock(database_url: str) -> Iterator[None]:
    """Another connection that holds the write lock (SQLite) / the audit chain's lock (PG)."""
    engine = make_engine(database_url)
    writer = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    with writer.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock is ours
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                         {"key": audit.AUDIT_LOCK_KEY})
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


@pytest.fixture
def short_lock_timeout(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Writers give up after half a second (a fresh engine picks the setting up)."""
    monkeypatch.setenv("PLANGOV_DB_LOCK_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    get_engine().dispose()
    get_engine.cache_clear()
    yield
    get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


def test_a_writer_that_cannot_get_the_lock_gets_503_and_stores_nothing(
        client, token_for, session, database_url, short_lock_timeout):
    athlete = token_for("athlete1@demo.test")
    plan = create_plan(client, token_for("coach1@demo.test"))
    before = counts(session)
    with _writer_holding_the_lock(database_url):
        busy = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=athlete,
                           json={"message": "anyone there?"})
    assert busy.status_code == 503, busy.text
    assert busy.headers["content-type"].startswith("application/problem+json")
    assert int(busy.headers["Retry-After"]) >= 1
    assert "nothing of this request was stored" in busy.json()["detail"]
    assert counts(session) == before
    again = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=athlete,
                        json={"message": "anyone there?"})
    assert again.status_code == 201


def test_the_ui_tells_a_busy_writer_to_try_again(seeded, session, database_url,
                                                 short_lock_timeout):
    from state.session import run_write

    actor = load_actor(session, demo_id("athlete1@demo.test"))
    before = counts(session)

    def note_and_audit(db_session, user_id: str) -> None:
        notifications.notify(db_session, user_id, kind="test", title="t", body="b", link="/")
        audit.record(db_session, action="test.busy", context=RequestContext(), actor=actor)

    with _writer_holding_the_lock(database_url), pytest.raises(Busy) as refused:
        run_coroutine(run_write(note_and_audit, actor.user_id))
    assert refused.value.retry_after >= 1 and "try again" in refused.value.detail
    assert counts(session) == before


def test_the_ui_refuses_a_nul_in_an_id_before_any_query(seeded):
    from state.session import run_read

    called: list[str] = []

    def lookup(_session, plan_id: str) -> None:
        called.append(plan_id)

    with pytest.raises(InvalidInput) as refused:
        run_coroutine(run_read(lookup, "plan\x00id"))
    assert "NUL" in refused.value.detail and called == []
    run_coroutine(run_read(lookup, "plan-id"))
    assert called == ["plan-id"]
