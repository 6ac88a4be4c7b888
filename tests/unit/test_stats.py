"""The statistics engine against GrowthBook's own (gbstats, dev extra) as the oracle.

Each case is built from raw values, so the sufficient statistics are consistent; gbstats
gets the same statistics through its own classes (SampleMeanStatistic, ProportionStatistic,
RegressionAdjustedStatistic, TwoSidedTTest, SequentialTwoSidedTTest, check_srm).

Tolerance: 1e-6 relative. A number that is itself ~0 (an interval bound crossing 0, a
p-value below ~1e-10) has no meaningful relative error, so an absolute floor is added:
1e-9 × the standard error for effects and bounds, 1e-14 for p-values (gbstats computes
``2 * (1 - cdf)``, which is only accurate to ~1e-16 absolute).
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from dataclasses import asdict

import pytest
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from plangov_app.services.experiments import stats
from plangov_app.services.experiments.stats import (
    MAX_VARIANTS,
    Comparison,
    chi2_sf,
    compare,
    compare_metrics,
    compare_variants,
    srm_check,
    srm_fails,
    srm_p_value,
    t_isf,
    t_sf,
)

REL = 1e-6
P_FLOOR = 1e-14
SIZES = (2, 3, 12, 12, 30, 100, 1000, 5000)


# --- building cases -----------------------------------------------------------------------


def arm_from(values: list[float], pre: list[float] | None = None) -> dict:
    """Sufficient statistics of raw values (and a pre-period covariate)."""
    arm = {"n": len(values), "sum": math.fsum(values),
           "sum_squares": math.fsum(v * v for v in values)}
    if pre is not None:
        arm |= {"pre_sum": math.fsum(pre), "pre_sum_squares": math.fsum(p * p for p in pre),
                "sum_product": math.fsum(v * p for v, p in zip(values, pre, strict=True))}
    return arm


def random_values(rng: random.Random, n: int, kind: str, *, shift: float = 0.0) -> list[float]:
    """n values of a mean metric (normal, skewed, zero-centred or constant) or 0/1 values."""
    if kind == "proportion":
        rate = rng.choice([0.02, 0.1, 0.5, 0.9])
        return [1.0 if rng.random() < rate else 0.0 for _ in range(n)]
    if kind == "constant":
        return [3.0] * n
    if kind == "zero_centred":  # mean exactly 0 (pairs ±x), plus a 0 for odd n
        half = [round(rng.uniform(0.1, 5), 2) for _ in range(n // 2)]
        return half + [-x for x in half] + [0.0] * (n % 2)
    if kind == "skewed":
        return [round(rng.expovariate(0.2) + shift, 3) for _ in range(n)]
    return [round(rng.gauss(50 + shift, rng.choice([1, 10, 25])), 3) for _ in range(n)]


def random_case(rng: random.Random, *, cuped: bool) -> tuple[dict, dict, str, str | None]:
    metric = rng.choice(["mean", "mean", "proportion"])
    kinds = ["normal", "skewed", "zero_centred", "constant"] if metric == "mean" else [
        "proportion"]
    n_c, n_t = rng.choice(SIZES), rng.choice(SIZES)
    kind_c = rng.choice(kinds) if rng.random() < 0.2 else kinds[0]
    kind_t = rng.choice(kinds) if rng.random() < 0.2 else kinds[0]
    post_c = random_values(rng, n_c, kind_c)
    post_t = random_values(rng, n_t, kind_t, shift=rng.choice([0, 0.5, 3]))
    covariate = None
    pre_c = pre_t = None
    if cuped:
        covariate = "mean" if metric == "mean" else rng.choice(["mean", "proportion"])
        weight = rng.choice([0.0, 0.3, 0.9])

        def pre_of(post: list[float]) -> list[float]:
            if covariate == "proportion":
                return [1.0 if (v > 0.5) == (rng.random() < 0.8) else 0.0 for v in post]
            return [round(weight * v + rng.gauss(0, 5), 3) for v in post]

        pre_c, pre_t = pre_of(post_c), pre_of(post_t)
    return arm_from(post_c, pre_c), arm_from(post_t, pre_t), metric, covariate


# --- the oracle -------------------------------------------------------------------------


def gb_statistic(arm: dict, metric: str, covariate: str | None):
    post = (ProportionStatistic(n=arm["n"], sum=arm["sum"]) if metric == "proportion"
            else SampleMeanStatistic(n=arm["n"], sum=arm["sum"], sum_squares=arm["sum_squares"]))
    if covariate is None:
        return post
    pre = (ProportionStatistic(n=arm["n"], sum=arm["pre_sum"]) if covariate == "proportion"
           else SampleMeanStatistic(n=arm["n"], sum=arm["pre_sum"],
                                    sum_squares=arm["pre_sum_squares"]))
    return RegressionAdjustedStatistic(n=arm["n"], post_statistic=post, pre_statistic=pre,
                                       post_pre_sum_of_products=arm["sum_product"], theta=0)


def oracle(control: dict, treatment: dict, *, metric: str = "mean",
           covariate: str | None = None, method: str = "frequentist",
           difference: str = "relative", alpha: float = 0.05,
           tuning: float = 5000) -> dict | None:
    """gbstats's numbers, or None when gbstats refuses (error message)."""
    stat_a = gb_statistic(control, metric, covariate)
    stat_b = gb_statistic(treatment, metric, covariate)
    if method == "frequentist":
        test = TwoSidedTTest(stat_a, stat_b, FrequentistConfig(alpha=alpha,
                                                               difference_type=difference))
    else:
        test = SequentialTwoSidedTTest(stat_a, stat_b, SequentialConfig(
            alpha=alpha, difference_type=difference, sequential_tuning_parameter=tuning))
    result = test.compute_result()
    if result.error_message is None:
        return {"effect": result.expected, "ci_low": result.ci[0], "ci_high": result.ci[1],
                "se": result.uplift.stddev, "p_value": result.p_value}
    # gbstats also refuses an absolute effect on a zero control mean; we compute it, so
    # take gbstats's formulas straight from the test object for that case.
    baseline_zero = test.stat_a.mean == 0 or test.stat_a.unadjusted_mean == 0
    if difference == "absolute" and baseline_zero and not test._has_zero_variance():
        low, high = test.confidence_interval
        return {"effect": test.point_estimate, "ci_low": low, "ci_high": high,
                "se": math.sqrt(test.variance), "p_value": test.p_value}
    return None


