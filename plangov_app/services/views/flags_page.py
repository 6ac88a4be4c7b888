"""`/flags` (flag:manage): the list, one flag's form, who a change reaches, and its history.

Everything goes through `services.flags` (validation, audit). The allow-list is stored as
user ids; it is shown as emails only to readers who manage users (admins), so a data
scientist reads no personal data back (they may still type emails).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sqlmodel import Session, col, select

from db.models import User
from plangov_app.services import flags
from plangov_app.services.describing import moment
from plangov_app.services.rbac import Actor, Permission, Role, can

ROLES = [r.value for r in Role]
ACTION_LABELS = {"flag.create": "Created", "flag.update": "Changed"}
NAMES_SHOWN = 5  # allow-list entries named in one history line


@dataclasses.dataclass
class FlagRow:
    """A flag as the list shows it."""

    key: str = ""
    description: str = ""
    enabled: bool = False
    rollout: str = ""
    roles: str = ""
    allow: str = ""
    changed_by: str = ""
    changed_at: str = ""


@dataclasses.dataclass
class FlagForm:
    """One flag's editable values, as the form holds them."""

    key: str = ""
    description: str = ""
    enabled: bool = False
    percentage: str = "100"
    roles: list[str] = dataclasses.field(default_factory=list)
    allow_text: str = ""
    reach: str = ""


@dataclasses.dataclass
class ChangeRow:
    """One change of a flag: who, when, and what it changed (old → new)."""

    seq: str = ""
    when: str = ""
    who: str = ""
    action: str = ""
    lines: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Reach:
    """Whom a change turns the flag on and off for."""

    before: int = 0
    after: int = 0
    total: int = 0
    gained: int = 0
    lost: int = 0

    @property
    def changes_users(self) -> bool:
        """Whether someone's answer changes (the page then asks for a confirmation)."""
        return bool(self.gained or self.lost)

    def sentence(self, key: str) -> str:
        """The change in words, for the confirmation."""
        parts = [f"{key} is on for {_users(self.before)} of {self.total} now; after this "
                 f"change it is on for {_users(self.after)}."]
        if self.gained:
            parts.append(f"{_users(self.gained)} will start to see it.")
        if self.lost:
            parts.append(f"{_users(self.lost)} will stop seeing it.")
        return " ".join(parts)


def _users(n: int) -> str:
    return f"{n} user" if n == 1 else f"{n} users"


def allow_entries(text: str) -> list[str]:
    """The allow-list as typed: one email or user id per line (commas and spaces split too)."""
    return [e for e in re.split(r"[\s,;]+", text) if e]


def _names(session: Session, ids: set[str]) -> dict[str, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}


def _rollout(rules: dict[str, Any]) -> str:
    return f"{float(rules.get('percentage', 100)):g}%"


def _roles(rules: dict[str, Any]) -> str:
    roles = rules.get("roles") or []
    return ", ".join(r.replace("_", " ") for r in roles) if roles else "every role"


def _who(user: User | None, fallback: str | None) -> str:
    if user is None:
        return "the system" if fallback in (None, "system") else fallback
    return f"{user.display_name} ({user.role.replace('_', ' ')})"


def flags_list(session: Session, actor: Actor) -> list[FlagRow]:
    """Every flag with its rules in words and who changed it last (flag:manage)."""
    views = flags.list_flags(session, actor)
    people = _names(session, {v.updated_by for v in views if v.updated_by})
    return [FlagRow(key=v.key, description=v.description, enabled=v.enabled,
                    rollout=_rollout(v.rules), roles=_roles(v.rules),
                    allow=_users(len(v.rules.get("allow", []))),
                    changed_by=_who(people.get(v.updated_by or ""), v.updated_by),
                    changed_at=moment(v.updated_at, actor.time_zone) if v.updated_at else "")
            for v in views]


def _shown_allow(session: Session, actor: Actor, ids: list[str]) -> list[str]:
    """Allow-list entries as the reader may see them: emails for admins, else ids."""
    if not can(actor, Permission.USER_MANAGE):
        return list(ids)
    people = _names(session, set(ids))
    return sorted(people[i].email if i in people else i for i in ids)


def _active_users(session: Session) -> list[tuple[str, str]]:
    return list(session.exec(select(User.id, User.role).where(col(User.is_active))))


