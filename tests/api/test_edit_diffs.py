"""Every kind of valid edit is saved as the next version with a correct diff (issue 9.4).

Removing one item and adding another in one save, replacing a whole session or changing an
id used to give 500 (DeepDiff reported a change at the root when few keys overlapped).
Each edit goes through the real API, both as JSON Patch and as a whole `content`, and the
stored rows of `plan_versions` and `plan_version_changes` are checked.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import col, func, select

from db.models import PlanSession, PlanVersion, PlanVersionChange
from tests.support.factories import create_plan, version

COACH = "coach1@demo.test"
NEW_ITEM = {"item_id": "new-item-1", "exercise": "push_up", "sets": 3, "reps": 10}


def save(client, headers: dict, plan: dict, base: dict, *, operations: list | None = None,
         content: dict | None = None):
    """PATCH the head `base` with operations or a whole document."""
    body: dict[str, Any] = {"reason_codes": ["fatigue"], "rationale": "test edit"}
    if operations is not None:
        body["operations"] = operations
    else:
        body["content"] = content
    return client.patch(f"/api/v1/plans/{plan['id']}/versions/{base['id']}", headers=headers,
                        json=body)


def stored(session, version_id: str) -> set[tuple]:
    """(change_type, field_path, session_id, item_id) of a version's stored changes."""
    session.rollback()
    rows = session.exec(select(PlanVersionChange).where(
        PlanVersionChange.version_id == version_id, PlanVersionChange.field_path != "status"))
    return {(r.change_type, r.field_path, r.session_id, r.item_id) for r in rows}


def version_count(session, plan_id: str) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(PlanVersion)
                        .where(PlanVersion.plan_id == plan_id)).one()


def stored_session_ids(session, version_id: str) -> set[str]:
    session.rollback()
    return set(session.exec(select(PlanSession.session_id)
                            .where(col(PlanSession.version_id) == version_id)))


def strength(content: dict) -> tuple[int, dict]:
    """Position and body of the first strength session of week 0."""
    sessions = content["weeks"][0]["sessions"]
    index = next(i for i, s in enumerate(sessions) if s["modality"] == "strength")
    return index, sessions[index]


@pytest.fixture
def coach(token_for) -> dict:
    return token_for(COACH)


@pytest.fixture
def plan(client, coach) -> dict:
    return create_plan(client, coach)


@pytest.fixture
def head(client, coach, plan) -> dict:
    return version(client, coach, plan)


def saved(response, session, plan: dict, head: dict, number: int = 2) -> dict:
    """The new version, after checking it was stored as version `number`."""
    assert response.status_code == 200, response.text
    new = response.json()
    assert (new["version_number"], new["parent_version_id"]) == (number, head["id"])
    assert version_count(session, plan["id"]) == number
    return new


@pytest.mark.parametrize("mode", ["patch", "content"])
def test_remove_one_item_and_add_another_in_one_save(client, coach, plan, head, session, mode):
    s, body = strength(head["content"])
    sid, gone = body["session_id"], body["items"][0]["item_id"]
    if mode == "patch":
        response = save(client, coach, plan, head, operations=[
            {"op": "remove", "path": f"/weeks/0/sessions/{s}/items/0"},
            {"op": "add", "path": f"/weeks/0/sessions/{s}/items/-", "value": NEW_ITEM}])
    else:
        content = copy.deepcopy(head["content"])
        items = content["weeks"][0]["sessions"][s]["items"]
        content["weeks"][0]["sessions"][s]["items"] = [*items[1:], NEW_ITEM]
        response = save(client, coach, plan, head, content=content)
    new = saved(response, session, plan, head)
    assert stored(session, new["id"]) == {
        ("removed", f"sessions/{sid}/items/{gone}", sid, gone),
        ("added", f"sessions/{sid}/items/new-item-1", sid, "new-item-1")}
    added = next(c for c in new["changes"] if c["change_type"] == "added")
    assert added["new_value"]["exercise"] == "push_up" and added["old_value"] is None
    summary = new["diff_summary"]["vs_parent"]
    assert (summary["items_added"], summary["items_removed"], summary["change_count"]) == (1, 1, 2)
    assert summary["sessions_added"] == summary["sessions_removed"] == 0
    assert new["diff_summary"]["vs_baseline"]["items_added"] == 1


