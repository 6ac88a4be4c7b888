"""services/audit.py called directly: what the hash covers, how events are appended, the
reports' words, each filter's edge, paging bounds and the CSV streams (mutation targets).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from db.models import AuditEvent
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import audit
from plangov_app.services.audit import AuditFilter, ChainReport
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, InvalidInput
from tests.support.factories import actor

ADMIN, COMPLIANCE, COACH = "admin@demo.test", "compliance@demo.test", "coach1@demo.test"
CONTEXT = RequestContext(request_id="req-1", origin_ip="10.0.0.9", user_agent="probe/1")



def append(action: str, **fields) -> AuditEvent:
    with unit_of_work() as session:
        return audit.record(session, action=action, context=fields.pop("context", CONTEXT),
                            **fields)


def events() -> list[AuditEvent]:
    with read_session() as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.seq)))


def test_canonical_json_is_sorted_compact_and_keeps_unicode() -> None:
    assert audit.canonical_json({"b": "é", "a": [1, None]}) == '{"a":[1,null],"b":"é"}'
    assert audit.canonical_json({"d": datetime(2026, 1, 1, tzinfo=UTC)}) == (
        '{"d":"2026-01-01 00:00:00+00:00"}')


def test_the_hash_covers_every_field_and_the_previous_hash() -> None:
    event = AuditEvent(id="e1", seq=7, occurred_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
                       actor_id="u1", actor_role="coach", action="plan.edit",
                       target_type="plan", target_id="p1", request_id="r1",
                       metadata_json='{"a":1}', origin_ip="10.0.0.1", user_agent="ua",
                       prev_hash="f" * 64)
    fields = {"id": "e1", "seq": 7, "occurred_at": "2026-01-02T03:04:05.000006+00:00",
              "actor_id": "u1", "actor_role": "coach", "action": "plan.edit",
              "target_type": "plan", "target_id": "p1", "request_id": "r1",
              "metadata_json": '{"a":1}', "origin_ip": "10.0.0.1", "user_agent": "ua",
              "prev_hash": "f" * 64}
    expected = hashlib.sha256(audit.canonical_json(fields).encode()).hexdigest()
    assert audit.compute_hash(event) == expected
    for name, other in [("id", "e2"), ("seq", 8), ("actor_id", "u2"), ("actor_role", "admin"),
                        ("action", "plan.view"), ("target_type", "user"), ("target_id", "p2"),
                        ("request_id", "r2"), ("metadata_json", "{}"), ("origin_ip", "10.0.0.2"),
                        ("user_agent", "ub"), ("prev_hash", "e" * 64),
                        ("occurred_at", datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC))]:
        changed = event.model_copy(update={name: other})
        assert audit.compute_hash(changed) != expected, f"{name} is not covered by the hash"
    # the same moment in another time zone is the same event
    shifted = event.model_copy(update={"occurred_at": event.occurred_at.astimezone(
        datetime.now().astimezone().tzinfo or UTC)})
    assert audit.compute_hash(shifted) == expected


@pytest.fixture
def server_in_tokyo(monkeypatch: pytest.MonkeyPatch):
    """The process's local time zone set to Tokyo (UTC+9), as a server abroad might be."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_hash_does_not_depend_on_the_servers_time_zone(server_in_tokyo) -> None:
    """A chain written on a server in one zone verifies on a server in another."""
    event = AuditEvent(id="e1", seq=1, occurred_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                       action="test.zone", metadata_json="{}", prev_hash=audit.GENESIS_HASH)
    assert datetime(2026, 1, 2).astimezone().utcoffset() == timedelta(hours=9)
    fields = {**{k: None for k in ("actor_id", "actor_role", "target_type", "target_id",
                                   "request_id", "origin_ip", "user_agent")},
              "id": "e1", "seq": 1, "occurred_at": "2026-01-02T03:04:05.000000+00:00",
              "action": "test.zone", "metadata_json": "{}", "prev_hash": audit.GENESIS_HASH}
    assert audit.compute_hash(event) == hashlib.sha256(
        audit.canonical_json(fields).encode()).hexdigest()


