"""The experiment status machine and the fields frozen while an experiment runs.

draft → running → paused → running → complete; complete is final. Any other step is
refused with a Conflict (409) and a sentence saying why, in the style of services/status.py.
"""

from __future__ import annotations

from plangov_app.services.errors import Conflict

DRAFT, RUNNING, PAUSED, COMPLETE = "draft", "running", "paused", "complete"
STATUSES = (DRAFT, RUNNING, PAUSED, COMPLETE)
LABELS = {DRAFT: "Draft", RUNNING: "Running", PAUSED: "Paused", COMPLETE: "Complete"}

#: (current, requested) → allowed
TRANSITIONS: frozenset[tuple[str, str]] = frozenset({
    (DRAFT, RUNNING),
    (RUNNING, PAUSED),
    (PAUSED, RUNNING),
    (RUNNING, COMPLETE),
    (PAUSED, COMPLETE),
})

_WHY = {
    (DRAFT, PAUSED): "it has not started yet; start it first",
    (DRAFT, COMPLETE): "it never ran; a draft that is not wanted can simply be left as a draft",
    (RUNNING, RUNNING): "it is already running",
    (PAUSED, PAUSED): "it is already paused",
    (RUNNING, DRAFT): "athletes have been assigned already; it cannot go back to a draft",
    (PAUSED, DRAFT): "athletes have been assigned already; it cannot go back to a draft",
}

#: fields that would reshuffle athletes once any have been assigned
LOCKED_WHILE_LIVE = ("variants", "stratification_keys", "seed", "randomization",
                     "holdout_percentage")


def label(status: str) -> str:
    """A status in words."""
    return LABELS.get(status, status.capitalize())


def check_transition(current: str, requested: str) -> None:
    """Allow the step, or raise Conflict with a sentence saying why not."""
    if (current, requested) in TRANSITIONS:
        return
    if current == COMPLETE:
        why = "a completed experiment is final; start a new experiment instead"
    else:
        why = _WHY.get((current, requested), f"that is not a step from {label(current).lower()}")
    raise Conflict(
        f"Cannot make this experiment {label(requested).lower()} while it is "
        f"{label(current).lower()}: {why}.",
        experiment_status=current, requested=requested)


def fields_locked(status: str) -> bool:
    """Whether `LOCKED_WHILE_LIVE` fields need a new phase to change (running or paused)."""
    return status in (RUNNING, PAUSED)


def is_final(status: str) -> bool:
    """Whether the experiment takes no more edits or steps (complete)."""
    return status == COMPLETE


def check_edit(status: str, changed: set[str], *, new_phase: bool = False) -> None:
    """Refuse edits that would reshuffle assigned athletes (Conflict naming the fields).

    While running or paused, changing a locked field needs a deliberate new phase
    (which re-randomises everyone); a completed experiment takes no edits at all, and a
    draft no new phase (nobody is assigned yet: it is a plain edit).
    """
    if is_final(status) and (changed or new_phase):
        raise Conflict("This experiment is complete; completed experiments are not edited.",
                       experiment_status=status)
    if new_phase and not fields_locked(status):
        raise Conflict(f"A {label(status).lower()} experiment has no athletes assigned yet, "
                       "so there is nothing to re-randomise: edit it instead. A new phase is "
                       "for a running or paused experiment.", experiment_status=status)
    if fields_locked(status) and not new_phase:
        locked = sorted(changed & set(LOCKED_WHILE_LIVE))
        if locked:
            raise Conflict(
                f"Cannot change {', '.join(f.replace('_', ' ') for f in locked)} while the "
                f"experiment is {label(status).lower()}: athletes already assigned would be "
                "reshuffled. Start a new phase to re-randomise everyone deliberately.",
                experiment_status=status, fields=locked)
