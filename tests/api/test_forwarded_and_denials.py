"""Forwarded headers (issue 9, point 10) and the audit of denied access (point 11).

- The client address is the raw peer unless that peer is a configured trusted proxy; the
  same request gets the same address under granian (peer untouched) and uvicorn (peer
  already rewritten by its ProxyHeadersMiddleware) — checked with uvicorn's own
  middleware and against both servers on a loopback port.
- A client's X-Request-ID never becomes the audit request id.
- Refusals on others' data are audited as `access.denied`, summarised per actor and
  target (and capped per actor) so they cannot flood the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select
from starlette.requests import Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from benchmarks.common import start_api_server, stop_api_server
from db.models import AuditEvent, clock_at
from db.session import read_session
from plangov_app.api.deps import request_context
from plangov_app.demo import DEMO_PASSWORD, demo_id
from plangov_app.services import audit, denials
from plangov_app.services.context import UNVERIFIED_FORWARDED, RequestContext, client_address
from plangov_app.services.errors import Forbidden, NotFound
from plangov_app.services.rbac import (
    AccessDenied,
    Denial,
    HiddenDenied,
    Permission,
    authorize,
    load_actor,
    require_visible,
)
from plangov_app.settings import get_settings
from tests.support.async_helpers import run_coroutine
from tests.support.audit_log import chain_ok
from tests.support.live_server import prepare_database

UVICORN_DEFAULT = "127.0.0.1,::1"
LOOPBACK = "127.0.0.1,::1"
SERVERS = ["uvicorn", "granian"]


# --- One rule for the client address, whatever the server did --------------------------


async def _uvicorn_peer(peer: str, forwarded_for: str | None, allow: str) -> str:
    """The peer our app sees under uvicorn (proxy headers on, `--forwarded-allow-ips allow`)."""
    seen: dict = {}

    async def app(scope, receive, send) -> None:
        seen.update(scope)

    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    await ProxyHeadersMiddleware(app, trusted_hosts=allow)(
        {"type": "http", "scheme": "http", "client": (peer, 51000), "headers": headers},
        None, None)
    return seen["client"][0]


CASES = [  # (peer, X-Forwarded-For, PLANGOV_TRUSTED_PROXIES, uvicorn's list, expected)
    ("203.0.113.5", None, "", UVICORN_DEFAULT, "203.0.113.5"),
    ("203.0.113.5", "9.9.9.9", "", UVICORN_DEFAULT, "203.0.113.5"),  # forged, ignored
    ("127.0.0.1", "9.9.9.9", "", UVICORN_DEFAULT, UNVERIFIED_FORWARDED),  # unconfigured
    ("127.0.0.1", "127.0.0.1", "", UVICORN_DEFAULT, UNVERIFIED_FORWARDED),
    ("127.0.0.1", "9.9.9.9", "", "", "127.0.0.1"),  # uvicorn --forwarded-allow-ips ''
    ("127.0.0.1", "9.9.9.9", LOOPBACK, UVICORN_DEFAULT, "9.9.9.9"),  # local proxy
    ("127.0.0.1", "6.6.6.6, 9.9.9.9", LOOPBACK, UVICORN_DEFAULT, "9.9.9.9"),  # client part
    ("127.0.0.1", "1.2.3.4:8080", LOOPBACK, UVICORN_DEFAULT, "1.2.3.4"),
    ("127.0.0.1", "[2001:db8::1]:443", LOOPBACK, UVICORN_DEFAULT, "2001:db8::1"),
    ("127.0.0.1", "garbage, 10.0.0.1", f"10.0.0.0/8,{LOOPBACK}", UVICORN_DEFAULT, "10.0.0.1"),
    ("10.0.0.2", "6.6.6.6, 9.9.9.9, 10.0.0.1", "10.0.0.0/8", UVICORN_DEFAULT, "9.9.9.9"),
    ("10.0.0.2", "9.9.9.9", "10.0.0.0/8", "*", UNVERIFIED_FORWARDED),  # uvicorn trusts all
    ("10.0.0.2", "9.9.9.9", "", UVICORN_DEFAULT, "10.0.0.2"),
]


@pytest.mark.parametrize(("peer", "forwarded", "ours", "allow", "expected"), CASES)
def test_the_same_client_address_under_granian_and_uvicorn(peer, forwarded, ours, allow,
                                                           expected):
    raw = client_address(peer, forwarded, trusted=ours, server_trusted=allow)
    rewritten_peer = run_coroutine(_uvicorn_peer(peer, forwarded, allow))
    after_uvicorn = client_address(rewritten_peer, forwarded, trusted=ours, server_trusted=allow)
    assert raw == after_uvicorn == expected


def test_request_context_reads_the_scope_and_keeps_the_client_request_id_apart(monkeypatch):
    monkeypatch.setenv("PLANGOV_TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()
    try:
        request = Request({
            "type": "http", "method": "GET", "path": "/", "query_string": b"",
            "client": ("10.1.2.3", 40000), "state": {"request_id": "server-id",
                                                     "client_request_id": "client\x00-id"},
            "headers": [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"198.51.100.4"),
                        (b"user-agent", b"probe"), (b"x-request-id", b"client-id")]})
        context = request_context(request)
    finally:
        get_settings.cache_clear()
    assert context.origin_ip == "198.51.100.4"  # the last header line is our proxy's
    assert context.request_id == "server-id"
    assert context.client_request_id == "client-id"
    assert RequestContext(client_request_id="\x01\x02").client_request_id is None


def test_the_audit_request_id_is_always_the_servers(client):
    response = client.post("/api/v1/auth/token", data={"username": "coach1@demo.test",
                                                       "password": DEMO_PASSWORD},
                           headers={"X-Request-ID": "chosen-by-client"})
    assert response.status_code == 200
    with read_session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login")).one()
    assert event.request_id != "chosen-by-client"
    assert event.request_id == response.headers["x-request-id"]


# --- Against the real servers on a loopback port ------------------------------------------


@pytest.fixture
def served(request, tmp_path) -> Iterator[tuple[str, str]]:
    """(base_url, database_url): the API under a real server (`request.param`: the server
    and PLANGOV_TRUSTED_PROXIES), with at most 3 failed sign-ins per address."""
    server, trusted = request.param
    env = {"PLANGOV_LOGIN_MAX_FAILURES_PER_IP": "3", "PLANGOV_TRUSTED_PROXIES": trusted}
    database_url = f"sqlite:///{tmp_path / 'served.db'}"
    prepare_database(database_url)
    base_url, process = start_api_server(database_url, server=server, env=env,
                                         workdir=tmp_path)
    try:
        yield base_url, database_url
    finally:
        stop_api_server(process)


def _served_events(database_url: str) -> list[AuditEvent]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))))
            assert audit.verify_chain(session).ok
            return events
    finally:
        engine.dispose()


def _spray(base_url: str) -> list[int]:
    """Six failed sign-ins, each claiming a new X-Forwarded-For and a new username."""
    return [httpx.post(f"{base_url}/api/v1/auth/token", timeout=30,
                       data={"username": f"victim{n}@demo.test", "password": "guess"},
                       headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(6)]


@pytest.mark.parametrize("served", [(server, "") for server in SERVERS], ids=SERVERS,
                         indirect=True)
def test_a_new_forwarded_for_per_attempt_does_not_escape_the_address_limit(served):
    base_url, database_url = served
    assert _spray(base_url) == [401, 401, 401, 429, 429, 429]
    origins = {e.origin_ip for e in _served_events(database_url)
               if e.action.startswith("auth.login")}
    assert origins == {UNVERIFIED_FORWARDED}  # not one of the claimed addresses


@pytest.mark.parametrize("served", [(server, LOOPBACK) for server in SERVERS], ids=SERVERS,
                         indirect=True)
def test_a_trusted_proxy_is_believed(served):
    base_url, database_url = served
    assert _spray(base_url) == [401] * 6  # six clients behind our proxy
    failed = [e for e in _served_events(database_url) if e.action == "auth.login_failed"]
    assert [e.origin_ip for e in failed] == [f"198.51.100.{n}" for n in range(6)]


# --- Denied access -------------------------------------------------------------------


def _denials() -> list[AuditEvent]:
    with read_session() as session:
        return list(session.exec(select(AuditEvent).where(
            AuditEvent.action == "access.denied").order_by(col(AuditEvent.seq))))



def _new_plan(athlete: str) -> dict:
    return {"athlete_id": demo_id(athlete), "start_date": str(date(2030, 1, 7)), "weeks": 4}


def test_authorize_marks_its_refusals(session):
    coach = load_actor(session, demo_id("coach1@demo.test"))
    other = demo_id("athlete13@demo.test")
    with pytest.raises(HiddenDenied) as hidden:
        authorize(coach, Permission.PLAN_EDIT, other, hide=True)
    assert isinstance(hidden.value, NotFound) and hidden.value.detail == "Not found."
    assert hidden.value.denial == Denial(coach.user_id, "coach", "plan:edit", "athlete", other)
    with pytest.raises(AccessDenied) as forbidden:
        authorize(coach, Permission.AUDIT_READ)
    assert isinstance(forbidden.value, Forbidden)
    assert forbidden.value.denial == Denial(coach.user_id, "coach", "audit:read", None, None)
    with pytest.raises(HiddenDenied) as plan:
        require_visible(coach, other, target=("plan", "p-1"), not_found="No plan p-1.")
    assert plan.value.detail == "No plan p-1."
    assert (plan.value.denial.target_type, plan.value.denial.target_id) == ("plan", "p-1")
    assert denials.denial_of(NotFound("No plan x.")) is None  # a missing row is no denial


def test_hidden_denials_are_audited_once_per_target_and_window(client, token_for):
    coach = token_for("coach1@demo.test")
    answers = [client.post("/api/v1/plans", json=_new_plan("athlete13@demo.test"),
                           headers=coach) for _ in range(20)]
    assert {a.status_code for a in answers} == {404}
    (event,) = _denials()
    assert (event.actor_id, event.actor_role) == (demo_id("coach1@demo.test"), "coach")
    assert (event.target_type, event.target_id) == ("athlete", demo_id("athlete13@demo.test"))
    assert json.loads(event.metadata_json) == {"permission": "plan:edit", "suppressed_before": 0,
                                               "window_s": 600}
    assert event.request_id == answers[0].headers["x-request-id"]
    assert event.origin_ip == "testclient"
    assert chain_ok()


def test_reading_another_coachs_plan_and_athlete_is_audited(client, token_for):
    coach1, coach2 = token_for("coach1@demo.test"), token_for("coach2@demo.test")
    plan = client.post("/api/v1/plans", json=_new_plan("athlete1@demo.test"),
                       headers=coach1).json()
    athlete = demo_id("athlete1@demo.test")
    for url in (f"/api/v1/plans/{plan['id']}", f"/api/v1/plans/{plan['id']}/versions",
                f"/api/v1/athletes/{athlete}"):
        assert client.get(url, headers=coach2).status_code == 404, url
    events = _denials()
    assert {(e.target_type, e.target_id) for e in events} == {("plan", plan["id"]),
                                                              ("athlete", athlete)}
    assert {e.actor_id for e in events} == {demo_id("coach2@demo.test")}
    assert chain_ok()


def test_forbidden_requests_are_audited(client, token_for):
    coach = token_for("coach1@demo.test")
    assert client.get("/api/v1/audit", headers=coach).status_code == 403
    assert client.get(f"/api/v1/plans?coach_id={demo_id('coach2@demo.test')}",
                      headers=coach).status_code == 403
    first, second = _denials()
    assert json.loads(first.metadata_json)["permission"] == "audit:read"
    assert (second.target_type, second.target_id) == ("request", "GET /api/v1/plans")
    assert second.actor_id == demo_id("coach1@demo.test")


def test_missing_rows_and_anonymous_requests_are_not_denials(client, token_for):
    coach = token_for("coach1@demo.test")
    assert client.get("/api/v1/plans/00000000-0000-4000-8000-000000000000",
                      headers=coach).status_code == 404
    assert client.get("/api/v1/audit").status_code == 401
    assert _denials() == []


def test_denials_per_actor_are_capped_and_the_next_event_counts_the_rest(app_env, seeded,
                                                                         monkeypatch):
    monkeypatch.setenv("PLANGOV_DENIAL_AUDIT_MAX_PER_WINDOW", "2")
    get_settings.cache_clear()
    context = RequestContext(origin_ip="203.0.113.8")
    actor = demo_id("coach1@demo.test")
    start = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    window = get_settings().denial_audit_window_seconds
    with clock_at(start):
        for n in range(13, 18):  # five targets, twice each
            for _ in range(2):
                denials.record(Denial(actor, "coach", "plan:view", "athlete", f"a{n}"), context)
    with clock_at(start + timedelta(seconds=window)):
        denials.record(Denial(actor, "coach", "plan:view", "athlete", "a13"), context)
    written = _denials()
    assert [e.target_id for e in written] == ["a13", "a14", "a13"]
    # a13 repeated (1 left out before a14's event), then the cap: 7 more until the next window
    assert [json.loads(e.metadata_json)["suppressed_before"] for e in written] == [0, 1, 7]
    assert chain_ok()


def test_the_ui_audits_refusals_it_shows(app_env, seeded):
    from state.session import run_read, run_write

    coach = Denial(demo_id("coach1@demo.test"), "coach", "plan:edit", "plan", "p-9")

    def refuse(_session, error: Exception) -> None:
        raise error

    async def handler() -> None:
        for runner in (run_read, run_write):
            with pytest.raises(NotFound):
                await runner(refuse, HiddenDenied("No plan p-9.", coach))
        with pytest.raises(NotFound):
            await run_read(refuse, NotFound("No plan p-10."))

    run_coroutine(handler())
    (event,) = _denials()
    assert (event.actor_id, event.target_type, event.target_id) == (coach.actor_id, "plan", "p-9")
