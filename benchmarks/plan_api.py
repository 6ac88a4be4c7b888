"""Plan API benchmark: PATCH latency and throughput, diff + summary time, changelog CSV export.

    python benchmarks/plan_api.py [--patches 200] [--changelog-rows 1000000] [--quick]
    python benchmarks/plan_api.py --in-process [--saves 60] [--rounds 3] [--breakdown]

Writes benchmarks/results/plan_api.json and prints a summary. PostgreSQL is measured
too when PLANGOV_BENCH_POSTGRES_URL (or PLANGOV_TEST_POSTGRES_URL) is set; its public
schema is dropped and recreated.

`--in-process` measures only the save path: PATCHes through the real API application
in this process (FastAPI's TestClient: routing, middleware, unit of work, the answer),
so no server or socket noise; each round is a fresh SQLite database and fresh plans.
It writes benchmarks/results/plan_api_in_process.json. `--breakdown` adds the time of
each step of the save, summed over all saves (where the time goes).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PLANGOV_SECRET_KEY", "benchmark-secret-key-0123456789-abcdefghijklmnop")

from benchmarks.common import api_server, percentiles, write_result
from db.migrate import upgrade
from db.session import make_engine, read_session, unit_of_work
from plangov_app import demo
from plangov_app.services import changelog, diffing
from plangov_app.services.generation import GenerationInput, generate
from plangov_app.services.plan_document import dump_document, parse_document

SIZES = (4, 16, 52)


def prepare(url: str) -> None:
    """Migrate and seed demo people into an empty database."""
    if url.startswith("postgresql"):
        from sqlalchemy import text

        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        demo.seed(session, with_plans=False)
    engine.dispose()


def _coach_headers(client: Any) -> dict[str, str]:
    """Bearer headers of coach1, signed in through the API."""
    token = client.post("/api/v1/auth/token", data={
        "username": "coach1@demo.test", "password": demo.DEMO_PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _new_plan(client: Any, headers: dict[str, str], weeks: int) -> dict[str, Any]:
    """A generated plan of athlete2 with `weeks` weeks."""
    return client.post("/api/v1/plans", headers=headers, json={
        "athlete_id": demo.demo_id("athlete2@demo.test"), "start_date": "2027-01-04",
        "weeks": weeks}).json()


def bench_patch(url: str, patches: int) -> dict:
    """Sequential PATCHes over real HTTP for each plan size."""
    prepare(url)
    results = {}
    with api_server(url) as base, httpx.Client(base_url=base, timeout=30) as client:
        headers = _coach_headers(client)
        for weeks in SIZES:
            plan = _new_plan(client, headers, weeks)
            head = plan["active_version_id"]
            samples = []
            started = time.perf_counter()
            for n in range(patches):
                body = {"operations": [{"op": "replace",
                                        "path": "/weeks/0/sessions/0/items/0/notes",
                                        "value": f"edit {n}"}],
                        "reason_codes": ["other"], "rationale": "benchmark"}
                t0 = time.perf_counter()
                response = client.patch(f"/api/v1/plans/{plan['id']}/versions/{head}",
                                        json=body, headers=headers)
                samples.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"PATCH failed: {response.status_code} {response.text}")
                head = response.json()["id"]
            elapsed = time.perf_counter() - started
            results[f"{weeks}_weeks"] = {**percentiles(samples),
                                         "throughput_per_s": round(patches / elapsed, 1),
                                         "document_bytes": len(json.dumps(plan))}
            print(f"  PATCH {weeks:>2}-week plan: p50 {results[f'{weeks}_weeks']['p50_ms']} ms, "
                  f"p95 {results[f'{weeks}_weeks']['p95_ms']} ms, "
                  f"{results[f'{weeks}_weeks']['throughput_per_s']}/s")
    return results


def _in_process_round(url: str, saves: int, breakdown: dict[str, list[float]] | None
                      ) -> dict[int, tuple[list[float], list[float]]]:
    """One fresh database; `saves` sequential PATCHes per plan size, timed in-process."""
    from fastapi.testclient import TestClient

    from db.session import get_engine
    from plangov_app.api import create_api
    from plangov_app.settings import get_settings

    prepare(url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    get_engine.cache_clear()
    samples: dict[int, tuple[list[float], list[float]]] = {}
    try:
        with TestClient(create_api()) as client:
            headers = _coach_headers(client)
            for weeks in SIZES:
                plan = _new_plan(client, headers, weeks)
                samples[weeks] = _timed_saves(client, headers, plan, saves, breakdown
                                              if weeks == 52 else None)
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
    return samples


def _timed_saves(client: object, headers: dict[str, str], plan: dict, saves: int,
                 breakdown: dict[str, list[float]] | None) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU milliseconds of each save (CPU: less noise on a busy box)."""
    head, samples, cpu = plan["active_version_id"], [], []
    for n in range(saves):
        body = {"operations": [{"op": "replace", "path": "/weeks/0/sessions/0/items/0/notes",
                                "value": f"edit {n}"}],
                "reason_codes": ["other"], "rationale": "benchmark"}
        with _step_timer(breakdown):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.patch(f"/api/v1/plans/{plan['id']}/versions/{head}",  # type: ignore[attr-defined]
                                    json=body, headers=headers)
            samples.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"PATCH failed: {response.status_code} {response.text}")
        head = response.json()["id"]
    return samples, cpu


