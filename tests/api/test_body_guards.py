"""Hostile bodies refused cheaply (issue 9: points 6, 12 in part, 10 in part).

- JSON nested deeper than `max_json_depth` is a 400 problem+json before any parser runs;
  brackets inside strings are not nesting; form bodies and query strings are not scanned.
- A body over `max_body_bytes`, declared or chunked, is a 413 and nothing of it is processed.
- The request id is always the server's own; a client's safe `X-Request-ID` is kept apart.

Each attack runs in process (SQLite and PostgreSQL) and through uvicorn on a loopback port,
checking the answer, the stored rows (before/after) and that the server stays healthy.
"""

from __future__ import annotations

import hashlib
import json
import re
import select
import socket
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select as sql_select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from db.models import AuditEvent, PlanComment
from db.session import make_engine
from plangov_app.api.middleware import ApiMiddleware, as_utf8, json_too_deep
from plangov_app.demo import DEMO_PASSWORD, demo_id
from plangov_app.services.audit import verify_chain
from plangov_app.settings import Settings
from tests.support.factories import counts
from tests.support.live_server import LiveApi, live_api  # noqa: F401

DEPTH = Settings().max_json_depth
MAX_BODY = Settings().max_body_bytes
ATTACK_DEPTH = 900
OUR_ID = re.compile(r"[0-9a-f]{32}")
COACH = "coach1@demo.test"

# ---------------------------------------------------------------- bodies


def arrays(levels: int) -> str:
    """JSON text of `levels` nested arrays."""
    return "[" * levels + "]" * levels


def objects(levels: int) -> str:
    """JSON text of `levels` nested objects."""
    return '{"a":' * levels + "1" + "}" * levels


def edit_body(value: str, note: str = "deeper") -> str:
    """A PATCH body whose first operation carries `value` (3 levels of its own around it).

    The value is added under a new key and removed again, and a note is changed: a valid
    edit whatever the value is, so a deep legitimate one is saved.
    """
    return ('{"operations":[{"op":"add","path":"/weeks/0/sessions/0/extra","value":' + value
            + '},{"op":"remove","path":"/weeks/0/sessions/0/extra"},'
            '{"op":"replace","path":"/weeks/0/sessions/0/notes","value":' + json.dumps(note)
            + '}],"reason_codes":["fatigue"],"rationale":""}')


def hostile_requests(plan: dict) -> list[tuple[str, str, str, bytes, dict[str, str]]]:
    """(name, method, path, body, headers) of every deep-nesting attack on `plan`."""
    version = f"/api/v1/plans/{plan['id']}/versions/{plan['active_version_id']}"
    comments = f"/api/v1/plans/{plan['id']}/comments"
    as_json = {"Content-Type": "application/json"}
    smuggled = '{"message":"\u2200","x":' + arrays(ATTACK_DEPTH) + "}"  # U+2200 holds a 0x22
    return [
        ("patch value: arrays", "PATCH", version, edit_body(arrays(ATTACK_DEPTH)).encode(),
         as_json),
        ("patch value: objects", "PATCH", version, edit_body(objects(ATTACK_DEPTH)).encode(),
         as_json),
        ("patch just over the limit", "PATCH", version, edit_body(arrays(DEPTH - 2)).encode(),
         as_json),
        ("comment message", "POST", comments,
         ('{"message":' + arrays(ATTACK_DEPTH) + "}").encode(), as_json),
        ("plan athlete_id", "POST", "/api/v1/plans",
         ('{"athlete_id":' + objects(ATTACK_DEPTH) + ',"start_date":"2027-01-04","weeks":4}'
          ).encode(), as_json),
        ("no content type", "POST", comments, arrays(ATTACK_DEPTH).encode(), {}),
        ("text/plain", "POST", comments, arrays(ATTACK_DEPTH).encode(),
         {"Content-Type": "text/plain"}),
        ("+json type", "PATCH", version, edit_body(objects(ATTACK_DEPTH)).encode(),
         {"Content-Type": "application/merge-patch+json; charset=utf-8"}),
        ("utf-16 with a 0x22 byte in a letter", "POST", comments,
         smuggled.encode("utf-16-le"), as_json),
    ]


