"""One in-process assignment decision, beside GrowthBook's Python SDK, same run.

    python benchmarks/assignment.py [--ids 100000] [--repeats 5]

Both decide the same 3-arm experiment (34/33/33) for the same ids, config already loaded:
ours is `assign(compiled, subject_id, attributes)`, GrowthBook's is
`gb.set_attributes({"id": subject_id}); gb.run(experiment)` on one GrowthBook instance
(the cheapest way its SDK evaluates a new subject). The best of `--repeats` passes is
kept for each. Writes benchmarks/results/assignment.json.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import write_result
from plangov_app.services.experiments.assignment import assign, compile_config

CONFIG = {
    "key": "bench-three-arm", "status": "running", "randomization": "hash",
    "variants": [
        {"key": "a", "weight": 34, "algorithm_version": "lp-1.0"},
        {"key": "b", "weight": 33, "algorithm_version": "dup-1.0"},
        {"key": "c", "weight": 33, "algorithm_version": "lp-1.0"},
    ],
}


def _ours(ids: list[str]) -> float:
    compiled = compile_config(CONFIG)
    attributes = {"experiment_consent": True}
    start = time.perf_counter()
    for sid in ids:
        assign(compiled, sid, attributes)
    return time.perf_counter() - start


def _growthbook(ids: list[str]) -> float:
    from growthbook import Experiment, GrowthBook

    experiment = Experiment(key="bench-three-arm", variations=["a", "b", "c"],
                            weights=[0.34, 0.33, 0.33])
    gb = GrowthBook(attributes={})
    start = time.perf_counter()
    for sid in ids:
        gb.set_attributes({"id": sid})
        gb.run(experiment)
    elapsed = time.perf_counter() - start
    gb.destroy()
    return elapsed


def main() -> None:
    """Time both, print, write JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--ids", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ids = [f"athlete-{i}" for i in range(args.ids)]
    ours = min(_ours(ids) for _ in range(args.repeats))
    theirs = min(_growthbook(ids) for _ in range(args.repeats))
    ours_us, theirs_us = ours / len(ids) * 1e6, theirs / len(ids) * 1e6
    payload = {
        "ids": len(ids), "repeats": args.repeats,
        "plangov_us_per_decision": round(ours_us, 3),
        "growthbook_us_per_decision": round(theirs_us, 3),
        "speedup": round(theirs_us / ours_us, 1),
        "growthbook_version": importlib.metadata.version("growthbook"),
        "targets": {"max_us_per_decision": 1.5, "min_speedup": 7},
    }
    payload["meets_targets"] = ours_us <= 1.5 and theirs_us / ours_us >= 7
    path = write_result("assignment", payload)
    print(f"plangov {ours_us:.3f} µs/decision, growthbook {theirs_us:.3f} µs/decision, "
          f"{payload['speedup']}x; wrote {path}")


if __name__ == "__main__":
    main()
