"""`/experiments`: ds@ creates an experiment, watches the allocation preview follow the
weights and the strata, starts it (after a confirmation that says what happens to athletes)
and finds its weights locked with the reason; coaches and athletes are refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 1100}


def _table(page: Page) -> str:
    return page.locator("#preview-table table").inner_text()


def _total_row(page: Page):
    return page.locator("#preview-table table").locator("tr").last


def _totals(page: Page) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", _total_row(page).inner_text())]


def _pause_running(app_url: str) -> list[str]:
    """Pause the running experiments (the demo's runs over every athlete, and only one
    may enrol an athlete), so ours can start; their ids, to resume afterwards."""
    ds = _api(app_url, "ds@demo.test")
    running = [e["id"] for e in ds.get("/experiments").json()["items"]
               if e["status"] == "running"]
    for eid in running:
        assert ds.post(f"/experiments/{eid}/status", json={"status": "paused"}).status_code == 200
    return running


def _restore(app_url: str, paused: list[str]) -> None:
    """Complete ours and resume what `_pause_running` paused (other tests expect it)."""
    ds = _api(app_url, "ds@demo.test")
    for e in ds.get("/experiments").json()["items"]:
        if e["key"] == "lp-vs-dup-ui" and e["status"] in {"running", "paused"}:
            ds.post(f"/experiments/{e['id']}/status", json={"status": "complete"})
    for eid in paused:
        ds.post(f"/experiments/{eid}/status", json={"status": "running"})


def test_create_preview_start_and_lock(browser: Browser, app_url: str):
    paused = _pause_running(app_url)
    try:
        _create_preview_start_and_lock(browser, app_url)
    finally:
        _restore(app_url, paused)


def _create_preview_start_and_lock(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, app_url, "ds@demo.test")
    page.get_by_role("link", name="Experiments").first.click()
    expect(page).to_have_url(re.compile(r"/experiments$"))
    expect(page.locator("#experiments-list")).to_be_visible()

    page.get_by_role("button", name="New experiment").click()
    page.get_by_label("Key", exact=True).fill("lp-vs-dup-ui")
    page.get_by_label("Name", exact=True).fill("Linear vs undulating (UI)")
    page.get_by_label("Hypothesis", exact=True).fill("Undulating raises adherence")
    preview = page.get_by_role("region", name="Allocation preview")
    expect(preview.get_by_text("20 of 24 athletes would take part.")).to_be_visible()
    expect(preview.get_by_text("No experiment consent: 4")).to_be_visible()
    expect(preview.locator(".js-plotly-plot")).to_be_visible()
    even, even_text = _totals(page), _total_row(page).inner_text()
    assert sum(even[:2]) == 20, even

    page.get_by_label("Variant 1 weight (%)").fill("90")  # 90 + 50: the registry's words
    expect(page.get_by_text("variants: weights must sum to 100.")).to_be_visible()
    expect(preview.get_by_text("The preview waits for the form to be valid.")).to_be_visible()
    page.get_by_label("Variant 2 weight (%)").fill("10")
    expect(page.get_by_text("variants: weights must sum to 100.")).to_have_count(0)
    expect(_total_row(page)).not_to_have_text(even_text)
    skewed = _totals(page)
    assert skewed != even and skewed[0] > skewed[1] and sum(skewed[:2]) == 20, (even, skewed)

    before = _table(page)
    page.get_by_role("checkbox", name="sport", exact=True).click()
    expect(page.locator("#preview-table table").get_by_text(
        "Everyone")).to_have_count(0)
    assert _table(page) != before
    assert len(page.locator("#preview-table table").locator(
        "tbody tr").all()) > 2  # a row per sport and the total
    page.get_by_role("checkbox", name="level", exact=True).click()
    page.get_by_label("Randomisation").click()  # 90 / 10 in blocks of 10: every stratum small
    page.get_by_role("option", name="stratified_blocks").click()
    expect(preview.get_by_text("Blocks of 10 per stratum.")).to_be_visible()
    expect(preview.locator("#small-strata")).to_contain_text("Too few athletes to balance:")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Experiment lp-vs-dup-ui created.")).to_be_visible()
    listed = page.locator("#experiments-list table")
    expect(listed.get_by_text("lp-vs-dup-ui", exact=True)).to_be_visible()
    expect(page.get_by_label("Variant 1 weight (%)")).to_be_enabled()

    page.get_by_role("button", name="Start").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("enrolled as their next plan is generated")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Experiment lp-vs-dup-ui is now running.")).to_be_visible()
    expect(page.get_by_label("Variant 1 weight (%)")).to_be_disabled()
    expect(page.get_by_label("Holdout %")).to_be_disabled()
    expect(page.get_by_role("checkbox", name="sport", exact=True)).to_be_disabled()
    expect(page.locator("#lock-reason")).to_contain_text("would reshuffle athletes")
    expect(page.get_by_label("Name", exact=True)).to_be_enabled()  # not a reshuffling field
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_text("Experiment lp-vs-dup-ui is now running.")).to_have_count(
        0, timeout=15_000)  # the toasts gone before the screenshot
    screenshot(page, "experiments.png")

    page.reload()  # the lock holds from the stored status, not from this session
    row = page.locator("#experiments-list table").get_by_role("row").filter(
        has_text="lp-vs-dup-ui")
    expect(row.get_by_text("Running")).to_be_visible()
    expect(row.get_by_text("Dana Scientist")).to_be_visible()
    row.get_by_role("button", name="Edit lp-vs-dup-ui").click()
    expect(page.get_by_label("Variant 2 weight (%)")).to_be_disabled()
    expect(page.locator("#lock-reason")).to_be_visible()

    page.set_viewport_size({"width": 1024, "height": 900})  # still usable at 1024 px
    expect(page.get_by_role("region", name="Allocation preview")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024

    _step(page, "Pause", "uses the default algorithm until it is resumed", "paused")
    _step(page, "Resume", "keep their variant", "running")
    page.get_by_role("button", name="New phase").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Saving re-randomises everyone")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_label("Variant 1 weight (%)")).to_be_enabled()  # unlocked for the phase
    _step(page, "Complete", "It ends for good", "complete")
    context.close()


def _step(page: Page, button: str, says: str, status: str) -> None:
    """Click a lifecycle button, read what it does to athletes, confirm, see the toast."""
    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(says)
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"Experiment lp-vs-dup-ui is now {status}.")).to_be_visible()


@pytest.mark.parametrize("email", ["coach1@demo.test", "athlete1@demo.test"])
def test_coaches_and_athletes_are_refused(page: Page, app_url: str, email: str):
    sign_in(page, app_url, email)
    expect(page.get_by_role("link", name="Experiments")).to_have_count(0)
    page.goto(f"{app_url}/experiments")
    expect(page.get_by_text("You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("button", name="New experiment")).to_have_count(0)
