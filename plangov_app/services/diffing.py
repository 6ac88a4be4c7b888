"""Diffs between plan documents: field-level changes and the impact summary.

Documents are flattened into dicts keyed by `session_id` and `item_id`, and DeepDiff
compares those, so a session moved to another day is one `moved` change and a swapped
exercise is one `modified` change of `exercise` (counted as a swap) — not a cascade of
list-position noise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from plangov_app.services.caching import LruCache
from plangov_app.services.plan_document import MODALITIES, PlanDocument

SESSION_FIELDS = ("day", "modality", "title", "notes")
INTENSITY_FIELDS = ("load_kg", "pct_1rm", "rpe")
DOSAGE_FIELDS = ("sets", "reps", "duration_min", "distance_km")
_TAG_WORDS = {"injur": "injury", "pain": "injury", "knee": "injury", "back": "injury",
              "travel": "travel", "time": "time", "busy": "time", "tired": "fatigue",
              "fatigue": "fatigue", "sleep": "fatigue", "equipment": "equipment",
              "gym": "equipment", "prefer": "preference", "deload": "deload",
              "race": "competition", "competition": "competition"}


@dataclass(frozen=True)
class Change:
    """One field that differs between two versions."""

    field_path: str
    change_type: str  # added | removed | modified | moved
    old_value: Any
    new_value: Any
    session_id: str | None
    item_id: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


_FLAT = LruCache[int, tuple[PlanDocument, dict[str, dict[str, Any]]]](64)


def flatten(document: PlanDocument) -> dict[str, dict[str, Any]]:
    """Sessions and items keyed by their stable ids (read-only: it may be shared)."""
    cached = _FLAT.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    flat = _flatten(document)
    _FLAT.put(id(document), (document, flat))  # the entry keeps the document (and its id)
    return flat


def _flatten(document: PlanDocument) -> dict[str, dict[str, Any]]:
    sessions: dict[str, Any] = {}
    items: dict[str, Any] = {}
    for week in document.model_dump(mode="json")["weeks"]:
        for session in week["sessions"]:
            session_id = session["session_id"]
            sessions[session_id] = {"week": week["index"], "day": session["day"],
                                    "modality": session["modality"], "title": session["title"],
                                    "notes": session["notes"]}
            for item in session["items"]:
                item_id = item.pop("item_id")
                items[item_id] = {"session_id": session_id, **item}
    return {"sessions": sessions, "items": items}


def _changed_only(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, dict]:
    """Keep only the keys whose values differ (DeepDiff then works on little data)."""
    keys = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    return ({k: old[k] for k in keys if k in old}, {k: new[k] for k in keys if k in new})


def diff_documents(old: PlanDocument, new: PlanDocument) -> list[Change]:
    """Every change from `old` to `new`, sessions first."""
    flat_old, flat_new = flatten(old), flatten(new)
    changes: list[Change] = []
    for kind in ("sessions", "items"):
        before, after = _changed_only(flat_old[kind], flat_new[kind])
        if not before and not after:
            continue
        tree = DeepDiff(before, after, view="tree", verbose_level=2)
        for report in ("dictionary_item_added", "dictionary_item_removed", "values_changed",
                       "type_changes"):
            for level in tree.get(report, []):
                change = _to_change(kind, level.path(output_format="list"), level.t1, level.t2,
                                    flat_old, flat_new)
                if change:
                    changes.append(change)
    return sorted(changes, key=lambda c: (c.session_id or "", c.item_id or "", c.field_path))


def _to_change(kind: str, path: list[Any], old: Any, new: Any, flat_old: dict,
               flat_new: dict) -> Change | None:
    key = str(path[0])
    field = str(path[1]) if len(path) > 1 else None
    missing = type(old).__name__ == "NotPresent" or (old is None and field is None)
    absent = type(new).__name__ == "NotPresent" or (new is None and field is None)
    if kind == "sessions":
        return _session_change(key, field, None if missing else old, None if absent else new)
    record = (flat_new if key in flat_new["items"] else flat_old)["items"][key]
    return _item_change(key, field, None if missing else old, None if absent else new,
                        record["session_id"])


def _session_change(session_id: str, field: str | None, old: Any, new: Any) -> Change | None:
    base = f"sessions/{session_id}"
    if field is None:
        change_type = "added" if old is None else "removed"
        return Change(base, change_type, _short(old), _short(new), session_id, None)
    if field == "week":
        return None  # implied by the day
    change_type = "moved" if field == "day" else "modified"
    return Change(f"{base}/{field}", change_type, old, new, session_id, None)


def _item_change(item_id: str, field: str | None, old: Any, new: Any,
                 session_id: str) -> Change | None:
    base = f"sessions/{session_id}/items/{item_id}"
    if field is None:
        change_type = "added" if old is None else "removed"
        return Change(base, change_type, _short(old), _short(new), session_id, item_id)
    if field == "name":
        return None  # follows the exercise
    change_type = "moved" if field == "session_id" else "modified"
    return Change(f"{base}/{field}", change_type, old, new, session_id, item_id)


def _short(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    keep = ("day", "modality", "title", "exercise", "name", "sets", "reps", "load_kg",
            "duration_min")
    return {k: value[k] for k in keep if k in value and value[k] is not None}


# --- Summary --------------------------------------------------------------------


def volume_by_modality(document: PlanDocument) -> dict[str, float]:
    """Volume per modality (strength: kg·reps; endurance and others: minutes)."""
    totals = dict.fromkeys(MODALITIES, 0.0)
    for _, session in document.sessions():
        totals[session.modality] += session.volume()
    return {m: round(v, 1) for m, v in totals.items() if m != "rest"}


def session_counts(document: PlanDocument) -> dict[str, int]:
    """How many sessions of each modality."""
    counts = dict.fromkeys(MODALITIES, 0)
    for _, session in document.sessions():
        counts[session.modality] += 1
    return counts


def pct_change(new: float, old: float) -> float | None:
    """Percentage change, or None when there was nothing before."""
    if old == 0:
        return None
    return round((new - old) / old * 100, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def summarize(old: PlanDocument, new: PlanDocument,
              changes: list[Change] | None = None) -> dict[str, Any]:
    """The impact of going from `old` to `new`: volume, swaps, moves, intensity, badges."""
    changes = diff_documents(old, new) if changes is None else changes
    old_volume, new_volume = volume_by_modality(old), volume_by_modality(new)
    counts = session_counts(old)
    by_modality = {m: {"before": old_volume[m], "after": new_volume[m],
                       "pct": pct_change(new_volume[m], old_volume[m])}
                   for m in old_volume if old_volume[m] or new_volume[m]}
    total_pct = _weighted_total(by_modality, counts)
    swaps = [{"session_id": c.session_id, "item_id": c.item_id, "from": c.old_value,
              "to": c.new_value} for c in changes if c.field_path.endswith("/exercise")]
    moves = [{"session_id": c.session_id, "from": c.old_value, "to": c.new_value}
             for c in changes if c.change_type == "moved" and c.item_id is None]
    intensity = [c.as_dict() for c in changes
                 if c.item_id and c.field_path.rsplit("/", 1)[-1] in INTENSITY_FIELDS]
    summary = {
        "volume": {"by_modality": by_modality, "total_pct": total_pct},
        "exercise_swaps": swaps,
        "sessions_added": _count(changes, "added", session=True),
        "sessions_removed": _count(changes, "removed", session=True),
        "sessions_moved": moves,
        "items_added": _count(changes, "added", session=False),
        "items_removed": _count(changes, "removed", session=False),
        "intensity_changes": intensity,
        "sessions_changed": len({c.session_id for c in changes if c.session_id}),
        "change_count": len(changes),
    }
    summary["badges"] = badges(summary)
    return summary


def _count(changes: list[Change], change_type: str, *, session: bool) -> int:
    return sum(1 for c in changes
               if c.change_type == change_type and (c.item_id is None) == session)


def _weighted_total(by_modality: dict[str, dict[str, Any]], counts: dict[str, int]) -> float | None:
    weights = {m: counts.get(m, 0) for m, v in by_modality.items() if v["pct"] is not None}
    total = sum(weights.values())
    if not total:
        return None
    return round(sum(by_modality[m]["pct"] * w for m, w in weights.items()) / total, 1) + 0.0


def badges(summary: dict[str, Any]) -> list[str]:
    """Short labels for the change-tracking sidebar ("Volume ↑ 12%", "2 swaps", …)."""
    out: list[str] = []
    total = summary["volume"]["total_pct"]
    if total:
        out.append(f"Volume {'↑' if total > 0 else '↓'} {abs(total):g}%")
    for key, singular, plural in (("exercise_swaps", "swap", "swaps"),
                                  ("sessions_moved", "session moved", "sessions moved"),
                                  ("intensity_changes", "intensity change",
                                   "intensity changes")):
        n = len(summary[key])
        if n:
            out.append(f"{n} {singular if n == 1 else plural}")
    for key, label in (("sessions_added", "added"), ("sessions_removed", "removed")):
        n = summary[key]
        if n:
            out.append(f"{n} session{'s' if n != 1 else ''} {label}")
    return out


def rationale_tags(rationale: str) -> list[str]:
    """Tags from a rationale: explicit #hashtags plus a few recognised keywords."""
    text = rationale.lower()
    tags = set(re.findall(r"#([a-z0-9_-]{2,30})", text))
    tags |= {tag for word, tag in _TAG_WORDS.items() if word in text}
    return sorted(tags)