def assert_matches(ours: Comparison, expected: dict | None) -> None:
    if expected is None:
        assert ours.error, "gbstats refuses this case; the engine must say why"
        assert (ours.effect, ours.ci_low, ours.ci_high, ours.se, ours.p_value) == (None,) * 5
        return
    assert ours.error is None, ours.error
    floor = 1e-9 * expected["se"]
    for key in ("effect", "ci_low", "ci_high", "se"):
        assert math.isclose(getattr(ours, key), expected[key], rel_tol=REL, abs_tol=floor), (
            key, getattr(ours, key), expected[key])
    assert math.isclose(ours.p_value, expected["p_value"], rel_tol=REL, abs_tol=P_FLOOR), (
        ours.p_value, expected["p_value"])


def options_of(rng: random.Random) -> dict:
    return {"method": rng.choice(["frequentist", "sequential"]),
            "difference": rng.choice(["relative", "absolute"]),
            "alpha": rng.choice([0.05, 0.05, 0.1, 0.01, 0.001])}


# --- agreement with gbstats ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(400))
def test_random_cases_match_gbstats(seed: int) -> None:
    rng = random.Random(seed)
    control, treatment, metric, covariate = random_case(rng, cuped=seed % 2 == 1)
    options = options_of(rng)
    tuning = rng.choice([5000, 500, 100_000])
    ours = compare(control, treatment, metric=metric, covariate=covariate,
                   sequential_tuning=tuning, **options)
    expected = oracle(control, treatment, metric=metric, covariate=covariate, tuning=tuning,
                      **options)
    assert_matches(ours, expected)


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(control=st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=60),
       treatment=st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=60),
       method=st.sampled_from(["frequentist", "sequential"]),
       difference=st.sampled_from(["relative", "absolute"]))
def test_hypothesis_raw_values_match_gbstats(control, treatment, method, difference) -> None:
    ours = compare(arm_from(control), arm_from(treatment), method=method, difference=difference)
    expected = oracle(arm_from(control), arm_from(treatment), method=method,
                      difference=difference)
    assert_matches(ours, expected)


