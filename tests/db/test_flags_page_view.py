"""The `/flags` read model on SQLite and PostgreSQL: the list in words, the form (emails for
admins only), whom a change reaches before it is saved, the history old → new, and the roles
that may not manage flags refused."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from db.models import AuditEvent, FeatureFlag, User
from db.session import read_session, unit_of_work
from plangov_app.demo import demo_id
from plangov_app.services import flags
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Forbidden, InvalidInput
from plangov_app.services.views import flags_page as view
from tests.support.factories import actor

ADMIN, DS = "admin@demo.test", "ds@demo.test"
REFUSED = ("coach1@demo.test", "athlete1@demo.test", "support@demo.test",
           "compliance@demo.test")
FLAG = "diff_viewer_v2"


def _update(email: str, key: str = FLAG, **changes) -> None:
    with unit_of_work() as session:
        flags.update_flag(session, actor(email), key, changes=changes,
                          context=RequestContext())


def _read(fn, email: str, *args, **kwargs):
    with read_session() as session:
        return fn(session, actor(email), *args, **kwargs)


def _users() -> list[tuple[str, str]]:
    with read_session() as session:
        return list(session.exec(select(User.id, User.role).where(User.is_active)))


def test_the_list_says_each_flags_rules_and_who_changed_it_last(seeded):
    row, = _read(view.flags_list, DS)
    assert (row.key, row.enabled, row.rollout, row.roles, row.allow, row.changed_by) == (
        FLAG, False, "100%", "every role", "0 users", "the system")
    _update(DS, enabled=True, rules={"allow": ["athlete15@demo.test", "athlete3@demo.test"],
                                     "roles": ["coach", "athlete"], "percentage": 12.5})
    row, = _read(view.flags_list, ADMIN)
    assert (row.enabled, row.rollout, row.roles, row.allow) == (
        True, "12.5%", "athlete, coach", "2 users")
    assert row.changed_by == "Dana Scientist (data scientist)"
    assert row.changed_at.endswith(" UTC")


def test_the_form_shows_the_allow_list_as_emails_to_admins_and_as_ids_to_others(seeded):
    _update(ADMIN, enabled=True, rules={"allow": ["athlete15@demo.test"], "percentage": 0})
    admin_form = _read(view.flag_form, ADMIN, FLAG)
    ds_form = _read(view.flag_form, DS, FLAG)
    assert admin_form.allow_text == "athlete15@demo.test"
    assert ds_form.allow_text == demo_id("athlete15@demo.test")
    assert "@" not in ds_form.allow_text
    total = len(_users())
    assert ds_form.reach == f"On for 1 user of {total} now."
    assert (ds_form.enabled, ds_form.percentage, ds_form.roles) == (True, "0", [])


def test_the_reach_of_a_change_is_counted_before_anything_is_written(seeded):
    with read_session() as session:
        before = (session.exec(select(func.count()).select_from(AuditEvent)).one(),
                  session.exec(select(FeatureFlag.rules_json)).one())
    reach = _read(view.reach_of_change, ADMIN, FLAG, enabled=True,
                  rules={"allow": ["athlete15@demo.test"], "percentage": 0})
    assert (reach.before, reach.after, reach.gained, reach.lost) == (0, 1, 1, 0)
    assert reach.changes_users
    assert reach.sentence(FLAG) == (f"{FLAG} is on for 0 users of {reach.total} now; after "
                                    "this change it is on for 1 user. 1 user will start to "
                                    "see it.")
    with read_session() as session:
        assert (session.exec(select(func.count()).select_from(AuditEvent)).one(),
                session.exec(select(FeatureFlag.rules_json)).one()) == before
    # rules of a flag switched off reach no one: nothing to confirm
    quiet = _read(view.reach_of_change, DS, FLAG, enabled=False, rules={"percentage": 50})
    assert not quiet.changes_users and quiet.after == 0


def test_a_rollout_reaches_exactly_the_users_the_hash_puts_under_it(seeded):
    _update(DS, enabled=True, rules={"allow": ["athlete15@demo.test"], "percentage": 0})
    reach = _read(view.reach_of_change, DS, FLAG, enabled=True,
                  rules={"roles": ["athlete"], "percentage": 50})
    expected = {uid for uid, role in _users()
                if role == "athlete" and flags.bucket(FLAG, uid) < 5000}
    assert reach.after == len(expected)
    assert reach.lost == (0 if demo_id("athlete15@demo.test") in expected else 1)
    assert reach.gained == len(expected - {demo_id("athlete15@demo.test")})
    switched_off = _read(view.reach_of_change, DS, FLAG, enabled=False,
                         rules={"allow": ["athlete15@demo.test"], "percentage": 0})
    assert (switched_off.before, switched_off.after, switched_off.lost) == (1, 0, 1)


@pytest.mark.parametrize(("rules", "field", "words"), [
    ({"percentage": 101}, "rules.percentage", "must be a number from 0 to 100"),
    ({"percentage": "half"}, "rules.percentage", "must be a number from 0 to 100"),
    ({"allow": ["nobody@demo.test"]}, "rules.allow", "no user 'nobody@demo.test'"),
    ({"roles": ["wizard"]}, "rules.roles", "unknown role 'wizard'"),
])
def test_the_reach_refuses_bad_rules_with_the_services_words(seeded, rules, field, words):
    with pytest.raises(InvalidInput) as refused:
        _read(view.reach_of_change, DS, FLAG, enabled=True, rules=rules)
    error, = refused.value.extra["errors"]
    assert error["field"] == field and error["message"].startswith(words)


def test_the_history_says_who_changed_what_old_to_new(seeded):
    with unit_of_work() as session:
        flags.create_flag(session, actor(DS), key="calendar_v2", description="New calendar",
                          context=RequestContext())
    _update(DS, "calendar_v2", enabled=True, description="The new calendar",
            rules={"allow": ["athlete15@demo.test"], "roles": ["coach"], "percentage": 0})
    changed, created = _read(view.flag_history, ADMIN, "calendar_v2")
    assert (created.action, created.who) == ("Created", "Dana Scientist (data scientist)")
    assert created.lines == ["Switch: off", "Rollout: 100%", "Roles: every role",
                             "Allow-list: 0 users"]
    assert changed.action == "Changed" and changed.when.endswith(" UTC")
    assert changed.lines == [
        "Switch: off → on", "Description: “New calendar” → “The new calendar”",
        "Rollout: 100% → 0%", "Roles: every role → coach",
        "Allow-list: 0 users → 1 user (+ athlete15@demo.test)"]
    ds_lines = _read(view.flag_history, DS, "calendar_v2")[0].lines
    assert ds_lines[-1] == "Allow-list: 0 users → 1 user"  # no email read back


def test_the_seeded_flag_was_created_by_the_system(seeded):
    created, = _read(view.flag_history, DS, FLAG)
    assert (created.action, created.who) == ("Created", "the system")


@pytest.mark.parametrize("email", REFUSED)
def test_roles_without_flag_manage_are_refused_everything(seeded, email):
    calls = [(view.flags_list, ()), (view.flag_form, (FLAG,)), (view.flag_history, (FLAG,))]
    for fn, args in calls:
        with pytest.raises(Forbidden):
            _read(fn, email, *args)
    with pytest.raises(Forbidden):
        _read(view.reach_of_change, email, FLAG, enabled=True, rules={"percentage": 100})


def test_allow_entries_are_one_per_line_blank_lines_dropped():
    assert view.allow_entries(" a@x.test\n\nb@x.test, c@x.test\r\n") == [
        "a@x.test", "b@x.test", "c@x.test"]
    assert view.allow_entries("  \n") == []