def assert_problem(response: httpx.Response, status: int, words: str) -> dict:
    """A problem+json answer with `status`, `words` in its detail and our request id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and words in problem["detail"], problem
    assert problem["request_id"] == response.headers["x-request-id"]
    assert OUR_ID.fullmatch(problem["request_id"])
    return problem


# ---------------------------------------------------------------- the scanner itself


def reference_too_deep(body: bytes, limit: int) -> bool:
    """The obvious byte-by-byte scan `json_too_deep` must agree with."""
    depth, in_string, escaped = 0, False, False
    for char in body.decode("latin-1"):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
            if depth < 0:
                return False
    return False


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='[]{}"\\a ,:', max_size=300), st.integers(min_value=0, max_value=8))
def test_scanner_agrees_with_a_byte_by_byte_scan(text: str, limit: int) -> None:
    """Any text, valid JSON or not: the same answer as the obvious state machine."""
    assert json_too_deep(text.encode(), limit) == reference_too_deep(text.encode(), limit)


def _depth(value: Any) -> int:
    children = value.values() if isinstance(value, dict) else value
    if not isinstance(value, (dict, list)):
        return 0
    return 1 + max((_depth(child) for child in children), default=0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\\u2200ab'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(alphabet='[]{}"\\ab', max_size=4), inner, max_size=3),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=10),
       st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32-be"]), st.booleans())
def test_scanner_measures_real_json_depth(value: Any, limit: int, encoding: str,
                                          ascii_only: bool) -> None:
    """For JSON as `json.dumps` writes it, in any encoding `json.loads` reads: depth > limit."""
    body = json.dumps(value, ensure_ascii=ascii_only).encode(encoding)
    assert json.loads(body) == value
    assert json_too_deep(as_utf8(body), limit) == (_depth(value) > limit)


def test_scanner_stops_cheaply_on_a_megabyte_of_brackets() -> None:
    """Linear and without recursion: a megabyte of openers or of strings is answered."""
    assert json_too_deep(b"[" * MAX_BODY, DEPTH)
    assert json_too_deep(b"{" * 10 + b'"a":' * 3 + b"[" * 200_000, DEPTH)
    assert not json_too_deep(b'["' + b'\\"[' * 300_000 + b'"]', DEPTH)
    assert not json_too_deep(b'["' + b'\\"[' * 300_000, DEPTH)  # unterminated: parser stops
    assert not json_too_deep(b"[" + b"[],[1,{}]," * 100_000 + b"[]]", DEPTH)


# ---------------------------------------------------------------- the middleware alone


async def _echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"request_id": request.state.request_id,
                         "client_request_id": request.state.client_request_id,
                         "sha256": hashlib.sha256(body).hexdigest(), "length": len(body)})


async def _page(request: Request) -> JSONResponse:
    return JSONResponse({"length": len(await request.body())})


@pytest.fixture
def echo_client() -> Iterator[TestClient]:
    """ApiMiddleware in front of an app that echoes what it received."""
    app = Starlette(routes=[Route("/api/echo", _echo, methods=["POST"]),
                            Route("/page", _page, methods=["POST"])])
    with TestClient(ApiMiddleware(app, max_body_bytes=MAX_BODY)) as client:
        yield client


def test_the_application_receives_the_body_unchanged(echo_client: TestClient) -> None:
    """Buffered and replayed: the same bytes, whether sent at once or in chunks."""
    document = json.dumps({"weeks": [{"sessions": [{"items": [{"n": i} for i in range(3000)]}]}]
                          }).encode()
    pieces = [document[i:i + 7000] for i in range(0, len(document), 7000)]
    for content in (document, iter(pieces)):
        answer = echo_client.post("/api/echo", content=content,
                                  headers={"Content-Type": "application/json"}).json()
        assert answer["length"] == len(document)
        assert answer["sha256"] == hashlib.sha256(document).hexdigest()


def test_request_state_holds_our_id_and_the_clients_apart(echo_client: TestClient) -> None:
    """`request.state.request_id` is always ours; `client_request_id` the client's safe id."""
    sent = echo_client.post("/api/echo", headers={"X-Request-ID": "trace-42.a_b"})
    answer = sent.json()
    assert OUR_ID.fullmatch(answer["request_id"]) and answer["request_id"] != "trace-42.a_b"
    assert answer["client_request_id"] == "trace-42.a_b"
    assert sent.headers["x-request-id"] == answer["request_id"]
    assert sent.headers["x-client-request-id"] == "trace-42.a_b"
    for unsafe in ("", "two words", "x" * 65, "<script>", "a/b"):
        sent = echo_client.post("/api/echo", headers={"X-Request-ID": unsafe})
        assert sent.json()["client_request_id"] is None
        assert "x-client-request-id" not in sent.headers
    again = echo_client.post("/api/echo", headers={"X-Request-ID": "trace-42.a_b"}).json()
    assert again["request_id"] != answer["request_id"]
    outside = echo_client.post("/page", content=arrays(ATTACK_DEPTH))
    assert outside.status_code == 200 and "x-request-id" not in outside.headers
    assert outside.json()["length"] == 2 * ATTACK_DEPTH


