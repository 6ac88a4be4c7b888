"""Experiment status machine and locked fields."""

from __future__ import annotations

import pytest

from plangov_app.services.errors import Conflict
from plangov_app.services.experiments.lifecycle import (
    LOCKED_WHILE_LIVE,
    STATUSES,
    TRANSITIONS,
    check_edit,
    check_transition,
)

ALLOWED = [("draft", "running"), ("running", "paused"), ("paused", "running"),
           ("running", "complete"), ("paused", "complete")]


@pytest.mark.parametrize(("current", "requested"), ALLOWED)
def test_allowed_steps(current: str, requested: str) -> None:
    check_transition(current, requested)


@pytest.mark.parametrize(("current", "requested"),
                         [(c, r) for c in STATUSES for r in STATUSES if (c, r) not in ALLOWED])
def test_every_other_step_is_refused_with_a_sentence(current: str, requested: str) -> None:
    with pytest.raises(Conflict) as err:
        check_transition(current, requested)
    assert err.value.status == 409
    assert err.value.detail.startswith("Cannot make this experiment")
    assert "_" not in err.value.detail
    assert set(TRANSITIONS) == set(ALLOWED)


def test_complete_is_final() -> None:
    for requested in STATUSES:
        with pytest.raises(Conflict, match="final"):
            check_transition("complete", requested)


@pytest.mark.parametrize("status", ["running", "paused"])
@pytest.mark.parametrize("field", LOCKED_WHILE_LIVE)
def test_locked_fields_refused_while_live(status: str, field: str) -> None:
    with pytest.raises(Conflict, match="reshuffled"):
        check_edit(status, {field, "name"})
    check_edit(status, {field}, new_phase=True)


def test_free_fields_and_drafts() -> None:
    check_edit("running", {"name", "hypothesis", "end_at"})
    check_edit("draft", set(LOCKED_WHILE_LIVE))
    with pytest.raises(Conflict, match="complete"):
        check_edit("complete", {"name"})


@pytest.mark.parametrize(("status", "words"), [("draft", "nothing to re-randomise"),
                                               ("complete", "complete")])
def test_a_new_phase_only_for_a_live_experiment(status: str, words: str) -> None:
    with pytest.raises(Conflict, match=words):
        check_edit(status, {"name"}, new_phase=True)
    with pytest.raises(Conflict, match=words):
        check_edit(status, set(), new_phase=True)


def test_which_statuses_lock_fields_and_which_is_final() -> None:
    from plangov_app.services.experiments import lifecycle

    assert [lifecycle.fields_locked(s) for s in lifecycle.STATUSES] == [False, True, True, False]
    assert [lifecycle.is_final(s) for s in lifecycle.STATUSES] == [False, False, False, True]
