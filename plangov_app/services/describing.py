"""What a change says to a person: the one wording of a plan change, a status, a reason, a time.

Plan History, the audit page, the athlete's review and the CSV exports all describe a change
with `describe_change`, so a change reads the same everywhere:
"Reps: 5 → 8 (Deadlift, Tue 02 Feb)", "Exercise: Dumbbell shoulder press → Shoulder
dislocates (Upper body, Tue 02 Feb)", "Session moved: Tue 02 Feb → Thu 04 Feb (Easy run)".
Names and days come from the versions' documents (exercise names from the catalogue), never
ids or JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plangov_app.services import status as statuses
from plangov_app.services.caching import LruCache
from plangov_app.services.catalogue import get_exercise
from plangov_app.services.diffing import Change
from plangov_app.services.plan_document import Item, PlanDocument, PlanSessionDoc

REASON_LABELS = {"injury": "Injury", "time_constraint": "Time constraint",
                 "athlete_preference": "Athlete preference", "fatigue": "Fatigue",
                 "equipment": "Equipment", "other": "Other"}
FIELD_LABELS = {"sets": "Sets", "reps": "Reps", "load_kg": "Load", "pct_1rm": "% of 1RM",
                "rpe": "RPE", "duration_min": "Duration", "distance_km": "Distance",
                "notes": "Notes", "exercise": "Exercise", "name": "Name", "title": "Title",
                "modality": "Type", "day": "Day", "week": "Week"}
UNITS = {"load_kg": " kg", "pct_1rm": "%", "duration_min": " min", "distance_km": " km"}
DEFAULT_ZONE = "UTC"  # the zone of a reader who has not chosen one (times are stored UTC)


class ChangeLike(Protocol):
    """A field change as diffing computes it or plan_version_changes stores it (decoded)."""

    field_path: str
    change_type: str
    old_value: Any
    new_value: Any
    session_id: str | None
    item_id: str | None


def stored_change(*, field_path: str, change_type: str, old_value: str | None,
                  new_value: str | None, session_id: str | None,
                  item_id: str | None) -> Change:
    """A stored plan_version_changes row (values as JSON text) as a `Change`."""
    return Change(field_path, change_type, _decoded(old_value), _decoded(new_value),
                  session_id, item_id)


def _decoded(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def status_label(status: str | None) -> str:
    """A plan status in words: "needs_revision" → "Needs revision" (status.LABELS)."""
    return statuses.label(status) if status else "—"


def reason_label(code: str) -> str:
    """A reason code in words: "time_constraint" → "Time constraint"."""
    return REASON_LABELS.get(code, code.replace("_", " ").capitalize())


def reasons_text(codes: list[str] | tuple[str, ...]) -> str:
    """Reason codes in words, comma-separated ("" when there are none)."""
    return ", ".join(reason_label(c) for c in codes)


def moment(when: datetime, zone: str = "", *, short: bool = False) -> str:
    """A stored time as its reader reads it, in their IANA `zone`, the zone named.

    "02 Feb 2027, 15:05 CET" (`short`: "02 Feb 15:05 CET"); a zone without a letters
    abbreviation is named by its offset ("UTC+03", "UTC+05:45"). A naive `when` is UTC (as
    the database stores it); an empty or unknown `zone` is UTC.
    """
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    local = aware.astimezone(zone_info(zone))
    return f"{local:%d %b %H:%M} {zone_abbreviation(local)}" if short \
        else f"{local:%d %b %Y, %H:%M} {zone_abbreviation(local)}"


@lru_cache(maxsize=256)
def zone_info(zone: str) -> tzinfo:
    """The zone named `zone` (an IANA name), or UTC when it is empty or unknown."""
    if not zone:
        return UTC
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def today_in(zone: str, now: datetime | None = None) -> date:
    """The calendar day it is in `zone` at `now` (default: the real time; naive means UTC)."""
    moment_now = now or datetime.now(UTC)
    aware = moment_now.replace(tzinfo=UTC) if moment_now.tzinfo is None else moment_now
    return aware.astimezone(zone_info(zone)).date()


def zone_label(zone: str) -> str:
    """The zone times are shown in, as a page names it: the IANA name, or "UTC"."""
    return zone if zone_info(zone) is not UTC else DEFAULT_ZONE


def zone_abbreviation(local: datetime) -> str:
    """The abbreviation of an aware time's zone ("CET", "EST"), else its offset ("UTC+03")."""
    name = local.tzname() or ""
    return name if name and name[0] not in "+-" else zone_offset(local)


