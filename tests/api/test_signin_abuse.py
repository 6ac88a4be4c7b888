"""Sign-in abuse (issue 9, point 9): throttled attempts are summarised in the audit chain,
lockout is per account *and* address with exponential back-off and spares the owner's
known addresses, sign-ins are rate-limited per address, and Argon2 runs outside any
transaction."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlmodel import func, select

from db.models import AuditEvent, KnownSignInAddress, clock_at
from db.session import get_engine, read_session
from plangov_app.demo import DEMO_PASSWORD, demo_id
from plangov_app.services import auth
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import RateLimited, Unauthorized
from plangov_app.settings import get_settings
from tests.support.audit_log import chain_ok, events

TOKEN = "/api/v1/auth/token"
OWNER_HOME, STRANGER = "198.51.100.7", "203.0.113.66"


def _from(client: TestClient, address: str) -> TestClient:
    """The same API, reached from `address`."""
    return TestClient(client.app, raise_server_exceptions=False, client=(address, 40000))


def _sign_in(client: TestClient, username: str, password: str, **headers: str):
    return client.post(TOKEN, data={"username": username, "password": password},
                       headers=headers)



def _audit_count() -> int:
    with read_session() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()



def _settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def test_throttled_attempts_become_one_summary_per_account_address_and_window(client):
    before = _audit_count()
    agent = "A" * 512
    for _ in range(5):
        assert _sign_in(client, "coach2@demo.test", "wrong", **{"User-Agent": agent}
                        ).status_code == 401
    refused = [_sign_in(client, "coach2@demo.test", "wrong", **{"User-Agent": agent})
               for _ in range(60)]
    assert {r.status_code for r in refused} == {429}
    assert all(int(r.headers["Retry-After"]) > 0 for r in refused)

    new = events()[before:]
    assert [e.action for e in new] == ["auth.login_failed"] * 5 + ["auth.login_throttled"]
    summary = new[-1]
    assert summary.target_id == "coach2@demo.test"
    assert json.loads(summary.metadata_json)["suppressed_before"] == 0
    assert all(len(e.user_agent or "") <= auth.AUDIT_USER_AGENT_CHARS for e in new)
    assert chain_ok()


def test_spraying_usernames_from_a_locked_address_writes_one_summary(client, monkeypatch):
    _settings(monkeypatch, PLANGOV_LOGIN_MAX_FAILURES_PER_IP="3")
    for n in range(3):
        assert _sign_in(client, f"x{n}@demo.test", "bad").status_code == 401
    before = _audit_count()
    long_names = [f"{n:03d}{'=HYPERLINK(' * 30}"[:240] + "@demo.test" for n in range(40)]
    answers = [_sign_in(client, name, "bad", **{"User-Agent": "@" + "B" * 500})
               for name in long_names]
    assert {a.status_code for a in answers} == {429}
    new = events()[before:]
    assert [e.action for e in new] == ["auth.login_throttled"]
    (summary,) = new
    assert (summary.target_type, summary.target_id) == ("address", "testclient")
    stored = json.loads(summary.metadata_json)
    assert len(stored["username"]) <= auth.AUDIT_USERNAME_CHARS
    assert len(summary.user_agent or "") <= auth.AUDIT_USER_AGENT_CHARS
    assert chain_ok()


def test_the_next_summary_says_how_many_were_suppressed(app_env, seeded, monkeypatch):
    _settings(monkeypatch, PLANGOV_LOGIN_LOCKOUT_SECONDS="3600")
    context = RequestContext(origin_ip=STRANGER)
    start = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    window = get_settings().login_window_seconds
    with clock_at(start):
        for _ in range(5):
            assert isinstance(auth.login("coach1@demo.test", "bad", context).error, Unauthorized)
    for second in range(1, 8):  # one summary, six suppressed
        with clock_at(start + timedelta(seconds=second)):
            assert isinstance(auth.login("coach1@demo.test", "bad", context).error, RateLimited)
    with clock_at(start + timedelta(seconds=8 + window)):  # still locked, a new window
        assert isinstance(auth.login("coach1@demo.test", "bad", context).error, RateLimited)
    summaries = [json.loads(e.metadata_json) for e in events("auth.login_throttled")]
    assert [s["suppressed_before"] for s in summaries] == [0, 6]
    assert chain_ok()


def test_a_strangers_failures_do_not_lock_the_owner_out(client, monkeypatch):
    owner, stranger = _from(client, OWNER_HOME), _from(client, STRANGER)
    assert _sign_in(owner, "coach1@demo.test", DEMO_PASSWORD).status_code == 200
    with read_session() as session:
        assert session.get(KnownSignInAddress, (demo_id("coach1@demo.test"), OWNER_HOME))

    for _ in range(5):
        assert _sign_in(stranger, "coach1@demo.test", "guess").status_code == 401
    # the stranger's address is locked out, even with the right password ...
    assert _sign_in(stranger, "coach1@demo.test", DEMO_PASSWORD).status_code == 429
    # ... the owner, from their known address, is not
    assert _sign_in(owner, "coach1@demo.test", DEMO_PASSWORD).status_code == 200


def test_many_strangers_lock_new_addresses_but_not_known_ones(client, monkeypatch):
    _settings(monkeypatch, PLANGOV_LOGIN_MAX_FAILURES_PER_ACCOUNT="10")
    owner = _from(client, OWNER_HOME)
    assert _sign_in(owner, "coach1@demo.test", DEMO_PASSWORD).status_code == 200
    for n in range(2):  # two addresses, five guesses each: ten failures on the account
        stranger = _from(client, f"203.0.113.{10 + n}")
        for _ in range(5):
            assert _sign_in(stranger, "coach1@demo.test", "guess").status_code == 401
    new_place = _from(client, "192.0.2.200")
    assert _sign_in(new_place, "coach1@demo.test", DEMO_PASSWORD).status_code == 429
    assert _sign_in(owner, "coach1@demo.test", DEMO_PASSWORD).status_code == 200
    assert _sign_in(new_place, "coach2@demo.test", DEMO_PASSWORD).status_code == 200


def test_lockout_backs_off_exponentially_and_ends_with_a_success(app_env, seeded, monkeypatch):
    verified: list[int] = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, h, p: verified.append(1) or original(self, h, p))
    context = RequestContext(origin_ip=STRANGER)
    start = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    base = get_settings().login_lockout_seconds

    def attempt(at: float, password: str = "bad"):
        with clock_at(start + timedelta(seconds=at)):
            return auth.login("athlete5@demo.test", password, context).error

    for _ in range(5):
        assert isinstance(attempt(0), Unauthorized)
    first = attempt(1)
    assert isinstance(first, RateLimited) and first.retry_after == base - 1
    assert len(verified) == 5  # a refused attempt costs no Argon2
    assert isinstance(attempt(base + 1), Unauthorized)  # lock over: one more guess ...
    second = attempt(base + 2)  # ... and the next lock is twice as long
    assert isinstance(second, RateLimited) and second.retry_after == 2 * base - 1
    assert attempt(3 * base + 2, DEMO_PASSWORD) is None  # the right password, lock over
    assert isinstance(attempt(3 * base + 3), Unauthorized)  # the success ended the streak


def test_sign_ins_are_rate_limited_per_address(client, monkeypatch):
    _settings(monkeypatch, PLANGOV_LOGIN_MAX_ATTEMPTS_PER_IP="3")
    busy = _from(client, "192.0.2.10")
    for email in ("coach1@demo.test", "coach2@demo.test", "admin@demo.test"):
        assert _sign_in(busy, email, DEMO_PASSWORD).status_code == 200
    before = _audit_count()
    refused = [_sign_in(busy, "athlete1@demo.test", DEMO_PASSWORD) for _ in range(10)]
    assert {r.status_code for r in refused} == {429}
    assert refused[0].json()["detail"].startswith("Too many sign-in attempts from your address")
    assert [e.action for e in events()[before:]] == ["auth.login_throttled"]
    assert _sign_in(_from(client, "192.0.2.11"), "athlete1@demo.test",
                    DEMO_PASSWORD).status_code == 200


def test_argon2_runs_outside_any_database_transaction(client, monkeypatch):
    held: list[int] = []
    original = PasswordHasher.verify

    def verify(self, password_hash, password):
        held.append(get_engine().pool.checkedout())  # connections in use while hashing
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    assert _sign_in(client, "coach1@demo.test", "wrong").status_code == 401
    assert _sign_in(client, "coach1@demo.test", DEMO_PASSWORD).status_code == 200
    assert _sign_in(client, "nobody@demo.test", "whatever").status_code == 401
    assert held == [0, 0, 0]
    assert chain_ok()


def test_parallel_guesses_cannot_pass_the_limit(app_env, seeded, monkeypatch):
    verified: list[int] = []
    lock = threading.Lock()
    original = PasswordHasher.verify

    def verify(self, password_hash, password):
        with lock:
            verified.append(1)
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    context = RequestContext(origin_ip=STRANGER)
    with ThreadPoolExecutor(max_workers=8) as pool:
        errors = list(pool.map(lambda _: auth.login("coach2@demo.test", "guess", context).error,
                               range(16)))
    assert len(verified) == get_settings().login_max_failures == 5
    assert sum(isinstance(e, Unauthorized) for e in errors) == 5
    assert sum(isinstance(e, RateLimited) for e in errors) == 11
    assert len(events("auth.login_failed")) == 5
    assert len(events("auth.login_throttled")) == 1
    assert chain_ok()
