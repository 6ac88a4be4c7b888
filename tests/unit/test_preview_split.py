"""The allocation preview's pure split: counts by stratum × variant, holdout, exclusions,
stored answers kept, blocks continued from stored positions, small strata named."""

from __future__ import annotations

from types import SimpleNamespace

from plangov_app.services.experiments.assignment import block_sequence, compile_config
from plangov_app.services.experiments.preview import split


def _compiled(**over):
    config = {"key": "exp", "status": "running", "randomization": "stratified_blocks",
              "stratification_keys": ["level"],
              "variants": [{"key": "a", "weight": 50}, {"key": "b", "weight": 50}], **over}
    return compile_config(config)


def _athlete(level: str, consent: bool = True, sport: str = "running") -> dict:
    return {"level": level, "sport": sport, "experiment_consent": consent}


def test_counts_add_up_and_exclusions_are_named() -> None:
    people = [(f"p{i}", _athlete("beginner", consent=i % 4 != 0)) for i in range(12)]
    people += [(f"q{i}", _athlete("advanced", sport="rowing")) for i in range(3)]
    result = split(_compiled(eligibility={"sports": ["running"]}), people)
    assert result.population == 15
    assert result.excluded == {"no_consent": 3, "not_eligible": 3}
    [stratum] = result.strata
    assert stratum.stratum == "level=beginner" and stratum.variants == {"a": 5, "b": 4}
    assert sum(result.totals.values()) + result.holdout + 6 == 15


def test_blocks_continue_after_the_stored_positions() -> None:
    compiled = _compiled()
    stored = {"p0": SimpleNamespace(variant="b", stratum="level=beginner", is_holdout=False)}
    people = [(f"p{i}", _athlete("beginner")) for i in range(5)]
    result = split(compiled, people, stored)
    assert result.already_assigned == 1
    sequence = [v for b in range(3) for v in block_sequence(compiled, "level=beginner", b)]
    expected = {"a": 0, "b": 1}
    for variant in sequence[1:5]:  # the four new ones take positions 1..4
        expected[variant] += 1
    assert result.strata[0].variants == expected


def test_a_stratum_with_fewer_enrolments_than_a_block_is_pointed_out() -> None:
    compiled = _compiled(variants=[{"key": "a", "weight": 34}, {"key": "b", "weight": 33},
                                   {"key": "c", "weight": 33}])
    result = split(compiled, [(f"p{i}", _athlete("beginner")) for i in range(20)])
    assert result.block_size == 100 and result.small_strata == ["level=beginner"]
    hashed = split(_compiled(randomization="hash"), [("x", _athlete("advanced"))])
    assert hashed.block_size is None and hashed.small_strata == ["level=advanced"]


def test_holdout_is_counted_per_stratum() -> None:
    result = split(_compiled(holdout_percentage=100),
                   [(f"p{i}", _athlete("beginner")) for i in range(4)])
    assert (result.holdout, result.strata[0].holdout, result.totals) == (4, 4, {"a": 0, "b": 0})
