"""Helpers shared by the benchmark scripts: percentiles, servers, result files."""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of latencies in milliseconds."""
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)

    return {"n": len(ordered), "p50_ms": pick(0.50), "p95_ms": pick(0.95),
            "p99_ms": pick(0.99), "mean_ms": round(statistics.fmean(ordered), 2),
            "max_ms": round(ordered[-1], 2)}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_command(server: str, port: int) -> list[str]:
    """granian (what `reflex run --env prod` serves with) or uvicorn, one worker."""
    if server == "granian":
        binary = str(Path(sys.executable).with_name("granian"))
        return [binary, "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--log-level", "warning", "plangov_app.api:api"]
    return [sys.executable, "-m", "uvicorn", "plangov_app.api:api", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--timeout-graceful-shutdown", "5"]


def start_api_server(database_url: str, *, server: str = "granian",
                     env: dict[str, str] | None = None, workdir: Path | None = None,
                     timeout: float = 60.0) -> tuple[str, subprocess.Popen]:
    """Start plangov_app.api:api on a free loopback port; return (base URL, process).

    The server runs in `workdir` (default: a new temporary directory, where files it
    writes and its output, `server.log`, land) with `DATABASE_URL`, a test secret and
    `PLANGOV_ENV=test`, plus `env`. RuntimeError with the server's output if it does not
    answer within `timeout` seconds.
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix="plangov-server-"))
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "PLANGOV_SECRET_KEY": SECRET,
                   "PLANGOV_ENV": "test", "PLANGOV_LOGIN_MAX_FAILURES": "1000",
                   "PLANGOV_LOGIN_MAX_ATTEMPTS_PER_IP": "100000",
                   "PYTHONPATH": os.pathsep.join(filter(None, [
                       str(ROOT), os.environ.get("PYTHONPATH", "")])), **(env or {})}
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(_server_command(server, port), cwd=workdir,
                                   env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                return base, process
        except httpx.HTTPError:
            time.sleep(0.1)
    stop_api_server(process)
    output = log_path.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"the {server} server did not answer on {base}:\n{output}")


def stop_api_server(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a server started by `start_api_server` (SIGKILL for a crash)."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def api_server(database_url: str, *, server: str = "granian",
               env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve plangov_app.api:api on a free loopback port; yield its base URL."""
    base, process = start_api_server(database_url, server=server, env=env)
    try:
        yield base
    finally:
        stop_api_server(process)


def write_result(name: str, payload: dict) -> Path:
    """Write `payload` (plus machine facts) to benchmarks/results/NAME.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                           "platform": platform.platform()}, **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
