"""Every plan endpoint × role × own/other plan, and the §2.4 transaction under failure."""

from __future__ import annotations

import pytest

from plangov_app.services import comments
from plangov_app.services.plans import edits, transitions
from tests.support.factories import counts, create_plan, version

ROLES = ["admin@demo.test", "coach1@demo.test", "coach2@demo.test", "athlete1@demo.test",
         "athlete13@demo.test", "support@demo.test", "ds@demo.test", "compliance@demo.test"]
# Expected status per endpoint for a plan of athlete1 (coach1's athlete, Team North),
# written from the scope rules: invisible → 404, visible but not permitted → 403.
READ = {"admin@demo.test": 200, "coach1@demo.test": 200, "athlete1@demo.test": 200,
        "support@demo.test": 200}
EDIT = {"admin@demo.test": 200, "coach1@demo.test": 200, "athlete1@demo.test": 403,
        "support@demo.test": 403}
COMMENT = {"admin@demo.test": 201, "coach1@demo.test": 201, "athlete1@demo.test": 201,
           "support@demo.test": 403}
LIST = {"ds@demo.test": 403, "compliance@demo.test": 403}


def _expected(table: dict[str, int], email: str, default: int = 404) -> int:
    return table.get(email, default)


def _calls(plan: dict, head: dict, comment_id: str) -> dict[str, tuple]:
    pid = plan["id"]
    sid = head["content"]["weeks"][0]["sessions"][0]["session_id"]
    op = [{"op": "replace", "path": "/weeks/0/sessions/0/notes", "value": "rbac"}]
    return {
        "get plan": ("get", f"/api/v1/plans/{pid}", None, READ),
        "versions": ("get", f"/api/v1/plans/{pid}/versions", None, READ),
        "version": ("get", f"/api/v1/plans/{pid}/versions/{head['id']}", None, READ),
        "diff": ("get", f"/api/v1/plans/{pid}/diff", None, READ),
        "comments": ("get", f"/api/v1/plans/{pid}/comments", None, READ),
        "changelog": ("get", f"/api/v1/plans/{pid}/changelog", None, READ),
        "changelog csv": ("get", f"/api/v1/plans/{pid}/changelog?format=csv", None, READ),
        "comment": ("post", f"/api/v1/plans/{pid}/comments",
                    {"anchor_id": sid, "message": "hello"}, COMMENT),
        "resolve": ("post", f"/api/v1/plans/{pid}/comments/{comment_id}/resolve", None,
                    {**EDIT, "athlete1@demo.test": 403}),
        "patch": ("patch", f"/api/v1/plans/{pid}/versions/{head['id']}",
                  {"operations": op, "reason_codes": ["other"]}, EDIT),
    }


@pytest.mark.parametrize("email", ROLES)
def test_every_endpoint_for_every_role(client, token_for, email):
    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    comment = client.post(f"/api/v1/plans/{plan['id']}/comments", headers=coach,
                          json={"message": "coach note"}).json()
    headers = token_for(email)
    for name, (method, url, body, table) in _calls(plan, head, comment["id"]).items():
        response = getattr(client, method)(url, headers=headers,
                                           **({"json": body} if body is not None else {}))
        assert response.status_code == _expected(table, email), (name, email, response.text)
    listed = client.get("/api/v1/plans", headers=headers)
    assert listed.status_code == LIST.get(email, 200)
    if listed.status_code == 200:
        visible = {p["id"] for p in listed.json()["items"]}
        assert (plan["id"] in visible) == (email in READ)
    create = client.post("/api/v1/plans", headers=headers, json={
        "athlete_id": plan["athlete_id"], "start_date": "2027-02-01", "weeks": 4})
    assert create.status_code == {"admin@demo.test": 201, "coach1@demo.test": 201,
                                  "athlete1@demo.test": 403, "support@demo.test": 403
                                  }.get(email, 404)
    submit = client.post(f"/api/v1/plans/{plan['id']}/submit", headers=headers, json={})
    assert submit.status_code == _expected({**EDIT, "coach1@demo.test": 200}, email)
    decide = client.post(f"/api/v1/plans/{plan['id']}/approve", headers=headers,
                         json={"decision": "request_changes", "comment": "no"})
    expected = {"admin@demo.test": 409, "athlete1@demo.test": 409, "coach1@demo.test": 403,
                "support@demo.test": 403}
    if submit.status_code == 200:
        expected = {**expected, "admin@demo.test": 200, "athlete1@demo.test": 200}
    assert decide.status_code == _expected(expected, email), decide.text
    assert client.get("/api/v1/notifications", headers=headers).status_code == 200


STEPS = {
    "edit": [(edits, "prepare_version"), (edits, "insert_version"), (edits.audit, "record"),
             (edits.outbox, "emit")],
    "submit": [(transitions, "insert_version"), (transitions.audit, "record"),
               (transitions.outbox, "emit"), (transitions.notifications, "notify")],
    "approve": [(transitions, "insert_version"), (transitions.audit, "record"),
                (transitions.outbox, "emit"), (transitions.notifications, "notify")],
    "comment": [(comments.audit, "record"), (comments.outbox, "emit"),
                (comments.notifications, "notify")],
}
CASES = [(action, module, name) for action, steps in STEPS.items() for module, name in steps]


@pytest.mark.parametrize(("action", "module", "name"), CASES,
                         ids=[f"{a}-{m.__name__.rsplit('.', 1)[-1]}.{n}" for a, m, n in CASES])
def test_a_failure_at_any_step_writes_nothing(client, token_for, session, monkeypatch,
                                              action, module, name):
    coach, athlete = token_for("coach1@demo.test"), token_for("athlete1@demo.test")
    plan = create_plan(client, coach)
    pid = plan["id"]
    if action == "approve":
        client.post(f"/api/v1/plans/{pid}/submit", headers=coach, json={})
    head = version(client, coach, plan)
    before_status = client.get(f"/api/v1/plans/{pid}", headers=coach).json()["status"]
    before = counts(session)

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(module, name, explode)
    requests = {
        "edit": lambda: client.patch(f"/api/v1/plans/{pid}/versions/{head['id']}", headers=coach,
                                     json={"operations": [{"op": "replace", "value": "x",
                                                           "path": "/weeks/0/sessions/0/notes"}],
                                           "reason_codes": ["other"]}),
        "submit": lambda: client.post(f"/api/v1/plans/{pid}/submit", headers=coach,
                                      json={"comment": "go"}),
        "approve": lambda: client.post(f"/api/v1/plans/{pid}/approve", headers=athlete,
                                       json={"decision": "accept"}),
        "comment": lambda: client.post(f"/api/v1/plans/{pid}/comments", headers=athlete,
                                       json={"message": "hello there"}),
    }
    response = requests[action]()
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text and "injected" not in response.text
    monkeypatch.undo()
    assert counts(session) == before
    assert client.get(f"/api/v1/plans/{pid}", headers=coach).json()["status"] == before_status

