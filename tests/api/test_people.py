"""Team membership (add, remove, validation) and what it changes in who sees what;
notifications read one at a time and all at once; comment validation and who may comment."""

from __future__ import annotations

import json

from sqlmodel import col, func, select

from db.models import AuditEvent, Notification, PlanComment, TeamMember
from plangov_app.demo import demo_id
from tests.support.factories import counts, create_plan, version

COACH, ADMIN, SUPPORT = "coach1@demo.test", "admin@demo.test", "support@demo.test"
ATHLETE, ATHLETE2 = "athlete1@demo.test", "athlete2@demo.test"
NORTH = demo_id("team:Team North")


def _members(session, team_id: str = NORTH) -> set[str]:
    session.rollback()
    return set(session.exec(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


def _team_events(session) -> list[dict]:
    session.rollback()
    return [json.loads(m) for m in session.exec(
        select(AuditEvent.metadata_json).where(AuditEvent.action == "assignment.change")
        .order_by(col(AuditEvent.seq)))]


def _listed(client, headers: dict) -> set[str]:
    response = client.get("/api/v1/plans", headers=headers, params={"limit": 100})
    assert response.status_code == 200, response.text
    return {p["id"] for p in response.json()["items"]}


def test_removing_a_team_member_takes_away_what_support_sees(client, token_for, session):
    admin, support, coach = token_for(ADMIN), token_for(SUPPORT), token_for(COACH)
    one = create_plan(client, coach, athlete=ATHLETE)
    two = create_plan(client, coach, athlete=ATHLETE2)
    assert _listed(client, support) == {one["id"], two["id"]}
    athlete1 = demo_id(ATHLETE)
    assert athlete1 in _members(session)

    url = f"/api/v1/teams/{NORTH}/members/{athlete1}"
    assert client.delete(url, headers=admin).status_code == 204
    assert athlete1 not in _members(session)
    assert _team_events(session)[-1] == {
        "kind": "team", "team_id": NORTH, "team": "Team North", "user": ATHLETE,
        "old": True, "new": False}
    assert _listed(client, support) == {two["id"]}
    assert client.get(f"/api/v1/plans/{one['id']}", headers=support).status_code == 404
    assert client.get(f"/api/v1/athletes/{athlete1}", headers=support).status_code == 404
    assert client.get(f"/api/v1/plans/{two['id']}", headers=support).status_code == 200
    assert _listed(client, coach) == {one["id"], two["id"]}  # coaching is not team-bound
    me = client.get("/api/v1/users/me", headers=token_for(ATHLETE)).json()
    assert me["subject_scope"]["team_ids"] == []

    events = len(_team_events(session))
    assert client.delete(url, headers=admin).status_code == 204  # already out: no change
    assert len(_team_events(session)) == events

    support_id = demo_id(SUPPORT)
    assert client.delete(f"/api/v1/teams/{NORTH}/members/{support_id}",
                         headers=admin).status_code == 204
    assert support_id not in _members(session) and _listed(client, support) == set()
    assert client.get(f"/api/v1/plans/{two['id']}", headers=support).status_code == 404

    assert client.put(f"/api/v1/teams/{NORTH}/members/{support_id}",
                      headers=admin).status_code == 204
    assert client.put(url, headers=admin).status_code == 204
    assert {athlete1, support_id} <= _members(session)
    assert _listed(client, support) == {one["id"], two["id"]}
    assert [e["new"] for e in _team_events(session)[-4:]] == [False, False, True, True]


def test_team_changes_are_validated_and_admin_only(client, token_for, session):
    admin = token_for(ADMIN)
    athlete1, coach_id = demo_id(ATHLETE), demo_id(COACH)
    before = (_members(session), len(_team_events(session)))
    for email in (COACH, SUPPORT, ATHLETE, "compliance@demo.test", "ds@demo.test"):
        for method in ("put", "delete"):
            response = getattr(client, method)(f"/api/v1/teams/{NORTH}/members/{athlete1}",
                                               headers=token_for(email))
            assert response.status_code == 403, (email, method)
    assert client.delete(f"/api/v1/teams/{NORTH}/members/{athlete1}").status_code == 401
    for method in ("put", "delete"):
        call = getattr(client, method)
        wrong_role = call(f"/api/v1/teams/{NORTH}/members/{coach_id}", headers=admin)
        assert wrong_role.status_code == 422
        assert "teams hold athletes and support" in wrong_role.json()["detail"]
        no_team = call(f"/api/v1/teams/no-such-team/members/{athlete1}", headers=admin)
        assert no_team.status_code == 404 and "team" in no_team.json()["detail"]
        no_user = call(f"/api/v1/teams/{NORTH}/members/no-such-user", headers=admin)
        assert no_user.status_code == 404
        too_long = call(f"/api/v1/teams/{NORTH}/members/{'x' * 37}", headers=admin)
        assert too_long.status_code == 422
    assert (_members(session), len(_team_events(session))) == before
    teams = client.get("/api/v1/teams", headers=admin).json()
    assert [t["name"] for t in teams] == ["Team North", "Team South"]
    assert client.get("/api/v1/teams", headers=token_for(COACH)).status_code == 403


# --- Notifications -------------------------------------------------------------------------


def _unread(session, email: str) -> set[str]:
    session.rollback()
    return set(session.exec(select(Notification.id).where(
        Notification.user_id == demo_id(email), col(Notification.read_at).is_(None))))


def _notified(client, token_for) -> None:
    """Three notifications for athlete1, one for athlete2 and some for coach1."""
    coach = token_for(COACH)
    for athlete in (ATHLETE, ATHLETE, ATHLETE2):
        plan = create_plan(client, coach, athlete=athlete)
        assert client.post(f"/api/v1/plans/{plan['id']}/submit", headers=coach,
                           json={}).status_code == 200
    shared = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=token_for(ATHLETE2),
                         json={"message": "Looks good"})
    assert shared.status_code == 201
    first = _ids(client, token_for(ATHLETE))
    plan = client.get("/api/v1/plans", headers=coach,
                      params={"athlete_id": demo_id(ATHLETE)}).json()["items"][0]
    assert client.post(f"/api/v1/plans/{plan['id']}/comments", headers=coach,
                       json={"message": "Note for you"}).status_code == 201
    assert len(_ids(client, token_for(ATHLETE))) == len(first) + 1


def _ids(client, headers: dict) -> list[str]:
    return [n["id"] for n in client.get("/api/v1/notifications", headers=headers).json()["items"]]


def test_marking_one_notification_read_marks_only_that_one(client, token_for, session):
    _notified(client, token_for)
    athlete = token_for(ATHLETE)
    mine = _unread(session, ATHLETE)
    others = {e: _unread(session, e) for e in (ATHLETE2, COACH)}
    assert len(mine) == 3 and all(others.values())
    listed = client.get("/api/v1/notifications", headers=athlete).json()
    assert listed["unread"] == 3 and {n["id"] for n in listed["items"]} == mine
    chosen = listed["items"][1]["id"]

    response = client.post(f"/api/v1/notifications/{chosen}/read", headers=athlete)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unread"] == 2
    assert {n["id"] for n in body["items"] if n["read_at"] is None} == mine - {chosen}
    assert body["items"][-1]["id"] == chosen  # unread first
    assert _unread(session, ATHLETE) == mine - {chosen}
    assert {e: _unread(session, e) for e in others} == others

    again = client.post(f"/api/v1/notifications/{chosen}/read", headers=athlete)
    assert again.status_code == 200 and again.json()["unread"] == 2
    unread_only = client.get("/api/v1/notifications", headers=athlete,
                             params={"unread_only": "true"}).json()
    assert {n["id"] for n in unread_only["items"]} == mine - {chosen}

    someone_elses = next(iter(others[ATHLETE2]))
    for target in (someone_elses, "no-such-notification"):
        refused = client.post(f"/api/v1/notifications/{target}/read", headers=athlete)
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert _unread(session, ATHLETE2) == others[ATHLETE2]
    assert _unread(session, ATHLETE) == mine - {chosen}
    assert client.post(f"/api/v1/notifications/{chosen}/read").status_code == 401


def test_read_all_marks_every_notification_of_the_caller_only(client, token_for, session):
    _notified(client, token_for)
    athlete = token_for(ATHLETE)
    others = {e: _unread(session, e) for e in (ATHLETE2, COACH)}
    response = client.post("/api/v1/notifications/read-all", headers=athlete)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unread"] == 0 and len(body["items"]) == 3
    assert all(n["read_at"] for n in body["items"])
    assert _unread(session, ATHLETE) == set()
    session.rollback()
    assert session.exec(select(func.count()).select_from(Notification).where(
        Notification.user_id == demo_id(ATHLETE))).one() == 3
    assert {e: _unread(session, e) for e in others} == others
    again = client.post("/api/v1/notifications/read-all", headers=athlete)
    assert again.status_code == 200 and again.json()["unread"] == 0
    nothing = client.post("/api/v1/notifications/read-all", headers=token_for("ds@demo.test"))
    assert nothing.status_code == 200 and nothing.json() == {"items": [], "unread": 0,
                                                             "next_cursor": None}
    assert client.post("/api/v1/notifications/read-all").status_code == 401


# --- Comments ------------------------------------------------------------------------------


def _written(session) -> dict[str, int]:
    """Row counts of a plan write, leaving out the audit of denied access (point 11)."""
    rows = counts(session)
    rows["audit_events"] = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action != "access.denied")).one()
    return rows


