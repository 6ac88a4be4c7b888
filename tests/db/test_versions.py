"""services/versions.py read back from the database: what a stored version holds (number,
parent, author, summary, sessions, changes, the status row) and the readers over them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from db.models import Plan, PlanSession, PlanVersion
from db.session import read_session
from plangov_app.demo import demo_id
from plangov_app.services import versions
from plangov_app.services.errors import NotFound
from plangov_app.services.plan_document import MODALITIES, PlanDocument
from tests.support.factories import create_plan, patch, version

COACH, ATHLETE = "coach1@demo.test", "athlete1@demo.test"


def stored(version_id: str) -> PlanVersion:
    with read_session() as session:
        return session.get(PlanVersion, version_id)


def plan_row(plan_id: str) -> Plan:
    with read_session() as session:
        return session.get(Plan, plan_id)


@pytest.fixture
def edited(client, token_for: Callable[[str], dict]) -> dict[str, Any]:
    """A plan with v1 (generated), v2 (an edit), v3 (submitted), v4 (sent back), v5 (edit)."""
    coach, athlete = token_for(COACH), token_for(ATHLETE)
    plan = create_plan(client, coach)
    v1 = version(client, coach, plan)
    v2 = patch(client, coach, plan["id"], v1["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-06"}],
        reasons=("fatigue", "other"), rationale="Knee sore #deload").json()
    v3 = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach,
                     json={"comment": "Have a look"}).json()
    v4 = client.post(f"/api/v1/plans/{plan['id']}/approve", headers=athlete,
                     json={"decision": "request_changes", "comment": "Later please"}).json()
    v5 = patch(client, coach, plan["id"], v4["active_version_id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "easy"}]).json()
    ids = [v1["id"], v2["id"], v3["active_version_id"], v4["active_version_id"], v5["id"]]
    return {"plan": plan, "ids": ids, "v1": v1}


def test_each_version_points_to_its_parent_and_author(edited) -> None:
    rows = [stored(i) for i in edited["ids"]]
    assert [v.version_number for v in rows] == [1, 2, 3, 4, 5]
    assert [v.parent_version_id for v in rows] == [None, *edited["ids"][:4]]
    assert [v.kind for v in rows] == ["generated", "edit", "submit", "decision", "edit"]
    assert [v.author_role for v in rows] == ["algorithm", "coach", "coach", "athlete", "coach"]
    assert [v.author_kind for v in rows] == ["algorithm"] + ["person"] * 4
    assert rows[3].author_id == demo_id(ATHLETE) and rows[1].author_id == demo_id(COACH)
    generated = rows[0]  # written by the algorithm, at the coach's request
    assert (generated.author_id, generated.algorithm_version, generated.requested_by) == (
        None, "lp-1.0", demo_id(COACH))
    assert all(v.requested_by is None and v.algorithm_version is None for v in rows[1:])
    plan = plan_row(edited["plan"]["id"])
    assert plan.baseline_version_id == edited["ids"][0]
    assert plan.active_version_id == edited["ids"][4] and plan.status == rows[4].status
    assert plan.updated_at == rows[4].created_at


def test_an_edit_stores_its_reasons_tags_and_summaries(edited) -> None:
    v1, v2 = stored(edited["ids"][0]), stored(edited["ids"][1])
    assert json.loads(v2.reason_codes_json) == ["fatigue", "other"]
    assert v2.rationale == "Knee sore #deload"
    summary = json.loads(v2.diff_summary_json)
    assert summary["reason_codes"] == ["fatigue", "other"]
    assert summary["rationale_tags"] == ["deload", "injury"]
    assert summary["vs_parent"]["sessions_moved"][0]["to"] == "2027-01-06"
    assert summary["vs_baseline"]["sessions_moved"] == summary["vs_parent"]["sessions_moved"]
    assert summary["status_change"] == {"from": "generated", "to": "draft"}
    generated = json.loads(v1.diff_summary_json)
    assert set(generated) == {"reason_codes", "rationale_tags"}


def test_a_transition_records_the_status_change_as_a_row(edited) -> None:
    v3_id = edited["ids"][2]
    summary = json.loads(stored(v3_id).diff_summary_json)
    assert summary["status_change"] == {"from": "draft", "to": "coach_reviewed"}
    with read_session() as session:
        changes = versions.changes_of(session, v3_id)
    [status] = [c for c in changes if c.field_path == "status"]
    assert (json.loads(status.old_value), json.loads(status.new_value)) == (
        "draft", "coach_reviewed")
    assert status.change_type == "modified"
    # the coach's note is the submit's rationale, not a comment; the athlete's is a comment
    assert (status.comment_id, stored(v3_id).rationale) == (None, "Have a look")
    with read_session() as session:
        [decided] = [c for c in versions.changes_of(session, edited["ids"][3])
                     if c.field_path == "status"]
    assert decided.comment_id is not None


def test_sessions_are_stored_one_row_each_with_their_work(edited) -> None:
    v1 = edited["v1"]
    expected = {(s["session_id"], w["index"], s["day"], s["modality"])
                for w in v1["content"]["weeks"] for s in w["sessions"]}
    with read_session() as session:
        rows = list(session.exec(select(PlanSession).where(PlanSession.version_id == v1["id"])))
    assert {(r.session_id, r.week_index, r.day.isoformat(), r.modality) for r in rows} == expected
    first = v1["content"]["weeks"][0]["sessions"][0]
    row = next(r for r in rows if r.session_id == first["session_id"])
    work = json.loads(row.prescribed_work_json)
    assert [w["item_id"] for w in work] == [i["item_id"] for i in first["items"]]
    assert all(None not in w.values() for w in work)  # empty fields are left out


def test_changes_are_stored_sorted_with_their_reasons(edited) -> None:
    with read_session() as session:
        changes = versions.changes_of(session, edited["ids"][1])
    assert [c.field_path for c in changes] == sorted(c.field_path for c in changes)
    moved = next(c for c in changes if c.field_path.endswith("/day"))
    assert moved.change_type == "moved" and json.loads(moved.new_value) == "2027-01-06"
    assert json.loads(moved.reason_codes_json) == ["fatigue", "other"]
    [status] = [c for c in changes if c.field_path == "status"]  # generated → draft
    assert json.loads(status.reason_codes_json) == ["fatigue", "other"]


def test_readers_list_get_and_name(edited, client, token_for) -> None:
    other = create_plan(client, token_for(COACH))
    with read_session() as session:
        plan = session.get(Plan, edited["plan"]["id"])
        listed = versions.list_versions(session, plan)
        assert [v.id for v in listed] == edited["ids"]
        assert versions.get_version(session, plan, edited["ids"][2]).version_number == 3
        with pytest.raises(NotFound, match=f"Plan {plan.id} has no version"):
            versions.get_version(session, plan, other["active_version_id"])
        with pytest.raises(NotFound):
            versions.get_version(session, plan, "nope")
        names = versions.author_names(session, listed)
        assert set(names) == {demo_id(COACH), demo_id(ATHLETE)}  # the requester included
        assert versions.author_names(session, []) == {}
        assert [versions.author_label(v, names) for v in listed] == [
            "Generator lp-1.0 (requested by Casey Coach)", "Casey Coach", "Casey Coach",
            "Athlete 1", "Casey Coach"]
        assert versions.author_parts(listed[0], names) == (
            "Generator lp-1.0", "requested by Casey Coach")
        assert versions.author_parts(listed[3], names) == ("Athlete 1", "athlete")


def test_a_generated_version_stored_before_authorship_is_the_algorithms(edited) -> None:
    """Versions written before `author_kind` existed (NULL) credited the requester."""
    legacy = PlanVersion(id="legacy", plan_id="p", version_number=1, status="generated",
                         kind="generated", author_id=demo_id(COACH), author_role="coach")
    names = {demo_id(COACH): "Casey Coach"}
    assert versions.author_label(legacy, names, "dup-1.0") == (
        "Generator dup-1.0 (requested by Casey Coach)")
    edit = PlanVersion(id="old-edit", plan_id="p", version_number=2, status="draft",
                       kind="edit", author_id=demo_id(COACH), author_role="coach")
    assert versions.author_label(edit, names, "dup-1.0") == "Casey Coach"
    assert versions.author_label(legacy, names) == "Generator (requested by Casey Coach)"
    assert versions.author_parts(edit, {}) == ("Someone", "coach")  # a name not found
    by_system = PlanVersion(id="old-job", plan_id="p", version_number=3, status="published",
                            kind="publish", author_role="system")
    assert versions.author_parts(by_system, names) == ("System", "system")


def test_decisions_and_what_the_athlete_last_saw(edited) -> None:
    ids = edited["ids"]
    with read_session() as session:
        plan = session.get(Plan, edited["plan"]["id"])
        assert [v.id for v in versions.decisions(session, plan.id)] == [ids[3]]
        assert versions.decisions(session, plan.id, up_to=3) == []
        assert [v.id for v in versions.decisions(session, plan.id, up_to=4)] == [ids[3]]
        assert versions.last_reviewed(session, plan, 5).id == ids[3]
        assert versions.last_reviewed(session, plan, 4) is None  # only before the number


def test_any_two_versions_diff_both_ways(edited) -> None:
    v1, v5 = stored(edited["ids"][0]), stored(edited["ids"][4])
    forward = versions.diff_between(v1, v5)
    assert (forward["from_version_number"], forward["to_version_number"]) == (1, 5)
    assert (forward["from_version_id"], forward["to_version_id"]) == (v1.id, v5.id)
    paths = {c["field_path"].rsplit("/", 1)[-1] for c in forward["changes"]}
    assert paths == {"day", "notes"}
    assert forward["summary"]["change_count"] == 2
    back = versions.diff_between(v5, v1)
    assert [c["old_value"] for c in back["changes"]] == [
        c["new_value"] for c in forward["changes"]]


def test_who_wrote_a_version_without_a_requester_or_with_the_plans_algorithm() -> None:
    names = {demo_id(COACH): "Casey Coach"}
    unasked = PlanVersion(id="g", plan_id="p", version_number=1, status="generated",
                          kind="generated", author_kind="algorithm", algorithm_version="lp-1.0")
    assert versions.author_parts(unasked, names) == ("Generator lp-1.0", "algorithm")
    legacy = PlanVersion(id="legacy", plan_id="p", version_number=1, status="generated",
                         kind="generated", author_id=demo_id(COACH), author_role="coach")
    assert versions.author_parts(legacy, names, "dup-1.0") == (
        "Generator dup-1.0", "requested by Casey Coach")
    by_job = versions._author_columns(None, "lp-1.0")  # generated by a job, asked by no one
    assert (by_job["author_kind"], by_job["requested_by"]) == ("algorithm", None)


def test_the_baseline_summary_lists_modalities_in_the_plans_order(edited) -> None:
    v1, v5 = stored(edited["ids"][0]), stored(edited["ids"][4])
    by_modality = versions.summary_vs_baseline(v5, v1)["volume"]["by_modality"]
    stored_order = json.loads(v5.diff_summary_json)["vs_baseline"]["volume"]["by_modality"]
    assert len(by_modality) > 1 and list(stored_order) == sorted(stored_order)
    assert list(by_modality) == [m for m in MODALITIES if m in by_modality]


def _head_of(parent: PlanVersion, summary: dict[str, Any]) -> PlanVersion:
    """An unstored copy of `parent` whose stored summary is `summary`."""
    return PlanVersion(id=f"{parent.id}-copy", plan_id=parent.plan_id,
                       version_number=parent.version_number, status="approved",
                       kind="decision", content_json=parent.content_json,
                       diff_summary_json=json.dumps(summary))


def test_a_version_of_the_same_document_keeps_its_parents_baseline_summary(edited) -> None:
    """A system transition stores the head again: its summary vs the baseline is the head's."""
    v2 = stored(edited["ids"][1])
    kept = json.loads(v2.diff_summary_json)["vs_baseline"]
    plan = plan_row(edited["plan"]["id"])
    for summary, expected in (({"vs_baseline": kept}, kept), ({}, None)):
        head = _head_of(v2, summary)
        prepared = versions.prepare_version(plan, None, head, versions.NewVersion(
            document=versions.document_of(head), status="published", kind="publish",
            status_change=("approved", "published")), content_json=head.content_json)
        written = json.loads(prepared.version.diff_summary_json)
        assert written.get("vs_baseline") == expected
        assert ("vs_baseline" in written) is (expected is not None)  # no null left behind
        assert written["status_change"] == {"from": "approved", "to": "published"}
        assert prepared.version.content_json == head.content_json
        assert prepared.version.parent_version_id == head.id
        assert prepared.version.version_number == head.version_number + 1


