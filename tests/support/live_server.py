"""The production server (uvicorn) on a loopback port, for tests that need real HTTP.

- `prepare_database(url)` migrates and seeds (demo people, no plans) a database.
- `start_api_server(url)` runs `uvicorn plangov_app.api:api` in a subprocess against it and
  returns `(base_url, process)` once `/api/v1/openapi.json` answers; `stop_api_server` ends it.
- The `live_api` fixture (module scope) does all three on a temporary SQLite file. Import it
  into a test module: `from tests.support.live_server import live_api  # noqa: F401`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from benchmarks import common
from benchmarks.common import stop_api_server
from db.migrate import upgrade
from db.session import make_engine, unit_of_work
from plangov_app import demo

__all__ = ["LiveApi", "live_api", "prepare_database", "start_api_server", "stop_api_server"]


class LiveApi(NamedTuple):
    """A running server: where to reach it, its database, its process."""

    base_url: str
    database_url: str
    process: subprocess.Popen[bytes]


def prepare_database(database_url: str) -> None:
    """Migrate the (empty) database at `database_url` and seed the demo people."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as session:
            demo.seed(session, with_plans=False)
    finally:
        engine.dispose()


def start_api_server(database_url: str, *, env: Mapping[str, str] | None = None,
                     workdir: Path | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """uvicorn serving the API on a free loopback port (see benchmarks.common)."""
    return common.start_api_server(database_url, server="uvicorn", env=dict(env or {}),
                                   workdir=workdir)


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """uvicorn serving the API on a loopback port over a migrated, seeded SQLite file."""
    directory = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{directory / 'plangov-live.db'}"
    prepare_database(database_url)
    base_url, process = start_api_server(database_url, workdir=directory)
    try:
        yield LiveApi(base_url, database_url, process)
    finally:
        stop_api_server(process)
