"""The experiment scheduler (SQLite and PostgreSQL): `tick_once`, the app's loop and
`plangov experiments tick` complete experiments whose end has passed, audited as the
system; a start in the future needs no pass."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from db.models import AuditEvent, User
from db.models.experiments import Experiment
from db.session import read_session, unit_of_work
from plangov_app.services.context import RequestContext
from plangov_app.services.experiments import registry
from plangov_app.services.rbac import load_actor
from plangov_app.settings import get_settings
from plangov_app.workers.experiments import schedule_experiments, tick_once
from tests.support.async_helpers import run_coroutine
from tests.support.cli import run_cli

CTX = RequestContext()


def _running(key: str, *, start: datetime | None = None, end: datetime | None = None,
             sport: str = "running") -> str:
    body = {"key": key, "name": key, "randomization": "hash",
            "variants": [{"key": "a", "weight": 50, "algorithm_version": "lp-1.0"},
                         {"key": "b", "weight": 50, "algorithm_version": "dup-1.0"}],
            "eligibility": {"sports": [sport]},
            "start_at": start.isoformat() if start else None,
            "end_at": end.isoformat() if end else None}
    with unit_of_work() as s:
        actor = load_actor(s, s.exec(select(User.id).where(User.email == "ds@demo.test")).one())
        row = registry.create(s, actor=actor, body=body, context=CTX)
        registry.set_status(s, actor=actor, experiment_id=row.id, status="running", context=CTX)
        return row.id


def _status(experiment_id: str) -> str:
    with read_session() as s:
        return s.get(Experiment, experiment_id).status


def test_tick_once_completes_only_what_has_ended(seeded) -> None:
    now = datetime.now(UTC)
    ended = _running("ended", start=now - timedelta(days=30), end=now - timedelta(minutes=1))
    later = _running("later", start=now + timedelta(days=1), end=now + timedelta(days=30),
                     sport="rowing")
    assert tick_once(now - timedelta(minutes=2)) == []
    assert tick_once() == ["ended"]
    assert (_status(ended), _status(later)) == ("complete", "running")
    assert tick_once() == []
    with read_session() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.target_id == ended)
                       .order_by(col(AuditEvent.seq).desc())).first()
    assert (event.action, event.actor_role, event.actor_id) == ("experiment.status", "system",
                                                                None)
    assert json.loads(event.metadata_json)["new"]["status"] == "complete"


def test_the_cli_tick_prints_what_it_completed(seeded, database_url, tmp_path) -> None:
    now = datetime.now(UTC)
    _running("cron-ended", start=now - timedelta(days=9), end=now - timedelta(days=1))
    env = {"DATABASE_URL": database_url, "PLANGOV_TELEMETRY_FILE": str(tmp_path / "t.jsonl")}
    first = run_cli("experiments", "tick", env=env)
    assert (first.returncode, first.stdout.strip()) == (0, "completed 1 experiments: cron-ended")
    assert run_cli("experiments", "tick", env=env).stdout.strip() == "completed 0 experiments"
    bad = run_cli("experiments", "tick", "--now", "soon", env=env)
    assert bad.returncode == 1 and "--now" in bad.stderr


def test_the_cli_tick_acts_as_of_now_option(seeded, database_url, tmp_path) -> None:
    eid = _running("future-end", end=datetime(2099, 1, 1, tzinfo=UTC))
    env = {"DATABASE_URL": database_url, "PLANGOV_TELEMETRY_FILE": str(tmp_path / "t.jsonl")}
    assert "completed 0" in run_cli("experiments", "tick", "--now", "2098-12-31T23:59:59Z",
                                    env=env).stdout
    assert "future-end" in run_cli("experiments", "tick", "--now", "2099-01-01T00:00:00",
                                   env=env).stdout
    assert _status(eid) == "complete"


def test_the_app_loop_completes_an_ended_experiment(seeded, monkeypatch) -> None:
    monkeypatch.setenv("PLANGOV_EXPERIMENT_TICK_SECONDS", "1")
    get_settings.cache_clear()
    eid = _running("loop-ended", end=datetime.now(UTC) - timedelta(seconds=1))

    async def until_complete() -> str:
        task = asyncio.create_task(schedule_experiments())
        try:
            for _ in range(100):  # a bound, not a timing assertion
                status = await asyncio.to_thread(_status, eid)
                if status == "complete":
                    return status
                await asyncio.sleep(0.1)
            return status
        finally:
            task.cancel()

    assert run_coroutine(until_complete()) == "complete"
