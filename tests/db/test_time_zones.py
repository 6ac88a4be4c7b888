"""Each user's time zone (issue 11): chosen through one service, audited, and every read
model showing times in the reader's zone (stored UTC), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from db.models import AuditEvent, Notification, PlanComment, PlanVersion, User
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import users
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.views import audit_log, plan_history, shell
from plangov_app.services.views.plan_page import plan_page
from tests.support.factories import actor, counts, create_plan, patch, version

COACH, ATHLETE, COMPLIANCE = "coach1@demo.test", "athlete1@demo.test", "compliance@demo.test"
CONTEXT = RequestContext(request_id="req-tz", origin_ip="10.0.0.7", user_agent="probe/1")
EMPTY = dict.fromkeys(audit_log.FILTER_FIELDS, "")


def _set(email: str, zone: str, source: str = "user") -> str:
    with unit_of_work() as session:
        return users.set_time_zone(session, actor(email), zone=zone, context=CONTEXT,
                                   source=source)


def _zone_events(session) -> list[AuditEvent]:
    session.rollback()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "user.time_zone")
                             .order_by(col(AuditEvent.seq))))


def _stored(session, email: str) -> str:
    session.rollback()
    return session.get(User, demo_id(email)).time_zone


def _local(when: datetime, zone: str, pattern: str) -> str:
    """`when` (stored naive UTC) in `zone`, worked out here without describing.moment."""
    local = when.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    return f"{local.strftime(pattern)} {local.tzname()}"


def test_a_chosen_zone_is_stored_audited_and_carried_by_the_actor(session):
    assert actor(ATHLETE).time_zone == "" and _stored(session, ATHLETE) == ""
    assert _set(ATHLETE, "Europe/Oslo") == "Europe/Oslo"
    assert _stored(session, ATHLETE) == "Europe/Oslo"
    assert actor(ATHLETE).time_zone == "Europe/Oslo"
    event, = _zone_events(session)
    assert (event.actor_id, event.actor_role, event.target_type, event.target_id) == (
        demo_id(ATHLETE), "athlete", "user", demo_id(ATHLETE))
    assert (event.request_id, event.origin_ip) == ("req-tz", "10.0.0.7")
    assert json.loads(event.metadata_json) == {"kind": "time_zone", "old": "",
                                               "new": "Europe/Oslo", "source": "user"}

    assert _set(ATHLETE, " asia/TOKYO ") == "Asia/Tokyo"  # spelled as the tz database does
    assert json.loads(_zone_events(session)[-1].metadata_json)["old"] == "Europe/Oslo"
    assert _stored(session, ATHLETE) == "Asia/Tokyo"
    assert _stored(session, COACH) == ""  # only the actor's own row


def test_choosing_the_zone_one_has_writes_nothing(session):
    _set(COACH, "America/New_York")
    before = (len(_zone_events(session)), counts(session))
    assert _set(COACH, "America/New_York") == "America/New_York"
    assert _set(COACH, "america/new_york") == "America/New_York"
    assert (len(_zone_events(session)), counts(session)) == before


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "   ", "Europe", "localtime",
                                  "../../etc/passwd", "Europe/Oslo\x00", "E" * 65, "CET "
                                  "and more"])
def test_an_unknown_zone_is_refused_naming_the_field_and_nothing_is_written(session, zone):
    _set(ATHLETE, "Europe/Oslo")
    before = (len(_zone_events(session)), counts(session))
    with pytest.raises(InvalidInput) as refused:
        _set(ATHLETE, zone)
    assert refused.value.detail.startswith("time_zone: ")
    assert refused.value.extra == {"field": "time_zone"}
    assert (len(_zone_events(session)), counts(session)) == before
    assert _stored(session, ATHLETE) == "Europe/Oslo"


def test_the_browsers_zone_is_stored_once_and_never_replaces_a_choice(session):
    assert _set(ATHLETE, "America/New_York", source="browser") == "America/New_York"
    event, = _zone_events(session)
    assert json.loads(event.metadata_json)["source"] == "browser"
    assert _set(ATHLETE, "Europe/Oslo", source="browser") == "America/New_York"  # kept
    assert len(_zone_events(session)) == 1 and _stored(session, ATHLETE) == "America/New_York"
    assert _set(ATHLETE, "Europe/Oslo") == "Europe/Oslo"  # a choice does replace it


def _commented_plan(client, token_for) -> tuple[dict, PlanComment]:
    """coach1's plan for athlete1, edited and submitted with a note, with a coach comment."""
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    response = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "Go easy"}])
    assert response.status_code == 200, response.text
    response = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach,
                           json={"comment": "An easier first week."})
    assert response.status_code == 200, response.text
    response = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=coach,
                           json={"message": "How does Monday feel?"})
    assert response.status_code == 201, response.text
    with read_session() as session:
        return plan, session.get(PlanComment, response.json()["id"])


