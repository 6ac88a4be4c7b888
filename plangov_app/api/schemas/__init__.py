"""Request and response shapes of the API (what clients see, never table rows), by area.

Every schema is re-exported here: `from plangov_app.api.schemas import PlanOut` works.
"""

from plangov_app.api.schemas.audit import AuditEventOut, ChainOut
from plangov_app.api.schemas.catalogue import ExerciseIn, ExerciseOut
from plangov_app.api.schemas.comments import CommentIn, CommentOut
from plangov_app.api.schemas.common import ERROR_RESPONSES, Page, Problem, Strict
from plangov_app.api.schemas.notifications import NotificationList, NotificationOut
from plangov_app.api.schemas.people import (
    AthleteOut,
    AthletePlanOut,
    MeChange,
    MeOut,
    ProfileNotesIn,
    ProfileNotesOut,
    RoleChange,
    SubjectScope,
    TeamOut,
    TokenOut,
    UserList,
    UserOut,
)
from plangov_app.api.schemas.plans import (
    ApprovalOut,
    ChangelogEntry,
    ChangeOut,
    DecisionIn,
    DiffOut,
    PatchOperation,
    PlanCreate,
    PlanOut,
    SubmitIn,
    VersionBase,
    VersionBrief,
    VersionEdit,
    VersionOut,
)

__all__ = [
    "ERROR_RESPONSES",
    "ApprovalOut",
    "AthleteOut",
    "AthletePlanOut",
    "AuditEventOut",
    "ChainOut",
    "ChangeOut",
    "ChangelogEntry",
    "CommentIn",
    "CommentOut",
    "DecisionIn",
    "DiffOut",
    "ExerciseIn",
    "ExerciseOut",
    "MeChange",
    "MeOut",
    "NotificationList",
    "NotificationOut",
    "Page",
    "PatchOperation",
    "PlanCreate",
    "PlanOut",
    "Problem",
    "ProfileNotesIn",
    "ProfileNotesOut",
    "RoleChange",
    "Strict",
    "SubjectScope",
    "SubmitIn",
    "TeamOut",
    "TokenOut",
    "UserList",
    "UserOut",
    "VersionBase",
    "VersionBrief",
    "VersionEdit",
    "VersionOut",
]
