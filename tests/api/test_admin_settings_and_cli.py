"""Users & roles API, bad input, the CLI, settings and layering."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from db.models import AuditEvent, User
from plangov_app.demo import demo_id
from plangov_app.settings import Settings, SettingsError
from tests.support.cli import run_cli


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



def test_cli_end_to_end(database_url, tmp_path):
    env = {"DATABASE_URL": database_url, "PLANGOV_TELEMETRY_FILE": str(tmp_path / "t.jsonl")}
    assert run_cli("db", "upgrade", env=env).returncode == 0
    first = run_cli("demo", "seed", env=env)
    assert first.returncode == 0 and "30 users" in first.stdout and "plans" in first.stdout
    assert "nothing new" in run_cli("demo", "seed", env=env).stdout
    token = run_cli("token", "coach1@demo.test", env=env)
    assert token.returncode == 0 and token.stdout.count(".") == 2
    missing = run_cli("token", "nobody@demo.test", env=env)
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0
    assert "intact" in run_cli("audit", "verify", env=env).stdout
    assert run_cli("reconcile", env=env).returncode == 1  # back-dated outbox rows not yet relayed
    assert run_cli("outbox", "relay", env=env).returncode == 0
    assert run_cli("reconcile", env=env).returncode == 0
    bad = run_cli("audit", "verify", env={**env, "PLANGOV_ENV": "production",
                                                "PLANGOV_SECRET_KEY": "short"})
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
