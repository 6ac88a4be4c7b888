"""Shared fixtures: a fresh, migrated database (SQLite, and PostgreSQL when configured),
the API client on top of it, demo data and tokens.

Under CI (`CI=true`) a PostgreSQL leg that cannot start fails the run instead of skipping,
and the summary at the end says which legs ran (sqlite, postgres, browser).
"""

from __future__ import annotations

import inspect
import json
import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

os.environ.setdefault("PLANGOV_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("PLANGOV_ENV", "test")

from db.migrate import upgrade
from db.session import get_engine, make_engine, unit_of_work
from plangov_app import demo
from plangov_app.settings import get_settings

POSTGRES_URL = os.environ.get("PLANGOV_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# One random seed per run for generated tests (schemathesis, hypothesis); replay with the env var.
RUN_SEED = int(os.environ.get("PLANGOV_TEST_SEED") or random.SystemRandom().randrange(2**32))
LEGS_FILE = os.environ.get("PLANGOV_LEGS_FILE", "")


@cache
def postgres_problem() -> str | None:
    """Why the PostgreSQL leg cannot run (URL unset or server unreachable), or None."""
    if not POSTGRES_URL:
        return "PLANGOV_TEST_POSTGRES_URL is not set"
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means the leg cannot start
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> str:
    """The PostgreSQL test URL; skip without it, but fail under CI or when it is unreachable."""
    problem = postgres_problem()
    if problem is None:
        return POSTGRES_URL
    if IN_CI or POSTGRES_URL:
        pytest.fail(f"the PostgreSQL leg cannot start: {problem}", pytrace=False)
    pytest.skip(problem)


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL test database (drop and recreate the public schema)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def pytest_report_header() -> list[str]:
    """Say which legs are configured and the seed of this run."""
    postgres = "PLANGOV_TEST_POSTGRES_URL set" if POSTGRES_URL else "off (no URL)"
    return [f"plangov: postgres leg {postgres}; CI={IN_CI}",
            f"plangov: random seed {RUN_SEED} (replay with PLANGOV_TEST_SEED={RUN_SEED})"]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under CI, stop before running anything when selected PostgreSQL tests cannot run."""
    if not IN_CI or not any(item.get_closest_marker("postgres") for item in session.items):
        return
    problem = postgres_problem()
    if problem is not None:
        pytest.exit(f"CI: the PostgreSQL leg cannot start ({problem}); failing the run "
                    "instead of skipping it", returncode=1)


def _starts_a_server(item: pytest.Item) -> bool:
    """Whether the test, or one of its fixtures, starts the API server in a subprocess."""
    info = getattr(item, "_fixtureinfo", None)
    functions = [getattr(item, "function", None)] + [
        definition.func for definitions in (info.name2fixturedefs.values() if info else ())
        for definition in definitions]
    for function in functions:
        try:
            if "start_api_server(" in inspect.getsource(function):
                return True
        except (OSError, TypeError):
            continue
    return False


def _mutmut_durations() -> dict[str, float]:
    """Each test's duration as mutmut recorded it, while mutmut runs a mutant (else empty)."""
    if os.environ.get("MUTANT_UNDER_TEST", "") in {"", "stats", "list_all_tests", "fail"}:
        return {}
    stats = Path("mutmut-stats.json")  # mutmut runs the tests from its mutants/ folder
    if not stats.exists():
        return {}
    return json.loads(stats.read_text(encoding="utf-8")).get("duration_by_test", {})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that serve the API from a subprocess `live_server` (mutmut leaves them out).

    Under mutmut, run the fastest tests first: it stops at the first failure, so a mutant a
    unit test kills costs that test, not the API tests that happen to be listed before it.
    """
    for item in items:
        if _starts_a_server(item):
            item.add_marker(pytest.mark.live_server)
    durations = _mutmut_durations()
    if durations:
        items.sort(key=lambda item: durations.get(item.nodeid, float("inf")))


_LEGS: defaultdict[str, Counter[str]] = defaultdict(Counter)


def _leg(keywords) -> str:
    browser = "browser" in keywords
    if "postgres" in keywords:
        return "browser+postgres" if browser else "postgres"
    return "browser" if browser else "sqlite"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count each test's outcome under its leg."""
    if report.when == "call" or (report.when == "setup" and not report.passed):
        outcome = "error" if report.when == "setup" and report.failed else report.outcome
        _LEGS[_leg(report.keywords)][outcome] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    """Print which legs ran; write them to PLANGOV_LEGS_FILE for .ci/run."""
    if not _LEGS:
        return
    terminalreporter.section("legs")
    terminalreporter.write_line(f"seed {RUN_SEED} (replay with PLANGOV_TEST_SEED={RUN_SEED})")
    for leg, outcomes in sorted(_LEGS.items()):
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        terminalreporter.write_line(f"{leg}: {counts}")
    if LEGS_FILE:
        Path(LEGS_FILE).write_text(json.dumps(_LEGS), encoding="utf-8")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: a temporary SQLite file, or the PostgreSQL test database."""
    if request.param == "postgres":
        url = require_postgres()
        reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'plangov-test.db'}"


@pytest.fixture
def app_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the whole process (settings, engine cache) at `database_url`, migrated."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    upgrade(get_engine())
    yield database_url
    get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def engine(app_env: str) -> Engine:
    """The migrated engine of this test's database."""
    return get_engine()


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The database with the demo people, teams and reference data (no demo plans: fast)."""
    with unit_of_work(engine) as session:
        demo.seed(session, with_plans=False)
    return engine


@pytest.fixture
def session(seeded: Engine) -> Iterator[Session]:
    """A plain session on the seeded database (commit yourself if you write)."""
    with Session(seeded, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(seeded: Engine) -> Iterator[TestClient]:
    """The API over HTTP (in process) on the seeded database."""
    from plangov_app.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as test_client:
        yield test_client


def login(client: TestClient, email: str, password: str = demo.DEMO_PASSWORD) -> str:
    """A bearer token for `email`, through the real sign-in endpoint."""
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def token_for(client: TestClient):
    """`token_for(email)` → bearer headers, cached per email within a test."""
    cache: dict[str, dict[str, str]] = {}

    def headers(email: str) -> dict[str, str]:
        if email not in cache:
            cache[email] = {"Authorization": f"Bearer {login(client, email)}"}
        return cache[email]

    return headers