def _comment_rows(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(PlanComment)).one()


def test_bad_comments_are_refused_and_write_nothing(client, token_for, session):
    coach, athlete = token_for(COACH), token_for(ATHLETE)
    plan = create_plan(client, coach)
    other = create_plan(client, coach, athlete=ATHLETE2)
    url = f"/api/v1/plans/{plan['id']}/comments"
    private = client.post(url, headers=coach, json={"message": "knee", "visibility": "coaches"})
    elsewhere = client.post(f"/api/v1/plans/{other['id']}/comments", headers=coach,
                            json={"message": "other plan"})
    assert private.status_code == elsewhere.status_code == 201
    before = _written(session)
    cases = [
        (coach, {"message": ""}, 422, "message"),
        (coach, {"message": "   \n\t "}, 422, "message"),
        (coach, {"message": "x" * 4001}, 422, "message"),
        (coach, {}, 422, "message"),
        (coach, {"message": "hi", "colour": "red"}, 422, "colour"),
        (coach, {"message": "hi", "visibility": "public"}, 422, "visibility"),
        (coach, {"message": 5}, 422, "message"),
        (coach, {"message": "hi", "anchor_id": "no-such-session"}, 422, "anchor_id"),
        (coach, {"message": "hi", "parent_id": "no-such-comment"}, 404, "no-such-comment"),
        (coach, {"message": "hi", "parent_id": elsewhere.json()["id"]}, 404, "No comment"),
        (athlete, {"message": "hi", "parent_id": private.json()["id"]}, 404, "No comment"),
        (athlete, {"message": "hi", "visibility": "coaches"}, 403, "coaches-only"),
    ]
    for headers, body, status, named in cases:
        response = client.post(url, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert named in response.text, (body, response.text)
    malformed = client.post(url, content="{", headers={**coach,
                                                        "Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert _written(session) == before


def test_only_the_plans_coaches_admins_and_athlete_may_comment(client, token_for, session):
    plan = create_plan(client, token_for(COACH))
    url = f"/api/v1/plans/{plan['id']}/comments"
    refused = {"coach2@demo.test": 404, ATHLETE2: 404, "ds@demo.test": 404,
               "compliance@demo.test": 404, SUPPORT: 403}
    before = _comment_rows(session)
    for email, status in refused.items():
        response = client.post(url, headers=token_for(email), json={"message": "hello"})
        assert response.status_code == status, (email, response.text)
    assert _comment_rows(session) == before
    assert client.get(url, headers=token_for("coach2@demo.test")).status_code == 404
    assert client.get(url, headers=token_for(SUPPORT)).status_code == 200  # may read
    anchor = version(client, token_for(COACH), plan)["content"]["weeks"][0]["sessions"][0]
    for email in (COACH, ADMIN, ATHLETE):
        response = client.post(url, headers=token_for(email), json={
            "message": f"from {email}", "anchor_id": anchor["session_id"]})
        assert response.status_code == 201, (email, response.text)
        assert response.json()["author_id"] == demo_id(email)
        assert response.json()["original"]["session_id"] == anchor["session_id"]
    assert _comment_rows(session) == before + 3
    session.rollback()
    assert session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "plan.comment")).one() == 3
