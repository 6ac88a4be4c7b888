"""Experiment statistics from sufficient statistics: pure, stdlib only (DESIGN.md § Experiments).

GrowthBook's engine (``gbstats`` 0.8) is the reference for every number; tests/unit/test_stats.py
checks this module against it. What is computed, for a treatment arm against the control:

* **Frequentist** (``method="frequentist"``): Welch's t-test. Absolute effect ``m_t - m_c`` with
  variance ``v_t/n_t + v_c/n_c``; relative effect ``(m_t - m_c) / m_c`` with the delta-method
  variance ``v_t/(m_c² n_t) + v_c m_t²/(m_c⁴ n_c)``. Welch–Satterthwaite degrees of freedom;
  two-sided p-value and ``1 - alpha`` interval from Student's t (computed here, no scipy).
* **Proportions** (``metric="proportion"``): an arm's sum counts the 1s; variance ``p(1 - p)``
  (as gbstats), then the same path.
* **CUPED** (``covariate="mean" | "proportion"``): regression adjustment on a pre-period
  covariate with one pooled ``theta = cov(post, pre) / var(pre)`` over both arms; the adjusted
  mean is ``post - theta * pre``, the relative effect divides by the *unadjusted* control mean.
  When theta is 0 (no pre-period spread) the test falls back to the unadjusted one, as gbstats.
  ``Comparison.ci_width_unadjusted`` is the width the interval would have without CUPED and
  ``Comparison.ci_narrowing`` the fraction by which CUPED narrowed it (0.3 = 30 % narrower;
  slightly negative when the covariate explains nothing and only costs a degree of freedom).
* **Sequential** (``method="sequential"``): always-valid intervals and p-values, the normal
  mixture of Waudby-Smith et al. (2023, eqs. 9, 155, 161) that GrowthBook uses, with tuning
  parameter ``N* = sequential_tuning``; peeking at any time keeps the error rate.
* **Sample-ratio mismatch**: Pearson χ² of the counts against the weights, 2–50 variants;
  ``p < SRM_THRESHOLD`` (0.001) fails.

Inputs that cannot give a number (n < 2, zero variance, a zero control mean for a relative effect,
missing or non-numeric fields, negative n, non-finite values, unknown options) give a
``Comparison`` whose ``error`` says why in words and whose numbers are None — never NaN and never
an exception. Deliberate differences from gbstats: it also refuses an absolute effect when the
control mean is 0 (we compute it), and an SRM arm with weight 0 that received users is a
mismatch here (p = 0) where gbstats skips it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

METRICS = ("mean", "proportion")
COVARIATES = (None, "mean", "proportion")
METHODS = ("frequentist", "sequential")
DIFFERENCES = ("relative", "absolute")
SRM_THRESHOLD = 0.001
#: the χ² approximation is trusted once every weighted arm expects this many subjects
SRM_MIN_EXPECTED = 5
MAX_VARIANTS = 50
MAX_METRICS = 200
_MAX_ITERATIONS = 100_000
_EPSILON = 1e-16
_TINY = 1e-300


@dataclass(frozen=True, slots=True)
class Comparison:
    """A treatment arm against the control; numbers are None when ``error`` says why.

    ``effect`` is absolute or relative (0.05 = +5 %) as asked; ``se`` its standard error;
    ``ci_low``/``ci_high`` the ``1 - alpha`` interval. With CUPED, ``ci_width_unadjusted`` is the
    interval's width without the adjustment and ``ci_narrowing = 1 - width / ci_width_unadjusted``.
    """

    effect: float | None
    ci_low: float | None
    ci_high: float | None
    se: float | None
    p_value: float | None
    error: str | None = None
    ci_width_unadjusted: float | None = None
    ci_narrowing: float | None = None

    @property
    def ok(self) -> bool:
        """True when the numbers were computed."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class SrmResult:
    """The sample-ratio check: ``p_value`` (None with ``error``) and whether it fails."""

    p_value: float | None
    failed: bool
    error: str | None = None


class _NotComputable(Exception):
    """Internal: carries the reason a comparison has no numbers."""


