"""SQLModel tables for the whole specification (names as SPEC.md gives them), a module per area.

Importing the package registers every table in `SQLModel.metadata` (Alembic and
`create_all` need them all); every table and helper is re-exported here, so
`from db.models import User` works without knowing the area.
"""

from db.models.audit import AuditEvent
from db.models.base import clock_at, new_id, text_column, utcnow
from db.models.catalogue import CustomExercise
from db.models.comments import PlanComment
from db.models.experiments import Experiment, ExperimentAssignment, ExposureEvent, FeatureFlag
from db.models.notifications import Notification
from db.models.outbox import OutboxEvent
from db.models.outcomes import CsatResponse, KpiMeasurement, WorkoutLog
from db.models.people import AthleteProfile, CoachAthlete, Team, TeamMember, User
from db.models.plans import (
    AlgorithmVersion,
    OverrideReasonCode,
    Plan,
    PlanSession,
    PlanVersion,
    PlanVersionChange,
)
from db.models.security import KnownSignInAddress, RevokedToken, Throttle

__all__ = [
    "AlgorithmVersion",
    "AthleteProfile",
    "AuditEvent",
    "CoachAthlete",
    "CsatResponse",
    "CustomExercise",
    "Experiment",
    "ExperimentAssignment",
    "ExposureEvent",
    "FeatureFlag",
    "KnownSignInAddress",
    "KpiMeasurement",
    "Notification",
    "OutboxEvent",
    "OverrideReasonCode",
    "Plan",
    "PlanComment",
    "PlanSession",
    "PlanVersion",
    "PlanVersionChange",
    "RevokedToken",
    "Team",
    "TeamMember",
    "Throttle",
    "User",
    "WorkoutLog",
    "clock_at",
    "new_id",
    "text_column",
    "utcnow",
]