@pytest.mark.parametrize(("n_c", "n_t"), [(12, 12), (12, 5000), (5000, 12), (2, 2), (2, 50_000)])
@pytest.mark.parametrize("method", ["frequentist", "sequential"])
@pytest.mark.parametrize("difference", ["relative", "absolute"])
def test_small_and_very_unequal_arms(n_c, n_t, method, difference) -> None:
    rng = random.Random(n_c * 7 + n_t)
    control = arm_from(random_values(rng, n_c, "normal"))
    treatment = arm_from(random_values(rng, n_t, "skewed", shift=2))
    assert_matches(compare(control, treatment, method=method, difference=difference),
                   oracle(control, treatment, method=method, difference=difference))


@pytest.mark.parametrize("method", ["frequentist", "sequential"])
def test_zero_control_mean(method) -> None:
    rng = random.Random(13)
    control = arm_from(random_values(rng, 12, "zero_centred"))
    treatment = arm_from(random_values(rng, 40, "normal"))
    assert control["sum"] == 0
    absolute = compare(control, treatment, method=method, difference="absolute")
    assert_matches(absolute, oracle(control, treatment, method=method, difference="absolute"))
    relative = compare(control, treatment, method=method)
    assert relative.error and "control mean is 0" in relative.error
    assert relative.effect is None and relative.p_value is None


@pytest.mark.parametrize("difference", ["relative", "absolute"])
@pytest.mark.parametrize("method", ["frequentist", "sequential"])
def test_proportions_match_gbstats(difference, method) -> None:
    control, treatment = {"n": 1000, "sum": 130}, {"n": 980, "sum": 162}
    assert_matches(
        compare(control, treatment, metric="proportion", method=method, difference=difference),
        oracle(control, treatment, metric="proportion", method=method, difference=difference))


def test_huge_effect_gives_tiny_p_value_not_zero_division() -> None:
    control = arm_from([10.0, 10.1, 9.9] * 400)
    treatment = arm_from([20.0, 20.1, 19.9] * 400)
    for method in ("frequentist", "sequential"):
        result = compare(control, treatment, method=method)
        assert result.error is None and 0 <= result.p_value < 1e-100
        assert_matches(result, oracle(control, treatment, method=method))


# --- CUPED -----------------------------------------------------------------------------------


def correlated_arms(rng: random.Random, n_c: int, n_t: int, *, lift: float) -> tuple[dict, dict]:
    pre_c = [rng.gauss(50, 10) for _ in range(n_c)]
    pre_t = [rng.gauss(50, 10) for _ in range(n_t)]
    post_c = [p + rng.gauss(0, 3) for p in pre_c]
    post_t = [p + lift + rng.gauss(0, 3) for p in pre_t]
    return arm_from(post_c, pre_c), arm_from(post_t, pre_t)


@pytest.mark.parametrize("difference", ["relative", "absolute"])
@pytest.mark.parametrize("method", ["frequentist", "sequential"])
def test_cuped_matches_gbstats_and_reports_narrowing(difference, method) -> None:
    control, treatment = correlated_arms(random.Random(5), 400, 380, lift=1.0)
    adjusted = compare(control, treatment, covariate="mean", method=method,
                       difference=difference)
    assert_matches(adjusted, oracle(control, treatment, covariate="mean", method=method,
                                    difference=difference))
    plain = compare(control, treatment, method=method, difference=difference)
    assert math.isclose(adjusted.ci_width_unadjusted, plain.ci_high - plain.ci_low)
    width = adjusted.ci_high - adjusted.ci_low
    assert math.isclose(adjusted.ci_narrowing, 1 - width / adjusted.ci_width_unadjusted)
    assert adjusted.ci_narrowing > 0.5  # pre explains ~90 % of the variance here


def test_cuped_without_pre_period_spread_falls_back_to_the_plain_test() -> None:
    rng = random.Random(8)
    post_c, post_t = random_values(rng, 50, "normal"), random_values(rng, 60, "normal", shift=1)
    control, treatment = arm_from(post_c, [2.0] * 50), arm_from(post_t, [2.0] * 60)
    adjusted = compare(control, treatment, covariate="mean")
    assert_matches(adjusted, oracle(control, treatment, covariate="mean"))
    assert adjusted.ci_narrowing == 0
    plain = compare(control, treatment)
    assert (adjusted.effect, adjusted.p_value) == (plain.effect, plain.p_value)