@dataclass(frozen=True, slots=True)
class _Moments:
    n: float
    sum: float
    sum_squares: float
    proportion: bool

    @property
    def mean(self) -> float:
        return self.sum / self.n

    @property
    def variance(self) -> float:
        if self.proportion:
            return self.mean * (1 - self.mean)
        return (self.sum_squares - self.sum**2 / self.n) / (self.n - 1)


@dataclass(frozen=True, slots=True)
class _Arm:
    n: float
    mean: float
    unadjusted_mean: float
    variance: float


def compare(control: Mapping[str, Any], treatment: Mapping[str, Any], *, metric: str = "mean",
            covariate: str | None = None, method: str = "frequentist",
            difference: str = "relative", alpha: float = 0.05,
            sequential_tuning: float = 5000) -> Comparison:
    """Compare ``treatment`` with ``control`` from their sufficient statistics.

    An arm is ``{"n", "sum", "sum_squares"}`` (a proportion: ``{"n", "sum"}``), plus
    ``"pre_sum", "pre_sum_squares", "sum_product"`` with a covariate (``pre_sum_squares`` may be
    left out for a proportion covariate). Never raises: problems come back in ``error``.
    """
    try:
        _check_options(metric, covariate, method, difference, alpha, sequential_tuning)
        post_c = _moments(control, "control", "", metric == "proportion")
        post_t = _moments(treatment, "treatment", "", metric == "proportion")
        if covariate is None:
            return _compute(_plain(post_c), _plain(post_t), method=method,
                            difference=difference, alpha=alpha, tuning=sequential_tuning)
        pre_c = _moments(control, "control", "pre_", covariate == "proportion", post_c.n)
        pre_t = _moments(treatment, "treatment", "pre_", covariate == "proportion", post_t.n)
        products = (_finite(control, "sum_product", "control"),
                    _finite(treatment, "sum_product", "treatment"))
        return _cuped(post_c, post_t, pre_c, pre_t, products, method=method,
                      difference=difference, alpha=alpha, tuning=sequential_tuning)
    except _NotComputable as reason:
        return Comparison(None, None, None, None, None, error=str(reason))
    except (OverflowError, ZeroDivisionError, ValueError):
        return Comparison(None, None, None, None, None,
                          error="not computable: the numbers are too large or too small to "
                                "compute with floating point")


def compare_variants(arms: Sequence[Mapping[str, Any]], **options: Any) -> list[Comparison]:
    """Every arm after the first (the control) against it, with ``compare``'s options.

    Raises ValueError for fewer than 2 or more than ``MAX_VARIANTS`` arms.
    """
    if not 2 <= len(arms) <= MAX_VARIANTS:
        raise ValueError(f"between 2 and {MAX_VARIANTS} arms are needed, got {len(arms)}")
    return [compare(arms[0], arm, **options) for arm in arms[1:]]


def compare_metrics(metrics: Mapping[str, Sequence[Mapping[str, Any]]],
                    **options: Any) -> dict[str, list[Comparison]]:
    """``compare_variants`` for each metric (name → arms, control first), same options.

    Raises ValueError for more than ``MAX_METRICS`` metrics or a bad arm count.
    """
    if len(metrics) > MAX_METRICS:
        raise ValueError(f"at most {MAX_METRICS} metrics in one call, got {len(metrics)}")
    return {name: compare_variants(arms, **options) for name, arms in metrics.items()}