def zone_offset(local: datetime) -> str:
    """An aware time's offset from UTC: "UTC+01", "UTC+05:45", "UTC-03", "UTC" (none)."""
    offset = local.utcoffset() or timedelta(0)
    if not offset:
        return DEFAULT_ZONE
    minutes = int(abs(offset).total_seconds()) // 60
    sign = "+" if offset > timedelta(0) else "-"
    return f"UTC{sign}{minutes // 60:02d}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def _day(value: Any) -> str:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day:%a %d %b}"


def exercise_name(key: Any) -> str:
    """The catalogue's name of an exercise key (the key itself if unknown)."""
    exercise = get_exercise(str(key)) if key else None
    return exercise.name if exercise else str(key or "none")


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def value_text(field: str, value: Any) -> str:
    """One field's value in words, with its unit ("40 kg", "10 min", "none")."""
    if value is None or value == "":
        return "none"
    if field == "exercise":
        return exercise_name(value)
    if field == "day" or field.endswith("date"):
        return _day(value)
    if field == "modality":
        return str(value).capitalize()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{_number(value)}{UNITS.get(field, '')}"
    if isinstance(value, dict):
        return _record_text(value)
    if isinstance(value, list):
        return ", ".join(value_text(field, v) for v in value) or "none"
    return f"“{value}”" if field in ("notes", "title", "name") else str(value)


def _dose(record: dict[str, Any] | Item) -> str:
    get = record.get if isinstance(record, dict) else lambda k: getattr(record, k, None)
    parts = []
    if get("sets") and get("reps"):
        parts.append(f"{get('sets')} × {get('reps')}")
    elif get("sets"):
        parts.append(f"{get('sets')} sets")
    if get("load_kg"):
        parts.append(f"@ {value_text('load_kg', get('load_kg'))}")
    for field in ("duration_min", "distance_km"):
        if get(field):
            parts.append(value_text(field, get(field)))
    return " ".join(parts)


def _record_text(record: dict[str, Any]) -> str:
    """A whole item or session (as diffing keeps it) in words."""
    if "exercise" in record:
        name = record.get("name") or exercise_name(record["exercise"])
        return " ".join(p for p in (name, _dose(record)) if p)
    if "index" in record:
        return f"Week {record['index'] + 1}"
    title = record.get("title") or str(record.get("modality", "session")).capitalize()
    return f"{title} ({_day(record['day'])})" if record.get("day") else title


def _session(change: ChangeLike, session_id: str | None, before: PlanDocument | None,
             after: PlanDocument | None) -> PlanSessionDoc | None:
    key = session_id or ""
    if change.change_type == "removed":
        return (before.session(key) if before else None) or (after.session(key) if after else None)
    return (after.session(key) if after else None) or (before.session(key) if before else None)


def _session_name(session: PlanSessionDoc | None) -> str:
    if session is None:
        return "a session"
    return f"{session.title or session.modality.capitalize()}, {_day(session.day)}"


def _item(item_id: str, *sessions: PlanSessionDoc | None) -> Item | None:
    for session in sessions:
        if session is not None:
            found = next((i for i in session.items if i.item_id == item_id), None)
            if found is not None:
                return found
    return None


_ITEM_SESSIONS = LruCache[int, tuple[PlanDocument, dict[str, PlanSessionDoc]]](64)


def _item_session(item_id: str, document: PlanDocument | None) -> PlanSessionDoc | None:
    """The session holding `item_id` in `document` (an index built once per document)."""
    if document is None:
        return None
    cached = _ITEM_SESSIONS.get(id(document))
    if cached is None or cached[0] is not document:
        cached = (document, {i.item_id: s for _, s in document.sessions() for i in s.items})
        _ITEM_SESSIONS.put(id(document), cached)
    return cached[1].get(item_id)


def describe_change(change: ChangeLike, before: PlanDocument | None,
                    after: PlanDocument | None) -> str:
    """One change in words, named from the documents before and after it.

    "Reps: 5 → 8 (Deadlift, Tue 02 Feb)"; "Session moved: Tue 02 Feb → Thu 04 Feb (Easy
    run)"; "Exercise added: Plank 3 sets (Core, Wed 03 Feb)"; "Week 5 removed".
    """
    field = change.field_path.rsplit("/", 1)[-1]
    if change.field_path == "status":  # stored with a version that moved the plan on
        return (f"Status: {status_label(change.old_value)} → "
                f"{status_label(change.new_value)}")
    if change.session_id is None:
        return _week_change(change)
    if change.item_id is None:
        return _session_change(change, field, before, after)
    return _item_change(change, field, before, after)