def test_cuped_proportion_covariate_needs_no_pre_sum_squares() -> None:
    rng = random.Random(21)
    post_c = random_values(rng, 300, "proportion")
    post_t = random_values(rng, 300, "proportion")
    pre_c = [v if rng.random() < 0.8 else 1 - v for v in post_c]
    pre_t = [v if rng.random() < 0.8 else 1 - v for v in post_t]
    control, treatment = arm_from(post_c, pre_c), arm_from(post_t, pre_t)
    del control["pre_sum_squares"], treatment["pre_sum_squares"]
    result = compare(control, treatment, metric="proportion", covariate="proportion")
    assert_matches(result, oracle(control, treatment, metric="proportion",
                                  covariate="proportion"))


# --- sequential ---------------------------------------------------------------------------


def test_sequential_interval_is_wider_and_tuning_matters() -> None:
    control, treatment = correlated_arms(random.Random(3), 500, 500, lift=0.8)
    fixed = compare(control, treatment)
    for tuning in (100, 5000, 1_000_000):
        always_valid = compare(control, treatment, method="sequential",
                               sequential_tuning=tuning)
        assert_matches(always_valid, oracle(control, treatment, method="sequential",
                                            tuning=tuning))
        assert always_valid.ci_high - always_valid.ci_low > fixed.ci_high - fixed.ci_low
        assert always_valid.p_value >= fixed.p_value


# --- degenerate inputs -----------------------------------------------------------------------

GOOD = {"n": 20, "sum": 100.0, "sum_squares": 700.0}


@pytest.mark.parametrize(("control", "treatment", "options", "reason"), [
    ({"n": 1, "sum": 5.0, "sum_squares": 25.0}, GOOD, {}, "n = 1"),
    ({"n": 0, "sum": 0.0, "sum_squares": 0.0}, GOOD, {}, "n = 0"),
    (GOOD, {"n": -3, "sum": 1.0, "sum_squares": 1.0}, {}, "whole number ≥ 0"),
    (GOOD, {"n": 2.5, "sum": 1.0, "sum_squares": 1.0}, {}, "whole number ≥ 0"),
    ({"n": 10, "sum": 30.0, "sum_squares": 90.0}, GOOD, {}, "zero variance"),
    (GOOD, {"n": 10, "sum": 30.0, "sum_squares": 90.0}, {"method": "sequential"},
     "zero variance"),
    ({"n": 10, "sum": 0.0, "sum_squares": 40.0}, GOOD, {}, "control mean is 0"),
    ({"n": 10, "sum": 3}, {"n": 10, "sum": 0}, {"metric": "proportion"}, "zero variance"),
    ({"n": 10, "sum": 10}, {"n": 10, "sum": 3}, {"metric": "proportion"}, "zero variance"),
    ({"n": 10, "sum": 11}, {"n": 10, "sum": 3}, {"metric": "proportion"}, "between 0 and n"),
    ({"n": 10, "sum": math.nan, "sum_squares": 1.0}, GOOD, {}, "not a finite number"),
    (GOOD, {"n": 10, "sum": 1.0, "sum_squares": math.inf}, {}, "not a finite number"),
    (GOOD, {"n": math.inf, "sum": 1.0, "sum_squares": 1.0}, {}, "not a finite number"),
    (GOOD, {"n": 10, "sum": "12", "sum_squares": 1.0}, {}, "must be a number"),
    (GOOD, {"n": True, "sum": 1.0, "sum_squares": 1.0}, {}, "must be a number"),
    (GOOD, {"n": 10, "sum": None, "sum_squares": 1.0}, {}, "must be a number"),
    (GOOD, {"n": 10, "sum": 1.0}, {}, "missing 'sum_squares'"),
    (GOOD, [10, 1.0, 1.0], {}, "must be a mapping"),
    (None, GOOD, {}, "must be a mapping"),
    (GOOD, {"n": 10, "sum": 1.0, "sum_squares": -1.0}, {}, "cannot be negative"),
    (GOOD, GOOD, {"covariate": "mean"}, "missing 'pre_sum'"),
    (GOOD, GOOD, {"metric": "median"}, "metric must be one of"),
    (GOOD, GOOD, {"covariate": "ratio"}, "covariate must be one of"),
    (GOOD, GOOD, {"method": "bayesian"}, "method must be one of"),
    (GOOD, GOOD, {"difference": "scaled"}, "difference must be one of"),
    (GOOD, GOOD, {"alpha": 0}, "alpha must be"),
    (GOOD, GOOD, {"alpha": 1.5}, "alpha must be"),
    (GOOD, GOOD, {"alpha": math.nan}, "alpha must be"),
    (GOOD, GOOD, {"method": "sequential", "sequential_tuning": 0}, "sequential_tuning"),
    (GOOD, GOOD, {"sequential_tuning": math.inf}, "sequential_tuning"),
    ({"n": 10, "sum": 1e200, "sum_squares": 1e300}, GOOD, {}, "too large"),
    ({"n": 10**400, "sum": 1.0, "sum_squares": 1.0}, GOOD, {}, "too large"),
    ({"n": 10, "sum": 1e-200, "sum_squares": 1e-300}, {"n": 10, "sum": 2e-200,
                                                       "sum_squares": 2e-300}, {}, "too small"),
])
def test_degenerate_inputs_give_a_reason_and_no_numbers(control, treatment, options,
                                                         reason) -> None:
    result = compare(control, treatment, **options)
    assert result.error is not None and reason in result.error, result.error
    assert not result.ok
    assert {k: v for k, v in asdict(result).items() if k != "error"} == dict.fromkeys(
        ["effect", "ci_low", "ci_high", "se", "p_value", "ci_width_unadjusted",
         "ci_narrowing"])