def test_decisions_include_overrides_in_version_order(client, token_for) -> None:
    """An admin's decision for the athlete is an override; both kinds are listed, by number."""
    coach, admin, athlete = token_for(COACH), token_for("admin@demo.test"), token_for(ATHLETE)
    plan = create_plan(client, coach)
    pid = plan["id"]
    steps = ((coach, "submit", {}),
             (admin, "approve", {"decision": "request_changes", "comment": "asked by phone"}),
             None, (coach, "submit", {}), (athlete, "approve", {"decision": "accept"}))
    for step in steps:
        if step is None:  # v4: the revised draft
            head = client.get(f"/api/v1/plans/{pid}", headers=coach).json()["active_version_id"]
            edit = patch(client, coach, pid, head, [{"op": "replace", "value": "easy",
                                                     "path": "/weeks/0/sessions/0/notes"}])
            assert edit.status_code == 200, edit.text
            continue
        headers, path, body = step
        response = client.post(f"/api/v1/plans/{pid}/{path}", headers=headers, json=body)
        assert response.status_code == 200, response.text
    other = create_plan(client, coach)["id"]  # another plan's decision is not this one's
    for headers, path, body in ((coach, "submit", {}),
                                (athlete, "approve", {"decision": "accept"})):
        assert client.post(f"/api/v1/plans/{other}/{path}", headers=headers,
                           json=body).status_code == 200
    with read_session() as session:
        found = versions.decisions(session, pid)
        assert [(v.version_number, v.kind) for v in found] == [(3, "override"), (6, "decision")]
        assert [v.version_number for v in versions.decisions(session, pid, up_to=5)] == [3]


