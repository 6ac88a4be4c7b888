"""The outbox sinks, read back after a relay: the JSON-lines file (in process and through
`plangov outbox relay`) and the Redis stream on the real Redis at 127.0.0.1:6379."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlmodel import col, select

from db.models import OutboxEvent
from db.session import read_session, unit_of_work
from plangov_app.adapters import bus, files
from plangov_app.services import outbox
from plangov_app.settings import get_settings
from plangov_app.workers import relay as relay_worker
from tests.support import ROOT
from tests.support.factories import create_plan, patch

COACH = "coach1@demo.test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _some_messages(client, token_for) -> list[tuple[str, str]]:
    """Three plan events in the outbox; (topic, payload_json) oldest first."""
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    assert patch(client, coach, plan["id"], plan["active_version_id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "x"}]).status_code == 200
    create_plan(client, coach, athlete="athlete2@demo.test")
    return _pending()


def _pending() -> list[tuple[str, str]]:
    with read_session() as session:
        return [(e.topic, e.payload_json) for e in session.exec(
            select(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))
            .order_by(col(OutboxEvent.created_at)))]


def _rows() -> list[OutboxEvent]:
    with read_session() as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.created_at))))


def _relay(sink) -> int:
    with unit_of_work() as session:
        return outbox.relay(session, sink)


def test_json_lines_sink_writes_each_message_once_in_order(client, token_for, tmp_path):
    messages = _some_messages(client, token_for)
    assert [t for t, _ in messages] == ["plan.generated", "plan.version.updated",
                                        "plan.generated"]
    path = tmp_path / "bus.jsonl"
    assert _relay(files.JsonLinesSink(str(path))) == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [payload for _, payload in messages]
    assert [json.loads(line)["topic"] for line in lines] == [t for t, _ in messages]
    assert all(r.published_at is not None and r.attempts == 1 for r in _rows())
    assert _pending() == []

    assert _relay(files.JsonLinesSink(str(path))) == 0  # nothing left: nothing re-sent
    assert path.read_text(encoding="utf-8").splitlines() == lines


def test_a_failing_sink_keeps_the_rest_for_the_next_run(client, token_for, tmp_path):
    messages = _some_messages(client, token_for)
    path = tmp_path / "bus.jsonl"
    good = files.JsonLinesSink(str(path))
    calls: list[str] = []

    def flaky(topic: str, payload: str) -> None:
        calls.append(topic)
        if len(calls) == 2:
            raise ConnectionError("bus down")
        good(topic, payload)

    assert _relay(flaky) == 1
    rows = _rows()
    assert [(r.published_at is not None, r.attempts) for r in rows] == [
        (True, 1), (False, 1), (False, 0)]
    assert path.read_text(encoding="utf-8").splitlines() == [messages[0][1]]
    assert _relay(good) == 2
    assert path.read_text(encoding="utf-8").splitlines() == [p for _, p in messages]
    assert [r.attempts for r in _rows()] == [1, 2, 1]


def test_default_sink_follows_the_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("PLANGOV_TELEMETRY_FILE", str(tmp_path / "t.jsonl"))
    get_settings.cache_clear()
    try:
        sink = bus.default_sink()
        assert isinstance(sink, files.JsonLinesSink) and sink.path == str(tmp_path / "t.jsonl")
        monkeypatch.setenv("REDIS_URL", REDIS_URL)
        get_settings.cache_clear()
        sink = bus.default_sink()
        assert isinstance(sink, bus.RedisStreamSink) and sink.stream == "plangov:events"
    finally:
        get_settings.cache_clear()


def test_cli_relay_writes_the_telemetry_file(client, token_for, app_env, tmp_path):
    messages = _some_messages(client, token_for)
    path = tmp_path / "cli.jsonl"
    env = {**os.environ, "PLANGOV_TELEMETRY_FILE": str(path)}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-m", "plangov_app.cli", "outbox", "relay"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "published 3 messages"
    assert path.read_text(encoding="utf-8").splitlines() == [p for _, p in messages]
    assert _pending() == []


def test_relay_worker_publishes_everything_in_batches(client, token_for, monkeypatch,
                                                     tmp_path):
    messages = _some_messages(client, token_for)
    path = tmp_path / "worker.jsonl"
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("PLANGOV_TELEMETRY_FILE", str(path))
    get_settings.cache_clear()
    assert relay_worker.relay_once(batch=1) == 1
    assert path.read_text(encoding="utf-8").splitlines() == [messages[0][1]]
    assert relay_worker.relay_all(batch=1) == 2  # the rest, one transaction each
    assert path.read_text(encoding="utf-8").splitlines() == [p for _, p in messages]
    assert relay_worker.relay_all() == 0 and _pending() == []


@pytest.fixture
def redis_stream():
    """A Redis client and a stream key of this test's own, deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    key = f"plangov:test:{uuid.uuid4().hex}"
    try:
        yield client, key
    finally:
        client.delete(key)
        client.close()


def test_redis_sink_adds_each_message_to_the_stream(client, token_for, redis_stream):
    redis_client, key = redis_stream
    messages = _some_messages(client, token_for)
    sink = bus.RedisStreamSink(REDIS_URL, stream=key)
    try:
        assert _relay(sink) == 3
        entries = redis_client.xrange(key)
        assert [(f[b"topic"].decode(), f[b"payload"].decode()) for _, f in entries] == messages
        assert _relay(sink) == 0 and redis_client.xlen(key) == 3
    finally:
        sink.client.close()
    assert _pending() == []
    payload = json.loads(messages[1][1])
    assert payload["topic"] == "plan.version.updated" and payload["athlete"].startswith("ath_")