def test_many_items_replaced_with_one_kept_in_one_save(client, coach, plan, head, session):
    """Few shared keys among the changed items (2 removed, 2 added, 1 changed)."""
    s, body = strength(head["content"])
    sid, items = body["session_id"], body["items"]
    content = copy.deepcopy(head["content"])
    kept = dict(items[2], sets=items[2]["sets"] + 1)
    content["weeks"][0]["sessions"][s]["items"] = [
        NEW_ITEM, kept, dict(NEW_ITEM, item_id="new-item-2", exercise="plank", sets=None,
                             reps=None, duration_min=2.0), *items[3:]]
    new = saved(save(client, coach, plan, head, content=content), session, plan, head)
    assert stored(session, new["id"]) == {
        ("removed", f"sessions/{sid}/items/{items[0]['item_id']}", sid, items[0]["item_id"]),
        ("removed", f"sessions/{sid}/items/{items[1]['item_id']}", sid, items[1]["item_id"]),
        ("added", f"sessions/{sid}/items/new-item-1", sid, "new-item-1"),
        ("added", f"sessions/{sid}/items/new-item-2", sid, "new-item-2"),
        ("modified", f"sessions/{sid}/items/{kept['item_id']}/sets", sid, kept["item_id"])}


@pytest.mark.parametrize("mode", ["patch", "content"])
def test_replace_a_whole_session(client, coach, plan, head, session, mode):
    s, body = strength(head["content"])
    replacement = {"session_id": "new-session", "day": body["day"], "modality": "mobility",
                   "title": "Recovery", "items": [{"item_id": "new-stretch",
                                                   "exercise": "couch_stretch",
                                                   "duration_min": 10.0}]}
    if mode == "patch":
        response = save(client, coach, plan, head, operations=[
            {"op": "replace", "path": f"/weeks/0/sessions/{s}", "value": replacement}])
    else:
        content = copy.deepcopy(head["content"])
        content["weeks"][0]["sessions"][s] = replacement
        response = save(client, coach, plan, head, content=content)
    new = saved(response, session, plan, head)
    old_sid = body["session_id"]
    assert stored(session, new["id"]) == {
        ("removed", f"sessions/{old_sid}", old_sid, None),
        ("added", "sessions/new-session", "new-session", None),
        ("added", "sessions/new-session/items/new-stretch", "new-session", "new-stretch"),
        *{("removed", f"sessions/{old_sid}/items/{i['item_id']}", old_sid, i["item_id"])
          for i in body["items"]}}
    summary = new["diff_summary"]["vs_parent"]
    assert (summary["sessions_added"], summary["sessions_removed"]) == (1, 1)
    assert (summary["items_added"], summary["items_removed"]) == (1, len(body["items"]))
    assert summary["volume"]["by_modality"]["strength"]["after"] < \
        summary["volume"]["by_modality"]["strength"]["before"]
    assert "1 session added" in summary["badges"] and "1 session removed" in summary["badges"]
    ids = stored_session_ids(session, new["id"])
    assert "new-session" in ids and old_sid not in ids


