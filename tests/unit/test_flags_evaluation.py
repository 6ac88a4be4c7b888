"""Flag evaluation (pure): the switch, allow-list precedence, roles, percentage rollout by
MurmurHash3 — its distribution, stability and independence between flags; If-None-Match."""

from __future__ import annotations

import uuid

import mmh3
import pytest

from plangov_app.api.conditional import none_match
from plangov_app.services.flags import CompiledFlag, Rules, bucket, config_etag, evaluate

IDS = [str(uuid.UUID(int=n * 7919 + 17)) for n in range(10_000)]


def flag(key: str = "f", enabled: bool = True, **rules) -> CompiledFlag:
    return CompiledFlag.of(key, enabled, Rules(**rules))


def share_on(f: CompiledFlag, role: str = "athlete") -> float:
    return 100 * sum(evaluate(f, user_id=u, role=role) for u in IDS) / len(IDS)


def test_off_is_off_for_everyone_even_the_allow_list():
    f = flag(enabled=False, allow=(IDS[0],), roles=("athlete",), percentage=100)
    assert not any(evaluate(f, user_id=u, role="athlete") for u in IDS[:200])
    assert not evaluate(f, user_id=IDS[0], role="athlete")


def test_on_without_rules_is_on_for_everyone():
    assert share_on(flag()) == 100


@pytest.mark.parametrize("percentage", [0, 1, 5, 10, 25, 33.3, 50, 75, 99, 100])
def test_rollout_share_is_within_a_point_of_the_setting(percentage):
    assert abs(share_on(flag(percentage=percentage)) - percentage) <= 1


def test_rollout_is_the_documented_hash():
    f = flag("diff_viewer_v2", percentage=30)
    for user_id in IDS[:500]:
        expected = mmh3.hash(f"diff_viewer_v2:{user_id}", signed=False) % 10000 < 3000
        assert evaluate(f, user_id=user_id, role="coach") is expected
    assert bucket("diff_viewer_v2", IDS[0]) == mmh3.hash(
        f"diff_viewer_v2:{IDS[0]}", signed=False) % 10000


def test_a_user_keeps_their_answer_and_raising_the_rollout_only_adds_users():
    low, high = flag("k", percentage=20), flag("k", percentage=40)
    on_low = {u for u in IDS if evaluate(low, user_id=u, role="athlete")}
    assert on_low == {u for u in IDS if evaluate(low, user_id=u, role="athlete")}
    on_high = {u for u in IDS if evaluate(high, user_id=u, role="athlete")}
    assert on_low < on_high


def test_two_flags_roll_out_to_different_users():
    a = {u for u in IDS if evaluate(flag("a", percentage=50), user_id=u, role="athlete")}
    b = {u for u in IDS if evaluate(flag("b", percentage=50), user_id=u, role="athlete")}
    overlap = 100 * len(a & b) / len(IDS)
    assert abs(overlap - 25) <= 2  # independent: half of half


def test_roles_target_and_combine_with_the_rollout():
    f = flag(roles=("coach", "admin"))
    assert evaluate(f, user_id=IDS[1], role="coach")
    assert evaluate(f, user_id=IDS[1], role="admin")
    assert not evaluate(f, user_id=IDS[1], role="athlete")
    half = flag(roles=("coach",), percentage=50)
    assert share_on(half, role="athlete") == 0
    assert abs(share_on(half, role="coach") - 50) <= 1


def test_the_allow_list_wins_over_roles_and_percentage():
    f = flag(allow=(IDS[3],), roles=("coach",), percentage=0)
    assert evaluate(f, user_id=IDS[3], role="athlete")
    assert not evaluate(f, user_id=IDS[4], role="athlete")
    assert not evaluate(f, user_id=IDS[4], role="coach")  # 0 %: only the allow-list


def test_the_etag_follows_the_evaluated_config_only():
    assert config_etag({"a": True, "b": False}) == config_etag({"b": False, "a": True})
    assert config_etag({"a": True}) != config_etag({"a": False})
    tag = config_etag({"a": True})
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")


ETAG = '"abc123"'


@pytest.mark.parametrize("header, matches", [
    ('"abc123"', True),
    ('W/"abc123"', True),  # weak comparison (RFC 9110 §13.1.2)
    ('"x", "abc123"', True),
    ('"x",W/"abc123" , "y"', True),
    (' , "x", ,"abc123"', True),  # empty list members are allowed
    ("*", True),
    ('"abc12"', False),
    ('"ABC123"', False),
    ("abc123", False),  # not quoted: not an entity-tag
    ('"x", "y"', False),
    ("", False),
    ('"a,b", "abc123"', True),  # a comma inside a tag does not split it
    ('w/"abc123"', False),  # the weak prefix is case-sensitive
])
def test_if_none_match(header, matches):
    assert none_match([header], ETAG) is matches


def test_if_none_match_over_several_header_lines_and_a_huge_one():
    assert none_match(['"x"', '"abc123"'], ETAG)
    assert not none_match(['"x"' + ", \"x\"" * 5000], ETAG)
    assert none_match(['"x"', '"abc123"'], 'W/"abc123"')
