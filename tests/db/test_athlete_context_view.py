"""The editor's Athlete panel (plan_page's read model): goals, injuries and limitations, the
last 4 calendar weeks' compliance with this week marked, the plan's overall adherence.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from db.models import Plan, PlanVersion, WorkoutLog
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.demo.accounts import LIMITATIONS
from plangov_app.services.versions import document_of
from plangov_app.services.views.plan_page import ComplianceWeek, plan_page
from tests.support.factories import actor, create_plan

TODAY = date(2027, 2, 3)  # a Wednesday in the plan's 5th week (it starts Monday 4 January)
WINDOW = [date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25), date(2027, 2, 1)]
ATHLETE = "athlete1@demo.test"


def _page(email: str, plan_id: str, today: date = TODAY):
    with read_session() as session:
        return plan_page(session, actor(email), plan_id, editing=True, today=today)


def _published(plan_id: str) -> list:
    """Mark the plan as given to the athlete; its sessions (day, id), oldest first."""
    with unit_of_work() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        plan.status, plan.published_at = "published", datetime(2027, 1, 1, tzinfo=UTC)
        session.add(plan)
        document = document_of(session.get(PlanVersion, plan.active_version_id))
        return sorted((s.day, s.session_id) for _, s in document.sessions()
                      if s.modality != "rest")


def _log(plan_id: str, sessions: list, status: str) -> None:
    with unit_of_work() as session:
        for day, session_id in sessions:
            session.add(WorkoutLog(athlete_id=demo_id(ATHLETE), plan_id=plan_id,
                                   session_id=session_id, scheduled_date=day, status=status))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def test_the_last_four_weeks_count_what_was_due_and_done_across_given_plans(client, token_for):
    coach = token_for("coach1@demo.test")
    running = create_plan(client, coach, weeks=6)
    sessions = _published(running["id"])
    due = [s for s in sessions if s[0] < TODAY]
    by_week = {m: [s for s in due if _monday(s[0]) == m] for m in WINDOW}
    assert all(by_week[m] for m in WINDOW[:3]) and len(by_week[WINDOW[0]]) >= 2
    _log(running["id"], by_week[WINDOW[0]], "completed")  # all of them
    _log(running["id"], by_week[WINDOW[1]][:1], "partial")  # partly done counts as done
    _log(running["id"], by_week[WINDOW[1]][1:2], "skipped")
    _log(running["id"], [s for s in sessions if s[0] >= TODAY][:1], "completed")  # not due
    draft = create_plan(client, coach, weeks=4)  # a new plan, never given to the athlete

    done = Counter({WINDOW[0]: len(by_week[WINDOW[0]]), WINDOW[1]: 1})
    expected = []
    for monday in WINDOW:
        scheduled, completed = len(by_week[monday]), done[monday]
        rate = round(completed / scheduled, 3) if scheduled else None
        expected.append(ComplianceWeek(
            label="This week" if monday == WINDOW[-1] else f"Week of {monday:%d %b}",
            sessions=f"{completed}/{scheduled}" if scheduled else "none due",
            percent="—" if rate is None else f"{rate:.0%}", current=monday == WINDOW[-1]))
    assert expected[0].percent == "100%" and expected[2].percent == "0%"
    page = _page("coach1@demo.test", running["id"])
    assert page.recent_weeks == expected and page.recent_note == ""
    assert [w.label for w in page.recent_weeks][:2] == ["Week of 11 Jan", "Week of 18 Jan"]
    # the plan's own adherence: every session due so far in this plan, the first week too
    logged_done = len(by_week[WINDOW[0]]) + 1
    assert page.adherence == f"{round(logged_done / len(due), 3):.0%}"
    # reviewing the new plan, the coach sees how the running one went
    assert _page("coach1@demo.test", draft["id"]).recent_weeks == expected


def test_before_anything_was_due_the_panel_says_so(client, token_for):
    plan = create_plan(client, token_for("coach1@demo.test"), weeks=4)
    _published(plan["id"])
    page = _page("coach1@demo.test", plan["id"], today=date(2027, 1, 4))
    assert page.recent_weeks == []
    assert page.recent_note == "No sessions were due in the last 4 weeks."
    assert page.adherence == "no sessions due yet"
    unpublished = create_plan(client, token_for("coach1@demo.test"), athlete="athlete2@demo.test")
    assert _page("coach1@demo.test", unpublished["id"]).recent_weeks == []  # never given


def test_goals_and_limitations_come_from_the_profile(client, token_for):
    noted = create_plan(client, token_for("coach1@demo.test"))  # athlete1: a demo limitation
    page = _page("coach1@demo.test", noted["id"])
    assert page.limitations == LIMITATIONS[1] and page.limitations_noted
    assert page.goals == "sub-40 10k"
    assert page.show_internals and page.athlete_link == f"/athletes/{demo_id(ATHLETE)}"
    plain = create_plan(client, token_for("coach1@demo.test"), athlete="athlete2@demo.test")
    response = client.patch(f"/api/v1/athletes/{demo_id('athlete2@demo.test')}/profile",
                            headers=token_for("admin@demo.test"), json={"goals": ""})
    assert response.status_code == 200, response.text
    page = _page("coach1@demo.test", plain["id"])
    assert (page.goals, page.limitations, page.limitations_noted) == ("None noted",
                                                                      "None noted", False)


def test_only_those_who_may_note_get_the_way_to_edit(client, token_for):
    plan = create_plan(client, token_for("coach1@demo.test"))
    may = {email: _page(email, plan["id"]).can_edit_notes
           for email in ("coach1@demo.test", "admin@demo.test", ATHLETE, "support@demo.test")}
    assert may == {"coach1@demo.test": True, "admin@demo.test": True, ATHLETE: True,
                   "support@demo.test": False}