def test_appends_start_at_genesis_and_link_each_event_to_the_last(seeded) -> None:
    before = events()
    first = append("test.one", actor_id="someone", actor_role="support",
                   target_type="plan", target_id="p1", metadata={"k": "v"})
    second = append("test.two", actor=actor(COACH), actor_id="ignored", actor_role="ignored")
    assert first.seq == (before[-1].seq + 1 if before else 1)
    assert first.prev_hash == (before[-1].hash if before else audit.GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert (first.actor_id, first.actor_role) == ("someone", "support")
    assert (second.actor_id, second.actor_role) == (demo_id(COACH), "coach")
    assert (first.request_id, first.origin_ip, first.user_agent) == ("req-1", "10.0.0.9",
                                                                     "probe/1")
    assert (first.target_type, first.target_id) == ("plan", "p1")
    assert json.loads(first.metadata_json) == {"k": "v"}
    assert second.metadata_json == "{}"
    assert first.hash == audit.compute_hash(first)
    with read_session() as session:
        assert audit.verify_chain(session, batch_size=1).ok


def test_the_very_first_event_follows_the_genesis_hash(engine) -> None:
    first = append("test.first")
    assert (first.seq, first.prev_hash) == (1, audit.GENESIS_HASH)


def test_the_clients_request_id_is_metadata_never_the_request_id(seeded) -> None:
    context = RequestContext(request_id="server-1", client_request_id="client-9")
    event = append("test.ids", context=context, metadata={"a": 1})
    assert event.request_id == "server-1"
    assert json.loads(event.metadata_json) == {"a": 1, "client_request_id": "client-9"}
    bare = append("test.ids", context=RequestContext(request_id="s", client_request_id="x"))
    assert json.loads(bare.metadata_json) == {"client_request_id": "x"}


def test_reports_speak_plainly() -> None:
    assert ChainReport(checked=3, ok=True).sentence() == "Audit chain intact: 3 events verified."
    assert ChainReport(checked=4, ok=False, broken_seq=5, reason="altered").sentence() == (
        "Audit chain BROKEN at event #5: altered (4 events checked).")


def test_verify_counts_every_event(seeded) -> None:
    for n in range(3):
        append(f"test.{n}")
    with read_session() as session:
        report = audit.verify_chain(session, batch_size=2)
    assert report == ChainReport(checked=len(events()), ok=True)


def _filter_events() -> dict[str, AuditEvent]:
    return {"a": append("plan.edit", actor_id="u-a", target_type="plan", target_id="p-a"),
            "b": append("plan.editor_opened", actor_id="u-b", target_type="plan",
                        target_id="p-b"),
            "c": append("plan_edit", actor_id="u-a", target_type="user", target_id="p-a")}


def _listed(filters: AuditFilter, **kwargs) -> list[int]:
    with read_session() as session:
        found, _ = audit.list_events(session, actor(COMPLIANCE), filters, **kwargs)
    return [e.seq for e in found]


def test_each_filter_narrows_on_its_own_field(seeded) -> None:
    made = _filter_events()
    seq = {k: e.seq for k, e in made.items()}
    assert _listed(AuditFilter(actor_id="u-a")) == [seq["c"], seq["a"]]
    assert _listed(AuditFilter(action="plan.edit")) == [seq["b"], seq["a"]]  # prefix, literal _
    assert _listed(AuditFilter(target_type="user")) == [seq["c"]]
    assert _listed(AuditFilter(target_id="p-b")) == [seq["b"]]
    moment = made["b"].occurred_at
    assert seq["b"] in _listed(AuditFilter(date_from=moment))  # the start is inclusive
    assert seq["b"] not in _listed(AuditFilter(date_from=moment + timedelta(microseconds=1)))
    assert seq["b"] not in _listed(AuditFilter(date_to=moment))  # the end is exclusive
    assert seq["b"] in _listed(AuditFilter(date_to=moment + timedelta(microseconds=1)))


def test_pages_are_newest_first_with_a_cursor_and_a_clamped_size(seeded) -> None:
    for n in range(5):
        append(f"paging.{n}")
    everything = _listed(AuditFilter(action="paging."))
    assert everything == sorted(everything, reverse=True) and len(everything) == 5
    with read_session() as session:
        page, cursor = audit.list_events(session, actor(COMPLIANCE),
                                         AuditFilter(action="paging."), limit=2)
        assert [e.seq for e in page] == everything[:2] and cursor == everything[1]
        page, cursor = audit.list_events(session, actor(COMPLIANCE),
                                         AuditFilter(action="paging."), before_seq=cursor,
                                         limit=2)
        assert [e.seq for e in page] == everything[2:4] and cursor == everything[3]
        page, cursor = audit.list_events(session, actor(COMPLIANCE),
                                         AuditFilter(action="paging."), before_seq=cursor,
                                         limit=2)
        assert [e.seq for e in page] == everything[4:] and cursor is None
        page, _ = audit.list_events(session, actor(COMPLIANCE), AuditFilter(action="paging."),
                                    limit=0)
        assert len(page) == 1  # at least one
        page, _ = audit.list_events(session, actor(COMPLIANCE), AuditFilter(), limit=10_000)
        assert len(page) == min(len(events()), audit.MAX_PAGE_SIZE)
        assert audit.list_events(session, actor(COMPLIANCE), AuditFilter(action="paging."),
                                 before_seq=0)[0] == []
        assert len(audit.list_events(session, actor(COMPLIANCE), AuditFilter(),
                                     before_seq=audit.MAX_SEQ)[0]) > 0
        for bad in (-1, audit.MAX_SEQ + 1):
            with pytest.raises(InvalidInput, match=r"^cursor: not a cursor this API returned\.$"):
                audit.list_events(session, actor(COMPLIANCE), AuditFilter(), before_seq=bad)


def test_only_audit_readers_list_verify_or_export(seeded) -> None:
    with read_session() as session:
        for call in (lambda a: audit.list_events(session, a, AuditFilter()),
                     lambda a: audit.verify_chain_for(session, a),
                     lambda a: list(audit.iter_events(session, a, AuditFilter()))):
            with pytest.raises(Forbidden):
                call(actor(COACH))
        assert audit.verify_chain_for(session, actor(COMPLIANCE)).ok


def test_browse_names_actors_by_email_and_plans_by_athlete(seeded) -> None:
    event = append("plan.edit", actor=actor(COACH), target_type="plan", target_id="no-such")
    append("user.update", actor=actor(ADMIN), target_type="user", target_id=demo_id(COACH))
    with read_session() as session:
        page = audit.browse(session, actor(COMPLIANCE), AuditFilter(actor_id=" COACH1@demo.test"))
    assert [e.id for e in page.events] == [event.id]
    assert page.emails == {demo_id(COACH): COACH}
    assert page.plan_athletes == {}  # a plan that does not exist names no athlete
    with read_session() as session:
        empty = audit.browse(session, actor(COMPLIANCE), AuditFilter(actor_id="nobody"))
    assert (empty.events, empty.emails, empty.plan_athletes, empty.next_seq) == ([], {}, {},
                                                                                None)


def test_filters_describe_what_was_set() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert AuditFilter().described() == {}
    assert AuditFilter(date_from=moment, action="plan.").described() == {
        "date_from": "2026-01-01T00:00:00+00:00", "action": "plan."}
    naive = AuditFilter(date_to=datetime(2026, 1, 1))
    assert naive.date_to == moment  # no time zone means UTC


def test_export_is_recorded_with_the_filters_or_the_words_given(seeded) -> None:
    with unit_of_work() as session:
        event = audit.record_export(session, actor(COMPLIANCE), AuditFilter(action="plan."),
                                    CONTEXT)
        given = audit.record_export(session, actor(COMPLIANCE), AuditFilter(action="plan."),
                                    CONTEXT, described={"action": "as typed"})
        with pytest.raises(Forbidden):
            audit.record_export(session, actor(COACH), AuditFilter(), CONTEXT)
    assert (event.action, event.target_type, event.actor_id) == (
        "audit.export", "audit_log", demo_id(COMPLIANCE))
    assert json.loads(event.metadata_json) == {"action": "plan."}
    assert json.loads(given.metadata_json) == {"action": "as typed"}


def test_the_stream_comes_in_chunks_with_one_header_and_every_row(seeded) -> None:
    for n in range(6):
        append(f"stream.{n}", metadata={"pad": "x" * 50})
    with read_session() as session:
        chunks = list(audit.stream_csv(session, actor(COMPLIANCE), AuditFilter(action="stream."),
                                       chunk_bytes=200))
    assert len(chunks) > 2 and all(chunks)
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert rows[0] == audit.CSV_COLUMNS
    assert [r[4] for r in rows[1:]] == [f"stream.{n}" for n in range(6)]
    assert rows[1][audit.CSV_COLUMNS.index("user_agent")] == "probe/1"
    assert rows[1][-1] == "Stream 0; Pad: " + "x" * 50  # the event in words, last


def test_the_csv_describes_each_event_in_the_audit_pages_words(seeded) -> None:
    append("plan.edit", metadata={"status": {"from": "generated", "to": "draft"},
                                  "reason_codes": ["fatigue"], "version_id": "v-1"})
    with read_session() as session:
        text = "".join(audit.stream_csv(session, actor(COMPLIANCE),
                                        AuditFilter(action="plan.edit")))
    row = list(csv.reader(io.StringIO(text)))[-1]
    assert row[audit.CSV_COLUMNS.index("description")] == (
        "Plan edited; Status: Generated → Draft; Reasons: Fatigue")


def test_the_page_export_holds_at_most_limit_and_says_if_more(seeded) -> None:
    for n in range(3):
        append(f"page.{n}")
    with unit_of_work() as session:
        text, count, more = audit.export_csv(session, actor(COMPLIANCE),
                                             AuditFilter(action="page."), CONTEXT, limit=2)
        _, all_count, no_more = audit.export_csv(
            session, actor(COMPLIANCE), AuditFilter(action="page."), CONTEXT, limit=3)
    rows = list(csv.reader(io.StringIO(text)))
    assert (count, more, len(rows)) == (2, True, 3)
    assert rows[0] == audit.CSV_COLUMNS
    assert [r[4] for r in rows[1:]] == ["page.0", "page.1"]
    assert (all_count, no_more) == (3, False)
    occurred = rows[1][audit.CSV_COLUMNS.index("occurred_at")]
    assert datetime.fromisoformat(occurred).year >= 2026
    assert len([e for e in events() if e.action == "audit.export"]) == 2


def _linked(seq: int, prev_hash: str, **fields) -> AuditEvent:
    event = AuditEvent(id=f"e{seq}", seq=seq, occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
                       action="test.link", metadata_json="{}", prev_hash=prev_hash, **fields)
    event.hash = audit.compute_hash(event)
    return event


def test_each_broken_link_is_named_in_its_own_words() -> None:
    first = _linked(1, audit.GENESIS_HASH)
    assert audit._link_problem(first, 1, audit.GENESIS_HASH) == ""
    assert audit._link_problem(first, 2, audit.GENESIS_HASH) == (
        "expected event #2 next, found #1 (events missing)")
    assert audit._link_problem(first, 1, "f" * 64) == (
        "its prev_hash does not match the previous event's hash")
    first.action = "test.altered"  # the stored hash no longer covers the contents
    assert audit._link_problem(first, 1, audit.GENESIS_HASH) == (
        "its contents do not match its hash (altered)")


def test_a_filter_refusal_names_its_field() -> None:
    with pytest.raises(InvalidInput, match=r"^action: "):
        AuditFilter(action="plan\x00")
    west = timezone(timedelta(hours=-5))  # 9999-12-31 23:00 here is past year 9999 in UTC
    with pytest.raises(InvalidInput, match=r"^date_to: out of range"):
        AuditFilter(date_to=datetime(9999, 12, 31, 23, 0, tzinfo=west))


def test_a_full_last_page_has_no_cursor_and_pages_default_to_fifty(seeded) -> None:
    for n in range(3):
        append(f"exact.{n}")
    with read_session() as session:
        page, cursor = audit.list_events(session, actor(COMPLIANCE), AuditFilter(action="exact."),
                                         limit=3)
        assert len(page) == 3 and cursor is None  # exactly a page: nothing after it
    for n in range(60):
        append(f"many.{n}")
    with read_session() as session:
        page, cursor = audit.list_events(session, actor(COMPLIANCE), AuditFilter(action="many."))
        assert len(page) == 50 and cursor == page[-1].seq
        browsed = audit.browse(session, actor(COMPLIANCE), AuditFilter(action="many."))
        assert len(browsed.events) == 50 and browsed.next_seq == page[-1].seq


def test_the_page_export_joins_its_chunks_into_one_csv(seeded) -> None:
    for n in range(40):
        append(f"big.{n}", metadata={"pad": "y" * 2000})  # well over one 64 kB chunk
    with unit_of_work() as session:
        text, count, more = audit.export_csv(session, actor(COMPLIANCE),
                                             AuditFilter(action="big."), CONTEXT, limit=100)
    with read_session() as session:
        streamed = "".join(audit.stream_csv(session, actor(COMPLIANCE),
                                            AuditFilter(action="big.")))
    assert (count, more) == (40, False) and len(text) > 64_000
    assert text == streamed


def test_the_page_export_takes_an_actor_by_email(seeded) -> None:
    """The audit page's Actor box takes an email (any case); its export reads it the same."""
    with unit_of_work() as session:
        coach = actor(COACH)
        audit.record(session, action="mail.coach", context=CONTEXT, actor=coach)
        audit.record(session, action="mail.other", context=CONTEXT, actor=actor(ADMIN))
    with unit_of_work() as session:
        text, count, more = audit.export_csv(
            session, actor(COMPLIANCE), AuditFilter(actor_id=COACH.upper(), action="mail."),
            CONTEXT, limit=10)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert (count, more) == (1, False)
    assert [r[audit.CSV_COLUMNS.index("action")] for r in rows] == ["mail.coach"]
    assert rows[0][audit.CSV_COLUMNS.index("actor_id")] == demo_id(COACH)
