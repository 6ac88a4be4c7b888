"""A plan's change log through the API: user, date and change-type filters (JSON and CSV),
paging and bad cursors, and who may read it.

The versions are written through the services under `clock_at` in 2001, so the date filters
never depend on today's date.
"""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from db.models import clock_at
from db.session import unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services.context import system_context
from plangov_app.services.plans import creation, edits, lookup
from plangov_app.services.rbac import Permission, load_actor
from plangov_app.services.versions import document_of

COACH, ADMIN, ATHLETE = "coach1@demo.test", "admin@demo.test", "athlete1@demo.test"
MOMENTS = [datetime(2001, 2, d, 10, 0, tzinfo=UTC) for d in (1, 2, 3)]


def _edit(email: str, plan_id: str, operations_for, reasons: tuple[str, ...], when: datetime
          ) -> int:
    with clock_at(when), unit_of_work() as session:
        actor = load_actor(session, demo_id(email))
        plan = lookup.get_plan(session, actor, plan_id, permission=Permission.PLAN_EDIT)
        head = lookup.head_version(session, plan)
        version, _ = edits.create_edited_version(session, actor, plan_id, request=edits.EditRequest(
            base_version_id=head.id, operations=operations_for(document_of(head)),
            reason_codes=reasons, rationale=f"by {email}"), context=system_context("test"))
        return version.version_number


