"""The exercise catalogue."""

from __future__ import annotations

from pydantic import BaseModel


class ExerciseOut(BaseModel):
    """A catalogue exercise."""

    key: str
    name: str
    category: str
    pattern: str
    equipment: str
    loaded: bool
    unit: str