class _step_timer:  # noqa: N801 - used as a context manager
    """Adds the time spent in each SQL statement kind and commit to `breakdown`."""

    def __init__(self, breakdown: dict[str, list[float]] | None) -> None:
        self.breakdown = breakdown

    def __enter__(self) -> None:
        if self.breakdown is not None:
            _SQL_TIMES.clear()
            _SQL_TIMES["_active"] = [0.0]

    def __exit__(self, *exc: object) -> None:
        if self.breakdown is not None:
            _SQL_TIMES.pop("_active", None)
            for key, values in _SQL_TIMES.items():
                self.breakdown.setdefault(key, []).append(sum(values))
            _SQL_TIMES.clear()


_SQL_TIMES: dict[str, list[float]] = {}


def _install_sql_timing() -> None:
    """Time every statement (by its first words) while a `_step_timer` is active."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info.setdefault("_t0", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        started = conn.info["_t0"].pop()
        if "_active" in _SQL_TIMES:
            words = statement.split()
            key = "sql " + " ".join(words[:3 if words[0] in ("INSERT", "DELETE") else 1])
            if words[0] in ("SELECT", "UPDATE"):
                table = next((w for i, w in enumerate(words) if i and words[i - 1] in
                              ("FROM", "UPDATE")), "")
                key = f"sql {words[0]} {table}"
            _SQL_TIMES.setdefault(key, []).append((time.perf_counter() - started) * 1000)


def bench_patch_in_process(saves: int, rounds: int, breakdown: bool) -> dict:
    """The save path alone: `saves` PATCHes per size and round, through the app in-process."""
    if breakdown:
        _install_sql_timing()
    collected: dict[int, list[float]] = {weeks: [] for weeks in SIZES}
    cpu: dict[int, list[float]] = {weeks: [] for weeks in SIZES}
    per_round: dict[int, list[dict]] = {weeks: [] for weeks in SIZES}
    steps: dict[str, list[float]] | None = {} if breakdown else None
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            for weeks, (samples, cpu_ms) in _in_process_round(f"sqlite:///{tmp}/bench.db",
                                                              saves, steps).items():
                collected[weeks].extend(samples)
                cpu[weeks].extend(cpu_ms)
                per_round[weeks].append(percentiles(samples))
    results: dict = {}
    for weeks in SIZES:
        cpu_percentiles = percentiles(cpu[weeks])
        results[f"{weeks}_weeks"] = {**percentiles(collected[weeks]), "rounds": [
            {k: r[k] for k in ("p50_ms", "p95_ms", "max_ms")} for r in per_round[weeks]],
            "cpu": {k: cpu_percentiles[k] for k in ("p50_ms", "p95_ms", "max_ms")}}
        print(f"  in-process PATCH {weeks:>2}-week plan: p50 {results[f'{weeks}_weeks']['p50_ms']}"
              f" ms, p95 {results[f'{weeks}_weeks']['p95_ms']} ms; per round p95 "
              f"{[r['p95_ms'] for r in per_round[weeks]]}; CPU p50 "
              f"{cpu_percentiles['p50_ms']} ms, p95 {cpu_percentiles['p95_ms']} ms")
    if steps:
        total = sum(collected[52])
        results["sql_breakdown_52_weeks_ms"] = {k: round(sum(v), 1) for k, v in sorted(
            steps.items(), key=lambda kv: -sum(kv[1]))}
        print(f"  52 weeks, all saves: {total:.0f} ms, of which SQL by statement:")
        for key, value in results["sql_breakdown_52_weeks_ms"].items():
            print(f"    {key:<40} {value:>8.1f} ms")
    return results


def bench_diff(repeats: int) -> dict:
    """diff_documents + summarize for a handful of edits, by plan size.

    As in an edit: the base document has been seen before, the edited one is new.
    """
    results = {}
    for weeks in SIZES:
        base = generate(GenerationInput("powerlifting", "intermediate", 5, date(2027, 1, 4),
                                        weeks))
        raw = dump_document(base)
        for w in range(min(weeks, 4)):
            item = raw["weeks"][w]["sessions"][0]["items"][0]
            item["sets"] = (item["sets"] or 3) + 1
        raw["weeks"][0]["sessions"][1]["items"][0]["exercise"] = "front_squat"
        samples = []
        for _ in range(repeats):
            edited = parse_document(raw)  # a new version is a new document: nothing cached
            t0 = time.perf_counter()
            diffing.summarize(base, edited, diffing.diff_documents(base, edited))
            samples.append((time.perf_counter() - t0) * 1000)
        results[f"{weeks}_weeks"] = percentiles(samples)
        print(f"  diff+summary {weeks:>2} weeks: p50 {results[f'{weeks}_weeks']['p50_ms']} ms, "
              f"p95 {results[f'{weeks}_weeks']['p95_ms']} ms")
    return results


def _fill_changelog(path: str, rows: int) -> str:
    """A plan with `rows` changes spread over versions of 1,000 changes (raw inserts)."""
    url = f"sqlite:///{path}"
    prepare(url)
    plan_id, athlete = str(uuid.uuid4()), demo.demo_id("athlete2@demo.test")
    coach = demo.demo_id("coach1@demo.test")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO plans (id, athlete_id, status, algorithm_version, generation_seed,"
                 " start_date, weeks, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                 (plan_id, athlete, "draft", "lp-1.0", "", "2027-01-04", 52,
                  "2027-01-01 00:00:00", "2027-01-01 00:00:00"))
    per_version = 1000
    for v in range(rows // per_version):
        version_id = str(uuid.uuid4())
        conn.execute("INSERT INTO plan_versions (id, plan_id, version_number, status, kind, "
                     "author_id, author_role, diff_summary_json, content_json, "
                     "reason_codes_json, rationale, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     (version_id, plan_id, v + 1, "draft", "edit", coach, "coach", "{}", "{}",
                      '["other"]', "bulk", f"2027-01-01 {v % 24:02d}:00:00"))
        conn.executemany(
            "INSERT INTO plan_version_changes (id, version_id, field_path, old_value, new_value,"
            " change_type, session_id, item_id, reason_codes_json) VALUES (?,?,?,?,?,?,?,?,?)",
            ((str(uuid.uuid4()), version_id, f"sessions/s{i % 300}/items/i{i}/sets", "4", "5",
              "modified", f"s{i % 300}", f"i{i}", '["other"]') for i in range(per_version)))
    conn.commit()
    conn.close()
    return plan_id


def _export(url: str, plan_id: str) -> tuple[int, int, float]:
    engine = make_engine(url)
    total_bytes = lines = 0
    started = time.perf_counter()
    with read_session(engine) as session:
        for chunk in changelog.stream_csv(session, plan_id, changelog.ChangelogFilter()):
            total_bytes += len(chunk)
            lines += chunk.count("\n")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return lines - 1, total_bytes, elapsed


def bench_changelog(rows: int) -> dict:
    """CSV export rows/s and peak Python memory for a small and the full change log."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in sorted({max(1000, rows // 10), rows}):
            path = str(Path(tmp) / f"changelog-{count}.db")
            plan_id = _fill_changelog(path, count)
            exported, size, elapsed = _export(f"sqlite:///{path}", plan_id)
            tracemalloc.start()
            _export(f"sqlite:///{path}", plan_id)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results[f"{count}_rows"] = {"rows": exported, "seconds": round(elapsed, 2),
                                        "rows_per_s": round(exported / elapsed),
                                        "csv_mb": round(size / 1e6, 1),
                                        "peak_python_mb": round(peak / 1e6, 2)}
            print(f"  changelog CSV {exported:>9,} rows: {results[f'{count}_rows']['rows_per_s']:,}"
                  f" rows/s, peak {results[f'{count}_rows']['peak_python_mb']} MB")
    return results


