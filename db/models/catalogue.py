"""The club's own exercises, added to the shipped catalogue by coaches and admins."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.base import new_id, utcnow


class CustomExercise(SQLModel, table=True):
    """A custom exercise: plans name it by `key` like a catalogue one."""

    __tablename__ = "custom_exercises"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    key: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=60)
    name_folded: str = Field(max_length=60, unique=True)  # case-folded: no duplicate names
    modality: str = Field(max_length=16)  # strength | conditioning | endurance | mobility
    unit: str = Field(max_length=16)  # reps | duration | distance
    created_by: str = Field(foreign_key="users.id", max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
