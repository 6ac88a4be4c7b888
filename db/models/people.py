"""People: accounts, teams, coach assignments, athlete profiles."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.base import new_id, utcnow


class User(SQLModel, table=True):
    """A person who signs in; `role` is one of rbac.Role."""

    __tablename__ = "users"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=32, index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # the IANA zone this user reads times in ("" until chosen: UTC); times are stored UTC
    time_zone: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})


class Team(SQLModel, table=True):
    """A group of athletes (support staff are scoped to teams)."""

    __tablename__ = "teams"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class TeamMember(SQLModel, table=True):
    """Membership of a user (athlete or support) in a team."""

    __tablename__ = "team_members"
    team_id: str = Field(foreign_key="teams.id", primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36, index=True)
    added_at: datetime = Field(default_factory=utcnow)


class CoachAthlete(SQLModel, table=True):
    """A coach's assignment to an athlete."""

    __tablename__ = "coach_athletes"
    coach_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    athlete_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36, index=True)
    assigned_at: datetime = Field(default_factory=utcnow)


class AthleteProfile(SQLModel, table=True):
    """What plan generation and stratification know about an athlete."""

    __tablename__ = "athlete_profiles"
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    sport: str = Field(max_length=40, index=True)
    level: str = Field(max_length=20, index=True)
    days_per_week: int = Field(default=4, ge=1, le=7)
    goals: str = Field(default="", max_length=500)
    # injuries and limitations the coach or the athlete noted (shown beside the editor)
    limitations: str = Field(default="", max_length=500,
                             sa_column_kwargs={"server_default": ""})
    experiment_consent: bool = False
    research_consent: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
