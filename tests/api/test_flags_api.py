"""The flags API on SQLite and PostgreSQL: the caller's config (ETag, 304, Cache-Control,
per-user answers), management for admins and data scientists only, bad input refused
naming the field with nothing written, and every change audited with old and new values."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from db.models import AuditEvent, FeatureFlag
from db.session import read_session
from plangov_app.demo import demo_id
from tests.support import audit_log

ADMIN, DS, COACH = "admin@demo.test", "ds@demo.test", "coach1@demo.test"
ATHLETE1, ATHLETE2 = "athlete1@demo.test", "athlete2@demo.test"
SUPPORT, COMPLIANCE = "support@demo.test", "compliance@demo.test"
EVERYONE = (ADMIN, DS, COACH, ATHLETE1, SUPPORT, COMPLIANCE)
MANAGERS = (ADMIN, DS)
CONFIG = "/api/v1/flags/config"


def _rows() -> tuple[int, int]:
    """(flags, audit events) stored now."""
    with read_session() as session:
        return (session.exec(select(func.count()).select_from(FeatureFlag)).one(),
                session.exec(select(func.count()).select_from(AuditEvent)).one())


def _create(client, headers, key="new_checkout", **body):
    response = client.post("/api/v1/flags", headers=headers, json={"key": key, **body})
    assert response.status_code == 201, response.text
    return response.json()


def _allow_only(client, headers, *emails):
    response = client.patch("/api/v1/flags/diff_viewer_v2", headers=headers, json={
        "enabled": True, "rules": {"allow": list(emails), "percentage": 0}})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_demo_seed_adds_diff_viewer_v2_switched_off(client, token_for):
    for email in EVERYONE:
        response = client.get(CONFIG, headers=token_for(email))
        assert response.status_code == 200, response.text
        assert response.json() == {"flags": {"diff_viewer_v2": False}}
    flag = client.get("/api/v1/flags/diff_viewer_v2", headers=token_for(ADMIN)).json()
    assert flag["enabled"] is False and flag["rules"] == {
        "allow": [], "roles": [], "percentage": 100.0}


def test_config_is_evaluated_per_user_with_a_strong_etag_and_cache_headers(client, token_for):
    _allow_only(client, token_for(DS), ATHLETE1)
    one = client.get(CONFIG, headers=token_for(ATHLETE1))
    two = client.get(CONFIG, headers=token_for(ATHLETE2))
    assert one.json() == {"flags": {"diff_viewer_v2": True}}
    assert two.json() == {"flags": {"diff_viewer_v2": False}}
    for response in (one, two):
        assert response.headers["content-type"] == "application/json"
        cache = [d.strip() for d in response.headers["cache-control"].split(",")]
        assert "private" in cache and "max-age=30" in cache
        assert "stale-while-revalidate=60" in cache
        assert response.headers["vary"] == "Authorization"
        assert response.headers["etag"].startswith('"')  # strong, not W/
    assert one.headers["etag"] != two.headers["etag"]
    again = client.get(CONFIG, headers=token_for(ATHLETE1))
    assert again.headers["etag"] == one.headers["etag"]


def test_if_none_match_gives_304_with_the_same_headers_and_no_body(client, token_for):
    headers = token_for(ATHLETE1)
    etag = client.get(CONFIG, headers=headers).headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', f'W/"x" ,W/{etag}', "*"):
        response = client.get(CONFIG, headers={**headers, "If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"].startswith("private")
        assert response.headers["vary"] == "Authorization"
    for header in ('"other"', 'W/"other", "x"', etag[1:-1], "garbage"):
        response = client.get(CONFIG, headers={**headers, "If-None-Match": header})
        assert response.status_code == 200, header
        assert response.json() == {"flags": {"diff_viewer_v2": False}}


def test_a_flag_change_changes_the_etag_so_the_old_one_no_longer_matches(client, token_for):
    headers = token_for(ATHLETE1)
    old = client.get(CONFIG, headers=headers).headers["etag"]
    _allow_only(client, token_for(ADMIN), ATHLETE1)
    response = client.get(CONFIG, headers={**headers, "If-None-Match": old})
    assert response.status_code == 200
    assert response.json() == {"flags": {"diff_viewer_v2": True}}
    assert response.headers["etag"] != old
    # athlete2's answer did not change: their tag still matches
    other = token_for(ATHLETE2)
    assert client.get(CONFIG, headers={**other, "If-None-Match": old}).status_code == 304


def test_config_needs_a_signed_in_user(client):
    assert client.get(CONFIG).status_code == 401
    bad = client.get(CONFIG, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["content-type"] == "application/problem+json"


def test_rollout_by_role_and_percentage_through_the_api(client, token_for):
    _create(client, token_for(DS), key="coach_tools", enabled=True,
            rules={"roles": ["coach", "admin"]})
    assert client.get(CONFIG, headers=token_for(COACH)).json()["flags"]["coach_tools"]
    assert client.get(CONFIG, headers=token_for(ADMIN)).json()["flags"]["coach_tools"]
    assert not client.get(CONFIG, headers=token_for(ATHLETE1)).json()["flags"]["coach_tools"]


@pytest.mark.parametrize("email", EVERYONE)
def test_rbac_on_every_management_endpoint(client, token_for, email):
    headers = token_for(email)
    allowed = email in MANAGERS
    key = f"flag_{email.split('@')[0]}"
    calls = [
        ("get", "/api/v1/flags", None, 200),
        ("post", "/api/v1/flags", {"key": key}, 201),
        ("get", "/api/v1/flags/diff_viewer_v2", None, 200),
        ("patch", "/api/v1/flags/diff_viewer_v2", {"description": f"by {email}"}, 200),
        ("get", "/api/v1/flags/diff_viewer_v2/history", None, 200),
    ]
    before = _rows()
    for method, url, body, ok in calls:
        response = client.request(method, url, headers=headers, json=body)
        assert response.status_code == (ok if allowed else 403), (method, url, response.text)
        if not allowed:
            assert response.headers["content-type"] == "application/problem+json"
    if not allowed:
        assert _rows()[0] == before[0]
        assert {e.action for e in audit_log.events()[before[1]:]} <= {"access.denied"}
    for method, url, body, _ in calls:  # no token at all
        assert client.request(method, url, json=body).status_code == 401


def test_unknown_flag_is_404(client, token_for):
    headers = token_for(ADMIN)
    assert client.get("/api/v1/flags/nope", headers=headers).status_code == 404
    assert client.patch("/api/v1/flags/nope", headers=headers,
                        json={"enabled": True}).status_code == 404
    assert client.get("/api/v1/flags/nope/history", headers=headers).status_code == 404


BAD_CREATES = [
    ({"key": "Bad Key"}, "key"),
    ({"key": "x"}, "key"),
    ({"key": "9lives"}, "key"),
    ({"key": "ok_key", "rules": {"roles": ["wizard"]}}, "rules.roles"),
    ({"key": "ok_key", "rules": {"percentage": 101}}, "rules.percentage"),
    ({"key": "ok_key", "rules": {"percentage": -1}}, "rules.percentage"),
    ({"key": "ok_key", "rules": {"percentage": "50"}}, "rules.percentage"),
    ({"key": "ok_key", "rules": {"percentage": True}}, "rules.percentage"),
    ({"key": "ok_key", "rules": {"allow": ["nobody@demo.test"]}}, "rules.allow"),
    ({"key": "ok_key", "rules": {"allow": ["00000000-0000-0000-0000-000000000000"]}},
     "rules.allow"),
    ({"key": "ok_key", "rules": {"allow": "athlete1@demo.test"}}, "rules.allow"),
    ({"key": "ok_key", "rules": {"segments": []}}, "rules.segments"),
    ({"key": "ok_key", "enabled": "yes"}, "enabled"),
    ({"key": "ok_key", "description": "x" * 501}, "description"),
    ({"key": "ok_key", "colour": "red"}, "colour"),
    ({"key": "diff_viewer_v2"}, "key"),  # taken: 409
]


@pytest.mark.parametrize("body, field", BAD_CREATES)
def test_bad_create_names_the_field_and_writes_nothing(client, token_for, body, field):
    headers = token_for(DS)
    before = _rows()
    response = client.post("/api/v1/flags", headers=headers, json=body)
    assert response.status_code in (409, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert field in problem["detail"] or field in json.dumps(problem.get("errors", [])), problem
    assert _rows() == before


BAD_PATCHES = [
    ({"enabled": None}, "enabled"),
    ({"enabled": 1}, "enabled"),
    ({"rules": {"roles": ["athlete", "ghost"]}}, "rules.roles"),
    ({"rules": {"percentage": 100.5}}, "rules.percentage"),
    ({"rules": {"allow": ["athlete1@demo.test", "ghost@demo.test"]}}, "rules.allow"),
    ({"rules": {"allow": ["x"] * 1001}}, "rules.allow"),
    ({"key": "renamed"}, "key"),
    ({"description": "x" * 501}, "description"),
]


@pytest.mark.parametrize("body, field", BAD_PATCHES)
def test_bad_patch_names_the_field_and_writes_nothing(client, token_for, body, field):
    headers = token_for(ADMIN)
    before = _rows()
    response = client.patch("/api/v1/flags/diff_viewer_v2", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert field in problem["detail"] or field in json.dumps(problem.get("errors", [])), problem
    assert _rows() == before
    flag = client.get("/api/v1/flags/diff_viewer_v2", headers=token_for(ADMIN)).json()
    assert flag["enabled"] is False and flag["rules"]["allow"] == []


def test_malformed_json_is_400(client, token_for):
    response = client.post("/api/v1/flags", headers={**token_for(ADMIN),
                                                     "Content-Type": "application/json"},
                           content=b'{"key": ')
    assert response.status_code == 400


def test_changes_are_audited_with_old_and_new_values_and_listed_as_history(client, token_for):
    ds, admin = token_for(DS), token_for(ADMIN)
    created = _create(client, ds, key="beta_banner", description="A banner",
                      rules={"percentage": 10})
    assert created["enabled"] is False and created["rules"]["percentage"] == 10
    client.patch("/api/v1/flags/beta_banner", headers=admin, json={"enabled": True})
    updated = client.patch("/api/v1/flags/beta_banner", headers=ds, json={
        "rules": {"allow": [ATHLETE2.upper(), demo_id(ATHLETE1)], "roles": ["athlete"],
                  "percentage": 25.5}}).json()
    assert updated["rules"] == {"allow": sorted([demo_id(ATHLETE1), demo_id(ATHLETE2)]),
                                "roles": ["athlete"], "percentage": 25.5}
    assert updated["updated_by"] == demo_id(DS)
    events = audit_log.events(target_id="beta_banner")
    assert [e.action for e in events] == ["flag.create", "flag.update", "flag.update"]
    assert [e.actor_id for e in events] == [demo_id(DS), demo_id(ADMIN), demo_id(DS)]
    metas = [json.loads(e.metadata_json) for e in events]
    assert metas[0]["old"] is None and metas[0]["new"]["description"] == "A banner"
    assert metas[1]["old"]["enabled"] is False and metas[1]["new"]["enabled"] is True
    assert metas[2]["old"]["rules"] == {"allow": [], "roles": [], "percentage": 10.0}
    assert metas[2]["new"]["rules"] == updated["rules"]
    assert audit_log.chain_ok()

    same = client.patch("/api/v1/flags/beta_banner", headers=ds, json={"enabled": True})
    assert same.status_code == 200
    assert len(audit_log.events(target_id="beta_banner")) == 3  # no change, no event

    history = client.get("/api/v1/flags/beta_banner/history", headers=admin).json()
    assert [h["action"] for h in history["items"]] == ["flag.update", "flag.update",
                                                       "flag.create"]
    assert history["items"][0]["new"]["rules"]["percentage"] == 25.5
    assert history["next_cursor"] is None
    page = client.get("/api/v1/flags/beta_banner/history", headers=admin,
                      params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get("/api/v1/flags/beta_banner/history", headers=admin,
                      params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [h["action"] for h in rest["items"]] == ["flag.create"]

    listed = client.get("/api/v1/flags", headers=ds).json()
    assert [f["key"] for f in listed["items"]] == ["beta_banner", "diff_viewer_v2"]


def test_a_flag_on_for_roles_is_off_again_when_switched_off(client, token_for):
    admin = token_for(ADMIN)
    client.patch("/api/v1/flags/diff_viewer_v2", headers=admin,
                 json={"enabled": True, "rules": {"roles": ["athlete"]}})
    assert client.get(CONFIG, headers=token_for(ATHLETE2)).json()["flags"]["diff_viewer_v2"]
    client.patch("/api/v1/flags/diff_viewer_v2", headers=admin, json={"enabled": False})
    assert not client.get(CONFIG, headers=token_for(ATHLETE2)).json()["flags"][
        "diff_viewer_v2"]