def encode_value(value: Any) -> str | None:
    """How a change's old/new value is stored (JSON text; None stays None)."""
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def describe(summary: dict[str, Any], before: PlanDocument, after: PlanDocument) -> str:
    """A plain-language sentence of the impact.

    For example "3 sessions changed, strength volume ↑ 12%, Thursday run moved to Friday".
    """
    parts: list[str] = []
    changed = summary.get("sessions_changed", 0)
    if changed:
        parts.append(f"{changed} session{'s' if changed != 1 else ''} changed")
    for modality, volume in summary["volume"]["by_modality"].items():
        pct = volume.get("pct")
        if pct:
            parts.append(f"{modality} volume {'↑' if pct > 0 else '↓'} {abs(pct):g}%")
    for move in summary.get("sessions_moved", []):
        moved = after.session(move["session_id"]) or before.session(move["session_id"])
        title = (moved.title if moved else "session").split(" — ")[0]
        parts.append(f"{_weekday(move['from'])} {title.lower()} moved to {_weekday(move['to'])}")
    names = {}
    for swap in summary.get("exercise_swaps", []):
        names[swap["from"]] = swap["to"]
    parts += [f"{_exercise_name(a)} → {_exercise_name(b)}" for a, b in names.items()]
    for key, label in (("items_added", "exercise added"), ("items_removed", "exercise removed")):
        n = summary.get(key, 0)
        if n:
            parts.append(f"{n} {label if n == 1 else label.replace('exercise', 'exercises')}")
    return ", ".join(parts) if parts else "No changes."


def _weekday(iso_day: str) -> str:
    from datetime import date

    return date.fromisoformat(iso_day).strftime("%A")


def _exercise_name(key: str) -> str:
    from plangov_app.services.catalogue import get_exercise

    exercise = get_exercise(key)
    return exercise.name if exercise else key