def _on_for(flag: flags.CompiledFlag, users: list[tuple[str, str]]) -> set[str]:
    return {uid for uid, role in users if flags.evaluate(flag, user_id=uid, role=role)}


def flag_form(session: Session, actor: Actor, key: str) -> FlagForm:
    """The flag `key` as the edit form starts (flag:manage; NotFound when missing)."""
    view = flags.get_flag(session, actor, key)
    users = _active_users(session)
    on = _on_for(_compiled(view), users)
    return FlagForm(key=view.key, description=view.description, enabled=view.enabled,
                    percentage=f"{view.rules['percentage']:g}", roles=list(view.rules["roles"]),
                    allow_text="\n".join(_shown_allow(session, actor, view.rules["allow"])),
                    reach=f"On for {_users(len(on))} of {len(users)} now.")


def _compiled(view: flags.FlagView) -> flags.CompiledFlag:
    rules = view.rules
    return flags.CompiledFlag.of(view.key, view.enabled, flags.Rules(
        allow=tuple(rules["allow"]), roles=tuple(rules["roles"]),
        percentage=rules["percentage"]))


def reach_of_change(session: Session, actor: Actor, key: str, *, enabled: bool,
                    rules: Any) -> Reach:
    """Whom saving `enabled` and `rules` would reach, before and after; nothing is written.

    The rules are checked as the service checks them (InvalidInput naming the field).
    """
    current = _compiled(flags.get_flag(session, actor, key))
    proposed = flags.CompiledFlag.of(key, enabled, flags.parse_rules(session, rules))
    users = _active_users(session)
    before, after = _on_for(current, users), _on_for(proposed, users)
    return Reach(before=len(before), after=len(after), total=len(users),
                 gained=len(after - before), lost=len(before - after))


def _allow_line(session: Session, actor: Actor, old: list[str], new: list[str]) -> str:
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    line = f"Allow-list: {_users(len(old))} → {_users(len(new))}"
    if can(actor, Permission.USER_MANAGE):
        named = [f"+ {e}" for e in _shown_allow(session, actor, added)] + \
                [f"− {e}" for e in _shown_allow(session, actor, removed)]
        if named:
            more = len(named) - NAMES_SHOWN
            line += f" ({', '.join(named[:NAMES_SHOWN])}{f', {more} more' if more > 0 else ''})"
    return line


def _switch(on: Any) -> str:
    return "on" if on else "off"


def change_lines(session: Session, actor: Actor, old: dict[str, Any] | None,
                 new: dict[str, Any] | None) -> list[str]:
    """What a change did, field by field, old → new (a creation lists the new values)."""
    new = new or {}
    old_rules, new_rules = (old or {}).get("rules") or {}, new.get("rules") or {}
    if old is None:
        return [f"Switch: {_switch(new.get('enabled'))}", f"Rollout: {_rollout(new_rules)}",
                f"Roles: {_roles(new_rules)}",
                f"Allow-list: {_users(len(new_rules.get('allow', [])))}"]
    lines = []
    if old.get("enabled") != new.get("enabled"):
        lines.append(f"Switch: {_switch(old.get('enabled'))} → {_switch(new.get('enabled'))}")
    if old.get("description") != new.get("description"):
        lines.append(f"Description: “{old.get('description', '')}” → "
                     f"“{new.get('description', '')}”")
    if _rollout(old_rules) != _rollout(new_rules):
        lines.append(f"Rollout: {_rollout(old_rules)} → {_rollout(new_rules)}")
    if _roles(old_rules) != _roles(new_rules):
        lines.append(f"Roles: {_roles(old_rules)} → {_roles(new_rules)}")
    old_allow, new_allow = old_rules.get("allow", []), new_rules.get("allow", [])
    if sorted(old_allow) != sorted(new_allow):
        lines.append(_allow_line(session, actor, old_allow, new_allow))
    return lines


def flag_history(session: Session, actor: Actor, key: str) -> list[ChangeRow]:
    """The flag's latest changes, newest first, in words (flag:manage)."""
    changes, _ = flags.history(session, actor, key)
    people = _names(session, {c.actor_id for c in changes if c.actor_id})
    return [ChangeRow(seq=str(c.seq), when=moment(c.occurred_at, actor.time_zone),
                      who=_who(people.get(c.actor_id or ""), c.actor_role),
                      action=ACTION_LABELS.get(c.action, c.action),
                      lines=change_lines(session, actor, c.old, c.new))
            for c in changes]
