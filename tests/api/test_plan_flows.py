"""Plans through the API: generation, edits, conflicts, idempotency, diffs, transitions,
comments, changelog, outbox and reconciliation."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.models import OutboxEvent, User
from db.session import read_session, unit_of_work
from plangov_app.services import outbox, reconcile
from tests.support.factories import counts, create_plan, patch, version

COACH, ATHLETE, ADMIN = "coach1@demo.test", "athlete1@demo.test", "admin@demo.test"


def test_generation_is_deterministic_and_audited(client, token_for, session):
    coach = token_for(COACH)
    plan = create_plan(client, coach, seed="s1")
    assert plan["status"] == "generated" and plan["algorithm_version"] == "lp-1.0"
    assert plan["baseline_version_id"] == plan["active_version_id"]
    assert plan["latest_version"]["version_number"] == 1
    again = create_plan(client, coach, seed="s1")
    other = create_plan(client, coach, seed="s2", algorithm="dup-1.0")
    assert version(client, coach, plan)["content"] == version(client, coach, again)["content"]
    assert version(client, coach, plan)["content"] != version(client, coach, other)["content"]
    topics = [t for (t,) in session.execute(select(OutboxEvent.topic))]
    assert topics.count("plan.generated") == 3
    for weeks in (3, 53):
        response = client.post("/api/v1/plans", headers=coach, json={
            "athlete_id": plan["athlete_id"], "start_date": "2027-01-04", "weeks": weeks})
        assert response.status_code == 422


def test_the_algorithm_writes_version_1_and_the_coach_asked_for_it(client, token_for):
    coach, admin = token_for(COACH), token_for(ADMIN)
    plan = create_plan(client, coach, algorithm="dup-1.0")
    coach_id = plan["created_by"]
    generated = {"author_id": None, "author_kind": "algorithm", "author_role": "algorithm",
                 "algorithm_version": "dup-1.0", "requested_by": coach_id,
                 "requested_by_name": "Casey Coach", "author_name": "Generator dup-1.0",
                 "author_label": "Generator dup-1.0 (requested by Casey Coach)"}
    v1 = version(client, coach, plan)
    assert {k: v1[k] for k in generated} == generated
    assert {k: plan["latest_version"][k] for k in generated} == generated
    listed = client.get(f"/api/v1/plans/{plan['id']}/versions", headers=coach).json()
    assert {k: listed[0][k] for k in generated} == generated
    v2 = patch(client, coach, plan["id"], v1["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "easy"}]).json()
    assert (v2["author_id"], v2["author_kind"], v2["author_label"], v2["requested_by"]) == (
        coach_id, "person", "Casey Coach", None)
    [event] = client.get(f"/api/v1/audit?action=plan.generate&target_id={plan['id']}",
                         headers=admin).json()["items"]
    assert event["actor_id"] == coach_id  # who asked; the version names the algorithm
    assert event["metadata"]["author"] == "Generator dup-1.0 (requested by Casey Coach)"
    assert event["metadata"]["requested_by"] == coach_id


def test_edit_creates_the_next_version_and_tracks_changes(client, token_for):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    session0 = head["content"]["weeks"][0]["sessions"][0]
    strength = next(s for s in head["content"]["weeks"][0]["sessions"]
                    if s["modality"] == "strength")
    s_index = head["content"]["weeks"][0]["sessions"].index(strength)
    item = strength["items"][0]
    response = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-10"},
        {"op": "replace", "path": f"/weeks/0/sessions/{s_index}/items/0/sets",
         "value": item["sets"] + 2},
        {"op": "replace", "path": f"/weeks/0/sessions/{s_index}/items/1/exercise",
         "value": "push_up"},
        {"op": "replace", "path": f"/weeks/0/sessions/{s_index}/items/1/load_kg", "value": None},
    ], reasons=("fatigue", "equipment"), rationale="Short week #deload")
    assert response.status_code == 200, response.text
    new = response.json()
    assert (new["version_number"], new["parent_version_id"], new["status"]) == (
        2, head["id"], "draft")
    kinds = {(c["field_path"].rsplit("/", 1)[-1], c["change_type"]) for c in new["changes"]}
    assert ("day", "moved") in kinds and ("exercise", "modified") in kinds
    assert sum(1 for c in new["changes"] if c["session_id"] == session0["session_id"]) == 1
    summary = new["diff_summary"]["vs_parent"]
    assert len(summary["exercise_swaps"]) == 1 and len(summary["sessions_moved"]) == 1
    old_items = {i["item_id"]: i for s in head["content"]["weeks"][0]["sessions"]
                 for i in s["items"]}
    before = sum((i["sets"] or 0) * (i["reps"] or 0) * (i["load_kg"] or 1)
                 for i in strength["items"] if i["sets"] and i["reps"])
    after_items = [dict(old_items[i["item_id"]]) for i in strength["items"]]
    after_items[0]["sets"] += 2
    after_items[1]["load_kg"] = None
    after = sum(i["sets"] * i["reps"] * (i["load_kg"] or 1)
                for i in after_items if i["sets"] and i["reps"])
    all_strength_before = summary["volume"]["by_modality"]["strength"]["before"]
    assert summary["volume"]["by_modality"]["strength"]["after"] == pytest.approx(
        all_strength_before - before + after, abs=0.2)
    assert "deload" in new["diff_summary"]["rationale_tags"]
    assert new["reason_codes"] == ["fatigue", "equipment"]
    plan_now = client.get(f"/api/v1/plans/{plan['id']}", headers=coach).json()
    assert plan_now["status"] == "draft" and plan_now["active_version_id"] == new["id"]
    diff = client.get(f"/api/v1/plans/{plan['id']}/diff", headers=coach).json()
    assert diff["from_version_number"] == 1 and diff["to_version_number"] == 2
    back = client.get(f"/api/v1/plans/{plan['id']}/diff?from={new['id']}&to={head['id']}",
                      headers=coach).json()
    assert len(back["changes"]) == len(diff["changes"])


def test_stale_base_conflicts_and_idempotent_retries(client, token_for, session):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    v1 = plan["active_version_id"]
    ops = [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "hi"}]
    key = {"Idempotency-Key": "retry-1"}
    first = patch(client, {**coach, **key}, plan["id"], v1, ops)
    written = counts(session)
    retry = patch(client, {**coach, **key}, plan["id"], v1, ops)
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert retry.headers["Idempotent-Replay"] == "true"
    assert counts(session) == written
    stale = patch(client, coach, plan["id"], v1,
                  [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "x"}])
    assert stale.status_code == 409
    assert stale.json()["head_version_id"] == first.json()["id"]


def test_simultaneous_saves_on_one_head_exactly_one_wins(client, token_for):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = plan["active_version_id"]
    results: list[int] = []

    def save(n: int) -> None:
        response = patch(client, coach, plan["id"], head, [
            {"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": f"writer {n}"}])
        results.append(response.status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409, 409, 409]
    versions = client.get(f"/api/v1/plans/{plan['id']}/versions", headers=coach).json()
    assert [v["version_number"] for v in versions] == [1, 2]


@pytest.mark.parametrize(("operations", "status", "names"), [
    ([{"op": "replace", "path": "/weeks/0/sessions/0/nope/0", "value": 1}], 422, "operations[0]"),
    ([{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "ok"},
      {"op": "replace", "path": "/weeks/0/sessions/99/notes", "value": "x"}], 422,
     "operations[1]"),
    ([{"op": "replace", "path": "/weeks/0/sessions/0/items/0/duration_min", "value": "five"}],
     422, "weeks.0.sessions.0.items.0.duration_min"),
    ([{"op": "jump", "path": "/weeks"}], 422, "op"),
    ([{"op": "add", "path": "/weeks/0/sessions/0/notes"}], 422, "operations[0]"),
    ([{"op": "replace", "path": "/weeks/0/sessions/0/items/0/exercise", "value": "moonwalk"}],
     422, "unknown exercise"),
    ([{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "x"}] * 501, 422,
     "operations"),
])
def test_bad_operations_name_the_failure_and_write_nothing(client, token_for, session,
                                                           operations, status, names):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    before = counts(session)
    response = patch(client, coach, plan["id"], plan["active_version_id"], operations)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert names in json.dumps(response.json())
    assert counts(session) == before


def test_malformed_body_unknown_fields_and_no_op(client, token_for, session):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    url = f"/api/v1/plans/{plan['id']}/versions/{plan['active_version_id']}"
    before = counts(session)
    malformed = client.patch(url, content='{"operations": [', headers={
        **coach, "Content-Type": "application/json"})
    assert malformed.status_code == 400
    unknown = client.patch(url, headers=coach, json={"operations": [], "colour": "red"})
    assert unknown.status_code == 422
    noop = patch(client, coach, plan["id"], plan["active_version_id"], [])
    assert noop.status_code == 422 and "changes nothing" in noop.json()["detail"]
    no_reason = patch(client, coach, plan["id"], plan["active_version_id"],
                      [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "x"}],
                      reasons=())
    assert no_reason.status_code == 422 and "reason_codes" in no_reason.json()["detail"]
    assert counts(session) == before


@pytest.mark.parametrize("table", ["plan_versions", "plan_sessions", "plan_version_changes"])
def test_versions_are_immutable_in_the_database(client, token_for, seeded, table):
    plan = create_plan(client, token_for(COACH))
    patch(client, token_for(COACH), plan["id"], plan["active_version_id"],
          [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "x"}])
    for statement in (f"UPDATE {table} SET version_id = version_id" if table != "plan_versions"
                      else "UPDATE plan_versions SET rationale = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="immutable"), seeded.begin() as conn:
            conn.execute(text(statement))


def test_the_whole_loop_with_notifications_comments_and_decisions(client, token_for, session):
    coach, athlete, admin = token_for(COACH), token_for(ATHLETE), token_for(ADMIN)
    plan = create_plan(client, coach)
    pid = plan["id"]
    first_session = version(client, coach, plan)["content"]["weeks"][0]["sessions"][0]
    assert client.post(f"/api/v1/plans/{pid}/approve", headers=athlete,
                       json={"decision": "accept"}).status_code == 409
    submitted = client.post(f"/api/v1/plans/{pid}/submit", headers=coach,
                            json={"comment": "Have a look"})
    assert submitted.json()["status"] == "coach_reviewed"
    again = client.post(f"/api/v1/plans/{pid}/submit", headers=coach, json={})
    assert again.status_code == 409 and "already been submitted" in again.json()["detail"]
    edit_now = patch(client, coach, pid, submitted.json()["active_version_id"],
                     [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "x"}])
    assert edit_now.status_code == 409
    notes = client.get("/api/v1/notifications", headers=athlete).json()
    assert notes["unread"] == 1 and notes["items"][0]["link"] == f"/plans/{pid}/review"
    read = client.post(f"/api/v1/notifications/{notes['items'][0]['id']}/read", headers=athlete)
    assert read.json()["unread"] == 0

    comment = client.post(f"/api/v1/plans/{pid}/comments", headers=athlete, json={
        "anchor_id": first_session["session_id"], "message": "Tuesday please"})
    assert comment.status_code == 201
    assert client.post(f"/api/v1/plans/{pid}/comments", headers=athlete, json={
        "anchor_id": None, "message": "secret", "visibility": "coaches"}).status_code == 403
    assert client.post(f"/api/v1/plans/{pid}/comments", headers=athlete, json={
        "anchor_id": "no-such-session", "message": "?"}).status_code == 422
    private = client.post(f"/api/v1/plans/{pid}/comments", headers=coach, json={
        "message": "watch the knee", "visibility": "coaches"})
    assert private.status_code == 201
    no_comment = client.post(f"/api/v1/plans/{pid}/approve", headers=athlete,
                             json={"decision": "request_changes"})
    assert no_comment.status_code == 422
    changes = client.post(f"/api/v1/plans/{pid}/approve", headers=athlete, json={
        "decision": "request_changes", "comment": "see my note"})
    assert changes.json()["status"] == "needs_revision"
    assert client.get("/api/v1/notifications", headers=coach).json()["unread"] >= 1

    reply = client.post(f"/api/v1/plans/{pid}/comments", headers=coach, json={
        "parent_id": comment.json()["id"], "message": "Moved it"})
    assert reply.json()["anchor_id"] == first_session["session_id"]
    head = changes.json()["active_version_id"]
    revised = patch(client, coach, pid, head, [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-05"}],
        reasons=("athlete_preference",))
    assert revised.json()["status"] == "draft"
    threads = client.get(f"/api/v1/plans/{pid}/comments", headers=athlete).json()
    assert "watch the knee" not in json.dumps(threads)
    anchored = next(t for t in threads if t["id"] == comment.json()["id"])
    assert anchored["outdated"] and anchored["original"]["day"] == first_session["day"]
    resolved = client.post(f"/api/v1/plans/{pid}/comments/{comment.json()['id']}/resolve",
                           headers=coach)
    assert resolved.json()["resolved_at"]
    reopened = client.post(f"/api/v1/plans/{pid}/comments/{comment.json()['id']}/reopen",
                           headers=athlete)
    assert reopened.json()["resolved_at"] is None

    client.post(f"/api/v1/plans/{pid}/submit", headers=coach, json={})
    accepted = client.post(f"/api/v1/plans/{pid}/approve", headers=athlete,
                           json={"decision": "accept"})
    assert accepted.json()["status"] == "approved" and accepted.json()["published_at"]
    assert client.post(f"/api/v1/plans/{pid}/approve", headers=athlete,
                       json={"decision": "accept"}).status_code == 409
    decided = client.get(f"/api/v1/audit?target_id={pid}", headers=admin).json()["items"]
    decisions = [(e["action"], e["metadata"]["decision"]) for e in decided
                 if e["metadata"].get("decision")]  # each named for what it is
    assert sorted(decisions) == [("plan.approve", "accept"),
                                 ("plan.request_changes", "request_changes")]
    with read_session() as reading:
        assert reconcile.run(reading).versions_without_audit == []  # both recorded versions
    topics = [t for (t,) in session.execute(select(OutboxEvent.topic))]
    for topic in ("plan.submitted", "plan.changes_requested", "plan.approved",
                  "plan.published", "plan.comment.created", "plan.version.updated"):
        assert topic in topics

    other = create_plan(client, coach)
    no_reason = client.post(f"/api/v1/plans/{other['id']}/approve", headers=admin,
                            json={"decision": "accept"})
    assert no_reason.status_code == 422
    override = client.post(f"/api/v1/plans/{other['id']}/approve", headers=admin,
                           json={"decision": "accept", "comment": "athlete confirmed by phone"})
    assert override.json()["status"] == "approved"
    audit = client.get(f"/api/v1/audit?action=plan.override&target_id={other['id']}",
                       headers=admin).json()["items"]
    assert len(audit) == 1

    log = client.get(f"/api/v1/plans/{pid}/changelog?limit=3", headers=admin).json()
    entries, cursor = list(log["items"]), log["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/plans/{pid}/changelog?limit=3&cursor={cursor}",
                          headers=admin).json()
        entries += page["items"]
        cursor = page["next_cursor"]
    assert len({e["id"] for e in entries}) == len(entries)
    csv_rows = client.get(f"/api/v1/plans/{pid}/changelog?format=csv",
                          headers=admin).text.strip().splitlines()
    assert len(csv_rows) - 1 == len(entries)
    moved = client.get(f"/api/v1/plans/{pid}/changelog?change_type=moved", headers=admin).json()
    assert [e["change_type"] for e in moved["items"]] == ["moved"]
    assert client.get(f"/api/v1/plans/{pid}/changelog",
                      headers=token_for("coach2@demo.test")).status_code == 404

    private_texts = ["Tuesday please", "see my note", "watch the knee", "Moved it"]
    people = [f"{u.email}|{u.display_name}" for u in session.exec(select(User))]
    for (payload,) in session.execute(select(OutboxEvent.payload_json)):
        data = json.loads(payload)
        assert {"experiment_arm", "algorithm_version", "coach_id", "athlete"} <= set(data)
        for secret in private_texts + [p for person in people for p in person.split("|")]:
            assert secret not in payload


def test_reconcile_finds_orphans_and_a_stuck_outbox(client, token_for, seeded):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    sent: list[str] = []
    with unit_of_work() as session:
        outbox.relay(session, lambda topic, payload: sent.append(topic))
    with read_session() as session:
        assert reconcile.run(session).ok and sent == ["plan.generated"]
    with seeded.begin() as conn:
        conn.execute(text(
            "INSERT INTO plan_versions (id, plan_id, version_number, status, kind, "
            "diff_summary_json, content_json, reason_codes_json, rationale, created_at, "
            "parent_version_id) VALUES ('orphan', :p, 99, 'draft', 'edit', '{}', '{}', '[]', '', "
            "'2027-01-01 00:00:00', 'missing-parent')"), {"p": plan["id"]})
        conn.execute(text("INSERT INTO outbox_events (id, topic, payload_json, created_at, "
                          "attempts) VALUES ('old', 'plan.generated', '{}', "
                          "'2020-01-01 00:00:00', 0)"))
    with read_session() as session:
        report = reconcile.run(session)
    assert report.versions_without_audit == ["orphan"]
    assert report.versions_missing_parent == ["orphan"]
    assert report.outbox_stale == ["old"]

    def broken(topic: str, payload: str) -> None:
        raise ConnectionError("bus down")

    with unit_of_work() as session:
        assert outbox.relay(session, broken) == 0
    with read_session() as session:
        assert reconcile.run(session).outbox_stale == ["old"]
