"""The audit page's read model: rows in words, links only where the reader may go, and an
event expanded into its full change for audit readers (and no one else)."""

from __future__ import annotations

import re

import pytest

from db.session import read_session
from plangov_app.demo import demo_id
from plangov_app.services.errors import Forbidden, NotFound
from plangov_app.services.views import audit_log
from tests.support.factories import actor, create_plan, patch, version

COACH, OTHER_COACH = "coach1@demo.test", "coach2@demo.test"
ADMIN, COMPLIANCE = "admin@demo.test", "compliance@demo.test"
OWN_ATHLETE, OTHER_ATHLETE = "athlete1@demo.test", "athlete13@demo.test"
NO_AUDIT = ("coach1@demo.test", "athlete1@demo.test", "support@demo.test", "ds@demo.test")
EMPTY = dict.fromkeys(audit_log.FILTER_FIELDS, "")
INTERNAL = re.compile(r"[{}=]|_id\b|\bsessions/|\bweeks/|needs_revision|coach_reviewed|"
                      r"[0-9a-f]{8}-[0-9a-f]{4}")


def _edited_plan(client, token_for, coach: str = COACH, athlete: str = OWN_ATHLETE) -> dict:
    """A plan whose first item with sets got one more, and that item's session a note."""
    headers = token_for(coach)
    plan = create_plan(client, headers, athlete=athlete)
    head = version(client, headers, plan)
    s, first = next((n, x) for n, x in enumerate(head["content"]["weeks"][0]["sessions"])
                    if x["items"] and x["items"][0]["sets"])
    sets = first["items"][0]["sets"]
    response = patch(client, headers, plan["id"], head["id"], [
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/items/0/sets", "value": sets + 1},
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/notes", "value": "Easy does it"}],
        reasons=("time_constraint", "fatigue"), rationale="Short on time this week")
    assert response.status_code == 200, response.text
    return {**plan, "item": first["items"][0], "session": first, "sets": sets}


def _edit_row(reader: str, plan_id: str) -> audit_log.AuditRow:
    with read_session() as session:
        page = audit_log.audit_page(session, actor(reader), {**EMPTY, "action": "plan.edit",
                                                             "target": plan_id})
    assert len(page.rows) == 1
    return page.rows[0]


def test_rows_read_as_words_with_times_in_utc(client, token_for):
    plan = _edited_plan(client, token_for)
    row = _edit_row(COMPLIANCE, plan["id"])
    assert row.action == "plan.edit" and row.action_label == "Plan edited"
    assert re.fullmatch(r"\d{2} \w{3} \d{4}, \d{2}:\d{2} UTC", row.time), row.time
    assert row.target == "Plan of Athlete 1 from 04 Jan 2027"
    assert row.details.startswith("Status: Generated → Draft · Reasons: Time constraint, "
                                  "Fatigue · Fields changed: 2 · "), row.details
    assert not INTERNAL.search(f"{row.target} {row.details}")


def test_plan_history_is_linked_only_for_readers_who_may_open_it(client, token_for):
    plan = _edited_plan(client, token_for)
    history = f"/athletes/{demo_id(OWN_ATHLETE)}/history"
    assert _edit_row(ADMIN, plan["id"]).link == history
    assert _edit_row(COMPLIANCE, plan["id"]).link == ""  # Plan History would refuse them
    with read_session() as session:
        seq = int(_edit_row(COMPLIANCE, plan["id"]).seq)
        assert audit_log.event_detail(session, actor(ADMIN), seq).link == history
        assert audit_log.event_detail(session, actor(COMPLIANCE), seq).link == ""


@pytest.mark.parametrize("reader", [ADMIN, COMPLIANCE])
@pytest.mark.parametrize(("coach", "athlete"), [(COACH, OWN_ATHLETE),
                                                (OTHER_COACH, OTHER_ATHLETE)])
def test_audit_readers_see_an_edit_in_full_and_in_words(client, token_for, reader, coach,
                                                        athlete):
    plan = _edited_plan(client, token_for, coach, athlete)
    seq = int(_edit_row(reader, plan["id"]).seq)
    with read_session() as session:
        detail = audit_log.event_detail(session, actor(reader), seq)
    item, first = plan["item"], plan["session"]
    day = f"{_day(first['day'])}"
    assert detail.title == f"Event #{seq} · Plan edited"
    assert detail.changes == [
        f"Sets: {plan['sets']} → {plan['sets'] + 1} ({item['name']}, {day})",
        f"Notes: none → “Easy does it” ({first['title']}, {day})"]
    assert "Reasons: Time constraint, Fatigue" in detail.lines
    assert "Rationale: “Short on time this week”" in detail.lines
    assert "Status: Generated → Draft" in detail.lines
    who = detail.facts[0]
    assert re.fullmatch(rf"Who: [A-Z][\w ]+ \({re.escape(coach)}\), coach", who), who
    assert re.fullmatch(r"When: \d{2} \w{3} \d{4}, \d{2}:\d{2} UTC", detail.facts[1])
    assert detail.facts[2].startswith("From: ") and detail.facts[3].startswith("Client: ")
    assert detail.target_id == plan["id"]
    shown = " ".join([*detail.lines, *detail.changes, detail.title])
    assert not INTERNAL.search(shown), shown


def _day(iso: str) -> str:
    from datetime import date

    return f"{date.fromisoformat(iso):%a %d %b}"


@pytest.mark.parametrize("reader", NO_AUDIT)
@pytest.mark.parametrize("athlete", [OWN_ATHLETE, OTHER_ATHLETE])
def test_no_one_else_may_expand_an_event_not_even_about_their_own_plan(client, token_for,
                                                                      reader, athlete):
    coach = COACH if athlete == OWN_ATHLETE else OTHER_COACH
    plan = _edited_plan(client, token_for, coach, athlete)
    seq = int(_edit_row(ADMIN, plan["id"]).seq)
    with read_session() as session, pytest.raises(Forbidden):
        audit_log.event_detail(session, actor(reader), seq)


def test_a_missing_event_is_not_found(client, token_for):
    with read_session() as session, pytest.raises(NotFound, match="No audit event #999999"):
        audit_log.event_detail(session, actor(COMPLIANCE), 999_999)


def test_other_events_expand_into_words_too(client, token_for):
    response = client.patch(f"/api/v1/users/{demo_id('athlete24@demo.test')}/role",
                          headers=token_for(ADMIN), json={"role": "support"})
    assert response.status_code == 200, response.text
    with read_session() as session:
        page = audit_log.audit_page(session, actor(COMPLIANCE),
                                    {**EMPTY, "action": "role.change"})
        detail = audit_log.event_detail(session, actor(COMPLIANCE), int(page.rows[0].seq))
    assert page.rows[0].details == "Role: athlete → support · Email: athlete24@demo.test"
    assert page.rows[0].target == "Athlete 24 (athlete24@demo.test)"
    assert detail.title.endswith("· Role changed") and detail.changes == []
    assert detail.lines == ["Role: athlete → support", "Email: athlete24@demo.test"]
