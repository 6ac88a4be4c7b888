"""Pure assignment: golden vectors, the DESIGN.md hashing, distribution, blocks, bad config."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime
from pathlib import Path

import mmh3
import pytest

from plangov_app.services.errors import InvalidInput
from plangov_app.services.experiments.assignment import (
    assign,
    block_sequence,
    compile_config,
)
from plangov_app.services.generation import ALGORITHMS

CASES = json.loads((Path(__file__).parents[1] / "cases" / "assignment.json").read_text())["cases"]
CONSENT = {"experiment_consent": True}


def _config(**over) -> dict:
    cfg = {
        "key": "exp",
        "status": "running",
        "randomization": "hash",
        "variants": [
            {"key": "a", "weight": 34, "algorithm_version": "lp-1.0"},
            {"key": "b", "weight": 33, "algorithm_version": "dup-1.0"},
            {"key": "c", "weight": 33, "algorithm_version": "lp-1.0"},
        ],
    }
    cfg.update(over)
    return cfg


def _chi2_sf(x: float, df: int) -> float:
    """Survival of χ² for df 1 or 2 (closed forms)."""
    if df == 1:
        return math.erfc(math.sqrt(x / 2))
    if df == 2:
        return math.exp(-x / 2)
    raise ValueError(df)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_vectors(case: dict) -> None:
    now = datetime.fromisoformat(case["now"]) if case["now"] else None
    got = assign(
        compile_config(case["config"]),
        case["subject_id"],
        case["attributes"],
        now=now,
        position=case["position"],
    )
    assert {
        "variant": got.variant,
        "bucket": got.bucket,
        "stratum": got.stratum,
        "is_holdout": got.is_holdout,
        "reason": got.reason,
    } == case["expected"]


def test_golden_file_covers_every_reason_and_both_modes() -> None:
    reasons = {c["expected"]["reason"] for c in CASES}
    assert reasons >= {None, "no_consent", "not_eligible", "not_running", "outside_window"}
    assert {c["config"]["randomization"] for c in CASES} == {"hash", "stratified_blocks"}
    assert any(c["expected"]["is_holdout"] for c in CASES)


def test_bucket_and_ranges_follow_the_design_formula() -> None:
    compiled = compile_config(_config())
    for i in range(2000):
        sid = f"athlete-{i}"
        bucket = mmh3.hash(f"exp:{sid}", signed=False) % 10000
        expected = "a" if bucket < 3400 else "b" if bucket < 6700 else "c"
        got = assign(compiled, sid, CONSENT)
        assert (got.bucket, got.variant) == (bucket, expected)


def test_seed_defaults_to_key_and_changes_the_buckets() -> None:
    assert compile_config(_config()).seed == "exp"
    a = compile_config(_config())
    b = compile_config(_config(seed="other"))
    assert [assign(a, str(i), CONSENT).bucket for i in range(50)] != [
        assign(b, str(i), CONSENT).bucket for i in range(50)
    ]


def test_hash_mode_matches_weights_on_100000_ids() -> None:
    compiled = compile_config(_config())
    counts = Counter(assign(compiled, f"id-{i}", CONSENT).variant for i in range(100_000))
    expected = {"a": 34_000, "b": 33_000, "c": 33_000}
    chi2 = sum((counts[k] - e) ** 2 / e for k, e in expected.items())
    assert _chi2_sf(chi2, 2) > 0.001, counts


def test_two_seeds_are_independent() -> None:
    two = [
        {"key": "x", "weight": 50, "algorithm_version": None},
        {"key": "y", "weight": 50, "algorithm_version": None},
    ]
    first = compile_config(_config(key="one", variants=two))
    second = compile_config(_config(key="two", variants=two))
    table = Counter(
        (assign(first, f"id-{i}", CONSENT).variant, assign(second, f"id-{i}", CONSENT).variant)
        for i in range(100_000)
    )
    n = sum(table.values())
    rows = {r: table[(r, "x")] + table[(r, "y")] for r in "xy"}
    cols = {c: table[("x", c)] + table[("y", c)] for c in "xy"}
    chi2 = sum(
        (table[(r, c)] - rows[r] * cols[c] / n) ** 2 / (rows[r] * cols[c] / n)
        for r in "xy"
        for c in "xy"
    )
    assert _chi2_sf(chi2, 1) > 0.001, table


@pytest.mark.parametrize("share", [5, 10, 25.5])
def test_holdout_share_within_half_a_point(share: float) -> None:
    compiled = compile_config(_config(holdout_percentage=share))
    held = sum(assign(compiled, f"id-{i}", CONSENT).is_holdout for i in range(100_000))
    assert abs(held / 1000 - share) < 0.5


def test_holdout_is_independent_of_the_variant() -> None:
    compiled = compile_config(_config(holdout_percentage=10))
    plain = compile_config(_config())
    held = [i for i in range(50_000) if assign(compiled, f"id-{i}", CONSENT).is_holdout]
    counts = Counter(assign(plain, f"id-{i}", CONSENT).variant for i in held)
    n = len(held)
    chi2 = sum(
        (counts[k] - n * w) ** 2 / (n * w) for k, w in {"a": 0.34, "b": 0.33, "c": 0.33}.items()
    )
    assert _chi2_sf(chi2, 2) > 0.001


@pytest.mark.parametrize("weights", [(50, 50), (34, 33, 33), (20, 30, 50), (10, 90)])
def test_stratified_blocks_stay_under_one_block_throughout(weights: tuple[int, ...]) -> None:
    variants = [
        {"key": f"v{i}", "weight": w, "algorithm_version": None} for i, w in enumerate(weights)
    ]
    compiled = compile_config(
        _config(
            randomization="stratified_blocks",
            variants=variants,
            stratification_keys=["sport", "level"],
        )
    )
    size = compiled.block_size
    for sport in ("running", "cycling", "strength"):
        attrs = dict(CONSENT, sport=sport, level="beginner")
        counts: Counter = Counter()
        for n in range(3 * size + 7):
            got = assign(compiled, f"{sport}-{n}", attrs, position=n)
            counts[got.variant] += 1
            for i, w in enumerate(weights):
                assert abs(counts[f"v{i}"] - (n + 1) * w / 100) < size


def test_a_dozen_athletes_split_evenly_in_blocks() -> None:
    variants = [
        {"key": "lp", "weight": 50, "algorithm_version": "lp-1.0"},
        {"key": "dup", "weight": 50, "algorithm_version": "dup-1.0"},
    ]
    compiled = compile_config(
        _config(randomization="stratified_blocks", variants=variants, stratification_keys=["sport"])
    )
    attrs = dict(CONSENT, sport="running")
    counts = Counter(assign(compiled, f"a{n}", attrs, position=n).variant for n in range(12))
    assert counts == {"lp": 6, "dup": 6}


def test_block_sequence_is_reproducible_from_the_documented_recipe() -> None:
    compiled = compile_config(
        _config(randomization="stratified_blocks", stratification_keys=["sport"])
    )
    stratum = "sport=running"
    for block in range(5):
        slots = sorted(
            (mmh3.hash(f"exp:{stratum}:{block}:{i}", signed=False), i, v)
            for i, v in enumerate(compiled.block)
        )
        assert block_sequence(compiled, stratum, block) == tuple("abc"[v] for _, _, v in slots)
    assert Counter(block_sequence(compiled, stratum, 0)) == {"a": 34, "b": 33, "c": 33}


def test_stratified_mode_needs_a_position() -> None:
    compiled = compile_config(_config(randomization="stratified_blocks"))
    with pytest.raises(ValueError):
        assign(compiled, "x", CONSENT)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        (
            {
                "variants": [
                    {"key": "a", "weight": -10, "algorithm_version": None},
                    {"key": "b", "weight": 110, "algorithm_version": None},
                ]
            },
            "variants.0.weight",
        ),
        (
            {
                "variants": [
                    {"key": "a", "weight": 40, "algorithm_version": None},
                    {"key": "b", "weight": 50, "algorithm_version": None},
                ]
            },
            "variants",
        ),
        (
            {
                "variants": [
                    {"key": "a", "weight": 50, "algorithm_version": "gpt-9"},
                    {"key": "b", "weight": 50, "algorithm_version": "lp-1.0"},
                ]
            },
            "variants.0.algorithm_version",
        ),
        (
            {
                "variants": [
                    {"key": "a", "weight": 50, "algorithm_version": None},
                    {"key": "a", "weight": 50, "algorithm_version": None},
                ]
            },
            "variants.1.key",
        ),
        (
            {
                "variants": [
                    {"key": "a", "weight": "50", "algorithm_version": None},
                    {"key": "b", "weight": 50, "algorithm_version": None},
                ]
            },
            "variants.0.weight",
        ),
        ({"stratification_keys": ["shoe_size"]}, "stratification_keys"),
        ({"holdout_percentage": 101}, "holdout_percentage"),
        ({"holdout_percentage": -1}, "holdout_percentage"),
        ({"start_at": "2026-02-01T00:00:00Z", "end_at": "2026-01-01T00:00:00Z"}, "end_at"),
        ({"start_at": "soon"}, "start_at"),
        ({"randomization": "coin"}, "randomization"),
        ({"eligibility": {"ages": [1]}}, "eligibility.ages"),
        ({"key": ""}, "key"),
    ],
)
def test_bad_config_names_the_field(over: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        compile_config(_config(**over), algorithms=ALGORITHMS)
    assert err.value.extra["field"] == field
    assert err.value.detail.startswith(field)
