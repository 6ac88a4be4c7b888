"""The experiment page as a data scientist follows an experiment: counts per variant as
athletes are assigned, charts, history; the mis-split srm-demo shows the red SRM banner; an
unknown id is "not found"; a coach is refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from db.models.experiments import Experiment, ExperimentAssignment
from db.session import make_engine, read_session, unit_of_work
from plangov_app.demo.accounts import athlete_id
from plangov_app.demo.srm_demo import SRM_DEMO_KEY, seed_srm_demo
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 1000}
BODY = {"key": "e2-browser-follow", "name": "Following an experiment", "randomization": "hash",
        "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                     {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
        "stratification_keys": [], "holdout_percentage": 0}


def _server_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite file the session's server was seeded into (conftest's `e2e-sqlite*`)."""
    found = sorted(Path(tmp_path_factory.getbasetemp()).glob("e2e-sqlite*/e2e.db"))
    assert found, "the browser server's database was not found"
    return f"sqlite:///{found[0]}"


def _enrolled(engine, experiment_id: str) -> dict[str, int]:
    with read_session(engine) as s:
        row = s.get(Experiment, experiment_id)
        return dict(s.exec(select(ExperimentAssignment.variant, func.count()).where(
            ExperimentAssignment.experiment_id == experiment_id,
            ExperimentAssignment.phase == (row.phase or 1),
            ExperimentAssignment.is_holdout.is_(False)).group_by(  # type: ignore[attr-defined]
            ExperimentAssignment.variant)).all())


def _srm_demo(engine) -> str:
    """The srm-demo's id, seeded here (idempotent) before anything runs over all athletes."""
    with unit_of_work(engine) as s:
        seed_srm_demo(s)
    with read_session(engine) as s:
        row = s.exec(select(Experiment).where(Experiment.key == SRM_DEMO_KEY)).first()
    assert row is not None, "srm-demo could not be seeded (another experiment runs?)"
    return row.id


def _started(ds: httpx.Client) -> str:
    created = ds.post("/experiments", json=BODY)
    assert created.status_code == 201, created.text
    started = ds.post(f"/experiments/{created.json()['id']}/status", json={"status": "running"})
    assert started.status_code == 200, started.text
    return created.json()["id"]


def test_a_data_scientist_follows_counts_and_sees_the_srm_banner(
        page: Page, app_url: str, tmp_path_factory: pytest.TempPathFactory):
    engine = make_engine(_server_database(tmp_path_factory))
    srm_id = _srm_demo(engine)
    ds = _api(app_url, "ds@demo.test")
    eid = _started(ds)
    try:
        page.set_viewport_size(WIDE)
        sign_in(page, app_url, "ds@demo.test")
        page.goto(f"{app_url}/experiments/{eid}")
        expect(page.get_by_role("heading", name="Following an experiment")).to_be_visible()
        expect(page.get_by_text("No athletes enrolled in this phase yet.").first).to_be_visible()
        for n in range(1, 13):
            answer = ds.post("/assignments", json={"subject_id": athlete_id(n),
                                                   "experiment_key": BODY["key"]})
            assert answer.status_code == 200, answer.text
        counts = _enrolled(engine, eid)
        assert sum(counts.values()) >= 8  # the consenting athletes of 1–12
        page.get_by_role("button", name="Refresh counts").click()
        variants = page.get_by_role("region", name="Variants")
        for key in ("control", "treatment"):
            row = variants.get_by_role("row").filter(has_text=key)
            expect(row.get_by_role("cell").nth(2)).to_have_text(str(counts.get(key, 0)))
        expect(page.get_by_role("img", name="Running total of athletes enrolled per variant, "
                                           "by day")).to_be_visible()
        history = page.get_by_role("region", name="History")
        expect(history.get_by_role("row").nth(1)).to_contain_text("Started")
        expect(history.get_by_role("row").nth(1)).to_contain_text("Status: Draft → Running")
        expect(history.get_by_role("row").nth(2)).to_contain_text("Created")
        expect(page.get_by_role("alert")).to_have_count(0)

        page.goto(f"{app_url}/experiments/{srm_id}")
        banner = page.get_by_role("alert")
        expect(banner).to_contain_text("Sample-ratio mismatch: the arms' sizes differ from the "
                                       "weights more than chance allows (p = 0.00024).")
        expect(banner).to_contain_text("Check for enrolment bugs before trusting results.")
        expect(page.get_by_role("region", name="Variants").get_by_role("row").filter(
            has_text="control").get_by_role("cell").nth(2)).to_have_text("21")
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        screenshot(page, "experiment.png")

        page.goto(f"{app_url}/experiments/no-such-experiment")
        expect(page.get_by_role("heading", name="Experiment not found")).to_be_visible()
    finally:  # leave no running experiment behind for the other browser tests
        ds.post(f"/experiments/{eid}/status", json={"status": "complete"})
        engine.dispose()


def test_a_coach_is_refused_the_experiment_page(page: Page, app_url: str):
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/experiments/anything")
    expect(page.get_by_role("alert")).to_contain_text("You don't have access to this page.")
    expect(page.get_by_role("heading", name="Experiment not found")).to_have_count(0)