def test_cuped_zero_variance_after_adjustment() -> None:
    pre = [float(i) for i in range(20)]
    control, treatment = arm_from([2 * p for p in pre], pre), arm_from([2 * p + 1 for p in pre],
                                                                       pre)
    result = compare(control, treatment, covariate="mean", difference="absolute")
    assert oracle(control, treatment, covariate="mean", difference="absolute") is None
    assert result.error and "after the CUPED adjustment" in result.error


number = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                   st.none(), st.text(max_size=3), st.booleans())
arm_like = st.one_of(st.dictionaries(st.sampled_from(
    ["n", "sum", "sum_squares", "pre_sum", "pre_sum_squares", "sum_product"]), number),
    st.none(), st.lists(number, max_size=3))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(control=arm_like, treatment=arm_like, metric=st.sampled_from(["mean", "proportion"]),
       covariate=st.sampled_from([None, "mean", "proportion"]),
       method=st.sampled_from(["frequentist", "sequential"]),
       difference=st.sampled_from(["relative", "absolute"]))
def test_any_input_gives_finite_numbers_or_a_reason(control, treatment, metric, covariate,
                                                    method, difference) -> None:
    result = compare(control, treatment, metric=metric, covariate=covariate, method=method,
                     difference=difference)
    numbers = (result.effect, result.ci_low, result.ci_high, result.se, result.p_value)
    if result.error is None:
        assert all(isinstance(x, float) and math.isfinite(x) for x in numbers)
        assert 0 <= result.p_value <= 1 and result.ci_low <= result.ci_high
    else:
        assert isinstance(result.error, str) and result.error
        assert numbers == (None,) * 5


# --- many variants and metrics ---------------------------------------------------------------


def test_compare_variants_and_metrics_are_pairwise_compare() -> None:
    rng = random.Random(2)
    arms = [arm_from(random_values(rng, 40, "normal", shift=i / 10)) for i in range(5)]
    assert compare_variants(arms, difference="absolute") == [
        compare(arms[0], arm, difference="absolute") for arm in arms[1:]]
    both = compare_metrics({"a": arms, "b": arms[:2]}, method="sequential")
    assert list(both) == ["a", "b"] and len(both["a"]) == 4 and len(both["b"]) == 1
    assert both["b"][0] == compare(arms[0], arms[1], method="sequential")


def test_compare_variants_bounds_the_work() -> None:
    with pytest.raises(ValueError, match="between 2 and 50 arms"):
        compare_variants([GOOD] * (MAX_VARIANTS + 1))
    with pytest.raises(ValueError, match="between 2 and 50 arms"):
        compare_variants([GOOD])
    with pytest.raises(ValueError, match="at most 200 metrics"):
        compare_metrics({str(i): [GOOD, GOOD] for i in range(201)})


