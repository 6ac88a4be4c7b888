"""Scopes resolved from assignments, and the status machine's refusals, to the letter.

Written to kill mutants that survived `make mutation` in services/rbac.py and
services/status.py: support's scope must hold exactly the athletes of their teams (no
coach or support member who shares the team), and every refused transition must say why
in a sentence.
"""

from __future__ import annotations

import pytest

from db.models import User
from plangov_app.demo import demo_id
from plangov_app.services import status
from plangov_app.services.errors import Conflict, Forbidden, NotFound, Unauthorized
from plangov_app.services.rbac import (
    AccessDenied,
    Denial,
    HiddenDenied,
    Permission,
    Role,
    authorize,
    load_actor,
    require_visible,
)


def _athletes(numbers: range) -> frozenset[str]:
    return frozenset(demo_id(f"athlete{n}@demo.test") for n in numbers)


def test_support_sees_exactly_the_athletes_of_their_team(session):
    # support is a member of Team North too: members who are not athletes are no scope
    support = load_actor(session, demo_id("support@demo.test"))
    assert support.athlete_ids == _athletes(range(1, 13))
    assert demo_id("support@demo.test") not in support.athlete_ids
    coach = load_actor(session, demo_id("coach1@demo.test"))
    assert coach.athlete_ids == _athletes(range(1, 13))


REFUSED = [(current, action) for current in status.STATUSES
           for action in ("edit", "submit", "accept", "request_changes", "publish", "complete",
                          "override") if (current, action) not in status.TRANSITIONS]


@pytest.mark.parametrize(("current", "action"), REFUSED)
def test_every_refused_transition_says_why(current, action):
    with pytest.raises(Conflict) as refused:
        status.next_status(current, action)
    detail = refused.value.detail
    verb = action.replace("_", " ")
    assert detail.startswith(f"Cannot {verb} this plan while it is {current}: ")
    assert detail.endswith(".") and "None" not in detail
    if (action, current) not in status._WHY:
        assert detail.endswith(f"that is not a step from {current}.")
    assert refused.value.extra == {"plan_status": current, "action": action}


def test_authorize_refuses_without_hiding_unless_asked(session):
    coach = load_actor(session, demo_id("coach1@demo.test"))
    others = demo_id("athlete13@demo.test")
    with pytest.raises(Forbidden) as refused:
        authorize(coach, Permission.PLAN_EDIT, others)
    assert not isinstance(refused.value, NotFound)
    assert refused.value.detail == "Your role (coach) may not plan:edit here."
    with pytest.raises(NotFound) as hidden:
        authorize(coach, Permission.PLAN_EDIT, others, hide=True, not_found="No plan p.")
    assert hidden.value.detail == "No plan p."
    assert authorize(coach, Permission.PLAN_EDIT, demo_id("athlete1@demo.test")) is coach


def test_authorize_without_an_actor_asks_to_sign_in():
    with pytest.raises(Unauthorized) as refused:
        authorize(None, Permission.PLAN_VIEW)
    assert refused.value.detail == "Sign in to continue."


def test_a_deactivated_or_unknown_account_is_told_so(session):
    with pytest.raises(Unauthorized) as unknown:
        load_actor(session, "no-such-user")
    assert unknown.value.detail == "This account does not exist or has been deactivated."


def test_only_coaches_athletes_and_support_carry_athlete_ids(session):
    athlete = demo_id("athlete1@demo.test")
    assert load_actor(session, athlete).athlete_ids == frozenset({athlete})
    for email in ("admin@demo.test", "ds@demo.test", "compliance@demo.test"):
        assert load_actor(session, demo_id(email)).athlete_ids == frozenset(), email


def test_an_actor_carries_who_they_are_and_their_teams(session):
    north = frozenset({demo_id("team:Team North")})
    athlete = load_actor(session, demo_id("athlete1@demo.test"))
    assert (athlete.role, athlete.email, athlete.display_name, athlete.team_ids) == (
        Role.ATHLETE, "athlete1@demo.test", "Athlete 1", north)
    assert load_actor(session, demo_id("support@demo.test")).team_ids == north
    assert load_actor(session, demo_id("coach1@demo.test")).team_ids == frozenset()


def test_a_deactivated_account_cannot_act(session):
    user = session.get(User, demo_id("athlete2@demo.test"))
    user.is_active = False
    session.add(user)
    session.flush()
    with pytest.raises(Unauthorized, match="has been deactivated"):
        load_actor(session, user.id)
    session.rollback()


def test_a_refusal_names_who_was_refused_what_on_which_target(session):
    coach = load_actor(session, demo_id("coach1@demo.test"))
    others = demo_id("athlete13@demo.test")
    with pytest.raises(AccessDenied) as refused:
        authorize(coach, Permission.PLAN_EDIT, others)
    assert refused.value.denial == Denial(actor_id=coach.user_id, actor_role="coach",
                                          permission="plan:edit", target_type="athlete",
                                          target_id=others)
    with pytest.raises(HiddenDenied) as hidden:
        authorize(coach, Permission.PLAN_EDIT, others, hide=True, target=("plan", "p1"))
    assert (hidden.value.denial.target_type, hidden.value.denial.target_id) == ("plan", "p1")
    with pytest.raises(AccessDenied) as untargeted:
        authorize(coach, Permission.USER_MANAGE)
    assert (untargeted.value.denial.target_type, untargeted.value.denial.target_id) == (
        None, None)


def test_hiding_applies_only_to_a_target_the_actor_cannot_see(session):
    """Refused but visible (an athlete editing their own plan), or refused with no target
    at all: the refusal is a Forbidden, not a "not found"."""
    athlete = load_actor(session, demo_id("athlete1@demo.test"))
    with pytest.raises(AccessDenied):
        authorize(athlete, Permission.PLAN_EDIT, athlete.user_id, hide=True)
    analyst = load_actor(session, demo_id("ds@demo.test"))
    with pytest.raises(AccessDenied):
        authorize(analyst, Permission.USER_MANAGE, hide=True)


def test_a_hidden_refusal_reads_like_a_missing_row(session):
    """Without its own words, a hidden refusal says exactly what a missing row says."""
    coach = load_actor(session, demo_id("coach1@demo.test"))
    with pytest.raises(HiddenDenied) as hidden:
        authorize(coach, Permission.PLAN_EDIT, demo_id("athlete13@demo.test"), hide=True)
    assert hidden.value.detail == "Not found."


def test_require_visible_hides_with_the_callers_words_and_target(session):
    coach = load_actor(session, demo_id("coach1@demo.test"))
    others = demo_id("athlete13@demo.test")
    with pytest.raises(HiddenDenied) as hidden:
        require_visible(coach, others, target=("plan", "p9"), not_found="Plan not found.")
    assert hidden.value.detail == "Plan not found."
    assert hidden.value.denial == Denial(actor_id=coach.user_id, actor_role="coach",
                                         permission="plan:view", target_type="plan",
                                         target_id="p9")
    require_visible(coach, demo_id("athlete1@demo.test"), target=("plan", "p1"),
                    not_found="Plan not found.")
