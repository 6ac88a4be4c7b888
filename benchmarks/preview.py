"""The allocation preview over a synthetic cohort (issue 13: under 500 ms for 10,000).

    python benchmarks/preview.py [--athletes 10000] [--repeats 20]

Builds a SQLite database with the demo people plus `plangov demo cohort N --no-plans`
(the same pseudonymous athletes, profiles and consent spread, without plans: the preview
reads only the population), then times `preview.preview` for a draft experiment in
`stratified_blocks` mode by sport × level with a 10 % holdout and an eligibility rule —
what the control plane's form recomputes on every change — and the same in `hash` mode.
Prints and writes benchmarks/results/preview.json (latency percentiles, peak memory).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLANGOV_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijklmnop")

from benchmarks.common import percentiles, write_result
from benchmarks.plan_api import prepare
from db.session import make_engine, read_session
from plangov_app.demo import cohort, demo_id
from plangov_app.services.experiments import preview
from plangov_app.services.rbac import load_actor

CONFIG = {
    "key": "preview-bench", "name": "Preview benchmark", "randomization": "stratified_blocks",
    "stratification_keys": ["sport", "level"], "holdout_percentage": 10,
    "eligibility": {"sports": ["running", "cycling", "rowing", "triathlon", "swimming"]},
    "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                 {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
}


def _time(engine: Engine, config: dict, repeats: int) -> tuple[dict, preview.Preview]:
    samples, result = [], None
    with read_session(engine) as session:
        actor = load_actor(session, demo_id("ds@demo.test"))
    for _ in range(repeats):
        with read_session(engine) as session:
            started = time.perf_counter()
            result = preview.preview(session, actor=actor, config=config)
            samples.append((time.perf_counter() - started) * 1000)
    assert result is not None
    return percentiles(samples), result


def main() -> None:
    """Build the cohort, time the preview, print and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='plangov-bench-')}/preview.db"
    os.environ["DATABASE_URL"] = url
    prepare(url)
    engine = make_engine(url)
    began = time.perf_counter()
    cohort.add_cohort(args.athletes, engine=engine, with_plans=False, batch_size=1000)
    built = time.perf_counter() - began
    payload: dict = {"athletes": args.athletes, "cohort_build_s": round(built, 1), "results": {}}
    for mode in ("stratified_blocks", "hash"):
        figures, result = _time(engine, {**CONFIG, "randomization": mode}, args.repeats)
        tracemalloc.start()
        with read_session(engine) as session:
            preview.preview(session, actor=load_actor(session, demo_id("ds@demo.test")),
                            config={**CONFIG, "randomization": mode})
        figures["peak_memory_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
        tracemalloc.stop()
        figures.update(population=result.population, strata=len(result.strata),
                       enrolled=sum(result.totals.values()), holdout=result.holdout)
        payload["results"][mode] = figures
        print(f"{mode:18} p50 {figures['p50_ms']:8.2f} ms  p95 {figures['p95_ms']:8.2f} ms  "
              f"population {result.population}, {len(result.strata)} strata, "
              f"peak {figures['peak_memory_mb']} MB")
    engine.dispose()
    print(f"wrote {write_result('preview', payload)}")


if __name__ == "__main__":
    main()
