"""RBAC matrix walk, sign-in, tokens and throttling."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlmodel import Session, func, select

from db.models import AuditEvent, CoachAthlete, User
from plangov_app.demo import demo_id
from plangov_app.services.errors import Forbidden, NotFound, Unauthorized
from plangov_app.services.rbac import Permission, Role, authorize, can, load_actor
from plangov_app.settings import get_settings

OWN, OTHER, NONE = "own", "other", "none"
ALL_PERMISSIONS = [p.value for p in Permission]
# Written from the scope rules, independently of rbac.MATRIX.
# permissions whose target is an athlete (the others are global to the role)
PLAN = {"plan:view", "plan:edit", "plan:submit", "plan:approve", "plan:comment",
        "profile:edit"}  # goals and injuries: the athlete's coach, the athlete, an admin
EXPECTED: dict[str, dict[str, set[str]]] = {
    "admin": {OWN: set(ALL_PERMISSIONS), OTHER: set(ALL_PERMISSIONS),
              NONE: set(ALL_PERMISSIONS)},
    "coach": {OWN: {"plan:view", "plan:edit", "plan:submit", "plan:comment", "profile:edit"},
              OTHER: set(),
              NONE: {"plan:view", "plan:edit", "plan:submit", "plan:comment", "profile:edit",
                     "catalogue:manage"}},  # custom exercises for the club's catalogue
    "athlete": {OWN: {"plan:view", "plan:approve", "plan:comment", "profile:edit"},
                OTHER: set(),
                NONE: {"plan:view", "plan:approve", "plan:comment", "profile:edit"}},
    "support": {OWN: {"plan:view"}, OTHER: set(), NONE: {"plan:view"}},
    "compliance": {OWN: set(), OTHER: set(), NONE: {"audit:read", "audit:export"}},
    "data_scientist": {OWN: set(), OTHER: set(),
                       NONE: {"experiment:view", "experiment:manage", "flag:manage",
                              "metrics:view"}},
}
ACTORS = {"admin": "admin@demo.test", "coach": "coach1@demo.test",
          "athlete": "athlete1@demo.test", "support": "support@demo.test",
          "compliance": "compliance@demo.test", "data_scientist": "ds@demo.test"}


@pytest.mark.parametrize("role", list(ACTORS))
def test_the_whole_permission_matrix(session: Session, role: str):
    actor = load_actor(session, demo_id(ACTORS[role]))
    assert actor.role == Role(role)
    targets = {OWN: demo_id("athlete1@demo.test"), OTHER: demo_id("athlete13@demo.test"),
               NONE: None}
    for permission in Permission:
        for target, athlete_id in targets.items():
            expected = permission.value in EXPECTED[role][target]
            if target != NONE and permission.value not in PLAN:
                expected = permission.value in EXPECTED[role][NONE]  # global permissions
            assert can(actor, permission, athlete_id) is expected, (role, permission, target)


def test_authorize_raises_the_right_errors(session: Session):
    coach = load_actor(session, demo_id("coach1@demo.test"))
    other = demo_id("athlete13@demo.test")
    with pytest.raises(Unauthorized):
        authorize(None, Permission.PLAN_VIEW)
    with pytest.raises(NotFound):
        authorize(coach, Permission.PLAN_EDIT, other, hide=True)
    with pytest.raises(Forbidden):
        authorize(coach, Permission.USER_MANAGE)
    support = load_actor(session, demo_id("support@demo.test"))
    with pytest.raises(Forbidden):  # visible but read-only
        authorize(support, Permission.PLAN_EDIT, demo_id("athlete1@demo.test"), hide=True)


def test_scope_follows_assignment_changes_immediately(session: Session):
    coach_id, athlete_id = demo_id("coach1@demo.test"), demo_id("athlete13@demo.test")
    assert not can(load_actor(session, coach_id), Permission.PLAN_VIEW, athlete_id)
    session.add(CoachAthlete(coach_id=coach_id, athlete_id=athlete_id))
    session.commit()
    assert can(load_actor(session, coach_id), Permission.PLAN_VIEW, athlete_id)


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_token_claims_and_me(client):
    response = client.post("/api/v1/auth/token", data={"username": "Coach1@Demo.test",
                                                       "password": "plangov-demo"})
    assert response.status_code == 200
    token = response.json()["access_token"]
    claims = _claims(token)
    assert {"sub", "role", "subject_scope", "exp", "iat", "jti", "iss", "aud"} <= set(claims)
    assert claims["role"] == "coach" and len(claims["subject_scope"]["athlete_ids"]) == 12
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    me = response.json()
    assert me["email"] == "coach1@demo.test" and "plan:edit" in me["permissions"]
    assert me["role"] == "coach" and len(me["subject_scope"]["athlete_ids"]) == 12
    assert "user:manage" not in me["permissions"]


def test_wrong_email_and_wrong_password_look_the_same(client, monkeypatch):
    from argon2 import PasswordHasher

    calls = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, h, p: calls.append(1) or original(self, h, p))
    a = client.post("/api/v1/auth/token", data={"username": "nobody@demo.test",
                                                "password": "plangov-demo"})
    b = client.post("/api/v1/auth/token", data={"username": "coach1@demo.test",
                                                "password": "wrong"})
    assert _problem(a, 401)["detail"] == _problem(b, 401)["detail"] == \
        "Incorrect email or password."
    assert len(calls) == 2  # one Argon2 verification each, known account or not


def test_failed_logins_are_throttled_per_account_and_audited(client, session):
    bad = {"username": "coach2@demo.test", "password": "nope"}
    for _ in range(5):
        assert client.post("/api/v1/auth/token", data=bad,
                           headers={"User-Agent": "pytest-agent"}).status_code == 401
    right = client.post("/api/v1/auth/token", data={**bad, "password": "plangov-demo"})
    problem = _problem(right, 429)
    assert problem["detail"].startswith("Too many failed sign-in attempts. Try again in ")
    assert int(right.headers["Retry-After"]) > 0
    actions = session.exec(select(AuditEvent.action, AuditEvent.user_agent).where(
        AuditEvent.target_id == "coach2@demo.test")).all()
    assert actions.count(("auth.login_failed", "pytest-agent")) == 5
    assert ("auth.login_throttled", None) in [(a, None) for a, _ in actions]


def test_failed_logins_are_throttled_per_address(client, monkeypatch):
    monkeypatch.setenv("PLANGOV_LOGIN_MAX_FAILURES_PER_IP", "3")
    get_settings.cache_clear()
    for n in range(3):
        client.post("/api/v1/auth/token", data={"username": f"x{n}@demo.test",
                                                "password": "bad"})
    response = client.post("/api/v1/auth/token", data={"username": "admin@demo.test",
                                                       "password": "plangov-demo"})
    _problem(response, 429)
    get_settings.cache_clear()


def _forge(claims: dict, key: str | None = None, alg: str = "HS256") -> str:
    secret = OctKey.import_key(key or get_settings().signing_key())
    return jwt.encode({"alg": alg}, claims, secret)


def _base_claims(client) -> dict:
    token = client.post("/api/v1/auth/token", data={"username": "coach1@demo.test",
                                                    "password": "plangov-demo"}).json()
    return _claims(token["access_token"])


@pytest.mark.parametrize("variant", ["expired", "tampered", "bad_signature", "alg_none",
                                     "wrong_audience", "wrong_issuer", "garbage", "missing",
                                     "basic"])
def test_bad_tokens_get_401_problem(client, variant: str):
    claims = _base_claims(client)
    good = _forge(claims)
    header, payload, signature = good.split(".")
    tokens = {
        "expired": _forge({**claims, "exp": int(time.time()) - 10}),
        "tampered": ".".join([header, base64.urlsafe_b64encode(json.dumps(
            {**claims, "role": "admin"}).encode()).decode().rstrip("="), signature]),
        "bad_signature": _forge(claims, key="another-secret-that-is-long-enough-1234567"),
        "alg_none": ".".join([base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("="),
                              payload, ""]),
        "wrong_audience": _forge({**claims, "aud": "someone-else"}),
        "wrong_issuer": _forge({**claims, "iss": "evil"}),
        "garbage": "not.a.token",
    }
    if variant == "missing":
        headers = {}
    elif variant == "basic":
        headers = {"Authorization": "Basic Y29hY2g6cGFzcw=="}
    else:
        headers = {"Authorization": f"Bearer {tokens[variant]}"}
    response = client.get("/api/v1/users/me", headers=headers)
    _problem(response, 401)
    assert "Bearer" in response.headers.get("www-authenticate", "")


def test_logout_revokes_and_deactivation_locks_out(client, session):
    token = client.post("/api/v1/auth/token", data={"username": "athlete2@demo.test",
                                                    "password": "plangov-demo"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    _problem(client.get("/api/v1/users/me", headers=headers), 401)
    assert session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.logout")).one() == 1

    token = client.post("/api/v1/auth/token", data={"username": "athlete3@demo.test",
                                                    "password": "plangov-demo"}).json()
    session.rollback()  # end the read above before writing (SQLite snapshot)
    user = session.get(User, demo_id("athlete3@demo.test"))
    user.is_active = False
    session.add(user)
    session.commit()
    _problem(client.get("/api/v1/users/me",
                        headers={"Authorization": f"Bearer {token['access_token']}"}), 401)
