"""Property-based API checks with schemathesis: every operation of the OpenAPI document, for
every role, with valid and invalid generated requests. No answer is a 5xx, every answer
matches the document (status code, content type, headers, body schema), and the audit chain
is intact afterwards.

Path parameters are either generated or drawn from the real rows (plans with their own
versions and comments, users, teams, the caller's notifications), so the requests reach the
services instead of stopping at 404. The seed is random per run, printed in pytest's header
and in every failure; replay a run with `PLANGOV_TEST_SEED=<seed>`. Hypothesis' health checks
are on. `PLANGOV_SCHEMATHESIS_EXAMPLES` sets the examples per operation and mode (default 10).
"""

from __future__ import annotations

import os
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import pytest
import schemathesis
from hypothesis import Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session, select

from db.models import FeatureFlag, Notification, PlanComment, PlanVersion, Team, User
from db.models.experiments import Experiment
from db.session import read_session, unit_of_work
from plangov_app import demo
from plangov_app.api import create_api
from plangov_app.demo import demo_id
from plangov_app.services import audit, auth
from tests.conftest import RUN_SEED

ROLES = {"admin": "admin@demo.test", "coach": "coach1@demo.test",
         "athlete": "athlete1@demo.test", "support": "support@demo.test",
         "compliance": "compliance@demo.test", "data_scientist": "ds@demo.test"}