def _check_options(metric: Any, covariate: Any, method: Any, difference: Any, alpha: Any,
                   tuning: Any) -> None:
    """Unknown option values become a reason, not an exception."""
    for name, value, allowed in (("metric", metric, METRICS), ("covariate", covariate, COVARIATES),
                                 ("method", method, METHODS),
                                 ("difference", difference, DIFFERENCES)):
        if not isinstance(value, str | None) or value not in allowed:
            raise _NotComputable(f"{name} must be one of {', '.join(map(str, allowed))}, "
                                 f"not {value!r}")
    if not _is_number(alpha) or not 0 < alpha < 1:
        raise _NotComputable(f"alpha must be a number between 0 and 1, not {alpha!r}")
    if not _is_number(tuning) or not math.isfinite(tuning) or tuning <= 0:
        raise _NotComputable(f"sequential_tuning must be a positive number, not {tuning!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(arm: Mapping[str, Any], key: str, name: str) -> float:
    """``arm[key]`` as a finite float, or a reason naming the arm and the field."""
    if not isinstance(arm, Mapping):
        raise _NotComputable(f"the {name} arm must be a mapping of sufficient statistics, "
                             f"not {type(arm).__name__}")
    if key not in arm:
        raise _NotComputable(f"the {name} arm is missing {key!r}")
    value = arm[key]
    if not _is_number(value):
        raise _NotComputable(f"the {name} arm's {key!r} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise _NotComputable(f"the {name} arm's {key!r} is not a finite number ({value})")
    return float(value)


def _moments(arm: Mapping[str, Any], name: str, prefix: str, proportion: bool,
             n: float | None = None) -> _Moments:
    """Read and check one arm's n, sum and sum of squares (``prefix`` "pre_" for the covariate)."""
    if n is None:
        n = _finite(arm, "n", name)
        if n < 0 or not n.is_integer():
            raise _NotComputable(f"the {name} arm's n must be a whole number ≥ 0, not {arm['n']}")
        if n < 2:
            raise _NotComputable(f"not computable: the {name} arm has n = {int(n)}; "
                                 "each arm needs at least 2 observations")
    total = _finite(arm, f"{prefix}sum", name)
    what = "the pre-period covariate" if prefix else "the metric"
    if proportion:
        if not 0 <= total <= n:
            raise _NotComputable(f"the {name} arm's {prefix}sum must lie between 0 and n for "
                                 f"a proportion ({what}), got {total:g} with n = {int(n)}")
        return _Moments(n, total, total, proportion=True)
    squares = _finite(arm, f"{prefix}sum_squares", name)
    if squares < 0:
        raise _NotComputable(f"the {name} arm's {prefix}sum_squares cannot be negative")
    return _Moments(n, total, squares, proportion=False)


def _plain(moments: _Moments) -> _Arm:
    return _Arm(moments.n, moments.mean, moments.mean, moments.variance)


def _cuped(post_c: _Moments, post_t: _Moments, pre_c: _Moments, pre_t: _Moments,
           products: tuple[float, float], **options: Any) -> Comparison:
    """Regression-adjusted comparison plus how much narrower than the plain one it is."""
    theta = _theta(post_c, post_t, pre_c, pre_t, products)
    if theta == 0:  # no pre-period signal: gbstats falls back to the plain test
        plain = _compute(_plain(post_c), _plain(post_t), **options)
        return _with_width(plain, plain)
    arm_c = _adjusted(post_c, pre_c, products[0], theta)
    arm_t = _adjusted(post_t, pre_t, products[1], theta)
    adjusted = _compute(arm_c, arm_t, **options, adjusted=True)
    try:
        plain = _compute(_plain(post_c), _plain(post_t), **options)
    except _NotComputable:  # e.g. a constant post metric: only the adjusted test has spread
        return adjusted
    return _with_width(adjusted, plain)


def _with_width(adjusted: Comparison, plain: Comparison) -> Comparison:
    """``adjusted`` plus the plain interval's width and how much narrower ``adjusted`` is."""
    width, width_plain = adjusted.ci_high - adjusted.ci_low, plain.ci_high - plain.ci_low
    return Comparison(adjusted.effect, adjusted.ci_low, adjusted.ci_high, adjusted.se,
                      adjusted.p_value, ci_width_unadjusted=width_plain,
                      ci_narrowing=1 - width / width_plain)


def _covariance(post: _Moments, pre: _Moments, product: float) -> float:
    return (product - post.sum * pre.sum / post.n) / (post.n - 1)


def _theta(post_c: _Moments, post_t: _Moments, pre_c: _Moments, pre_t: _Moments,
           products: tuple[float, float]) -> float:
    """Pooled CUPED coefficient over both arms (gbstats ``compute_theta``)."""
    n = post_c.n + post_t.n
    post = _Moments(n, post_c.sum + post_t.sum, post_c.sum_squares + post_t.sum_squares,
                    post_c.proportion)
    pre = _Moments(n, pre_c.sum + pre_t.sum, pre_c.sum_squares + pre_t.sum_squares,
                   pre_c.proportion)
    if pre.variance == 0 or post.variance == 0:
        return 0.0
    return _covariance(post, pre, products[0] + products[1]) / pre.variance


def _adjusted(post: _Moments, pre: _Moments, product: float, theta: float) -> _Arm:
    variance = (post.variance + theta**2 * pre.variance
                - 2 * theta * _covariance(post, pre, product))
    return _Arm(post.n, post.mean - theta * pre.mean, post.mean, variance)


def _compute(control: _Arm, treatment: _Arm, *, method: str, difference: str, alpha: float,
             tuning: float, adjusted: bool = False) -> Comparison:
    """Effect, its variance and the interval and p-value of the chosen method."""
    relative = difference == "relative"
    if relative and control.unadjusted_mean == 0:
        raise _NotComputable("not computable: the control mean is 0, so a relative effect is "
                             "undefined (ask for the absolute difference)")
    for name, arm in (("control", control), ("treatment", treatment)):
        if arm.variance <= 0:
            detail = ("after the CUPED adjustment" if adjusted
                      else "(every value is the same)")
            raise _NotComputable(f"not computable: the {name} arm has zero variance {detail}; "
                                 "a t-test needs spread in both arms")
    effect, variance = _effect(control, treatment, relative)
    se = math.sqrt(variance)
    if method == "frequentist":
        low, high, p_value = _welch(control, treatment, effect, se, alpha)
    else:
        low, high, p_value = _sequential(control.n + treatment.n, effect, variance, alpha, tuning)
    numbers = (effect, low, high, se, p_value)
    if not all(math.isfinite(x) for x in numbers) or se == 0:
        raise _NotComputable("not computable: the numbers are too large or too small to "
                             "compute with floating point")
    return Comparison(effect, low, high, se, p_value)


def _effect(control: _Arm, treatment: _Arm, relative: bool) -> tuple[float, float]:
    """Point estimate and its variance (delta method for the relative effect)."""
    if relative:
        base, mean_t = control.unadjusted_mean, treatment.unadjusted_mean
        effect = (treatment.mean - control.mean) / base
        variance = (treatment.variance / (base**2 * treatment.n)
                    + control.variance * mean_t**2 / (base**4 * control.n))
        return effect, variance
    return (treatment.mean - control.mean,
            treatment.variance / treatment.n + control.variance / control.n)


def _welch(control: _Arm, treatment: _Arm, effect: float, se: float,
           alpha: float) -> tuple[float, float, float]:
    """Two-sided Welch interval and p-value with Welch–Satterthwaite degrees of freedom."""
    share_c, share_t = control.variance / control.n, treatment.variance / treatment.n
    dof = (share_c + share_t) ** 2 / (share_t**2 / (treatment.n - 1)
                                      + share_c**2 / (control.n - 1))
    p_value = min(1.0, 2 * t_sf(abs(effect) / se, dof))
    half = t_isf(alpha / 2, dof) * se
    return effect - half, effect + half, p_value


def _sequential(n: float, effect: float, variance: float, alpha: float,
                tuning: float) -> tuple[float, float, float]:
    """Always-valid interval and p-value (Waudby-Smith et al. 2023 eqs. 9, 155, 161)."""
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning
    scaled = variance * n
    spread = n * rho2 + 1
    half = math.sqrt(scaled) * math.sqrt(2 * spread * math.log(math.sqrt(spread) / alpha)
                                         / (n * n * rho2))
    statistic = effect**2 * n / variance
    log_evalue = rho2 * statistic / (2 * spread) - 0.5 * math.log(spread)
    p_value = 1.0 if log_evalue <= 0 else math.exp(-log_evalue)
    return effect - half, effect + half, p_value


# --- sample-ratio mismatch ---------------------------------------------------------------


def srm_p_value(observed: list[int], weights: list[float]) -> float:
    """Pearson χ² p-value of ``observed`` counts against ``weights`` (any positive scale).

    2 to ``MAX_VARIANTS`` variants; no users at all gives 1.0. Raises ValueError for bad input
    (use ``srm_check`` for a result that never raises).
    """
    result = srm_check(observed, weights)
    if result.error is not None:
        raise ValueError(result.error)
    return result.p_value


def srm_too_few(observed: list[int], weights: list[float]) -> bool:
    """True while some weighted arm expects fewer than `SRM_MIN_EXPECTED` subjects."""
    total = sum(observed)
    weight_sum = sum(weights)
    if total == 0 or weight_sum <= 0:
        return True
    return any(0 < w / weight_sum * total < SRM_MIN_EXPECTED for w in weights)


def srm_fails(p_value: float) -> bool:
    """True when an SRM p-value means the split is broken (p < 0.001)."""
    return p_value < SRM_THRESHOLD


def srm_check(observed: Sequence[int], weights: Sequence[float]) -> SrmResult:
    """The SRM test as a result: p-value and failed flag, or an error in words."""
    try:
        return _srm(*_srm_inputs(observed, weights))
    except _NotComputable as reason:
        return SrmResult(None, False, str(reason))
    except (OverflowError, ValueError, ZeroDivisionError):
        return SrmResult(None, False,
                         "the counts or weights are too large to compute with floating point")


def _srm(counts: list[int], shares: list[float]) -> SrmResult:
    total = sum(counts)
    if total == 0:
        return SrmResult(1.0, False)
    chi2 = 0.0
    for count, share in zip(counts, shares, strict=True):
        if share == 0:
            if count:  # users in an arm that should get none: a mismatch beyond doubt
                return SrmResult(0.0, True)
            continue
        expected = share * total
        chi2 += (count - expected) ** 2 / expected
    p_value = chi2_sf(chi2, len(counts) - 1)
    return SrmResult(p_value, srm_fails(p_value))


def _srm_inputs(observed: Any, weights: Any) -> tuple[list[int], list[float]]:
    """Check shapes and values; weights normalised to shares."""
    if not all(isinstance(x, Sequence) and not isinstance(x, str) for x in (observed, weights)):
        raise _NotComputable("observed and weights must be lists")
    if len(observed) != len(weights):
        raise _NotComputable(f"observed has {len(observed)} counts but weights has "
                             f"{len(weights)}")
    if not 2 <= len(observed) <= MAX_VARIANTS:
        raise _NotComputable(f"the SRM check needs 2 to {MAX_VARIANTS} variants, got "
                             f"{len(observed)}")
    for count in observed:
        if not _is_number(count) or not math.isfinite(count) or count < 0 \
                or not float(count).is_integer():
            raise _NotComputable(f"observed counts must be whole numbers ≥ 0, not {count!r}")
    for weight in weights:
        if not _is_number(weight) or not math.isfinite(weight) or weight < 0:
            raise _NotComputable(f"weights must be finite numbers ≥ 0, not {weight!r}")
    total_weight = math.fsum(weights)
    if total_weight <= 0:
        raise _NotComputable("at least one weight must be positive")
    return [int(c) for c in observed], [w / total_weight for w in weights]


# --- distributions (stdlib only) -----------------------------------------------------------


def t_sf(t: float, dof: float) -> float:
    """P(T > t) for Student's t with ``dof`` (> 0, not necessarily whole) degrees of freedom."""
    if t < 0:
        return 1 - t_sf(-t, dof)
    if t == 0:
        return 0.5
    t2 = t * t
    if math.isinf(t2):
        return 0.0
    a = dof / 2
    # I_x(dof/2, ½) with x = dof / (dof + t²) and y = 1 - x, each computed without cancellation
    x, y = dof / (dof + t2), t2 / (dof + t2)
    log_x, log_y = -math.log1p(t2 / dof), math.log(y)
    if x < (a + 1) / (a + 2.5):
        return 0.5 * _beta_cf_regularized(a, 0.5, x, log_x, log_y)
    return 0.5 * (1 - _beta_cf_regularized(0.5, a, y, log_y, log_x))


def t_isf(q: float, dof: float) -> float:
    """The t with P(T > t) = q, for 0 < q ≤ 0.5.

    Starts from the Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5), then Newton's
    method, falling back to doubling / bisection when a step leaves the bracket seen so far.
    """
    if not 0 < q <= 0.5:
        raise ValueError("q must be in (0, 0.5]")
    if q == 0.5:
        return 0.0
    guess = _cornish_fisher(NormalDist().inv_cdf(1 - q), dof)
    low, high = 0.0, math.inf
    for _ in range(200):
        gap = t_sf(guess, dof) - q
        if gap == 0:
            return guess
        if gap > 0:
            low = guess
        else:
            high = guess
        candidate = guess + gap / _t_pdf(guess, dof)
        if not low < candidate < high:
            candidate = 2 * low + 1 if math.isinf(high) else (low + high) / 2
        if abs(candidate - guess) <= 1e-12 * abs(guess):  # quadratic: next error ~1e-24
            return candidate
        guess = candidate
    return guess


def _cornish_fisher(z: float, dof: float) -> float:
    """Student-t quantile from the normal one, z, to order dof⁻⁴ (good for dof ≳ 10)."""
    z2 = z * z
    terms = (z * (z2 + 1) / 4,
             z * ((5 * z2 + 16) * z2 + 3) / 96,
             z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384,
             z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160)
    guess = z + sum(term / dof ** (i + 1) for i, term in enumerate(terms))
    return guess if math.isfinite(guess) and guess > 0 else z


def _t_pdf(t: float, dof: float) -> float:
    log_density = (_log_gamma_half_ratio(dof / 2) - 0.5 * math.log(dof * math.pi)
                   - (dof + 1) / 2 * math.log1p(t * t / dof))
    return math.exp(log_density)


def _log_gamma_half_ratio(a: float) -> float:
    """The log ratio ln Γ(a + ½) − ln Γ(a), accurate also for large a (asymptotic series)."""
    if a < 1000:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    return 0.5 * math.log(a) - 1 / (8 * a) + 1 / (192 * a**3)


def _beta_cf_regularized(a: float, b: float, x: float, log_x: float, log_y: float) -> float:
    """I_x(a, b) by its continued fraction (fast for x < (a + 1) / (a + b + 2)), b or a = ½."""
    log_beta = 0.5 * math.log(math.pi) - _log_gamma_half_ratio(a if b == 0.5 else b)
    front = math.exp(a * log_x + b * log_y - log_beta) / a
    return front * _beta_continued_fraction(a, b, x)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Modified Lentz evaluation of the incomplete-beta continued fraction (NR 6.4)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, _MAX_ITERATIONS):
        m2 = 2 * m
        even = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + even * d
        d = 1 / (d if abs(d) > _TINY else _TINY)
        c = 1 + even / c
        c = c if abs(c) > _TINY else _TINY
        result *= c * d
        odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + odd * d
        d = 1 / (d if abs(d) > _TINY else _TINY)
        c = 1 + odd / c
        c = c if abs(c) > _TINY else _TINY
        delta = c * d
        result *= delta
        if -_EPSILON < delta - 1 < _EPSILON:
            return result
    raise _NotComputable("not computable: the t distribution did not converge for "
                         f"{2 * max(a, b):.3g} degrees of freedom")


def chi2_sf(x: float, dof: int) -> float:
    """P(X > x) for χ² with ``dof`` degrees of freedom (regularized upper incomplete gamma)."""
    if x <= 0:
        return 1.0
    a, half_x = dof / 2, x / 2
    log_front = -half_x + a * math.log(half_x) - math.lgamma(a)
    if half_x < a + 1:  # series for P, then Q = 1 - P
        term = total = 1 / a
        k = a
        for _ in range(_MAX_ITERATIONS):
            k += 1
            term *= half_x / k
            total += term
            if abs(term) < abs(total) * _EPSILON:
                break
        return max(0.0, 1 - total * math.exp(log_front))
    b = half_x + 1 - a  # continued fraction for Q (modified Lentz)
    c, d = 1 / _TINY, 1 / b
    result = d
    for i in range(1, _MAX_ITERATIONS):
        numerator = -i * (i - a)
        b += 2
        d = numerator * d + b
        d = 1 / (d if abs(d) > _TINY else _TINY)
        c = b + numerator / c
        c = c if abs(c) > _TINY else _TINY
        delta = c * d
        result *= delta
        if abs(delta - 1) < _EPSILON:
            break
    return math.exp(log_front) * result
