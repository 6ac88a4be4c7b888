"""Assignment and flag-config latency over real HTTP (the API served by granian).

    python benchmarks/experiments_api.py [--athletes 400]

On a database with the demo people plus `--athletes` synthetic consenting athletes, a
running stratified experiment (sport × level, 10 % holdout):

* first assignment: `POST /api/v1/assignments` once per athlete (decided, stored, audited);
* sticky: the same requests again (read back, nothing written);
* `GET /api/v1/flags/config` with a matching `If-None-Match` (the 304 path).

Requests are sequential from one client, so the figures are per-request latency, not
contention (benchmarks/contention.py measures that). Prints and writes
benchmarks/results/experiments_api.json; PostgreSQL too when PLANGOV_BENCH_POSTGRES_URL
(or PLANGOV_TEST_POSTGRES_URL) is set — its public schema is dropped and recreated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLANGOV_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijklmnop")

from benchmarks.common import api_server, percentiles, write_result
from benchmarks.plan_api import prepare
from db.models import AthleteProfile, User
from db.session import make_engine, unit_of_work
from plangov_app.demo import DEMO_PASSWORD
from plangov_app.demo.accounts import LEVELS, SPORTS

EXPERIMENT = {
    "key": "bench-assignments", "name": "Assignment benchmark",
    "randomization": "stratified_blocks", "stratification_keys": ["sport", "level"],
    "holdout_percentage": 10,
    "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                 {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
}


def add_athletes(url: str, count: int) -> list[str]:
    """`count` consenting synthetic athletes (no sign-in: the password hash is unusable)."""
    engine = make_engine(url)
    ids = [f"bench-athlete-{n:05d}" for n in range(count)]
    with unit_of_work(engine) as session:
        for n, user_id in enumerate(ids):
            session.add(User(id=user_id, email=f"{user_id}@example.invalid",
                             display_name=f"Athlete {n:05d}", role="athlete",
                             password_hash="!"))
        session.flush()
        for n, user_id in enumerate(ids):
            session.add(AthleteProfile(user_id=user_id, sport=SPORTS[n % len(SPORTS)],
                                       level=LEVELS[n // len(SPORTS) % len(LEVELS)],
                                       experiment_consent=True))
    engine.dispose()
    return ids


def _timed(send: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = send()
    return (time.perf_counter() - started) * 1000, response


def _series(client: httpx.Client, ids: list[str], headers: dict) -> dict:
    samples = []
    for subject in ids:
        elapsed, response = _timed(lambda s=subject: client.post(
            "/api/v1/assignments", headers=headers,
            json={"experiment_key": EXPERIMENT["key"], "subject_id": s}))
        response.raise_for_status()
        samples.append(elapsed)
    return percentiles(samples)


def bench(url: str, athletes: int) -> dict:
    """All three series on one database."""
    prepare(url)
    ids = add_athletes(url, athletes)
    with api_server(url) as base, httpx.Client(base_url=base, timeout=60) as client:
        token = client.post("/api/v1/auth/token", data={
            "username": "ds@demo.test", "password": DEMO_PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        created = client.post("/api/v1/experiments", headers=headers, json=EXPERIMENT)
        created.raise_for_status()
        client.post(f"/api/v1/experiments/{created.json()['id']}/status", headers=headers,
                    json={"status": "running"}).raise_for_status()
        first = _series(client, ids, headers)
        sticky = _series(client, ids, headers)
        etag = client.get("/api/v1/flags/config", headers=headers).headers["ETag"]
        samples = []
        for _ in range(len(ids)):
            elapsed, response = _timed(lambda: client.get(
                "/api/v1/flags/config", headers={**headers, "If-None-Match": etag}))
            assert response.status_code == 304, response.status_code
            samples.append(elapsed)
    return {"first_assignment": first, "sticky_assignment": sticky,
            "flags_config_304": percentiles(samples)}


def main() -> None:
    """Run on SQLite (and PostgreSQL when configured); print and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=400)
    args = parser.parse_args()
    databases = {"sqlite": f"sqlite:///{tempfile.mkdtemp(prefix='plangov-bench-')}/bench.db"}
    postgres = os.environ.get("PLANGOV_BENCH_POSTGRES_URL") or os.environ.get(
        "PLANGOV_TEST_POSTGRES_URL")
    if postgres:
        databases["postgresql"] = postgres
    payload: dict = {"athletes": args.athletes, "server": "granian", "results": {}}
    for name, url in databases.items():
        payload["results"][name] = result = bench(url, args.athletes)
        for series, figures in result.items():
            print(f"{name:10} {series:18} p50 {figures['p50_ms']:7.2f} ms  "
                  f"p95 {figures['p95_ms']:7.2f} ms  (n={figures['n']})")
    print(f"wrote {write_result('experiments_api', payload)}")


if __name__ == "__main__":
    main()