EXAMPLES = int(os.environ.get("PLANGOV_SCHEMATHESIS_EXAMPLES", "10"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
DEMO_TODAY = date(2027, 1, 4)  # the demo plans' "today": fixed, never the real clock
MISSING_ID = "00000000-0000-4000-8000-000000000000"
LOGOUT = "/api/v1/auth/logout"
#: operations that must be called with ids of real rows (not only generated ones)
WITH_REAL_IDS = ("PATCH /api/v1/athletes/{athlete_id}/profile",)


@dataclass(frozen=True)
class RealIds:
    """Ids of existing rows to use as path parameters."""

    plans: dict[str, tuple[list[str], list[str]]]  # plan id → (its versions, its comments)
    users: list[str]
    athletes: list[str]
    coaches: list[str]
    teams: list[str]
    notifications: list[str]
    flags: list[str]  # flag keys
    experiments: list[str]

    def known(self) -> set[str]:
        """Every real id (and key) above."""
        nested = [i for versions, comments in self.plans.values() for i in versions + comments]
        return {*self.plans, *nested, *self.users, *self.teams, *self.notifications,
                *self.flags, *self.experiments}


def _real_ids(session: Session, email: str) -> RealIds:
    versions: defaultdict[str, list[str]] = defaultdict(list)
    comments: defaultdict[str, list[str]] = defaultdict(list)
    for plan_id, version_id in session.exec(select(PlanVersion.plan_id, PlanVersion.id)):
        versions[plan_id].append(version_id)
    for plan_id, comment_id in session.exec(select(PlanComment.plan_id, PlanComment.id)):
        comments[plan_id].append(comment_id)
    users = list(session.exec(select(User.id, User.role)))
    mine = list(session.exec(select(Notification.id).where(
        Notification.user_id == demo_id(email))))
    return RealIds(
        plans={plan: (ids, comments[plan]) for plan, ids in sorted(versions.items())},
        users=sorted(u for u, _ in users),
        athletes=sorted(u for u, role in users if role == "athlete"),
        coaches=sorted(u for u, role in users if role == "coach"),
        teams=sorted(session.exec(select(Team.id))),
        notifications=sorted(mine) or [MISSING_ID],
        flags=sorted(session.exec(select(FeatureFlag.key))) or ["no-such-flag"],
        experiments=sorted(session.exec(select(Experiment.id))) or [MISSING_ID])


@st.composite
def _real_path(draw, ids: RealIds, names: tuple[str, ...]) -> dict[str, str]:
    """Path parameters from existing rows; a version and a comment belong to the plan."""
    plan = draw(st.sampled_from(sorted(ids.plans)))
    versions, comments = ids.plans[plan]
    values = {
        "plan_id": plan, "version_id": draw(st.sampled_from(versions)),
        "comment_id": draw(st.sampled_from(comments or [MISSING_ID])),
        "user_id": draw(st.sampled_from(ids.users)),
        "athlete_id": draw(st.sampled_from(ids.athletes)),
        "coach_id": draw(st.sampled_from(ids.coaches)),
        "team_id": draw(st.sampled_from(ids.teams)),
        "notification_id": draw(st.sampled_from(ids.notifications)),
        "key": draw(st.sampled_from(ids.flags)),
        "experiment_id": draw(st.sampled_from(ids.experiments))}
    return {name: values[name] for name in names}


def _strategy(operation, mode: GenerationMode, ids: RealIds):
    generated = operation.as_strategy(mode)
    names = tuple(re.findall(r"{(\w+)}", operation.path))
    if not names:
        return generated
    real = _real_path(ids, names).flatmap(
        lambda path: operation.as_strategy(mode, path_parameters=path))
    return st.one_of(generated, real)


def _fresh_token(email: str) -> dict[str, str]:
    """A new bearer token (signed directly: no password hashing, no sign-in throttle)."""
    with read_session() as session:
        return {"Authorization": f"Bearer {auth.token_for(session, email)}"}


def _seed_for(*parts: str) -> int:
    """This run's seed, decorrelated per role, operation and mode (replayable)."""
    return RUN_SEED ^ zlib.crc32("|".join(parts).encode())


def _fuzz(operation, mode: GenerationMode, email: str, ids: RealIds, statuses: Counter,
          real_calls: Counter) -> None:
    headers = _fresh_token(email)
    label = f"{operation.method.upper()} {operation.path}"
    known = ids.known()

    @seed(_seed_for(email, label, mode.value))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate])
    @given(case=_strategy(operation, mode, ids))
    def run(case) -> None:
        # Signing out revokes the token: every sign-out gets a token of its own.
        sent = _fresh_token(email) if operation.path == LOGOUT else headers
        try:
            response = case.call_and_validate(headers=sent, checks=CHECKS)
        except Exception as error:  # an exception raised by the app is a 500 too: name the case
            raise AssertionError(f"as {email} (bearer token added): {case.as_curl_command()}\n"
                                 f"{type(error).__name__}: {str(error)[:1500]}") from error
        statuses[response.status_code] += 1
        path = case.path_parameters or {}
        real_calls[label] += bool(path) and all(v in known for v in path.values())

    run()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_conforms_for_every_role(client, seeded, role):
    email = ROLES[role]
    with unit_of_work(seeded) as session:
        demo.seed(session, with_plans=True, today=DEMO_TODAY)
    with Session(seeded) as session:
        ids = _real_ids(session, email)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_api())
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    real_calls: Counter[str] = Counter()
    for operation in operations:
        for mode in MODES:
            try:
                _fuzz(operation, mode, email, ids, statuses, real_calls)
            except Exception as error:  # collect every failing operation, then report them all
                failures.append(f"[{role} · {mode.value}] {operation.method.upper()} "
                                f"{operation.path}:\n{error}"[:3000])
    replay = f"seed {RUN_SEED}: replay with PLANGOV_TEST_SEED={RUN_SEED}"
    assert not failures, f"{len(failures)} failing operation(s), {replay}\n\n" + "\n\n".join(
        failures)
    areas = {operation.path.split("/")[3] for operation in operations}
    assert {"audit", "auth", "users", "teams", "athletes", "plans", "notifications"} <= areas
    assert sum(statuses.values()) >= len(operations) * EXAMPLES  # it really called the API
    assert any(code < 300 for code in statuses), statuses  # and some calls got through
    assert all(real_calls[label] for label in WITH_REAL_IDS), real_calls  # real rows reached
    with read_session() as session:
        assert audit.verify_chain(session).ok  # nothing the fuzzing did broke the audit chain
