"""Tokens, the signed-in user, users, teams and athletes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from plangov_app.api.schemas.common import Strict


class TokenOut(BaseModel):
    """A bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class SubjectScope(BaseModel):
    """Which athletes and teams the user's permissions reach."""

    athlete_ids: list[str]
    team_ids: list[str]


class MeOut(BaseModel):
    """The signed-in user."""

    id: str
    email: str
    display_name: str
    role: str
    subject_scope: SubjectScope
    permissions: list[str]
    time_zone: str = Field(description="the IANA zone the user reads times in; \"\" until "
                                       "chosen (UTC). Times in the API stay UTC ISO 8601.")


class MeChange(Strict):
    """What a signed-in user may change about themself."""

    time_zone: str = Field(min_length=1, max_length=64, examples=["Europe/Oslo"],
                           description="an IANA time zone name")


class UserOut(BaseModel):
    """A user in the admin list."""

    id: str
    email: str
    display_name: str
    role: str
    is_active: bool
    coach_ids: list[str]
    team_ids: list[str]


class UserList(BaseModel):
    """A page of users (offset-paginated, with the total)."""

    items: list[UserOut]
    total: int
    next_cursor: str | None = None


class AthletePlanOut(BaseModel):
    """One of an athlete's plans, on their profile."""

    plan_id: str
    start_date: date
    weeks: int
    status: str
    version: int
    algorithm: str
    arm: str | None
    adherence: float | None = Field(description="completed / scheduled sessions so far")


class AthleteOut(BaseModel):
    """An athlete's profile: sport, level, consents, coaches, teams and recent plans."""

    athlete_id: str
    name: str
    sport: str
    level: str
    days_per_week: int | None
    goals: str
    limitations: str = Field(description="injuries and limitations the coach or athlete noted")
    experiment_consent: bool
    research_consent: bool
    coaches: list[str]
    teams: list[str]
    plans: list[AthletePlanOut]


class ProfileNotesIn(Strict):
    """Goals and/or injuries and limitations to note (a field left out stays as it is)."""

    goals: str | None = Field(default=None, max_length=500,
                              description="trimmed; an empty string clears it")
    limitations: str | None = Field(default=None, max_length=500,
                                    description="injuries and limitations; trimmed")


class ProfileNotesOut(BaseModel):
    """The athlete's notes as stored after the update."""

    athlete_id: str
    goals: str
    limitations: str
    updated_at: datetime
    changed: list[str] = Field(description="the fields this request changed")


class RoleChange(Strict):
    """A new role for a user."""

    role: str = Field(min_length=1, max_length=32)


class TeamOut(BaseModel):
    """A team."""

    id: str
    name: str