def _arrow(field: str, change: ChangeLike) -> str:
    return f"{value_text(field, change.old_value)} → {value_text(field, change.new_value)}"


def _week_change(change: ChangeLike) -> str:
    value = change.new_value if change.change_type == "added" else change.old_value
    if isinstance(value, dict) and "index" in value:
        sessions = value.get("sessions", 0)
        return (f"Week {value['index'] + 1} {change.change_type} "
                f"({sessions} session{'' if sessions == 1 else 's'})")
    field = change.field_path.rsplit("/", 1)[-1]
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    return f"{label}: {_arrow(field, change)}"


def _session_change(change: ChangeLike, field: str, before: PlanDocument | None,
                    after: PlanDocument | None) -> str:
    session = _session(change, change.session_id, before, after)
    if change.change_type in ("added", "removed"):
        record = change.new_value if change.change_type == "added" else change.old_value
        what = _record_text(record) if isinstance(record, dict) else _session_name(session)
        return f"Session {change.change_type}: {what}"
    title = (session.title or session.modality.capitalize()) if session else "a session"
    if field == "day":
        return f"Session moved: {_arrow('day', change)} ({title})"
    if field == "item_order":
        old = _order_text(change.old_value, before, change.session_id)
        new = _order_text(change.new_value, after, change.session_id)
        return f"Exercise order: {old} → {new} ({_session_name(session)})"
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    return f"{label}: {_arrow(field, change)} ({_session_name(session)})"


def _order_text(item_ids: Any, document: PlanDocument | None, session_id: str | None) -> str:
    session = document.session(session_id or "") if document else None
    names = {i.item_id: i.name for i in session.items} if session else {}
    return ", ".join(names.get(i, "exercise") for i in item_ids or []) or "none"


def _item_change(change: ChangeLike, field: str, before: PlanDocument | None,
                 after: PlanDocument | None) -> str:
    item_id = change.item_id or ""
    old_session = _item_session(item_id, before)
    new_session = _item_session(item_id, after)
    if change.change_type in ("added", "removed"):
        session = new_session if change.change_type == "added" else old_session
        record = change.new_value if change.change_type == "added" else change.old_value
        item = _item(item_id, session)
        what = (" ".join(p for p in (item.name, _dose(item)) if p) if item is not None
                else _record_text(record) if isinstance(record, dict) else "exercise")
        return f"Exercise {change.change_type}: {what} ({_session_name(session)})"
    session = new_session or old_session
    if field == "session_id":
        item = _item(item_id, new_session, old_session)
        name = item.name if item else "exercise"
        return (f"Exercise moved: {name}, {_session_name(old_session)} → "
                f"{_session_name(new_session)}")
    if field == "exercise":
        return f"Exercise: {_arrow('exercise', change)} ({_session_name(session)})"
    item = _item(item_id, new_session, old_session)
    where = f"{item.name if item else 'exercise'}, {_day(session.day) if session else ''}"
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    return f"{label}: {_arrow(field, change)} ({where.rstrip(', ')})"


def describe_changes(changes: list[Change], before: PlanDocument | None,
                     after: PlanDocument | None) -> list[str]:
    """Every change in words, in the order given."""
    return [describe_change(c, before, after) for c in changes]


# --- Audit events ---------------------------------------------------------------

ACTION_LABELS = {
    "plan.generate": "Plan generated", "plan.edit": "Plan edited",
    "plan.submit": "Plan sent to the athlete", "plan.approve": "Athlete's decision",
    "plan.request_changes": "Changes requested", "plan.override": "Approval overridden",
    "plan.publish": "Plan published", "plan.complete": "Plan completed",
    "plan.recall": "Plan withdrawn from the athlete", "plan.revise": "Running plan revised",
    "catalogue.exercise_add": "Custom exercise added",
    "plan.comment": "Comment written", "plan.comment.resolve": "Comment resolved",
    "plan.comment.reopen": "Comment reopened", "plan.changelog_export": "Change log exported",
    "audit.export": "Audit log exported", "role.change": "Role changed",
    "assignment.change": "Assignment changed", "auth.login": "Signed in",
    "auth.logout": "Signed out", "auth.login_failed": "Sign-in failed",
    "auth.login_throttled": "Sign-ins throttled", "access.denied": "Access refused",
    "reconcile.alert": "Reconciliation alert", "user.time_zone": "Time zone set",
    "athlete.profile_update": "Athlete's goals or limitations noted"}
