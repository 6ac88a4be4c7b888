"""Scopes resolved from assignments, and the status machine's refusals, to the letter.

Written to kill mutants that survived `make mutation` in services/rbac.py and
services/status.py: support's scope must hold exactly the athletes of their teams (no
coach or support member who shares the team), and every refused transition must say why
in a sentence.
"""

from __future__ import annotations

import pytest

from db.demo import demo_id
from plangov_app.services import status
from plangov_app.services.errors import Conflict
from plangov_app.services.rbac import load_actor


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
