"""The club's own exercises: coaches and admins add them to the catalogue, audited.

Checked in words per field (name, modality, unit); a name no exercise has (shipped or
custom, ignoring case); stored in `custom_exercises` and usable in plans at once
(`catalogue.get_exercise` knows it once the transaction commits).
"""

from __future__ import annotations

import uuid

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import CustomExercise
from plangov_app.services import audit
from plangov_app.services.catalogue import (
    CUSTOM_PREFIX,
    Exercise,
    as_exercise,
    catalogue,
    register,
)
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import InvalidInput
from plangov_app.services.rbac import Actor, Permission, authorize
from plangov_app.services.text import clean_text

#: the modalities an exercise belongs to, and the units its dose is counted in
MODALITIES = ("strength", "conditioning", "endurance", "mobility")
UNITS = ("reps", "duration", "distance")
UNIT_LABELS = {"reps": "sets × reps", "duration": "minutes", "distance": "kilometres"}
NAME_MIN, NAME_MAX = 3, 60


def _checked_name(name: str) -> str:
    name = " ".join(clean_text(name, "name").split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidInput(f"Name must be {NAME_MIN} to {NAME_MAX} characters long.",
                           field="name")
    return name


def check_new_exercise(session: Session, *, name: str, modality: str, unit: str
                       ) -> dict[str, str]:
    """What is wrong with a new exercise, per field ("name", "modality", "unit"), in words.

    Empty when it may be added: a name of 3–60 characters that no exercise (shipped or
    custom) has, ignoring case; a known modality; a known unit.
    """
    problems: dict[str, str] = {}
    try:
        name = _checked_name(name)
    except InvalidInput as error:
        problems["name"] = error.detail
    else:
        folded = name.casefold()
        taken = next((e for e in catalogue().values() if e.name.casefold() == folded), None)
        if taken is None:
            row = session.exec(select(CustomExercise).where(
                col(CustomExercise.name_folded) == folded)).first()
            taken = as_exercise(row) if row else None
        if taken is not None:
            problems["name"] = (f"“{taken.name}” is already in the catalogue; pick it from the "
                                "search instead.")
    if modality not in MODALITIES:
        problems["modality"] = f"Modality must be one of {', '.join(MODALITIES)}."
    if unit not in UNITS:
        problems["unit"] = ("Unit must be one of "
                            f"{', '.join(f'{u} ({UNIT_LABELS[u]})' for u in UNITS)}.")
    return problems


def add_custom_exercise(session: Session, actor: Actor, *, name: str, modality: str,
                        unit: str, context: RequestContext) -> Exercise:
    """Add an exercise to the club's catalogue (catalogue:manage), audited.

    InvalidInput names the first field that is wrong (`field`) and carries every problem
    (`errors`), in words.
    """
    authorize(actor, Permission.CATALOGUE_MANAGE)
    problems = check_new_exercise(session, name=name, modality=modality, unit=unit)
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidInput(message, field=field,
                           errors=[{"field": f, "message": m} for f, m in problems.items()])
    name = _checked_name(name)
    row = CustomExercise(key=f"{CUSTOM_PREFIX}{uuid.uuid4().hex[:20]}", name=name,
                         name_folded=name.casefold(), modality=modality, unit=unit,
                         created_by=actor.user_id)
    try:
        with session.begin_nested():  # a name taken meanwhile by a concurrent add
            session.add(row)
    except IntegrityError:
        raise InvalidInput(f"“{name}” was just added by someone else; pick it from the "
                           "search instead.", field="name") from None
    exercise = as_exercise(row)
    audit.record(session, action="catalogue.exercise_add", context=context, actor=actor,
                 target_type="exercise", target_id=row.key,
                 metadata={"name": name, "modality": modality, "unit": unit})
    event.listen(session, "after_commit", lambda _s: register(exercise), once=True)
    return exercise
