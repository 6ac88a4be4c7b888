"""The exercise catalogue."""

from __future__ import annotations

from pydantic import BaseModel, Field

from plangov_app.api.schemas.common import Strict


class ExerciseOut(BaseModel):
    """A catalogue exercise (shipped, or the club's own: `custom`)."""

    key: str
    name: str
    category: str
    pattern: str
    equipment: str
    loaded: bool
    unit: str
    custom: bool = False


class ExerciseIn(Strict):
    """A custom exercise for the club's catalogue."""

    name: str = Field(max_length=200)
    modality: str = Field(max_length=40, description="strength, conditioning, endurance "
                                                     "or mobility")
    unit: str = Field(max_length=40, description="reps, duration or distance")
