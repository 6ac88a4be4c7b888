"""Shared fixtures: a fresh, migrated database (SQLite, and PostgreSQL when configured),
the API client on top of it, demo data and tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

os.environ.setdefault("PLANGOV_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("PLANGOV_ENV", "test")

from db import demo
from db.migrate import upgrade
from db.session import get_engine, make_engine, unit_of_work
from plangov_app.settings import get_settings

POSTGRES_URL = os.environ.get("PLANGOV_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL test database (drop and recreate the public schema)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: a temporary SQLite file, or the PostgreSQL test database."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("PLANGOV_TEST_POSTGRES_URL is not set")
        reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
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