def main() -> None:
    """Run the benchmark and write its JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patches", type=int, default=200)
    parser.add_argument("--changelog-rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--in-process", action="store_true",
                        help="only the save path, in-process (see the module docstring)")
    parser.add_argument("--saves", type=int, default=60, help="saves per size and round")
    parser.add_argument("--rounds", type=int, default=3, help="fresh databases (in-process)")
    parser.add_argument("--breakdown", action="store_true", help="time SQL by statement")
    args = parser.parse_args()
    if args.in_process:
        out = {"settings": vars(args), "uptime": _load_average(),
               "patch_in_process": {"sqlite": bench_patch_in_process(
                   args.saves, args.rounds, args.breakdown)}}
        print(f"wrote {write_result('plan_api_in_process', out)}")
        return
    if args.quick:
        args.patches, args.changelog_rows = 20, 20_000
    out: dict = {"settings": vars(args), "patch": {}}
    with tempfile.TemporaryDirectory() as tmp:
        print("PATCH on SQLite")
        out["patch"]["sqlite"] = bench_patch(f"sqlite:///{tmp}/bench.db", args.patches)
    pg = os.environ.get("PLANGOV_BENCH_POSTGRES_URL") or os.environ.get(
        "PLANGOV_TEST_POSTGRES_URL")
    if pg:
        print("PATCH on PostgreSQL")
        out["patch"]["postgresql"] = bench_patch(pg, args.patches)
    print("diff + summary")
    out["diff_summary"] = bench_diff(20 if args.quick else 100)
    print("changelog CSV export")
    out["changelog_csv"] = bench_changelog(args.changelog_rows)
    print(f"wrote {write_result('plan_api', out)}")


def _load_average() -> list[float]:
    """1, 5 and 15-minute load averages when the run started (the machine is shared)."""
    return [round(x, 2) for x in os.getloadavg()]


if __name__ == "__main__":
    main()
