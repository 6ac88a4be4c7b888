"""The production build served on a free port, and Chromium driven by Playwright.

Every browser test runs against SQLite; the ones in `ALSO_ON_POSTGRES` run once more against
PostgreSQL (a database of its own, `<test db>_browser`, never the one the API tests reset).
Screenshots go to `.artifacts/screenshots/`; `PLANGOV_UPDATE_SCREENSHOTS=1` (`make screenshots`)
also copies them into docs/screenshots for the README.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.conftest import require_postgres, reset_postgres

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / ".artifacts" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("PLANGOV_UPDATE_SCREENSHOTS", "") == "1"
# One representative test also runs against PostgreSQL (the whole suite twice would be slow).
ALSO_ON_POSTGRES = {"test_the_whole_loop"}
PASSWORD = "plangov-demo"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
START_TIMEOUT_S = 900
# What a person waits for on a loaded 2-core machine (CI runs the server, Chromium and the
# tests side by side); a wait is not a timing assertion: it passes as soon as the page is right.
expect.set_options(timeout=10_000)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database_url: str, work: Path) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    return {**os.environ, "DATABASE_URL": database_url, "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{tools}:{bin_dir}:{os.environ.get('PATH', '')}",
            "PLANGOV_SECRET_KEY": "browser-test-secret-key-0123456789abcdefgh",
            "PLANGOV_ENV": "test", "PLANGOV_TELEMETRY_FILE": str(work / "telemetry.jsonl"),
            # Every test signs in from 127.0.0.1: the whole suite is one address, well over
            # the per-address limit (tests/api/test_signin_abuse.py tests the limit itself).
            "PLANGOV_LOGIN_MAX_ATTEMPTS_PER_IP": "100000"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Serve the app on SQLite for every browser test, and on PostgreSQL for a chosen few."""
    if "app_url" not in metafunc.fixturenames:
        return
    backends: list = ["sqlite"]
    if metafunc.function.__name__ in ALSO_ON_POSTGRES:
        backends.append(pytest.param("postgres", marks=pytest.mark.postgres))
    metafunc.parametrize("app_url", backends, indirect=True, scope="session")


def _browser_database(test_url: str) -> str:
    """The PostgreSQL database of the browser leg (`<test db>_browser`), created if missing."""
    url = make_url(test_url)
    name = f"{url.database}_browser"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    browser_url = url.set(database=name).render_as_string(hide_password=False)
    reset_postgres(browser_url)
    return browser_url


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reflex exited early:\n{log.read_text()[-3000:]}")
        try:
            api = httpx.get(f"{base}/api/v1/openapi.json", timeout=3)
            page = httpx.get(f"{base}/", timeout=3)
            if api.status_code == 200 and page.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_url(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and seed a fresh database (SQLite or PostgreSQL), build and serve the app.

    Tests are grouped by backend, so one server runs at a time (it rebuilds the frontend).
    """
    backend = getattr(request, "param", "sqlite")
    work = tmp_path_factory.mktemp(f"e2e-{backend}")
    if backend == "postgres":
        database_url = _browser_database(require_postgres())
    else:
        database_url = f"sqlite:///{work / 'e2e.db'}"
    env = _env(database_url, work)
    plangov = [sys.executable, "-m", "plangov_app.cli"]
    for args in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([*plangov, *args], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = work / "reflex.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
             "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the app's process group (it may already have exited)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (Playwright's own download does not work offline)."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh desktop browser context (no cookies)."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh 390×844 phone context."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"), timeout=20_000)
    expect(page.get_by_role("button", name="Log out").or_(
        page.get_by_role("button", name="Open menu"))).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot under .artifacts/; copy it into docs/ only when asked to."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # weeks are `content-visibility: auto`: one scrolled into view is painted a frame or two
    # later, and a shot taken at once showed a blank where its sessions are
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTIFACTS / name, SCREENSHOTS / name)

#: the algorithm of plans the browser tests generate and edit: a fixed choice, so the demo
#: experiment (running over every athlete) does not decide which sessions they hold
ALGORITHM = "lp-1.0"
