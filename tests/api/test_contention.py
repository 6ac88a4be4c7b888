"""Concurrent clients against the real server on a loopback port (issue 9 points 1 and 2).

The server is granian (what `reflex run --env prod` serves with) running the API in its own
process, so a commit that happened only after the response would be visible here: every
acknowledged write must be readable at once, and survive a `kill -9` of the server.
Contention must never give a 5xx other than 503 with Retry-After (and on these sizes, none).
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from benchmarks.common import start_api_server, stop_api_server
from db.models import PlanComment, PlanVersion
from plangov_app.demo import DEMO_PASSWORD, demo_id
from plangov_app.services import audit

NOTES = "/weeks/0/sessions/0/notes"


@pytest.fixture
def live(seeded: Engine, database_url: str) -> Iterator[dict]:
    """A server on the seeded database; `restart(sig)` stops it (SIGKILL = crash) and starts
    a fresh one on the same database."""
    state: dict = {}

    def start() -> None:
        state["base"], state["process"] = start_api_server(database_url)

    def restart(sig: int) -> str:
        stop_api_server(state["process"], sig)
        start()
        return state["base"]

    start()
    state["restart"] = restart
    yield state
    stop_api_server(state["process"])


def _token(base: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/token", timeout=30,
                          data={"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _plan(base: str, headers: dict, athlete: str = "athlete1@demo.test") -> dict:
    response = httpx.post(f"{base}/api/v1/plans", headers=headers, timeout=30, json={
        "athlete_id": demo_id(athlete), "start_date": "2027-01-04", "weeks": 4})
    assert response.status_code == 201, response.text
    return response.json()


def _at_once(count: int, work: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """Run `work(i)` for i < count in as many threads, released together."""
    gate = threading.Barrier(count)

    def run(index: int) -> httpx.Response:
        gate.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _retrying(send: Callable[[], httpx.Response], tries: int = 4) -> httpx.Response:
    """What a well-behaved client does: on 503, wait Retry-After and send again."""
    for _ in range(tries - 1):
        response = send()
        if response.status_code != 503:
            return response
        time.sleep(min(int(response.headers["Retry-After"]), 5))
    return send()


def _no_5xx_but_busy(responses: list[httpx.Response]) -> None:
    for response in responses:
        if response.status_code >= 500:
            assert response.status_code == 503, response.text
            assert int(response.headers["Retry-After"]) >= 1
            assert response.headers["content-type"].startswith("application/problem+json")


def _stored(engine: Engine, model: type, **where: str) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.execute(query).scalar_one()


def _chain_ok(engine: Engine) -> None:
    with Session(engine) as session:
        assert audit.verify_chain(session).ok


def test_fifty_edits_of_one_head_one_wins_the_rest_conflict(live, seeded):
    base = live["base"]
    coach = _token(base, "coach1@demo.test")
    plan = _plan(base, coach)
    head = plan["active_version_id"]

    def edit(index: int) -> httpx.Response:
        return _retrying(lambda: httpx.patch(
            f"{base}/api/v1/plans/{plan['id']}/versions/{head}", headers=coach, timeout=60,
            json={"operations": [{"op": "replace", "path": NOTES, "value": f"edit {index}"}],
                  "reason_codes": ["fatigue"]}))

    responses = _at_once(50, edit)
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: 49}, codes
    assert _stored(seeded, PlanVersion, plan_id=plan["id"]) == 2
    _chain_ok(seeded)


def test_fifty_edits_of_different_plans_all_succeed(live, seeded):
    base = live["base"]
    coach = _token(base, "coach1@demo.test")
    plans = [_plan(base, coach, f"athlete{1 + i % 12}@demo.test") for i in range(50)]

    def edit(index: int) -> httpx.Response:
        plan = plans[index]
        return _retrying(lambda: httpx.patch(
            f"{base}/api/v1/plans/{plan['id']}/versions/{plan['active_version_id']}",
            headers=coach, timeout=60, json={"operations": [
                {"op": "replace", "path": NOTES, "value": f"edit {index}"}],
                "reason_codes": ["fatigue"]}))

    responses = _at_once(50, edit)
    _no_5xx_but_busy(responses)
    refused = [r.text for r in responses if r.status_code != 200]
    assert not refused, refused[:3]
    for plan in plans:
        assert _stored(seeded, PlanVersion, plan_id=plan["id"]) == 2
    _chain_ok(seeded)


def _comment_thread(base: str) -> tuple[dict, dict, dict, str]:
    """coach1's and athlete1's headers, a new plan of athlete1, and its comments URL."""
    coach = _token(base, "coach1@demo.test")
    athlete = _token(base, "athlete1@demo.test")
    plan = _plan(base, coach)
    return coach, athlete, plan, f"{base}/api/v1/plans/{plan['id']}/comments"


def test_concurrent_comments_are_stored_and_readable_at_once(live, seeded):
    coach, athlete, plan, url = _comment_thread(live["base"])

    def comment_then_read(index: int) -> httpx.Response:
        created = _retrying(lambda: httpx.post(url, headers=athlete, timeout=60,
                                               json={"message": f"question {index}"}))
        if created.status_code == 201:
            seen = httpx.get(url, headers=coach, timeout=60).json()
            assert created.json()["id"] in {c["id"] for c in seen}
        return created

    responses = _at_once(45, comment_then_read)
    _no_5xx_but_busy(responses)
    acknowledged = [r.json()["id"] for r in responses if r.status_code == 201]
    assert len(acknowledged) == 45
    assert _stored(seeded, PlanComment, plan_id=plan["id"]) == 45
    _chain_ok(seeded)


def test_acknowledged_writes_survive_a_crash(live, seeded):
    coach, athlete, plan, url = _comment_thread(live["base"])
    acknowledged: list[str] = []
    crashed = threading.Event()

    def keep_writing(worker: int) -> None:
        for index in range(40):
            if crashed.is_set():
                return
            try:
                response = httpx.post(url, headers=athlete, timeout=30,
                                      json={"message": f"w{worker} n{index}"})
            except httpx.HTTPError:
                return
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])
            if worker == 0 and index == 15:
                crashed.set()
                live["restart"](signal.SIGKILL)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(keep_writing, range(6)))
    assert len(acknowledged) >= 15
    with Session(seeded) as session:
        stored = set(session.execute(select(PlanComment.id)
                                     .where(PlanComment.plan_id == plan["id"])).scalars())
    assert set(acknowledged) <= stored
    fresh = httpx.get(f"{live['base']}/api/v1/plans/{plan['id']}/comments", headers=coach,
                      timeout=30)
    assert fresh.status_code == 200
    assert set(acknowledged) <= {c["id"] for c in fresh.json()}
    _chain_ok(seeded)


def test_an_unassigned_coach_loses_access_with_the_admins_answer(live, seeded):
    base = live["base"]
    admin = _token(base, "admin@demo.test")
    coach = _token(base, "coach1@demo.test")
    athlete_id, coach_id = demo_id("athlete2@demo.test"), demo_id("coach1@demo.test")
    plan = _plan(base, coach, "athlete2@demo.test")
    url = f"{base}/api/v1/plans/{plan['id']}"
    for _ in range(10):
        removed = httpx.delete(f"{base}/api/v1/users/{athlete_id}/coaches/{coach_id}",
                               headers=admin, timeout=30)
        assert removed.status_code == 204, removed.text
        assert httpx.get(url, headers=coach, timeout=30).status_code == 404
        added = httpx.put(f"{base}/api/v1/users/{athlete_id}/coaches/{coach_id}",
                          headers=admin, timeout=30)
        assert added.status_code == 204, added.text
        assert httpx.get(url, headers=coach, timeout=30).status_code == 200


def test_twenty_creates_of_one_flag_key_one_wins_the_rest_conflict(live, seeded):
    from db.models import FeatureFlag

    base = live["base"]
    ds = _token(base, "ds@demo.test")

    def create(index: int) -> httpx.Response:
        return _retrying(lambda: httpx.post(f"{base}/api/v1/flags", headers=ds, timeout=60,
                                            json={"key": "raced_flag",
                                                  "description": f"try {index}"}))

    responses = _at_once(20, create)
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 19}, codes
    assert all(r.headers["content-type"].startswith("application/problem+json")
               for r in responses if r.status_code == 409)
    assert _stored(seeded, FeatureFlag, key="raced_flag") == 1
    _chain_ok(seeded)


def _running_experiment(base: str, ds: dict, **over) -> dict:
    body = {"key": "raced-experiment", "name": "Raced", "randomization": "stratified_blocks",
            "variants": [{"key": "control", "weight": 50, "algorithm_version": "lp-1.0"},
                         {"key": "treatment", "weight": 50, "algorithm_version": "dup-1.0"}],
            **over}
    created = httpx.post(f"{base}/api/v1/experiments", headers=ds, json=body, timeout=30)
    assert created.status_code == 201, created.text
    started = httpx.post(f"{base}/api/v1/experiments/{created.json()['id']}/status",
                         headers=ds, json={"status": "running"}, timeout=30)
    assert started.status_code == 200, started.text
    return created.json()


def test_twenty_first_assignments_of_one_athlete_store_one_row(live, seeded):
    from db.models.experiments import ExperimentAssignment

    base = live["base"]
    ds = _token(base, "ds@demo.test")
    experiment = _running_experiment(base, ds)
    body = {"experiment_key": "raced-experiment", "subject_id": demo_id("athlete3@demo.test")}

    def assign(_: int) -> httpx.Response:
        return _retrying(lambda: httpx.post(f"{base}/api/v1/assignments", headers=ds,
                                            json=body, timeout=60))

    responses = _at_once(20, assign)
    assert Counter(r.status_code for r in responses) == {200: 20}
    answers = {(r.json()["variant"], r.json()["bucket"], r.json()["assigned_at"])
               for r in responses}
    assert len(answers) == 1
    assert _stored(seeded, ExperimentAssignment, experiment_id=experiment["id"]) == 1
    _chain_ok(seeded)


def test_concurrent_plan_generation_fills_blocks_and_logs_one_exposure_per_plan(live, seeded):
    from db.models.experiments import ExperimentAssignment, ExposureEvent

    base = live["base"]
    ds, coach = _token(base, "ds@demo.test"), _token(base, "coach1@demo.test")
    experiment = _running_experiment(base, ds)
    consenting = [n for n in range(1, 13) if n % 5 != 0]  # coach1's athletes with consent

    def generate(index: int) -> httpx.Response:
        return _retrying(lambda: httpx.post(f"{base}/api/v1/plans", headers=coach, timeout=60,
                                            json={"athlete_id": demo_id(
                                                f"athlete{consenting[index]}@demo.test"),
                                                "start_date": "2027-01-04", "weeks": 4}))

    responses = _at_once(len(consenting), generate)
    _no_5xx_but_busy(responses)
    assert Counter(r.status_code for r in responses) == {201: len(consenting)}
    arms = Counter(r.json()["experiment_arm"] for r in responses)
    assert arms == {"control": 5, "treatment": 5}  # one stratum: 10 enrolments fill 5 blocks
    assert _stored(seeded, ExperimentAssignment, experiment_id=experiment["id"]) == 10
    assert _stored(seeded, ExposureEvent, experiment_id=experiment["id"]) == 10
    _chain_ok(seeded)