def test_stored_badges_are_worded_anew(edited) -> None:
    """Badges are read in today's words; the stored figures and other parts stay as they are."""
    v2 = stored(edited["ids"][1])
    summary = json.loads(v2.diff_summary_json)
    for part in ("vs_parent", "vs_baseline"):
        summary[part]["badges"] = ["Worded by an older release"]
    read = versions.stored_summary(_head_of(v2, summary))
    assert read["vs_parent"]["badges"] == versions.diffing.badges(summary["vs_parent"])
    assert read["vs_parent"]["badges"] != ["Worded by an older release"]
    assert read["vs_baseline"]["badges"] == read["vs_parent"]["badges"]
    assert read["status_change"] == {"from": "generated", "to": "draft"}  # no badges there
    assert read["reason_codes"] == ["fatigue", "other"]


def test_the_baseline_summary_is_read_back_as_stored(edited) -> None:
    """Figures stored with a version are what it shows, not worked out again."""
    v1, v2 = stored(edited["ids"][0]), stored(edited["ids"][1])
    summary = json.loads(v2.diff_summary_json)
    summary["vs_baseline"]["change_count"] = 99  # as an older release might have counted
    assert versions.summary_vs_baseline(_head_of(v2, summary), v1)["change_count"] == 99


def test_many_changes_of_one_save_are_read_back_sorted_by_path(client, token_for) -> None:
    """A save's changes (several sessions, not in path order in the document) are read back
    by path, on every database: PostgreSQL promises no order without ORDER BY."""
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    v1 = version(client, coach, plan)
    sessions = v1["content"]["weeks"][0]["sessions"]
    first_item = sessions[0]["items"][0]
    saved = patch(client, coach, plan["id"], v1["id"], [
        {"op": "replace", "path": f"/weeks/0/sessions/{n}/notes", "value": f"note {n}"}
        for n in range(len(sessions))] + [  # and an item of the first: its path sorts
        {"op": "replace", "path": "/weeks/0/sessions/0/items/0/name",  # before the notes
         "value": "Renamed here"}]).json()
    with read_session() as session:
        paths = [c.field_path for c in versions.changes_of(session, saved["id"])]
    assert len(paths) == len(sessions) + 2  # notes, the name, and the status row
    assert paths == sorted(paths)
    assert paths.index(f"sessions/{sessions[0]['session_id']}/items/{first_item['item_id']}"
                       "/name") < paths.index(f"sessions/{sessions[0]['session_id']}/notes")
    in_document_order = [f"sessions/{s['session_id']}/notes" for s in sessions]
    assert sorted(in_document_order) != in_document_order  # else nothing here is sorted


