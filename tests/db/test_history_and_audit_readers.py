"""The reads behind the Audit page and Plan History, called as services (no Reflex)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import col, func, select

from db.models import AuditEvent
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import audit, history
from plangov_app.services.context import system_context
from plangov_app.services.errors import Forbidden, NotFound
from tests.support.factories import actor, create_plan, patch, version

COACH, OTHER_COACH, ATHLETE = "coach1@demo.test", "coach2@demo.test", "athlete1@demo.test"



def _exports() -> list[AuditEvent]:
    with read_session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")))


def _count(action: str) -> int:
    with read_session() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)
                            .where(col(AuditEvent.action).startswith(action))).one()


def _edited_plan(client, coach: dict) -> tuple[dict, dict, dict]:
    """A plan of athlete1 with two versions: (plan, v1, v2)."""
    plan = create_plan(client, coach)
    v1 = version(client, coach, plan)
    response = patch(client, coach, plan["id"], v1["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-10"}])
    assert response.status_code == 200, response.text
    return plan, v1, response.json()


def test_resolve_actor_takes_an_email_in_any_case_or_an_id(seeded):
    with read_session() as session:
        assert audit.resolve_actor(session, "  Coach1@Demo.TEST ") == demo_id(COACH)
        assert audit.resolve_actor(session, demo_id(COACH)) == demo_id(COACH)
        assert audit.resolve_actor(session, "nobody@demo.test") == "nobody@demo.test"
        assert audit.resolve_actor(session, "   ") is None


def test_browse_pages_events_with_actor_emails_and_plan_athletes(client, token_for):
    plan = create_plan(client, token_for(COACH))
    token_for(ATHLETE)  # a second sign-in, for a second page
    compliance = actor("compliance@demo.test")
    by_coach = audit.AuditFilter(actor_id="COACH1@demo.test")
    with read_session() as session:
        page = audit.browse(session, compliance, by_coach, None, 50)
        assert page.events and {e.actor_id for e in page.events} == {demo_id(COACH)}
        assert page.emails == {demo_id(COACH): COACH}
        assert page.plan_athletes == {plan["id"]: demo_id(ATHLETE)}
        logins = audit.AuditFilter(action="auth.login")
        first = audit.browse(session, compliance, logins, None, 1)
        assert len(first.events) == 1 and first.next_seq == first.events[0].seq
        assert first.plan_athletes == {}
        older = audit.browse(session, compliance, logins, first.next_seq, 1)
        assert older.events[0].seq < first.events[0].seq
        with pytest.raises(Forbidden):
            audit.browse(session, actor(COACH), by_coach, None, 50)


def test_export_csv_records_one_export_event_and_says_when_more_match(client, token_for):
    for email in (COACH, OTHER_COACH, ATHLETE):
        token_for(email)  # three sign-ins to export
    logins = _count("auth.login")
    compliance = actor("compliance@demo.test")
    described = {"action": "auth.login", "date_from": ""}
    with unit_of_work() as session:
        text, written, more = audit.export_csv(session, compliance,
                                               audit.AuditFilter(action="auth.login"),
                                               system_context("test"), 2, described)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == audit.CSV_COLUMNS
    assert (written, more, len(rows) - 1) == (2, True, 2) and logins > 2
    assert all(row[4].startswith("auth.login") for row in rows[1:])
    exports = _exports()
    assert len(exports) == 1 and exports[0].actor_id == compliance.user_id
    assert json.loads(exports[0].metadata_json) == described

    with unit_of_work() as session:
        _, written, more = audit.export_csv(session, compliance,
                                            audit.AuditFilter(action="auth.login"),
                                            system_context("test"), logins, None)
    assert (written, more) == (logins, False)
    assert len(_exports()) == 2
    assert json.loads(_exports()[1].metadata_json) == {"action": "auth.login"}


def test_export_needs_audit_export_and_then_records_nothing(client, token_for):
    token_for(COACH)
    with unit_of_work() as session, pytest.raises(Forbidden):
        audit.export_csv(session, actor(COACH), audit.AuditFilter(), system_context("test"),
                         10, None)
    assert _exports() == []


def test_athlete_timeline_lists_plans_versions_and_authors(client, token_for):
    plan, v1, v2 = _edited_plan(client, token_for(COACH))
    with read_session() as session:
        timeline = history.athlete_timeline(session, actor(COACH), demo_id(ATHLETE))
    assert timeline.athlete_name == "Athlete 1"
    [entry] = timeline.plans
    assert entry.plan.id == plan["id"]
    assert [v.id for v in entry.versions] == [v1["id"], v2["id"]]
    assert entry.authors == {demo_id(COACH): "Casey Coach"}


@pytest.mark.parametrize(("email", "athlete"), [(OTHER_COACH, demo_id(ATHLETE)),
                                                ("admin@demo.test", "no-such-athlete"),
                                                ("compliance@demo.test", demo_id(ATHLETE))])
def test_athlete_timeline_hides_athletes_out_of_reach(client, token_for, email, athlete):
    create_plan(client, token_for(COACH))
    with read_session() as session, pytest.raises(NotFound, match=r"^No such athlete\.$"):
        history.athlete_timeline(session, actor(email), athlete)


def test_events_for_version_are_that_versions_only_and_scoped(client, token_for):
    plan, v1, v2 = _edited_plan(client, token_for(COACH))
    with read_session() as session:
        first = history.events_for_version(session, actor(COACH), plan["id"], v1["id"])
        second = history.events_for_version(session, actor(COACH), plan["id"], v2["id"])
        # the edit names v1 as its parent, but it is v2's event only
        assert [e.action for e in first] == ["plan.generate"]
        assert [e.action for e in second] == ["plan.edit"]
        with pytest.raises(NotFound):
            history.events_for_version(session, actor(OTHER_COACH), plan["id"], v1["id"])
        with pytest.raises(NotFound):
            history.events_for_version(session, actor(COACH), plan["id"], "no-such-version")
