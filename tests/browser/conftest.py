"""The production build served on a free port, and Chromium driven by Playwright."""

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
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "plangov-demo"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
START_TIMEOUT_S = 900
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database_url: str) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    tools = ROOT / ".tools" / "node_modules" / ".bin"
    return {**os.environ, "DATABASE_URL": database_url, "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{tools}:{bin_dir}:{os.environ.get('PATH', '')}",
            "PLANGOV_SECRET_KEY": "browser-test-secret-key-0123456789abcdefgh",
            "PLANGOV_ENV": "test", "PLANGOV_TELEMETRY_FILE": str(Path(database_url[10:]).parent
                                                                   / "telemetry.jsonl")}


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
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and seed a fresh SQLite database, build and serve the production app."""
    work = tmp_path_factory.mktemp("e2e")
    env = _env(f"sqlite:///{work / 'e2e.db'}")
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
    """Save a README screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)
