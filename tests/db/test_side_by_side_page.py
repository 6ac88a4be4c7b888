"""Flag `diff_viewer_v2` on the review: the flags the UI reads are the endpoint's, and the plan
page builds the side-by-side view only when asked (the review, flag on), called without Reflex."""

from __future__ import annotations

from db.session import read_session
from plangov_app.services import flags
from plangov_app.services.views.plan_page import plan_page
from plangov_app.services.views.side_by_side import FLAG
from tests.support.factories import actor, create_plan, patch, version

COACH, ATHLETE1, ATHLETE2 = "coach1@demo.test", "athlete1@demo.test", "athlete2@demo.test"
ADMIN = "admin@demo.test"


def _config(email: str) -> tuple[dict[str, bool], str]:
    with read_session() as session:
        return flags.evaluated_config(session, actor(email))


def _page(email: str, plan_id: str, **options):
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, **options)


def test_the_ui_reads_the_config_and_etag_the_endpoint_serves(client, token_for):
    response = client.patch(f"/api/v1/flags/{FLAG}", headers=token_for(ADMIN), json={
        "enabled": True, "rules": {"allow": [ATHLETE1], "percentage": 0}})
    assert response.status_code == 200, response.text
    for email, on in ((ATHLETE1, True), (ATHLETE2, False), (COACH, False)):
        config, etag = _config(email)
        served = client.get("/api/v1/flags/config", headers=token_for(email))
        assert config == served.json()["flags"] == {FLAG: on}
        assert etag == served.headers["etag"]
    assert _config(ATHLETE1)[1] != _config(ATHLETE2)[1]


def test_the_review_is_side_by_side_only_when_asked(client, token_for):
    coach = token_for(COACH)
    plan = create_plan(client, coach)
    head = version(client, coach, plan)
    response = patch(client, coach, plan["id"], head["id"], [
        {"op": "replace", "path": "/weeks/0/sessions/0/day", "value": "2027-01-10"}])
    assert response.status_code == 200, response.text

    plain = _page(ATHLETE1, plan["id"])
    assert not plain.side_by_side and plain.side_weeks == [] and plain.before_label == ""
    assert not _page(COACH, plan["id"], editing=True, side_by_side=True).side_by_side

    page = _page(ATHLETE1, plan["id"], side_by_side=True)
    assert page.side_by_side
    assert (page.before_label, page.after_label) == ("Generated plan",
                                                     "This version (version 2)")
    assert [w.label for w in page.side_weeks] == [w.label for w in page.weeks]
    changed = [row for week in page.side_weeks for row in week.rows if row.status]
    assert [(row.status, row.after.day) for row in changed] == [("moved", "Sun 10 Jan")]
    moved = [card for week in page.weeks for card in week.cards() if card.change]
    assert [card.id for card in moved] == [row.id for row in changed]  # as the calendar says
    assert plain.weeks == page.weeks  # the calendar itself is unchanged
