"""A session moved to another week is saved as a move: same id, new week, in words."""

from __future__ import annotations

from datetime import date

import pytest

from plangov_app.services.errors import NotFound


def test_a_move_across_weeks_is_saved_keeping_the_session(client, token_for, seeded):
    from db.session import unit_of_work
    from plangov_app.demo import demo_id
    from plangov_app.services import describing, diffing
    from plangov_app.services.context import system_context
    from plangov_app.services.plan_document import parse_document
    from plangov_app.services.plans.moving import move_edit
    from plangov_app.services.plans.unsaved_edits import save_draft
    from plangov_app.services.rbac import load_actor
    from tests.support.factories import counts, create_plan, version

    coach = token_for("coach1@demo.test")
    plan = create_plan(client, coach, weeks=4)  # starts Mon 04 Jan 2027
    head = version(client, coach, plan)
    today = date(2027, 1, 6)  # Wed of week 1
    first = head["content"]["weeks"][0]["sessions"][-1]
    target = date(2027, 1, 21)  # Thu of week 3
    with unit_of_work(seeded) as session:
        actor = load_actor(session, demo_id("coach1@demo.test"))
        document = parse_document(head["content"])
        edit = move_edit(document, session_id=first["session_id"],
                         text=target.isoformat(), today=today).as_dict()
        number, stale = save_draft(session, actor, plan["id"], base_version_id=head["id"],
                                   edits=[edit], reasons=["other"], rationale="",
                                   context=system_context("test"))
    assert (number, stale) == (2, [])
    saved = version(client, coach, plan)
    weeks = saved["content"]["weeks"]
    assert first["session_id"] in [s["session_id"] for s in weeks[2]["sessions"]]
    assert first["session_id"] not in [s["session_id"] for s in weeks[0]["sessions"]]
    moved = next(s for s in weeks[2]["sessions"] if s["session_id"] == first["session_id"])
    assert moved["day"] == target.isoformat() and moved["items"] == first["items"]
    with unit_of_work(seeded) as session:
        before = counts(session)
        other = load_actor(session, demo_id("coach2@demo.test"))
        with pytest.raises(NotFound):  # another coach's athlete: not even seen
            save_draft(session, other, plan["id"], base_version_id=saved["id"], edits=[edit],
                       reasons=["other"], rationale="", context=system_context("test"))
        assert counts(session) == before
    changes = diffing.diff_documents(document, parse_document(saved["content"]))
    assert [c.change_type for c in changes] == ["moved"]
    text = describing.describe_change(changes[0], document, parse_document(saved["content"]))
    assert f"{date.fromisoformat(first['day']):%a %d %b} → {target:%a %d %b}" in text