# ---------------------------------------------------------------- in process (both databases)


def _plan(client: Any, headers: dict[str, str]) -> dict:
    response = client.post("/api/v1/plans", headers=headers, json={
        "athlete_id": demo_id("athlete1@demo.test"), "start_date": "2027-01-04", "weeks": 4})
    assert response.status_code == 201, response.text
    return response.json()


def _head(client: Any, headers: dict[str, str], plan: dict) -> str:
    return client.get(f"/api/v1/plans/{plan['id']}", headers=headers).json()["active_version_id"]


def _messages(session: Session) -> list[str]:
    """Every stored comment's text, oldest first."""
    session.rollback()
    return list(session.execute(sql_select(PlanComment.message).order_by(
        PlanComment.created_at)).scalars())


def _audit_request_ids(session: Session, action: str) -> list[str]:
    """The request ids of the audit events of `action`, in chain order."""
    session.rollback()
    return list(session.execute(sql_select(AuditEvent.request_id).where(
        AuditEvent.action == action).order_by(AuditEvent.seq)).scalars())


def test_deep_json_is_refused_with_400_and_nothing_stored(client, token_for, session) -> None:
    """Every deep body, whatever route, type or encoding: 400 problem+json, no row written."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    before = counts(session)
    for name, method, path, body, extra in hostile_requests(plan):
        response = client.request(method, path, content=body, headers={**headers, **extra})
        problem = assert_problem(response, 400, f"nested more than {DEPTH} levels")
        assert problem["title"] == "Bad request", name
    assert counts(session) == before
    assert _head(client, headers, plan) == plan["active_version_id"]
    assert client.get(f"/api/v1/plans/{plan['id']}/comments", headers=headers).json() == []


def test_legitimately_deep_bodies_up_to_the_limit_are_saved(client, token_for, session) -> None:
    """A 20-deep edit and one exactly at the limit are saved as new versions."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    for levels in (20, DEPTH):
        head = _head(client, headers, plan)
        before = counts(session)["plan_versions"]
        response = client.patch(f"/api/v1/plans/{plan['id']}/versions/{head}", headers={
            **headers, "Content-Type": "application/json"},
            content=edit_body(arrays(levels - 3), note=f"{levels} deep"))
        assert response.status_code == 200, response.text
        assert response.json()["content"]["weeks"][0]["sessions"][0]["notes"] == f"{levels} deep"
        assert counts(session)["plan_versions"] == before + 1
        assert _head(client, headers, plan) == response.json()["id"]


