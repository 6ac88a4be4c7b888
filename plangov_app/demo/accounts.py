"""Demo accounts, profiles, teams, coach assignments and reference data (idempotent)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from db.models import (
    AlgorithmVersion,
    AthleteProfile,
    AuditEvent,
    CoachAthlete,
    OverrideReasonCode,
    Team,
    TeamMember,
    User,
)
from plangov_app.services.rbac import Role

DEMO_PASSWORD = "plangov-demo"
_NAMESPACE = uuid.UUID("5f0c7a52-8d1e-4c7e-9a55-2d2b1f3e9c11")
SPORTS = ["running", "cycling", "rowing", "powerlifting", "triathlon", "swimming"]
LEVELS = ["beginner", "intermediate", "advanced"]
GOALS = {
    "running": "sub-40 10k", "cycling": "FTP +10%", "rowing": "2k under 7:00",
    "powerlifting": "total +25 kg", "triathlon": "finish 70.3", "swimming": "1500 m PB",
}
#: injuries and limitations noted on a few profiles (the editor's Athlete panel shows them)
LIMITATIONS = {
    1: "Left knee: no deep squats or jumps until March",
    6: "Right shoulder: no overhead pressing; bench to 60% of 1RM at most",
    18: "Lower back: no heavy deadlifts from the floor; trap bar or rack pulls only",
}
REASON_CODES = [
    ("injury", "Injury", "Adjusted around an injury or pain."),
    ("time_constraint", "Time constraint", "The athlete has less time than planned."),
    ("athlete_preference", "Athlete preference", "The athlete prefers another option."),
    ("fatigue", "Fatigue", "Recovery or readiness is low."),
    ("equipment", "Equipment", "Equipment is not available."),
    ("other", "Other", "Explained in the rationale."),
]
ALGORITHMS = [
    ("lp-1.0", "Linear progression", "Steady week-on-week load increase with deloads."),
    ("dup-1.0", "Daily undulating periodisation", "Intensity and volume vary within a week."),
]


def demo_id(email: str) -> str:
    """A stable id for a demo account, so reseeding never duplicates anyone."""
    return str(uuid.uuid5(_NAMESPACE, email))


@dataclass(frozen=True)
class DemoUser:
    """One demo account."""

    email: str
    name: str
    role: Role


def demo_users() -> list[DemoUser]:
    """Every demo account of DESIGN.md."""
    people = [
        DemoUser("admin@demo.test", "Alex Admin", Role.ADMIN),
        DemoUser("coach1@demo.test", "Casey Coach", Role.COACH),
        DemoUser("coach2@demo.test", "Jordan Coach", Role.COACH),
        DemoUser("ds@demo.test", "Dana Scientist", Role.DATA_SCIENTIST),
        DemoUser("support@demo.test", "Sam Support", Role.SUPPORT),
        DemoUser("compliance@demo.test", "Chris Compliance", Role.COMPLIANCE),
    ]
    people += [DemoUser(f"athlete{n}@demo.test", f"Athlete {n}", Role.ATHLETE)
               for n in range(1, 25)]
    return people


def ensure(session: Session, model: type, key: object, **values: object) -> bool:
    """Add a `model` row with `values` unless the row with primary key `key` exists."""
    if session.get(model, key) is not None:
        return False
    session.add(model(**values))
    return True


def athlete_id(n: int) -> str:
    """The id of demo athlete `n` (1–24)."""
    return demo_id(f"athlete{n}@demo.test")


def seed_users(session: Session, password_hash: str) -> int:
    """Every demo account, all with the same password hash; return accounts created."""
    count = 0
    for person in demo_users():
        if session.get(User, demo_id(person.email)) is None:
            session.add(User(id=demo_id(person.email), email=person.email,
                             display_name=person.name, role=person.role.value,
                             password_hash=password_hash))
            count += 1
    session.flush()
    return count


def seed_profiles(session: Session) -> int:
    """Sport, level, goals, consents (and a few limitations) of each demo athlete.

    Returns the rows created or given their demo limitations.
    """
    count = 0
    for n in range(1, 25):
        sport = SPORTS[(n - 1) % len(SPORTS)]
        count += ensure(
            session, AthleteProfile, athlete_id(n), user_id=athlete_id(n), sport=sport,
            level=LEVELS[(n - 1) // 2 % len(LEVELS)], days_per_week=3 + n % 4,
            goals=GOALS[sport], limitations=LIMITATIONS.get(n, ""),
            experiment_consent=n % 5 != 0, research_consent=n % 3 != 0,
        )
    session.flush()
    return count + _note_limitations(session)


def _note_limitations(session: Session) -> int:
    """The demo limitations on profiles seeded before there were any (never once edited)."""
    count = 0
    for n, text in LIMITATIONS.items():
        profile = session.get(AthleteProfile, athlete_id(n))
        if profile is None or profile.limitations:
            continue
        edited = session.exec(select(AuditEvent.id).where(
            AuditEvent.action == "athlete.profile_update",
            AuditEvent.target_id == athlete_id(n)).limit(1)).first()
        if edited is None:  # someone cleared it on purpose: leave it cleared
            profile.limitations = text
            session.add(profile)
            count += 1
    return count


def seed_teams(session: Session) -> tuple[int, int]:
    """Team North (athletes 1–12 and support), Team South (13–24); return (teams, members)."""
    teams = {"Team North": range(1, 13), "Team South": range(13, 25)}
    created_teams = members = 0
    for name, athletes in teams.items():
        team_id = demo_id(f"team:{name}")
        created_teams += ensure(session, Team, team_id, id=team_id, name=name)
        session.flush()
        ids = [athlete_id(n) for n in athletes]
        if name == "Team North":
            ids.append(demo_id("support@demo.test"))
        for user_id in ids:
            members += ensure(session, TeamMember, (team_id, user_id), team_id=team_id,
                              user_id=user_id)
    return created_teams, members


def seed_coaches(session: Session) -> int:
    """Coach 1 takes athletes 1–12, coach 2 athletes 13–24; return rows created."""
    count = 0
    for n in range(1, 25):
        coach = demo_id("coach1@demo.test" if n <= 12 else "coach2@demo.test")
        count += ensure(session, CoachAthlete, (coach, athlete_id(n)), coach_id=coach,
                        athlete_id=athlete_id(n))
    return count


def seed_reference(session: Session) -> int:
    """Override reason codes and algorithm versions; return rows created."""
    count = 0
    for code, label, description in REASON_CODES:
        count += ensure(session, OverrideReasonCode, code, code=code, label=label,
                        description=description)
    for algo_id, name, description in ALGORITHMS:
        count += ensure(session, AlgorithmVersion, algo_id, id=algo_id, name=name,
                        description=description)
    return count


def demo_accounts(session: Session) -> list[tuple[str, str]]:
    """(email, role) of the demo accounts present, for the login page in demo mode."""
    emails = {p.email for p in demo_users()}
    rows = session.exec(select(User.email, User.role).order_by(User.role, User.email))
    return [(email, role) for email, role in rows if email in emails]
