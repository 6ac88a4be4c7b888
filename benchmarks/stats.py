"""The statistics engine over 50 variants × 20 metrics in one call, beside gbstats.

    python benchmarks/stats.py [--repeats 30] [--n 2000]

One `compare_metrics` call compares 49 treatment arms with the control for each of 20 metrics
(980 comparisons), for four configurations: frequentist, frequentist + CUPED, sequential,
sequential + CUPED (relative effects, the results page's default); plus one 50-variant SRM
check. Latency percentiles over `--repeats` calls, throughput in comparisons per second, and
peak memory of one call (tracemalloc, measured in a separate untimed call). When gbstats is
installed (dev extra), the same 980 comparisons through its classes are timed once per
configuration for scale. Writes benchmarks/results/stats.json (key "engine"; the experiment
preview benchmark of issue 13 is separate).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import percentiles, write_result
from plangov_app.services.experiments.stats import compare_metrics, srm_check

VARIANTS, METRICS = 50, 20
CONFIGURATIONS = {
    "frequentist": {"method": "frequentist"},
    "frequentist_cuped": {"method": "frequentist", "covariate": "mean"},
    "sequential": {"method": "sequential"},
    "sequential_cuped": {"method": "sequential", "covariate": "mean"},
}


def _arm(rng: random.Random, n: int, lift: float) -> dict:
    """Sufficient statistics of n correlated (pre, post) pairs, built without storing them."""
    total = squares = pre_total = pre_squares = products = 0.0
    for _ in range(n):
        pre = rng.gauss(40, 8)
        post = 0.8 * pre + 10 + lift + rng.gauss(0, 5)
        total, squares = total + post, squares + post * post
        pre_total, pre_squares = pre_total + pre, pre_squares + pre * pre
        products += post * pre
    return {"n": n, "sum": total, "sum_squares": squares, "pre_sum": pre_total,
            "pre_sum_squares": pre_squares, "sum_product": products}


def _metrics(n: int) -> dict[str, list[dict]]:
    rng = random.Random(13)
    return {f"metric_{m}": [_arm(rng, n + rng.randint(-n // 10, n // 10), 0.05 * v)
                            for v in range(VARIANTS)] for m in range(METRICS)}


def _time_engine(metrics: dict, options: dict, repeats: int) -> dict:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        results = compare_metrics(metrics, **options)
        samples.append((time.perf_counter() - start) * 1000)
    errors = sum(1 for row in results.values() for c in row if c.error)
    tracemalloc.start()
    compare_metrics(metrics, **options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    comparisons = METRICS * (VARIANTS - 1)
    latency = percentiles(samples)
    return {"comparisons_per_call": comparisons, "latency": latency,
            "comparisons_per_second": round(comparisons / (latency["p50_ms"] / 1000)),
            "peak_memory_kib": round(peak / 1024, 1), "errors": errors}


def _time_gbstats(metrics: dict, options: dict) -> float | None:
    """Milliseconds for the same comparisons through gbstats's classes (None if missing)."""
    try:
        from gbstats.frequentist.tests import SequentialTwoSidedTTest, TwoSidedTTest
        from gbstats.models.statistics import RegressionAdjustedStatistic, SampleMeanStatistic
    except ImportError:
        return None

    def statistic(arm: dict):
        post = SampleMeanStatistic(n=arm["n"], sum=arm["sum"], sum_squares=arm["sum_squares"])
        if "covariate" not in options:
            return post
        pre = SampleMeanStatistic(n=arm["n"], sum=arm["pre_sum"],
                                  sum_squares=arm["pre_sum_squares"])
        return RegressionAdjustedStatistic(n=arm["n"], post_statistic=post, pre_statistic=pre,
                                           post_pre_sum_of_products=arm["sum_product"], theta=0)

    test = TwoSidedTTest if options["method"] == "frequentist" else SequentialTwoSidedTTest
    start = time.perf_counter()
    for arms in metrics.values():
        for arm in arms[1:]:
            test(statistic(arms[0]), statistic(arm)).compute_result()
    return round((time.perf_counter() - start) * 1000, 2)


def _time_srm(repeats: int) -> dict:
    rng = random.Random(5)
    observed = [rng.randint(9_500, 10_500) for _ in range(VARIANTS)]
    weights = [1.0] * VARIANTS
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        srm_check(observed, weights)
        samples.append((time.perf_counter() - start) * 1000)
    return {"variants": VARIANTS, "latency": percentiles(samples)}


def main() -> None:
    """Time each configuration, print, write JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--n", type=int, default=2000, help="users per arm (±10 %)")
    args = parser.parse_args()
    metrics = _metrics(args.n)
    engine: dict = {"variants": VARIANTS, "metrics": METRICS, "users_per_arm": args.n,
                    "repeats": args.repeats, "configurations": {}}
    for name, options in CONFIGURATIONS.items():
        row = _time_engine(metrics, options, args.repeats)
        row["gbstats_ms_same_comparisons"] = _time_gbstats(metrics, options)
        engine["configurations"][name] = row
        print(f"{name:18} p50 {row['latency']['p50_ms']:7.2f} ms  p95 "
              f"{row['latency']['p95_ms']:7.2f} ms  {row['comparisons_per_second']:>7} "
              f"comparisons/s  peak {row['peak_memory_kib']} KiB  "
              f"(gbstats {row['gbstats_ms_same_comparisons']} ms)")
    engine["srm"] = _time_srm(args.repeats * 10)
    try:
        engine["gbstats_version"] = importlib.metadata.version("gbstats")
    except importlib.metadata.PackageNotFoundError:
        engine["gbstats_version"] = None
    path = write_result("stats", {"engine": engine})
    print(f"srm over {VARIANTS} variants p50 {engine['srm']['latency']['p50_ms']} ms; "
          f"wrote {path}")


if __name__ == "__main__":
    main()