def test_brackets_inside_strings_are_not_nesting(client, token_for, session) -> None:
    """A comment made of 1,800 brackets, quotes and backslashes is stored as written."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    message = 'He said "' + "[" * ATTACK_DEPTH + '\\" {' + "{" * ATTACK_DEPTH
    response = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=headers,
                           json={"message": message})
    assert response.status_code == 201, response.text
    assert _messages(session) == [message]


def test_form_bodies_are_not_scanned(client, session) -> None:
    """A sign-in form that starts with 900 brackets still signs in."""
    form = f"{arrays(ATTACK_DEPTH)}=x&username={COACH}&password={DEMO_PASSWORD}"
    response = client.post("/api/v1/auth/token", content=form.encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"


def test_query_strings_are_not_parsed_as_json(client, token_for) -> None:
    """Brackets in a query are text: a search for them finds nothing, a bracket cursor is 422."""
    headers = token_for(COACH)
    _plan(client, headers)
    found = client.get("/api/v1/plans", headers=headers, params={"search": arrays(50)})
    assert found.status_code == 200 and found.json()["items"] == []
    cursor = client.get("/api/v1/plans", headers=headers, params={"cursor": "[" * 200})
    assert_problem(cursor, 422, "cursor")


def _padded_comment(size: int) -> Iterator[bytes]:
    """A comment body of about `size` bytes, sent in 64 KiB chunks (no Content-Length)."""
    yield b'{"message":"'
    for _ in range(size // 65536 + 1):
        yield b"a" * 65536
    yield b'"}'


def test_chunked_body_over_the_limit_is_413_and_not_processed(client, token_for,
                                                              session) -> None:
    """No Content-Length, chunks past the cap: 413, no comment, no audit event, no sign-in."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    before = counts(session)
    response = client.post(f"/api/v1/plans/{plan['id']}/comments", content=_padded_comment(
        MAX_BODY), headers={**headers, "Content-Type": "application/json"})
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413, f"exceeds {MAX_BODY} bytes")
    form = iter([f"username={COACH}&password={DEMO_PASSWORD}&pad=".encode(),
                 *[b"a" * 65536] * (MAX_BODY // 65536 + 1)])
    signin = client.post("/api/v1/auth/token", content=form,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(signin, 413, "exceeds")
    assert counts(session) == before


def test_declared_body_over_the_limit_is_413(client, token_for, session) -> None:
    """A Content-Length over the cap: 413 before anything is read."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    before = counts(session)
    body = b'{"message":"' + b"a" * MAX_BODY + b'"}'
    response = client.post(f"/api/v1/plans/{plan['id']}/comments", content=body,
                           headers={**headers, "Content-Type": "application/json"})
    assert_problem(response, 413, f"exceeds {MAX_BODY} bytes")
    assert counts(session) == before


def test_chunked_body_under_the_limit_is_processed(client, token_for, session) -> None:
    """A comment sent in small chunks arrives whole."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    body = json.dumps({"message": "sent in pieces " + "x" * 500}).encode()
    response = client.post(f"/api/v1/plans/{plan['id']}/comments", headers={
        **headers, "Content-Type": "application/json"},
        content=iter([body[i:i + 50] for i in range(0, len(body), 50)]))
    assert response.status_code == 201, response.text
    assert _messages(session) == ["sent in pieces " + "x" * 500]


def test_audit_request_id_is_the_servers_own(client, token_for, session) -> None:
    """A client's X-Request-ID is echoed apart; the audit row carries the server's id."""
    headers = token_for(COACH)
    plan = _plan(client, headers)
    response = client.post(f"/api/v1/plans/{plan['id']}/comments", json={"message": "hi"},
                           headers={**headers, "X-Request-ID": "client-chosen-1"})
    assert response.status_code == 201, response.text
    ours = response.headers["x-request-id"]
    assert OUR_ID.fullmatch(ours) and response.headers["x-client-request-id"] == "client-chosen-1"
    assert _audit_request_ids(session, "plan.comment") == [ours]
    unsafe = client.post(f"/api/v1/plans/{plan['id']}/comments", json={"message": "again"},
                         headers={**headers, "X-Request-ID": "a" * 65})
    assert "x-client-request-id" not in unsafe.headers
    assert _audit_request_ids(session, "plan.comment") == [ours, unsafe.headers["x-request-id"]]
    missing = client.get("/api/v1/nowhere", headers={"X-Request-ID": "client-chosen-1"})
    assert assert_problem(missing, 404, "")["request_id"] != "client-chosen-1"


# ---------------------------------------------------------------- through uvicorn


class Live:
    """A signed-in coach on the live server, with a plan, and the server's database."""

    def __init__(self, api: LiveApi) -> None:
        self.api = api
        self.http = httpx.Client(base_url=api.base_url, timeout=30.0)
        token = self.http.post("/api/v1/auth/token",
                               data={"username": COACH, "password": DEMO_PASSWORD})
        assert token.status_code == 200, token.text
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.plan = _plan(self.http, self.headers)
        self.engine = make_engine(api.database_url)

    def counts(self) -> dict[str, int]:
        """Row counts of every table a plan write touches."""
        with Session(self.engine) as session:
            return counts(session)

    def assert_healthy(self) -> None:
        """Still serving: the process runs, the schema and a signed-in read answer."""
        assert self.api.process.poll() is None
        assert self.http.get("/api/v1/openapi.json").status_code == 200
        me = self.http.get("/api/v1/users/me", headers=self.headers)
        assert me.status_code == 200 and me.json()["email"] == COACH


@pytest.fixture(scope="module")
def live(live_api: LiveApi) -> Iterator[Live]:  # noqa: F811
    """The live server with a signed-in coach and a plan."""
    state = Live(live_api)
    yield state
    state.http.close()
    state.engine.dispose()


def raw_http(base_url: str, head: str, body: Iterable[bytes] = ()) -> httpx.Response:
    """Send `head` and `body` on a raw socket; the response, read as soon as it comes.

    Stops sending once the server has answered (it may refuse before reading everything).
    """
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1"))
        for piece in body:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
        return _read_response(sock)


def _read_response(sock: socket.socket) -> httpx.Response:
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock)
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines]
    length = int(next(value for name, value in headers if name.lower() == "content-length"))
    while len(rest) < length:
        rest += _recv(sock)
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=rest[:length])


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection before answering")
    return chunk


def _chunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def _head_lines(method: str, path: str, headers: dict[str, str]) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


def test_live_deep_json_is_refused_with_400(live: Live) -> None:
    """Under uvicorn too: every deep body is a 400, nothing is stored, the server carries on."""
    before = live.counts()
    for _, method, path, body, extra in hostile_requests(live.plan):
        response = live.http.request(method, path, content=body,
                                     headers={**live.headers, **extra})
        assert_problem(response, 400, f"nested more than {DEPTH} levels")
    assert live.counts() == before
    live.assert_healthy()


def test_live_deep_but_legitimate_bodies_are_accepted(live: Live) -> None:
    """A 20-deep edit is saved; a comment of brackets inside a string is stored."""
    before = live.counts()
    head = _head(live.http, live.headers, live.plan)
    edit = live.http.patch(f"/api/v1/plans/{live.plan['id']}/versions/{head}",
                           content=edit_body(objects(17)),
                           headers={**live.headers, "Content-Type": "application/json"})
    assert edit.status_code == 200, edit.text
    message = "[" * ATTACK_DEPTH + '\\"' + "{" * ATTACK_DEPTH
    comment = live.http.post(f"/api/v1/plans/{live.plan['id']}/comments",
                             json={"message": message}, headers=live.headers)
    assert comment.status_code == 201, comment.text
    after = live.counts()
    assert after["plan_versions"] == before["plan_versions"] + 1
    assert after["plan_comments"] == before["plan_comments"] + 1
    with Session(live.engine) as session:
        assert message in _messages(session)
    live.assert_healthy()


def test_live_chunked_body_over_the_limit_is_413(live: Live) -> None:
    """Chunked past the cap on a raw socket: 413 problem+json, connection closed, no rows."""
    before = live.counts()
    path = f"/api/v1/plans/{live.plan['id']}/comments"
    head = _head_lines("POST", path, {**live.headers, "Content-Type": "application/json",
                                      "Transfer-Encoding": "chunked"})
    response = raw_http(live.api.base_url, head, _chunked(_padded_comment(MAX_BODY)))
    assert_problem(response, 413, f"exceeds {MAX_BODY} bytes")
    assert response.headers["connection"] == "close"
    assert live.counts() == before
    live.assert_healthy()


def test_live_chunked_body_under_the_limit_is_processed(live: Live) -> None:
    """A chunked comment within the cap is decoded, replayed to the route and stored."""
    before = live.counts()
    body = json.dumps({"message": "chunked " + "y" * 300}).encode()
    head = _head_lines("POST", f"/api/v1/plans/{live.plan['id']}/comments", {
        **live.headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    response = raw_http(live.api.base_url, head,
                        _chunked(body[i:i + 40] for i in range(0, len(body), 40)))
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "chunked " + "y" * 300
    assert live.counts()["plan_comments"] == before["plan_comments"] + 1


def test_live_declared_body_over_the_limit_is_413(live: Live) -> None:
    """A Content-Length over the cap is refused before a byte of the body is sent."""
    before = live.counts()
    head = _head_lines("POST", f"/api/v1/plans/{live.plan['id']}/comments", {
        **live.headers, "Content-Type": "application/json",
        "Content-Length": str(MAX_BODY + 1)})
    response = raw_http(live.api.base_url, head)
    assert_problem(response, 413, f"exceeds {MAX_BODY} bytes")
    assert live.counts() == before
    live.assert_healthy()


def test_live_request_id_is_the_servers_own(live: Live) -> None:
    """Under uvicorn: ours in X-Request-ID and in the audit row, the client's echoed apart."""
    response = live.http.post(f"/api/v1/plans/{live.plan['id']}/comments",
                              json={"message": "traced"},
                              headers={**live.headers, "X-Request-ID": "live-trace-7"})
    assert response.status_code == 201, response.text
    ours = response.headers["x-request-id"]
    assert OUR_ID.fullmatch(ours) and response.headers["x-client-request-id"] == "live-trace-7"
    with Session(live.engine) as session:
        ids = _audit_request_ids(session, "plan.comment")
    assert ours in ids and "live-trace-7" not in ids


def test_live_server_survived_with_an_intact_audit_chain(live: Live) -> None:
    """After every attack: still serving, and the audit chain verifies."""
    live.assert_healthy()
    with Session(live.engine) as session:
        report = verify_chain(session)
    assert report.ok, report.sentence()
    assert report.checked > 0


@pytest.mark.parametrize("url", ["/api/v1/plans/a%00b", "/api/v1/athletes/a%00b",
                                 "/api/v1/plans?athlete_id=a%00b",
                                 "/api/v1/plans/a/versions/a%00b"])
def test_nul_in_a_url_is_a_400_on_every_database(client, token_for, url):
    response = client.get(url, headers=token_for("coach1@demo.test"))
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["detail"]


def test_nul_in_a_sign_in_form_is_a_400_and_writes_nothing(client, session):
    from sqlalchemy import func, select

    from db.models import AuditEvent

    before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    response = client.post("/api/v1/auth/token",
                           content=b"username=%C2%AC%C3%9B%00R&password=x",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400, response.text
    session.rollback()
    assert session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == before


def test_nul_in_a_json_body_is_a_400_before_any_query(client, token_for, session):
    """schemathesis found it: a NUL in `athlete_id` reached PostgreSQL (500)."""
    from tests.support.factories import counts, create_plan

    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach)
    before = counts(session)
    for body in ({"athlete_id": "a\x00", "start_date": "2027-01-04", "weeks": 4},
                 {"athlete_id": plan["athlete_id"] + "\x00", "start_date": "2027-01-04",
                  "weeks": 4}):
        response = client.post("/api/v1/plans", headers=coach, json=body)
        assert response.status_code == 400, response.text
        assert "JSON body contains a NUL" in response.json()["detail"]
    comment = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=coach,
                          json={"message": "a backslash: \\u0000 is text"})
    assert comment.status_code == 201, comment.text
    assert comment.json()["message"] == "a backslash: \\u0000 is text"
    session.rollback()
    after = counts(session)
    assert after["plan_versions"] == before["plan_versions"]  # no plan was generated
    assert after["plan_comments"] == before["plan_comments"] + 1
