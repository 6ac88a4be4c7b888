"""Write contention: concurrent writers against the real server on a loopback port.

    python benchmarks/contention.py [--writers 50] [--rounds 3]

Three scenarios, each with `--writers` clients released at once, `--rounds` times:
50 PATCHes of one plan's head (one should win, the rest get 409), 50 PATCHes of 50
different plans (all should succeed), and 50 comments on one plan. Prints and writes
benchmarks/results/contention.json: status counts (no 5xx expected; 503 would carry
Retry-After), latency percentiles and throughput per database. PostgreSQL is measured too
when PLANGOV_BENCH_POSTGRES_URL (or PLANGOV_TEST_POSTGRES_URL) is set; its public schema
is dropped and recreated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLANGOV_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijklmnop")

from benchmarks.common import api_server, percentiles, write_result
from benchmarks.plan_api import prepare
from plangov_app.demo import DEMO_PASSWORD, demo_id

NOTES = "/weeks/0/sessions/0/notes"


def _token(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token",
                           data={"username": email, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _plan(client: httpx.Client, headers: dict, athlete: str) -> dict:
    response = client.post("/api/v1/plans", headers=headers, json={
        "athlete_id": demo_id(athlete), "start_date": "2027-01-04", "weeks": 16})
    response.raise_for_status()
    return response.json()


def _burst(base: str, writers: int, request: Callable[[httpx.Client, int], httpx.Response]
           ) -> tuple[Counter, list[float], float]:
    """`writers` clients released together; status counts, latencies (ms), wall time (s)."""
    gate = threading.Barrier(writers + 1)
    latencies: list[float] = []

    def run(index: int) -> int:
        with httpx.Client(base_url=base, timeout=120) as client:
            gate.wait()
            started = time.perf_counter()
            response = request(client, index)
            latencies.append((time.perf_counter() - started) * 1000)
            return response.status_code

    with ThreadPoolExecutor(max_workers=writers) as pool:
        futures = [pool.submit(run, i) for i in range(writers)]
        gate.wait()
        began = time.perf_counter()
        codes = Counter(f.result() for f in futures)
        wall = time.perf_counter() - began
    return codes, latencies, wall


def _edit(plan_id: str, base_version: str, headers: dict, note: str
          ) -> Callable[[httpx.Client], httpx.Response]:
    body = {"operations": [{"op": "replace", "path": NOTES, "value": note}],
            "reason_codes": ["fatigue"]}
    return lambda client: client.patch(f"/api/v1/plans/{plan_id}/versions/{base_version}",
                                       headers=headers, json=body)


def _scenarios(client: httpx.Client, writers: int) -> dict[str, Callable]:
    coach = _token(client, "coach1@demo.test")
    athlete = _token(client, "athlete1@demo.test")
    one = _plan(client, coach, "athlete1@demo.test")
    many = [_plan(client, coach, f"athlete{1 + i % 12}@demo.test") for i in range(writers)]
    return {
        "same_plan_patch": lambda c, i: _edit(one["id"], one["active_version_id"], coach,
                                              f"n{i}-{time.monotonic()}")(c),
        "different_plans_patch": lambda c, i: _edit(many[i]["id"],
                                                    many[i]["active_version_id"], coach,
                                                    f"n{i}")(c),
        "comments": lambda c, i: c.post(f"/api/v1/plans/{one['id']}/comments",
                                        headers=athlete, json={"message": f"question {i}"}),
    }


def bench(url: str, writers: int, rounds: int) -> dict:
    """Every scenario `rounds` times on the database at `url`."""
    results: dict[str, dict] = {}
    for round_number in range(rounds):
        prepare(url)
        with api_server(url) as base, httpx.Client(base_url=base, timeout=120) as client:
            for name, request in _scenarios(client, writers).items():
                codes, latencies, wall = _burst(base, writers, request)
                entry = results.setdefault(name, {"status": Counter(), "latencies": [],
                                                  "wall_s": []})
                entry["status"].update(codes)
                entry["latencies"].extend(latencies)
                entry["wall_s"].append(wall)
                print(f"  round {round_number + 1} {name}: {dict(codes)} in {wall:.2f} s")
    return {name: {"writers": writers, "rounds": rounds,
                   "status": {str(k): v for k, v in sorted(e["status"].items())},
                   "server_errors": sum(v for k, v in e["status"].items() if k >= 500),
                   "latency": percentiles(e["latencies"]),
                   "throughput_per_s": round(writers * rounds / sum(e["wall_s"]), 1)}
            for name, e in results.items()}


def main() -> None:
    """Run the scenarios on SQLite (and PostgreSQL when configured); write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    databases = {"sqlite": f"sqlite:///{tempfile.mkdtemp(prefix='plangov-bench-')}/b.db"}
    postgres = os.environ.get("PLANGOV_BENCH_POSTGRES_URL") or os.environ.get(
        "PLANGOV_TEST_POSTGRES_URL")
    if postgres:
        databases["postgresql"] = postgres
    payload: dict = {"writers": args.writers, "rounds": args.rounds, "results": {}}
    for name, url in databases.items():
        print(f"{name}:")
        payload["results"][name] = bench(url, args.writers, args.rounds)
    for name, scenarios in payload["results"].items():
        for scenario, entry in scenarios.items():
            print(f"{name:10} {scenario:22} status {entry['status']} "
                  f"p50 {entry['latency']['p50_ms']} ms p95 {entry['latency']['p95_ms']} ms "
                  f"{entry['throughput_per_s']}/s")
    print(f"wrote {write_result('contention', payload)}")


if __name__ == "__main__":
    main()