def test_changing_a_session_id_is_one_removed_and_one_added(client, coach, plan, head, session):
    s, body = strength(head["content"])
    old_sid = body["session_id"]
    new = saved(save(client, coach, plan, head, operations=[
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/session_id", "value": "renamed"}]),
        session, plan, head)
    # The items keep their ids: they moved from the old session to the new one.
    assert stored(session, new["id"]) == {
        ("removed", f"sessions/{old_sid}", old_sid, None),
        ("added", "sessions/renamed", "renamed", None),
        *{("moved", f"sessions/renamed/items/{i['item_id']}/session_id", "renamed", i["item_id"])
          for i in body["items"]}}
    moved = [c for c in new["changes"] if c["change_type"] == "moved"]
    assert {(c["old_value"], c["new_value"]) for c in moved} == {(old_sid, "renamed")}
    summary = new["diff_summary"]["vs_parent"]
    assert (summary["sessions_added"], summary["sessions_removed"]) == (1, 1)
    assert summary["sessions_moved"] == [] and not summary["volume"]["total_pct"]


@pytest.mark.parametrize("mode", ["patch", "content"])
def test_changing_an_item_id_is_one_removed_and_one_added(client, coach, plan, head, session,
                                                          mode):
    s, body = strength(head["content"])
    sid, item = body["session_id"], body["items"][1]
    if mode == "patch":
        response = save(client, coach, plan, head, operations=[
            {"op": "replace", "path": f"/weeks/0/sessions/{s}/items/1/item_id",
             "value": "renamed-item"}])
    else:
        content = copy.deepcopy(head["content"])
        content["weeks"][0]["sessions"][s]["items"][1]["item_id"] = "renamed-item"
        response = save(client, coach, plan, head, content=content)
    new = saved(response, session, plan, head)
    assert stored(session, new["id"]) == {
        ("removed", f"sessions/{sid}/items/{item['item_id']}", sid, item["item_id"]),
        ("added", f"sessions/{sid}/items/renamed-item", sid, "renamed-item")}


def test_weeks_added_and_removed(client, coach, plan, head, session):
    content = copy.deepcopy(head["content"])
    content["weeks"].append({"index": 4, "sessions": [
        {"session_id": "w5-run", "day": "2027-02-01", "modality": "endurance",
         "items": [{"item_id": "w5-item", "exercise": "easy_run", "duration_min": 30.0}]}]})
    v2 = saved(save(client, coach, plan, head, content=content), session, plan, head)
    assert stored(session, v2["id"]) == {
        ("added", "weeks/4", None, None), ("added", "sessions/w5-run", "w5-run", None),
        ("added", "sessions/w5-run/items/w5-item", "w5-run", "w5-item")}
    summary = v2["diff_summary"]["vs_parent"]
    assert (summary["weeks_added"], summary["sessions_added"], summary["items_added"]) == (1, 1, 1)
    assert "1 week added" in summary["badges"]

    v3 = saved(save(client, coach, plan, v2, operations=[{"op": "remove", "path": "/weeks/4"}]),
               session, plan, v2, 3)
    assert stored(session, v3["id"]) == {
        ("removed", "weeks/4", None, None), ("removed", "sessions/w5-run", "w5-run", None),
        ("removed", "sessions/w5-run/items/w5-item", "w5-run", "w5-item")}
    assert v3["diff_summary"]["vs_parent"]["weeks_removed"] == 1
    assert v3["diff_summary"]["vs_baseline"]["change_count"] == 0

    # An empty week is a change too (it used to be refused as "changes nothing").
    v4 = saved(save(client, coach, plan, v3, operations=[
        {"op": "add", "path": "/weeks/-", "value": {"index": 4, "sessions": []}}]),
        session, plan, v3, 4)
    assert stored(session, v4["id"]) == {("added", "weeks/4", None, None)}
    assert v4["diff_summary"]["vs_parent"]["sessions_added"] == 0


def test_session_moved_to_another_week(client, coach, plan, head, session):
    sid = head["content"]["weeks"][0]["sessions"][0]["session_id"]
    new = saved(save(client, coach, plan, head, operations=[
        {"op": "move", "from": "/weeks/0/sessions/0", "path": "/weeks/1/sessions/0"},
        {"op": "replace", "path": "/weeks/1/sessions/0/day", "value": "2027-01-12"}]),
        session, plan, head)
    assert stored(session, new["id"]) == {("moved", f"sessions/{sid}/day", sid, None)}
    moves = new["diff_summary"]["vs_parent"]["sessions_moved"]
    assert moves == [{"session_id": sid, "from": "2027-01-04", "to": "2027-01-12"}]


def test_item_moved_to_another_session_and_reordered(client, coach, plan, head, session):
    s, body = strength(head["content"])
    target = head["content"]["weeks"][1]["sessions"][0]
    first, second = body["items"][0]["item_id"], body["items"][1]["item_id"]
    sid = body["session_id"]
    new = saved(save(client, coach, plan, head, operations=[
        {"op": "move", "from": f"/weeks/0/sessions/{s}/items/0",
         "path": "/weeks/1/sessions/0/items/0"},
        {"op": "move", "from": f"/weeks/0/sessions/{s}/items/0",
         "path": f"/weeks/0/sessions/{s}/items/-"}]), session, plan, head)
    rest = [i["item_id"] for i in body["items"][2:]]
    tid = target["session_id"]
    assert stored(session, new["id"]) == {
        ("moved", f"sessions/{tid}/items/{first}/session_id", tid, first),
        ("moved", f"sessions/{sid}/item_order", sid, None)}
    order = next(c for c in new["changes"] if c["field_path"].endswith("item_order"))
    assert (order["old_value"], order["new_value"]) == ([second, *rest], [*rest, second])
    summary = new["diff_summary"]["vs_parent"]
    assert summary["sessions_moved"] == [] and summary["items_added"] == 0


def test_a_display_name_alone_is_a_change(client, coach, plan, head, session):
    s, body = strength(head["content"])
    item = body["items"][0]
    new = saved(save(client, coach, plan, head, operations=[
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/items/0/name", "value": "Heavy one"}]),
        session, plan, head)
    path = f"sessions/{body['session_id']}/items/{item['item_id']}/name"
    assert stored(session, new["id"]) == {("modified", path, body["session_id"], item["item_id"])}


def test_swap_and_field_changes_keep_their_records(client, coach, plan, head, session):
    s, body = strength(head["content"])
    sid, item = body["session_id"], body["items"][0]
    new = saved(save(client, coach, plan, head, operations=[
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/items/0/exercise", "value": "back_squat"},
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/items/0/name", "value": "Back squat"},
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/items/0/rpe", "value": 9},
        {"op": "replace", "path": f"/weeks/0/sessions/{s}/title", "value": "Legs"}]),
        session, plan, head)
    base = f"sessions/{sid}/items/{item['item_id']}"
    assert stored(session, new["id"]) == {
        ("modified", f"{base}/exercise", sid, item["item_id"]),
        ("modified", f"{base}/rpe", sid, item["item_id"]),
        ("modified", f"sessions/{sid}/title", sid, None)}
    summary = new["diff_summary"]["vs_parent"]
    assert summary["exercise_swaps"] == [{"session_id": sid, "item_id": item["item_id"],
                                          "from": item["exercise"], "to": "back_squat"}]
    assert [c["new_value"] for c in summary["intensity_changes"]] == [9.0]


def test_diff_endpoint_between_any_two_versions(client, coach, plan, head, session):
    s, body = strength(head["content"])
    replacement = dict(body, session_id="swapped-in", items=[NEW_ITEM])
    v2 = saved(save(client, coach, plan, head, operations=[
        {"op": "replace", "path": f"/weeks/0/sessions/{s}", "value": replacement}]),
        session, plan, head)
    url = f"/api/v1/plans/{plan['id']}/diff"
    forward = client.get(url, headers=coach)
    back = client.get(f"{url}?from={v2['id']}&to={head['id']}", headers=coach)
    assert forward.status_code == back.status_code == 200, (forward.text, back.text)
    kinds = {(c["change_type"], c["field_path"]) for c in forward.json()["changes"]}
    flipped = {({"added": "removed", "removed": "added"}.get(t, t), p)
               for t, p in kinds}
    assert {(c["change_type"], c["field_path"]) for c in back.json()["changes"]} == flipped
    assert forward.json()["summary"]["sessions_added"] == back.json()["summary"][
        "sessions_removed"] == 1