def test_a_stored_version_reads_back_after_its_exercise_left_the_catalogue(
        client, token_for: Callable[[str], dict]) -> None:
    """A version was checked when it was written: an exercise since gone from the catalogue
    (a club's custom one) still reads back under its stored name; a new edit may not use it."""
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    v1 = stored(version(client, coach, plan)["id"])
    content = json.loads(v1.content_json)
    first = content["weeks"][0]["sessions"][0]["items"][0]
    first.update(exercise="retired_club_lift", name="Retired club lift")
    old = PlanVersion(**{**v1.model_dump(), "id": "v-retired-1",
                         "content_json": json.dumps(content)})
    document = versions.document_of(old)
    item = document.sessions()[0][1].items[0]
    assert (item.exercise, item.name) == ("retired_club_lift", "Retired club lift")
    with pytest.raises(ValueError, match="unknown exercise 'retired_club_lift'"):
        PlanDocument.model_validate(content)  # as an edit would be checked


def test_an_inserted_versions_document_is_the_one_the_next_edit_starts_from(
        client, token_for: Callable[[str], dict]) -> None:
    """Inserting a version keeps its parsed document: the next edit reads that object back
    rather than parsing the stored JSON again (a 52-week plan takes milliseconds to parse)."""
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    v1 = stored(version(client, coach, plan)["id"])
    with read_session() as session:
        row = session.get(Plan, plan["id"])
        document = PlanDocument.model_validate(json.loads(v1.content_json))
        spec = versions.NewVersion(document=document, status=row.status, kind="edit")
        prepared = versions.prepare_version(row, None, v1, spec)
        inserted = versions.insert_version(session, row, prepared)
        assert versions.document_of(inserted) is document
        session.rollback()  # nothing here is kept
    assert plan_row(plan["id"]).active_version_id == v1.id
