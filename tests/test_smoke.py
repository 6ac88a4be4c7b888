from tests.conftest import login


def test_login_and_me(client):
    token = login(client, "coach1@demo.test")
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["role"] == "coach"
    assert len(body["subject_scope"]["athlete_ids"]) == 12
