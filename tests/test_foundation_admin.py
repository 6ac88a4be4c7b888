"""Users & roles API, bad input, the CLI, settings and layering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from db.models import AuditEvent, User
from plangov_app.demo import demo_id
from plangov_app.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]


def _count(session, action: str) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action)).one()


def test_admin_lists_searches_and_pages_users(client, token_for):
    admin = token_for("admin@demo.test")
    first = client.get("/api/v1/users?limit=10", headers=admin).json()
    assert first["total"] == 30 and len(first["items"]) == 10 and first["next_cursor"] == "10"
    athletes = client.get("/api/v1/users?role=athlete&search=athlete1", headers=admin).json()
    assert {u["email"] for u in athletes["items"]} == {
        "athlete1@demo.test", *{f"athlete{n}@demo.test" for n in range(10, 20)}}
    for email in ("coach1@demo.test", "athlete1@demo.test", "support@demo.test",
                  "compliance@demo.test", "ds@demo.test"):
        assert client.get("/api/v1/users", headers=token_for(email)).status_code == 403


def test_role_and_assignment_changes_are_audited_with_old_and_new(client, token_for, session):
    admin = token_for("admin@demo.test")
    athlete = demo_id("athlete5@demo.test")
    response = client.patch(f"/api/v1/users/{athlete}/role", json={"role": "support"},
                            headers=admin)
    assert response.status_code == 200 and response.json()["role"] == "support"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "role.change")).one()
    assert '"old":"athlete"' in event.metadata_json and '"new":"support"' in event.metadata_json
    client.patch(f"/api/v1/users/{athlete}/role", json={"role": "athlete"}, headers=admin)
    coach2 = demo_id("coach2@demo.test")
    assert client.put(f"/api/v1/users/{athlete}/coaches/{coach2}",
                      headers=admin).status_code == 204
    assert client.delete(f"/api/v1/users/{athlete}/coaches/{coach2}",
                         headers=admin).status_code == 204
    team = client.get("/api/v1/teams", headers=admin).json()[1]["id"]
    assert client.put(f"/api/v1/teams/{team}/members/{athlete}", headers=admin).status_code == 204
    assert _count(session, "assignment.change") == 3
    assert _count(session, "role.change") == 2


@pytest.mark.parametrize(("body", "status"), [
    ('{"role": "pilot"}', 422), ('{"role": "coach", "extra": 1}', 422), ('{"role": 5}', 422),
    ('{"role": ', 400), ("[]", 422), ('{"role": "' + "x" * 1_100_000 + '"}', 413)])
def test_bad_input_is_refused_and_nothing_is_written(client, token_for, session, body, status):
    admin = token_for("admin@demo.test")
    before = _count(session, "role.change")
    response = client.patch(f"/api/v1/users/{demo_id('athlete5@demo.test')}/role",
                            content=body, headers={**admin, "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    assert _count(session, "role.change") == before
    assert session.get(User, demo_id("athlete5@demo.test")).role == "athlete"


def test_unknown_user_self_demotion_and_wrong_roles(client, token_for):
    admin = token_for("admin@demo.test")
    assert client.patch("/api/v1/users/nope/role", json={"role": "coach"},
                        headers=admin).status_code == 404
    me = demo_id("admin@demo.test")
    assert client.patch(f"/api/v1/users/{me}/role", json={"role": "coach"},
                        headers=admin).status_code == 409
    coach = demo_id("coach1@demo.test")
    wrong = client.put(f"/api/v1/users/{coach}/coaches/{coach}", headers=admin)
    assert wrong.status_code == 422 and "not an athlete" in wrong.json()["detail"]
    assert client.get("/api/v1/nowhere", headers=admin).status_code == 404


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plangov_app.cli", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_cli_end_to_end(database_url, tmp_path):
    env = {"DATABASE_URL": database_url, "PLANGOV_TELEMETRY_FILE": str(tmp_path / "t.jsonl")}
    assert _cli(env, "db", "upgrade").returncode == 0
    first = _cli(env, "demo", "seed")
    assert first.returncode == 0 and "30 users" in first.stdout and "plans" in first.stdout
    assert "nothing new" in _cli(env, "demo", "seed").stdout
    token = _cli(env, "token", "coach1@demo.test")
    assert token.returncode == 0 and token.stdout.count(".") == 2
    missing = _cli(env, "token", "nobody@demo.test")
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0
    assert "intact" in _cli(env, "audit", "verify").stdout
    assert _cli(env, "reconcile").returncode == 1  # back-dated outbox rows not yet relayed
    assert _cli(env, "outbox", "relay").returncode == 0
    assert _cli(env, "reconcile").returncode == 0
    bad = _cli({**env, "PLANGOV_ENV": "production", "PLANGOV_SECRET_KEY": "short"},
               "audit", "verify")
    assert bad.returncode == 1 and "PLANGOV_SECRET_KEY" in bad.stderr


@pytest.mark.parametrize("key", ["", "changeme", "short-key"])
def test_production_refuses_missing_or_weak_secrets(monkeypatch, key):
    monkeypatch.setenv("PLANGOV_ENV", "production")
    monkeypatch.setenv("PLANGOV_SECRET_KEY", key)
    with pytest.raises(SettingsError, match="PLANGOV_SECRET_KEY"):
        Settings()


def test_development_secret_is_generated_once(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANGOV_ENV", "development")
    monkeypatch.setenv("PLANGOV_SECRET_KEY", "")
    monkeypatch.setenv("PLANGOV_SECRET_FILE", str(tmp_path / "secret"))
    first = Settings().signing_key()
    assert len(first) >= 32 and Settings().signing_key() == first


def test_services_do_not_import_reflex():
    code = ("import pkgutil, importlib, sys, plangov_app.services as s\n"
            "[importlib.import_module(m.name) for m in pkgutil.walk_packages(s.__path__, "
            "s.__name__ + '.')]\nassert 'reflex' not in sys.modules, 'reflex imported'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def _modules_loaded_by(packages: list[str]) -> set[str]:
    """Every module a fresh interpreter holds after importing all modules of `packages`."""
    code = ("import importlib, json, pkgutil, sys\n"
            f"for name in {packages!r}:\n"
            "    package = importlib.import_module(name)\n"
            "    for m in pkgutil.walk_packages(package.__path__, name + '.'):\n"
            "        if '.migrations' not in m.name:\n"
            "            importlib.import_module(m.name)\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_the_database_layer_imports_no_domain_and_the_domain_no_edge():
    below = _modules_loaded_by(["db"])
    assert not {m for m in below if m.startswith("plangov_app.services")}
    edge = ("plangov_app.adapters", "plangov_app.workers", "plangov_app.demo",
            "plangov_app.cli", "plangov_app.api")
    assert not {m for m in _modules_loaded_by(["plangov_app.services"]) if m.startswith(edge)}