# --- sample-ratio mismatch -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(120))
def test_srm_matches_gbstats(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([2, 2, 3, 5, 10, 50])
    weights = [rng.choice([1, 1, 2, 5]) * rng.uniform(0.5, 1.5) for _ in range(k)]
    total = rng.choice([0, 10, 1000, 100_000])
    share = [w / sum(weights) for w in weights]
    skew = rng.choice([0, 0, 0.01, 0.2])
    observed = [max(0, round(total * s * (1 + rng.uniform(-skew, skew)) + rng.gauss(0, 3)))
                for s in share]
    ours, theirs = srm_p_value(observed, weights), check_srm(observed, weights)
    assert math.isclose(ours, theirs, rel_tol=REL, abs_tol=1e-300), (ours, theirs)
    assert srm_check(observed, weights).failed == (theirs < 0.001)


def test_srm_fails_below_one_in_a_thousand() -> None:
    assert srm_fails(0.000999) and not srm_fails(0.001) and not srm_fails(0.5)
    broken = srm_check([5000, 5400], [50, 50])
    assert broken.failed and broken.p_value < 0.001
    fine = srm_check([5000, 5040], [50, 50])
    assert not fine.failed and fine.p_value > 0.5


def test_srm_zero_weight_arm() -> None:
    assert srm_p_value([500, 480, 0], [50, 50, 0]) == pytest.approx(
        check_srm([500, 480, 0], [50, 50, 0]), rel=REL)
    leaked = srm_check([500, 480, 3], [50, 50, 0])  # gbstats would skip the arm; we do not
    assert leaked.p_value == 0.0 and leaked.failed


@pytest.mark.parametrize(("observed", "weights", "reason"), [
    ([10, 10], [1, 1, 1], "3"),
    ([10], [1], "2 to 50 variants"),
    ([1] * 51, [1] * 51, "2 to 50 variants"),
    ([10, -1], [1, 1], "whole numbers"),
    ([10, 1.5], [1, 1], "whole numbers"),
    ([10, "3"], [1, 1], "whole numbers"),
    ([10, 3], [1, math.nan], "finite numbers"),
    ([10, 3], [1, -1], "finite numbers"),
    ([10, 3], [0, 0], "positive"),
    ("ab", [1, 1], "lists"),
    ([10**400, 1], [1, 1], "too large"),
    ([10, 1], [1e308, 1e308], "too large"),
])
def test_srm_bad_input(observed, weights, reason) -> None:
    result = srm_check(observed, weights)
    assert result.p_value is None and not result.failed and reason in result.error
    with pytest.raises(ValueError, match=reason):
        srm_p_value(observed, weights)


def test_srm_no_users_is_not_a_mismatch() -> None:
    assert srm_p_value([0, 0, 0], [1, 1, 1]) == 1.0 == check_srm([0, 0, 0], [1, 1, 1])


# --- the distributions, against scipy -----------------------------------------------------


@pytest.mark.parametrize("dof", [1, 1.3, 2, 4.5, 11, 30.7, 200, 2500, 1e5, 1e7])
def test_t_distribution_matches_scipy(dof) -> None:
    for t in (0.0, 0.01, 0.7, 1.96, 3.3, 8.0, 30.0):
        assert math.isclose(t_sf(t, dof), scipy_stats.t.sf(t, dof), rel_tol=1e-9)
        assert math.isclose(t_sf(-t, dof), scipy_stats.t.sf(-t, dof), rel_tol=1e-9)
    for q in (0.4, 0.025, 0.005, 0.0005, 1e-8):
        assert math.isclose(t_isf(q, dof), scipy_stats.t.isf(q, dof), rel_tol=1e-9)


@pytest.mark.parametrize("dof", [1, 2, 3, 9, 25, 49])
def test_chi2_matches_scipy(dof) -> None:
    for x in (0.0, 0.01, 1.0, 4.0, 20.0, 75.0, 400.0):
        assert math.isclose(chi2_sf(x, dof), scipy_stats.chi2.sf(x, dof), rel_tol=1e-9,
                            abs_tol=1e-300)


def test_module_is_pure() -> None:
    code = ("import sys; import plangov_app.services.experiments.stats; "
            "bad = {'gbstats', 'scipy', 'numpy', 'reflex', 'sqlalchemy', 'sqlmodel'} "
            "& set(m.split('.')[0] for m in sys.modules); print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_srm_waits_until_every_weighted_arm_expects_five() -> None:
    assert stats.srm_too_few([4, 5], [50, 50])  # 4.5 expected per arm
    assert not stats.srm_too_few([5, 5], [50, 50])
    assert stats.srm_too_few([0, 0], [50, 50])
    assert not stats.srm_too_few([10, 0, 10], [50, 0, 50])  # a zero-weight arm expects none
    assert stats.srm_too_few([90, 9], [95, 5])  # the small arm expects 4.95
