"""A read-only view of a plan's current version, by week (the editor builds on it)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from sqlmodel import Session

from db.models import User
from plangov_app.services import adherence, plans
from plangov_app.services.errors import DomainError
from plangov_app.services.rbac import Actor, Permission
from plangov_app.services.versions import document_of
from state.session import SessionState, problem_toast, run_read

MODALITY_COLOURS = {"strength": "indigo", "endurance": "teal", "conditioning": "orange",
                    "mobility": "plum", "rest": "gray"}


@dataclasses.dataclass
class ItemRow:
    """An exercise line of a session card."""

    name: str = ""
    dose: str = ""


@dataclasses.dataclass
class SessionCard:
    """A session as the calendar shows it."""

    id: str = ""
    day: str = ""
    title: str = ""
    modality: str = ""
    colour: str = "gray"
    volume: str = ""
    compliance: str = ""
    exercises: list[ItemRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WeekRow:
    """One week of the calendar."""

    label: str = ""
    sessions: list[SessionCard] = dataclasses.field(default_factory=list)


def _dose(item: Any) -> str:
    parts = []
    if item.sets and item.reps:
        parts.append(f"{item.sets}×{item.reps}")
    elif item.sets:
        parts.append(f"{item.sets} sets")
    if item.load_kg:
        parts.append(f"@ {item.load_kg:g} kg")
    if item.duration_min:
        parts.append(f"{item.duration_min:g} min")
    if item.distance_km:
        parts.append(f"{item.distance_km:g} km")
    if item.rpe:
        parts.append(f"RPE {item.rpe:g}")
    return " ".join(parts)


def _view(session: Session, actor: Actor, plan_id: str) -> dict[str, Any]:
    plan = plans.load_plan(session, actor, plan_id, Permission.PLAN_VIEW)
    head = plans.head_version(session, plan)
    document = document_of(head)
    marks = adherence.session_compliance(session, plan, document, date.today())
    weeks = [WeekRow(label=f"Week {w.index + 1}", sessions=[SessionCard(
        id=s.session_id, day=s.day.strftime("%a %d %b"), title=s.title or s.modality.title(),
        modality=s.modality, colour=MODALITY_COLOURS.get(s.modality, "gray"),
        volume=f"{s.volume():,.0f}",
        compliance=marks[s.session_id].colour if s.session_id in marks else "",
        exercises=[ItemRow(name=i.name, dose=_dose(i)) for i in s.items]) for s in w.sessions])
        for w in document.weeks]
    athlete = session.get(User, plan.athlete_id)
    summary = json.loads(head.diff_summary_json or "{}").get("vs_baseline", {})
    return {"athlete": athlete.display_name if athlete else "", "status": plan.status,
            "algorithm": plan.algorithm_version, "arm": plan.experiment_arm or "—",
            "version": str(head.version_number), "weeks": weeks,
            "badges": summary.get("badges", [])}


class PlanViewState(SessionState):
    """The plan shown and its weeks (a page of weeks at a time)."""

    plan_id: str = ""
    athlete: str = ""
    plan_status: str = ""
    algorithm: str = ""
    arm: str = ""
    version: str = ""
    badges: list[str] = []
    weeks: list[WeekRow] = []
    found: bool = True

    async def load(self) -> Any:
        """on_load: the plan of the URL, if the actor may see it (else "not found")."""
        actor, redirect = await self._require(Permission.PLAN_VIEW)
        if redirect or actor is None:
            return redirect
        self.plan_id = self.router.url.path.strip("/").split("/")[1]
        try:
            data = await run_read(_view, actor, self.plan_id)
        except DomainError as error:
            self.found, self.weeks = False, []
            return None if error.status == 404 else problem_toast(error)
        self.found = True
        self.athlete, self.plan_status = data["athlete"], data["status"]
        self.algorithm, self.arm, self.version = data["algorithm"], data["arm"], data["version"]
        self.badges, self.weeks = data["badges"], data["weeks"]
        return None