EVENT_LABELS = {"reason_codes": "Reasons", "rationale_tags": "Tags", "badges": "Summary",
                "change_count": "Fields changed", "decision": "Decision",
                "comment": "Comment", "algorithm_version": "Algorithm",
                "experiment_arm": "Experiment arm", "start_date": "Starts", "weeks": "Weeks",
                "permission": "Permission", "retry_after_s": "Retry after (s)",
                "window_s": "Window (s)", "suppressed_before": "Repeats not recorded",
                "visibility": "Visible to", "length": "Length (characters)",
                "approval": "Athlete's approval", "name": "Name", "modality": "Modality",
                "unit": "Unit", "source": "Set by", "goals": "Goals",
                "limitations": "Injuries and limitations"}
#: metadata keys that carry ids or are said better elsewhere (the changes themselves)
_UNSAID = {"fields_changed", "version_number", "format", "needs_approval"}
#: what a reader looks for first; other keys follow in their stored order
_FIRST = ("status", "decision", "reason_codes", "change_count", "badges", "rationale_tags")


def action_label(action: str) -> str:
    """An audit action in words: "plan.edit" → "Plan edited"."""
    return ACTION_LABELS.get(action, action.replace(".", " ").replace("_", " ").capitalize())


def event_lines(metadata: dict[str, Any]) -> list[str]:
    """An audit event's metadata as lines in words (ids and change paths left out)."""
    lines = []
    if "old" in metadata and "new" in metadata:
        lines.extend(_old_new(metadata))
    first = [k for k in _FIRST if k in metadata]
    for key, value in [(k, metadata[k]) for k in first] + \
            [(k, v) for k, v in metadata.items() if k not in _FIRST]:
        if key in ("old", "new", "kind") or key in _UNSAID or key.endswith("_id") \
                or value in (None, "", [], {}):
            continue
        lines.append(_event_line(key, value))
    return lines


def _old_new(metadata: dict[str, Any]) -> list[str]:
    old, new = metadata["old"], metadata["new"]
    if isinstance(old, dict) or isinstance(new, dict):
        return _settings_change(old or {}, new or {}, created=old is None)
    if metadata.get("kind") == "time_zone":
        return [f"Time zone: {old or 'not chosen (UTC)'} → {new}"]
    if isinstance(new, bool):
        said = {"coach": ("Coach unassigned", "Coach assigned"),
                "team": ("Left the team", "Joined the team")}.get(
            str(metadata.get("kind")), ("No", "Yes"))
        return [said[new] + (" (no change)" if old == new else "")]
    return [f"Role: {value_text('role', old)} → {value_text('role', new)}"]


def _settings_change(old: dict[str, Any], new: dict[str, Any], *, created: bool) -> list[str]:
    """A record's settings (an experiment's, a flag's) as lines.

    What it was created with, or each setting that changed, old → new.
    """
    keys = [*new, *(k for k in old if k not in new)]
    if created:
        return [f"{_setting_label(k)}: {_setting_text(new[k])}" for k in keys
                if new.get(k) not in (None, "", [], {})]
    return [f"{_setting_label(k)}: {_setting_text(old.get(k))} → {_setting_text(new.get(k))}"
            for k in keys if old.get(k) != new.get(k)] or ["No setting changed"]


def _setting_label(key: str) -> str:
    return EVENT_LABELS.get(key, key.replace("_", " ").capitalize())


def _setting_text(value: Any) -> str:
    """A setting's value in words: nested records and lists flattened, no JSON."""
    if value is None or value in ("", [], {}):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_setting_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_setting_text(v) for v in value)
    return _number(value) if isinstance(value, int | float) else str(value)


def _event_line(key: str, value: Any) -> str:
    label = EVENT_LABELS.get(key, key.replace("_", " ").capitalize())
    if key == "status" and isinstance(value, dict):
        return f"Status: {status_label(value.get('from'))} → {status_label(value.get('to'))}"
    if key == "reason_codes" and isinstance(value, list):
        return f"{label}: {reasons_text(value)}"
    if key == "decision":
        return f"{label}: {str(value).replace('_', ' ').capitalize()}"
    if key == "source":
        return f"{label}: " + {"browser": "the browser's zone (first visit)",
                               "user": "the user"}.get(str(value), str(value))
    if key in ("reason", "throttle", "kind", "visibility"):
        return f"{label}: {str(value).replace('_', ' ')}"
    if key == "start_date":
        return f"{label}: {_day(value)}"
    if isinstance(value, dict) and set(value) == {"old", "new"}:  # a field's old → new text
        return f"{label}: “{_plain(value['old'])}” → “{_plain(value['new'])}”"
    if isinstance(value, dict):
        inner = ", ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
        return f"{label}: {inner}"
    return f"{label}: {_plain(value)}"


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    return str(value)