def test_a_comment_and_the_plan_pages_times_show_in_the_readers_zone(client, token_for):
    plan, comment = _commented_plan(client, token_for)
    utc = _thread(plan_page_of(ATHLETE, plan["id"]), comment)
    assert utc.when == _local(comment.created_at, "UTC", "%d %b %H:%M")
    _set(ATHLETE, "Asia/Tokyo")
    page = plan_page_of(ATHLETE, plan["id"])
    thread = _thread(page, comment)
    assert thread.when == _local(comment.created_at, "Asia/Tokyo", "%d %b %H:%M")
    assert thread.when.endswith(" JST") and thread.when != utc.when
    with read_session() as session:
        submitted = session.exec(select(PlanVersion).where(
            PlanVersion.plan_id == plan["id"], PlanVersion.kind == "submit")).one()
    assert page.coach_note_by == "Casey Coach, " + _local(submitted.created_at, "Asia/Tokyo",
                                                          "%d %b %Y, %H:%M")
    _set(COACH, "America/New_York")
    editor = plan_page_of(COACH, plan["id"], editing=True)
    assert _thread(editor, comment).when == _local(comment.created_at, "America/New_York",
                                                   "%d %b %H:%M")
    assert editor.timeline and all(row.when.endswith((" EST", " EDT"))
                                   for row in editor.timeline)
    assert utc.when.endswith(" UTC")  # a reader without a zone: UTC, named


def _thread(page, comment: PlanComment):
    return next(t for t in page.threads if t.id == comment.id)


def plan_page_of(email: str, plan_id: str, **options):
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, **options)


def test_the_bell_plan_history_and_the_audit_page_read_in_the_readers_zone(client, token_for):
    plan, _ = _commented_plan(client, token_for)
    _set(ATHLETE, "Asia/Kolkata")
    with read_session() as session:
        note = session.exec(select(Notification).where(
            Notification.user_id == demo_id(ATHLETE)).order_by(
            col(Notification.created_at).desc())).first()
        notes, _ = shell.notes_of(session, actor(ATHLETE))
        history = plan_history.athlete_history(session, actor(ATHLETE), demo_id(ATHLETE))
        newest = history.rows[0]
        detail = plan_history.version_detail(session, actor(ATHLETE), plan["id"], newest.id)
        created = session.get(PlanVersion, newest.id).created_at
    assert notes[0].when == _local(note.created_at, "Asia/Kolkata", "%d %b %H:%M")
    assert newest.when == _local(created, "Asia/Kolkata", "%d %b %Y, %H:%M")
    assert detail.audit and all(" IST · " in row.heading for row in detail.audit)

    _set(COMPLIANCE, "Europe/Oslo")
    with read_session() as session:
        page = audit_log.audit_page(session, actor(COMPLIANCE), {**EMPTY,
                                                                 "action": "plan.submit"})
        row = page.rows[0]
        event = session.exec(select(AuditEvent).where(AuditEvent.seq == int(row.seq))).one()
        facts = audit_log.event_detail(session, actor(COMPLIANCE), event.seq).facts
    assert row.time == _local(event.occurred_at, "Europe/Oslo", "%d %b %Y, %H:%M")
    assert f"When: {row.time}" in facts


def test_the_audit_pages_days_are_days_in_the_readers_zone(session):
    _set(COMPLIANCE, "Asia/Tokyo")  # 09:00 on 2 Feb in Tokyo is 00:00 UTC
    tokyo = audit_log.filters_of({**EMPTY, "date_from": "2027-02-02",
                                  "date_to": "2027-02-02"}, "Asia/Tokyo")
    assert tokyo.date_from == datetime(2027, 2, 1, 15, 0, tzinfo=UTC)
    assert tokyo.date_to == datetime(2027, 2, 2, 15, 0, tzinfo=UTC)
    utc = audit_log.filters_of({**EMPTY, "date_from": "2027-02-02"})
    assert utc.date_from == datetime(2027, 2, 2, tzinfo=UTC)
    event, = _zone_events(session)
    day = event.occurred_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo")).date()
    with read_session() as reading:
        page = audit_log.audit_page(reading, actor(COMPLIANCE), {
            **EMPTY, "date_from": day.isoformat(), "date_to": day.isoformat(),
            "action": "user.time_zone"})
    assert [r.action for r in page.rows] == ["user.time_zone"]
    assert page.rows[0].details == "Time zone: not chosen (UTC) → Asia/Tokyo · Set by: the user"


def test_an_audit_export_records_the_zone_its_days_were_read_in(session):
    _set(COMPLIANCE, "Asia/Tokyo")
    values = {**EMPTY, "date_from": "2001-02-02", "action": "user.time_zone"}
    with unit_of_work() as writing:
        done = audit_log.export(writing, actor(COMPLIANCE), values, CONTEXT)
    row, = csv.DictReader(io.StringIO(done.data))  # the CSV keeps UTC, ISO 8601
    assert row["action"] == "user.time_zone" and row["occurred_at"].endswith("+00:00")
    session.rollback()
    exported = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")
                            .order_by(col(AuditEvent.seq).desc())).first()
    metadata = json.loads(exported.metadata_json)
    assert metadata["date_from"] == "2001-02-02" and metadata["time_zone"] == "Asia/Tokyo"
    with unit_of_work() as writing:  # no days: nothing to say about a zone
        audit_log.export(writing, actor(COMPLIANCE), {**EMPTY, "action": "user.time_zone"},
                         CONTEXT)
    session.rollback()
    exported = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")
                            .order_by(col(AuditEvent.seq).desc())).first()
    assert "time_zone" not in json.loads(exported.metadata_json)