def _history(seeded) -> str:
    """A plan of athlete1: generated 1 Feb 2001 at 10:00, edited by coach1 on 2 Feb at 10:00
    (a modified note and a moved session, v2) and by the admin on 3 Feb (an item removed at
    10:00, v3; a session added at 11:00, v4)."""
    with clock_at(MOMENTS[0]), unit_of_work() as session:
        coach = load_actor(session, demo_id(COACH))
        plan_id = creation.generate_plan(session, coach, athlete_id=demo_id(ATHLETE),
                                         start_date=date(2027, 1, 4), weeks=4,
                                         context=system_context("test")).id

    def by_coach(doc) -> list[dict]:
        first = doc.weeks[0].sessions[0]
        day = first.day + timedelta(days=1 if first.day.weekday() < 6 else -1)
        return [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "coach note"},
                {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": day.isoformat()}]

    def removal(doc) -> list[dict]:
        s = next(i for i, x in enumerate(doc.weeks[1].sessions)
                 if x.modality == "strength" and len(x.items) >= 2)
        return [{"op": "remove", "path": f"/weeks/1/sessions/{s}/items/0"}]

    def addition(doc) -> list[dict]:  # a new session (an item here would trip point 4)
        return [{"op": "add", "path": "/weeks/1/sessions/-", "value": {
            "day": "2027-01-16", "modality": "mobility", "title": "Extra", "items": []}}]

    assert _edit(COACH, plan_id, by_coach, ("fatigue",), MOMENTS[1]) == 2
    assert _edit(ADMIN, plan_id, removal, ("equipment",), MOMENTS[2]) == 3
    assert _edit(ADMIN, plan_id, addition, ("other",), MOMENTS[2] + timedelta(hours=1)) == 4
    return plan_id


def _all(client, headers: dict, plan_id: str, **params: str) -> list[dict]:
    """Every change-log entry for `params`, following the cursor two at a time."""
    entries, cursor = [], None
    while True:
        query = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        response = client.get(f"/api/v1/plans/{plan_id}/changelog", headers=headers,
                              params=query)
        assert response.status_code == 200, response.text
        entries += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if not cursor:
            ids = [e["id"] for e in entries]
            assert len(ids) == len(set(ids))  # every entry exactly once
            return entries


def _versions(entries: list[dict]) -> set[int]:
    return {e["version_number"] for e in entries}


def test_changelog_filters_by_user_date_and_change_type(client, token_for, seeded):
    plan_id = _history(seeded)
    admin = token_for(ADMIN)
    everything = _all(client, admin, plan_id)
    assert _versions(everything) == {2, 3, 4}
    assert [e["version_number"] for e in everything] == sorted(
        (e["version_number"] for e in everything), reverse=True)  # newest first

    by_coach = _all(client, admin, plan_id, user=demo_id(COACH))
    by_admin = _all(client, admin, plan_id, user=demo_id(ADMIN))
    assert by_coach and {e["author_id"] for e in by_coach} == {demo_id(COACH)}
    assert _versions(by_coach) == {2} and _versions(by_admin) == {3, 4}
    assert {e["author_name"] for e in by_admin} == {"Alex Admin"}
    assert len(by_coach) + len(by_admin) == len(everything)
    assert _all(client, admin, plan_id, user=demo_id(ATHLETE)) == []
    assert _all(client, admin, plan_id, user="no-such-user") == []

    on_day = {"from": "2001-02-02T00:00:00Z", "to": "2001-02-03T00:00:00Z"}
    assert _all(client, admin, plan_id, **on_day) == by_coach
    assert _all(client, admin, plan_id, **{"from": "2001-02-03T10:00:00Z"}) == by_admin
    assert _versions(_all(client, admin, plan_id, **{"from": "2001-02-03T10:00:01Z"})) == {4}
    assert _all(client, admin, plan_id, to="2001-02-03T10:00:00Z") == by_coach  # [from, to)
    assert _all(client, admin, plan_id, **{"from": "2001-02-04T00:00:00Z"}) == []
    assert _all(client, admin, plan_id, user=demo_id(ADMIN), **on_day) == []

    types = {e["change_type"] for e in everything}
    assert {"modified", "moved", "removed", "added"} <= types
    for change_type in ("modified", "moved", "removed", "added"):
        only = _all(client, admin, plan_id, change_type=change_type)
        assert only and {e["change_type"] for e in only} == {change_type}
        assert only == [e for e in everything if e["change_type"] == change_type]
    assert _versions(_all(client, admin, plan_id, change_type="moved")) == {2}
    assert _versions(_all(client, admin, plan_id, change_type="added",
                          user=demo_id(ADMIN))) == {4}
    assert _all(client, admin, plan_id, change_type="added", user=demo_id(COACH)) == []
    bad = client.get(f"/api/v1/plans/{plan_id}/changelog", headers=admin,
                     params={"change_type": "renamed"})
    assert bad.status_code == 422


def test_changelog_csv_applies_the_same_filters(client, token_for, seeded):
    plan_id = _history(seeded)
    admin = token_for(ADMIN)

    def rows(**params: str) -> list[dict]:
        response = client.get(f"/api/v1/plans/{plan_id}/changelog", headers=admin,
                              params={**params, "format": "csv"})
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/csv")
        return list(csv.DictReader(io.StringIO(response.text)))

    everything = rows()
    assert {r["version_number"] for r in everything} == {"2", "3", "4"}
    assert {r["author_id"] for r in rows(user=demo_id(COACH))} == {demo_id(COACH)}
    assert {r["version_number"] for r in rows(user=demo_id(ADMIN))} == {"3", "4"}
    assert {r["version_number"] for r in rows(**{"from": "2001-02-03T10:30:00Z"})} == {"4"}
    assert {r["change_type"] for r in rows(change_type="removed")} == {"removed"}
    assert len(rows(user=demo_id(COACH))) + len(rows(user=demo_id(ADMIN))) == len(everything)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("cursor", [
    "not base64 !", _b64(b"no separator"), _b64(b"two|x"), _b64(b"\xff\xfe|x"), "x" * 201])
def test_a_bad_changelog_cursor_is_a_422(client, token_for, seeded, cursor):
    plan_id = _history(seeded)
    response = client.get(f"/api/v1/plans/{plan_id}/changelog", headers=token_for(ADMIN),
                          params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "cursor" in response.json()["detail"]


READERS = {ADMIN: True, COACH: True, ATHLETE: True, "support@demo.test": True,
           "coach2@demo.test": False, "athlete2@demo.test": False, "ds@demo.test": False,
           "compliance@demo.test": False}


def test_who_may_read_a_changelog(client, token_for, seeded):
    plan_id = _history(seeded)
    for email, sees in READERS.items():
        headers = token_for(email)
        for params in ({}, {"format": "csv"}):
            response = client.get(f"/api/v1/plans/{plan_id}/changelog", headers=headers,
                                  params=params)
            assert response.status_code == (200 if sees else 404), (email, response.text)
            assert ("coach note" in response.text) is sees


def test_each_change_is_described_in_words_in_the_json_and_the_csv(client, token_for, seeded):
    """The same words as Plan History: names and days, never paths, ids or JSON."""
    plan_id = _history(seeded)
    admin = token_for(ADMIN)
    entries = _all(client, admin, plan_id)
    response = client.get(f"/api/v1/plans/{plan_id}/changelog", headers=admin,
                          params={"format": "csv"})
    header = next(csv.reader(io.StringIO(response.text)))
    assert header == ["version_number", "version_id", "created_at", "author_id", "author_name",
                      "author_role", "change_type", "field_path", "session_id", "item_id",
                      "old_value", "new_value", "reason_codes", "rationale", "description"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_path = {e["field_path"]: e["description"] for e in entries}
    assert {r["field_path"]: r["description"] for r in rows} == by_path
    texts = sorted(by_path.values())
    assert any(t.startswith("Notes: none → “coach note” (") for t in texts), texts
    assert any(t.startswith("Session moved: ") and " → " in t for t in texts), texts
    assert any(t.startswith("Exercise removed: ") for t in texts), texts
    assert "Session added: Extra (Sat 16 Jan)" in texts
    for text in texts:
        assert not any(mark in text for mark in ("/", "{", '"', "_id")), text
