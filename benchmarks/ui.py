"""UI benchmark (Playwright + system Chromium against the production build).

    python benchmarks/ui.py [--edits 30] [--runs 20]

Measures the time until Pending Plans and the editor of a 16-week plan are interactive,
and, timed in the page (performance.now + MutationObserver): opening the session dialog
(click a session's Edit → the dialog shows its exercises), the Pending Plans status filter
(pick a status → the table shows it) and the round trip of an inline edit (blur → the
unsaved edit listed). Writes benchmarks/results/ui.json.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from benchmarks.common import free_port, percentiles, write_result
from tests.browser.conftest import CHROMIUM_ARGS, ROOT, _env, _wait_until_up

# In the page: type a value into the first Sets box, leave it (blur), and time until the
# unsaved edit is listed — observed with a MutationObserver, not by polling.
# Interactive = the data is on screen and its controls are there (checked every frame).
QUEUE_READY_JS = "() => document.querySelectorAll('table tbody tr a').length > 0"
EDITOR_READY_JS = """() => Array.from(document.querySelectorAll('h2'))
    .some((h) => h.textContent === 'Week 16')
  && document.querySelector('button[aria-label^="Edit "]') !== null"""
ROUND_TRIP_JS = """
(value) => new Promise((resolve, reject) => {
  const input = document.querySelector('[role=dialog] input[aria-label^="Sets for "]');
  const wanted = `sets → ${value}`;
  const listed = () => Array.from(document.querySelectorAll('p'))
    .some((p) => p.textContent.endsWith(wanted));
  input.focus();
  input.value = value;
  const observer = new MutationObserver(() => {
    if (listed()) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error(`${wanted} never listed`)); },
             10000);
  const started = performance.now();
  input.blur();
})
"""
# Click the n-th session's Edit button; resolve once the dialog is open and shows that
# session's exercises (its title and a filled Sets box).
DIALOG_OPEN_JS = """
(n) => new Promise((resolve, reject) => {
  const buttons = document.querySelectorAll('button[aria-label^="Edit Strength"]');
  const button = buttons[n % buttons.length];
  const title = button.getAttribute('aria-label').slice(5).split(' on ')[0];
  const open = () => {
    const dialog = document.querySelector('[role=dialog]');
    const sets = dialog && dialog.querySelector('input[aria-label^="Sets for "]');
    const heading = dialog && document.getElementById(dialog.getAttribute('aria-labelledby'));
    return sets !== null && sets !== undefined && sets.value !== ''
      && heading !== null && heading.textContent.startsWith(title);
  };
  const observer = new MutationObserver(() => {
    if (open()) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                   characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('the dialog never opened')); },
             10000);
  const started = performance.now();
  button.click();
})
"""
# With the status select open, pick `wanted`; resolve once the table shows it: every row
# has that status (pending: a status awaiting the coach; all: the rows changed), or the
# "no plans" box is shown.
FILTER_JS = """
(wanted) => new Promise((resolve, reject) => {
  const label = wanted.replace(/_/g, ' ');
  const option = Array.from(document.querySelectorAll('[role=option]'))
    .find((o) => o.textContent === label);
  const body = () => (document.querySelector('table tbody') || {}).textContent || '';
  const before = body();
  const allowed = {pending: ['generated', 'draft', 'needs revision'], all: null}[wanted];
  const shown = () => {
    const trigger = document.querySelector('button[aria-label="Filter by status"]');
    if (!trigger || trigger.textContent !== label) return false;
    const rows = Array.from(document.querySelectorAll('table tbody tr'));
    if (rows.length === 0) return document.body.textContent.includes('No plans match');
    if (allowed === null) return body() !== before;
    const statuses = allowed || [label];
    return rows.every((r) => statuses.includes(r.children[2].textContent));
  };
  const observer = new MutationObserver(() => {
    if (shown()) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error(`${wanted} never shown`)); },
             10000);
  const started = performance.now();
  option.click();
})
"""


def _serve(work: Path) -> tuple[subprocess.Popen, str]:
    env = _env(f"sqlite:///{work / 'ui.db'}", work)
    for args in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([sys.executable, "-m", "plangov_app.cli", *args], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    port = free_port()
    log = work / "reflex.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
         "--frontend-port", str(port), "--backend-port", str(port)], cwd=ROOT, env=env,
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base, process, log)
    return process, base


def _plan_16_weeks(base: str) -> str:
    token = httpx.post(f"{base}/api/v1/auth/token", data={
        "username": "coach1@demo.test", "password": "plangov-demo"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    athlete = httpx.get(f"{base}/api/v1/users/me", headers=headers).json()[
        "subject_scope"]["athlete_ids"][0]
    plan = httpx.post(f"{base}/api/v1/plans", headers=headers, json={
        "athlete_id": athlete, "start_date": "2027-01-04", "weeks": 16}).json()
    return plan["id"]


FILTER_CYCLE = ("draft", "all", "approved", "pending", "generated", "coach_reviewed")


def measure(base: str, edits: int, runs: int) -> dict:
    """Open the pages as a coach and time what a person waits for."""
    plan_id = _plan_16_weeks(base)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill("coach1@demo.test")
        page.get_by_label("Password").fill("plangov-demo")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=30_000)
        queue, editor = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            page.goto(f"{base}/plans", wait_until="commit")
            page.wait_for_function(QUEUE_READY_JS, polling="raf", timeout=30_000)
            queue.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            page.goto(f"{base}/plans/{plan_id}", wait_until="commit")
            page.wait_for_function(EDITOR_READY_JS, polling="raf", timeout=30_000)
            editor.append((time.perf_counter() - t0) * 1000)
        expect(page.get_by_role("heading", name="Week 16")).to_be_visible()
        dialog = _dialog_opens(page, runs)
        page.get_by_role("button", name=re.compile(r"^Edit Strength")).first.click()
        expect(page.get_by_role("dialog").get_by_label(re.compile("^Sets for ")).first
               ).to_be_visible()
        round_trips = [page.evaluate(ROUND_TRIP_JS, str(2 + n % 8)) for n in range(edits)]
        page.goto(f"{base}/plans")
        page.wait_for_function(QUEUE_READY_JS, polling="raf", timeout=30_000)
        filtering = _filters(page, runs)
        browser.close()
    return {"pending_plans_interactive": percentiles(queue),
            "editor_16_weeks_interactive": percentiles(editor),
            "session_dialog_open": percentiles(dialog),
            "pending_plans_status_filter": percentiles(filtering),
            "inline_edit_round_trip": percentiles(round_trips)}


def _dialog_opens(page: Page, runs: int) -> list[float]:
    """Open a session's dialog `runs` times (closing it with Done in between)."""
    samples = []
    for n in range(runs):
        samples.append(page.evaluate(DIALOG_OPEN_JS, n))
        page.get_by_role("button", name="Done").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
    return samples


def _filters(page: Page, runs: int) -> list[float]:
    """Switch the status filter `runs` times between the statuses below."""
    samples = []
    for n in range(runs):
        page.get_by_role("combobox", name="Filter by status").click()
        expect(page.get_by_role("option").first).to_be_visible()
        samples.append(page.evaluate(FILTER_JS, FILTER_CYCLE[n % len(FILTER_CYCLE)]))
        expect(page.get_by_role("listbox")).to_have_count(0)
    return samples


def main() -> None:
    """Serve the app, measure, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--runs", type=int, default=20, help="dialog opens and filter changes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, base = _serve(Path(tmp))
        try:
            results = measure(base, args.edits, args.runs)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    for name, figures in results.items():
        print(f"  {name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    print(f"wrote {write_result('ui', {'settings': vars(args), **results})}")


if __name__ == "__main__":
    main()
