"""Feature flags (spec §3.3): rules, their evaluation for a user, and their management.

A flag is a master switch (`enabled`) and rules (stored in `feature_flags.rules_json`):

    {"allow": [user ids], "roles": ["athlete", ...], "percentage": 0–100}

Evaluated for a user, in this order:

1. the flag is off (`enabled` false) → off for everyone (the kill switch beats every rule);
2. the user is on the allow-list → on;
3. `roles` is not empty and the user's role is not in it → off;
4. percentage rollout (default 100): on when
   `mmh3.hash(f"{flag_key}:{user_id}", signed=False) % 10000 < percentage * 100`
   (MurmurHash3 x86 32-bit, seed 0), so a user's answer is stable, differs between flags,
   and anyone can recompute it from the key and the user id.

So "on for these people only" is `enabled`, `allow`, and `percentage: 0`.
The allow-list accepts user ids or emails and is stored as user ids (no email in the
flag, so data scientists read no personal data back).

`evaluate` is pure (rules + user → bool); the rest reads and writes the table, each
change audited (`flag.create`, `flag.update`) with the old and new values.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mmh3
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import AuditEvent, FeatureFlag, User, utcnow
from plangov_app.services import audit
from plangov_app.services.context import RequestContext
from plangov_app.services.errors import Conflict, InvalidInput, NotFound
from plangov_app.services.rbac import Actor, Permission, Role, authorize
from plangov_app.services.text import clean_text, refuse_unstorable

BUCKETS = 10_000
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{1,79}$")
MAX_ALLOW = 1000  # users on one allow-list
MAX_DESCRIPTION = 500
MAX_FLAGS = 500  # flags a config holds (bounds the work of every config request)
RULE_KEYS = ("allow", "roles", "percentage")
TARGET_TYPE = "feature_flag"
HISTORY_PAGE = 100


@dataclass(frozen=True)
class Rules:
    """A flag's targeting rules (validated)."""

    allow: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    percentage: float = 100.0

    def as_json(self) -> dict[str, Any]:
        """The rules as stored and returned."""
        return {"allow": list(self.allow), "roles": list(self.roles),
                "percentage": self.percentage}


@dataclass(frozen=True)
class CompiledFlag:
    """A flag ready to evaluate: key, switch and rules (allow-list as a set)."""

    key: str
    enabled: bool
    rules: Rules
    allow: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, key: str, enabled: bool, rules: Rules) -> CompiledFlag:
        """Compile `rules` for repeated evaluation."""
        return cls(key=key, enabled=enabled, rules=rules, allow=frozenset(rules.allow),
                   roles=frozenset(rules.roles))


def bucket(flag_key: str, user_id: str) -> int:
    """The user's rollout bucket for the flag, 0–9999 (MurmurHash3, see the module doc)."""
    return mmh3.hash(f"{flag_key}:{user_id}", signed=False) % BUCKETS


def evaluate(flag: CompiledFlag, *, user_id: str, role: str) -> bool:
    """Whether `flag` is on for the user (`user_id`, `role`): see the module doc for order."""
    if not flag.enabled:
        return False
    if user_id in flag.allow:
        return True
    if flag.roles and role not in flag.roles:
        return False
    percentage = flag.rules.percentage
    if percentage >= 100:
        return True
    return percentage > 0 and bucket(flag.key, user_id) < percentage * 100


def evaluate_all(flags: Iterable[CompiledFlag], *, user_id: str, role: str) -> dict[str, bool]:
    """Every flag's value for the user, keyed by flag key."""
    return {f.key: evaluate(f, user_id=user_id, role=role) for f in flags}


# --- validation -------------------------------------------------------------------


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field_name}: {message}",
                        errors=[{"field": field_name, "message": message}])


def check_key(key: Any) -> str:
    """A flag key: lower-case letters, digits, `_ . -`, 2–80 long, starting with a letter."""
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise _invalid("key", "use 2–80 lower-case letters, digits, '_', '.' or '-', "
                              "starting with a letter")
    return key


def _check_percentage(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or not 0 <= value <= 100:
        raise _invalid("rules.percentage", "must be a number from 0 to 100")
    return float(value)


def _check_roles(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > len(Role):
        raise _invalid("rules.roles", f"must be a list of at most {len(Role)} roles")
    known = {r.value for r in Role}
    for role in value:
        if not isinstance(role, str) or role not in known:
            raise _invalid("rules.roles", f"unknown role {str(role)[:40]!r}; use "
                                          f"{', '.join(sorted(known))}")
    return tuple(sorted(set(value)))


def _check_allow(session: Session, value: Any) -> tuple[str, ...]:
    """The allow-list as user ids; each entry a user id or an email of an existing user."""
    if not isinstance(value, list) or len(value) > MAX_ALLOW:
        raise _invalid("rules.allow", f"must be a list of at most {MAX_ALLOW} user ids or "
                                      "emails")
    wanted: list[str] = []
    for entry in value:
        if not isinstance(entry, str) or not 0 < len(entry) <= 254:
            raise _invalid("rules.allow", "each entry must be a user id or an email")
        refuse_unstorable(entry, "rules.allow")
        wanted.append(entry.strip().lower() if "@" in entry else entry.strip())
    if not wanted:
        return ()
    rows = session.exec(select(User.id, User.email).where(
        col(User.id).in_(wanted) | col(User.email).in_(wanted))).all()
    found = {user_id: user_id for user_id, _ in rows} | {email: uid for uid, email in rows}
    unknown = [w for w in wanted if w not in found]
    if unknown:
        raise _invalid("rules.allow", f"no user {unknown[0][:80]!r}")
    return tuple(sorted({found[w] for w in wanted}))


def parse_rules(session: Session, raw: Any) -> Rules:
    """Validated rules from the API's `rules` object (InvalidInput naming the field)."""
    if raw is None:
        return Rules()
    if not isinstance(raw, Mapping):
        raise _invalid("rules", "must be an object with allow, roles and percentage")
    extra = sorted(set(raw) - set(RULE_KEYS))
    if extra:
        raise _invalid(f"rules.{str(extra[0])[:40]}",
                       f"unknown rule; rules are {', '.join(RULE_KEYS)}")
    return Rules(allow=_check_allow(session, raw.get("allow", [])),
                 roles=_check_roles(raw.get("roles", [])),
                 percentage=_check_percentage(raw.get("percentage", 100)))


def _check_description(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise _invalid("description", f"must be text of at most {MAX_DESCRIPTION} characters")
    return clean_text(value, "description")


def _check_enabled(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _invalid("enabled", "must be true or false")
    return value


# --- reading ----------------------------------------------------------------------


def stored_rules(row: FeatureFlag) -> Rules:
    """The rules a row holds (rows are validated when written; a damaged one is off)."""
    try:
        raw = json.loads(row.rules_json or "{}")
        return Rules(allow=tuple(raw.get("allow", [])), roles=tuple(raw.get("roles", [])),
                     percentage=float(raw.get("percentage", 100)))
    except (ValueError, TypeError, AttributeError):
        return Rules(percentage=0.0)


def compiled(row: FeatureFlag) -> CompiledFlag:
    """The row ready to evaluate."""
    return CompiledFlag.of(row.key, row.enabled, stored_rules(row))


def _rows(session: Session) -> list[FeatureFlag]:
    return list(session.exec(select(FeatureFlag).order_by(col(FeatureFlag.key))
                             .limit(MAX_FLAGS)))


def config_for(session: Session, actor: Actor) -> dict[str, bool]:
    """The evaluated flags of the signed-in `actor` (any role): `{key: on}`."""
    return evaluate_all((compiled(r) for r in _rows(session)), user_id=actor.user_id,
                        role=actor.role.value)


def config_etag(config: Mapping[str, bool]) -> str:
    """A strong entity tag of the evaluated config: a hash of its canonical JSON."""
    digest = hashlib.sha256(audit.canonical_json({"flags": dict(config)}).encode()).hexdigest()
    return f'"{digest[:32]}"'


def evaluated_config(session: Session, actor: Actor) -> tuple[dict[str, bool], str]:
    """The actor's evaluated flags and their ETag: what `GET /flags/config` and the UI read."""
    config = config_for(session, actor)
    return config, config_etag(config)


def is_on(session: Session, actor: Actor, key: str) -> bool:
    """Whether the flag `key` is on for `actor` (off when there is no such flag)."""
    row = session.exec(select(FeatureFlag).where(FeatureFlag.key == key)).first()
    return row is not None and evaluate(compiled(row), user_id=actor.user_id,
                                        role=actor.role.value)


@dataclass(frozen=True)
class FlagView:
    """A flag as managers read it."""

    key: str
    description: str
    enabled: bool
    rules: dict[str, Any]
    updated_at: Any
    updated_by: str | None

    @classmethod
    def of(cls, row: FeatureFlag) -> FlagView:
        """The view of a row."""
        return cls(key=row.key, description=row.description, enabled=row.enabled,
                   rules=stored_rules(row).as_json(), updated_at=row.updated_at,
                   updated_by=row.updated_by)

    def values(self) -> dict[str, Any]:
        """What the audit records as a flag's old or new value."""
        return {"description": self.description, "enabled": self.enabled,
                "rules": self.rules}


def list_flags(session: Session, actor: Actor) -> list[FlagView]:
    """Every flag, by key (flag:manage)."""
    authorize(actor, Permission.FLAG_MANAGE)
    return [FlagView.of(r) for r in _rows(session)]


def _get(session: Session, key: str, *, for_update: bool = False) -> FeatureFlag:
    refuse_unstorable(key, "key")
    query = select(FeatureFlag).where(FeatureFlag.key == key)
    row = session.exec(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound(f"No flag {key[:80]!r}.")
    return row


def get_flag(session: Session, actor: Actor, key: str) -> FlagView:
    """One flag (flag:manage; NotFound when there is none)."""
    authorize(actor, Permission.FLAG_MANAGE)
    return FlagView.of(_get(session, key))


# --- writing ----------------------------------------------------------------------


def create_flag(session: Session, actor: Actor, *, key: Any, description: Any = "",
                enabled: Any = False, rules: Any = None,
                context: RequestContext) -> FlagView:
    """Create a flag (flag:manage); audited as `flag.create` with its values as `new`.

    Every field is checked before anything is written; a taken key is a Conflict.
    """
    authorize(actor, Permission.FLAG_MANAGE)
    key = check_key(key)
    row = FeatureFlag(key=key, description=_check_description(description),
                      enabled=_check_enabled(enabled),
                      rules_json=audit.canonical_json(parse_rules(session, rules).as_json()),
                      updated_at=utcnow(), updated_by=actor.user_id)
    if session.exec(select(func.count()).select_from(FeatureFlag)).one() >= MAX_FLAGS:
        raise Conflict(f"There are already {MAX_FLAGS} flags; retire one first.")
    if session.exec(select(FeatureFlag.id).where(FeatureFlag.key == key)).first():
        raise Conflict(f"key: a flag {key!r} exists already.", field="key")
    try:
        with session.begin_nested():  # the key taken meanwhile by a concurrent create
            session.add(row)
    except IntegrityError:
        raise Conflict(f"key: a flag {key!r} exists already.", field="key") from None
    view = FlagView.of(row)
    audit.record(session, action="flag.create", context=context, actor=actor,
                 target_type=TARGET_TYPE, target_id=key,
                 metadata={"key": key, "old": None, "new": view.values()})
    return view


def update_flag(session: Session, actor: Actor, key: str, *, changes: Mapping[str, Any],
                context: RequestContext) -> FlagView:
    """Change a flag's `description`, `enabled` and/or `rules` (rules are replaced whole).

    flag:manage; audited as `flag.update` with the old and new values (nothing is recorded
    when nothing changes).
    """
    authorize(actor, Permission.FLAG_MANAGE)
    unknown = sorted(set(changes) - {"description", "enabled", "rules"})
    if unknown:
        raise _invalid(str(unknown[0])[:40], "cannot be changed; change description, "
                                             "enabled or rules")
    checked: dict[str, Any] = {}
    if "description" in changes:
        checked["description"] = _check_description(changes["description"])
    if "enabled" in changes:
        checked["enabled"] = _check_enabled(changes["enabled"])
    if "rules" in changes:
        checked["rules_json"] = audit.canonical_json(
            parse_rules(session, changes["rules"]).as_json())
    row = _get(session, key, for_update=True)
    old = FlagView.of(row)
    for name, value in checked.items():
        setattr(row, name, value)
    new = FlagView.of(row)
    if new.values() == old.values():
        return old
    row.updated_at, row.updated_by = utcnow(), actor.user_id
    session.add(row)
    session.flush()
    audit.record(session, action="flag.update", context=context, actor=actor,
                 target_type=TARGET_TYPE, target_id=key,
                 metadata={"key": key, "old": old.values(), "new": new.values()})
    return FlagView.of(row)


@dataclass(frozen=True)
class FlagChange:
    """One change of a flag, from the audit log."""

    seq: int
    occurred_at: Any
    actor_id: str | None
    actor_role: str | None
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


def history(session: Session, actor: Actor, key: str, *, before_seq: int | None = None,
            limit: int = HISTORY_PAGE) -> tuple[list[FlagChange], int | None]:
    """The flag's changes, newest first, and the cursor (a seq) of the next page."""
    authorize(actor, Permission.FLAG_MANAGE)
    _get(session, key)
    limit = max(1, min(limit, HISTORY_PAGE))
    query = select(AuditEvent).where(AuditEvent.target_type == TARGET_TYPE,
                                     AuditEvent.target_id == key)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    rows = list(session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(limit + 1)))
    changes = []
    for event in rows[:limit]:
        meta = json.loads(event.metadata_json or "{}")
        changes.append(FlagChange(seq=event.seq, occurred_at=event.occurred_at,
                                  actor_id=event.actor_id, actor_role=event.actor_role,
                                  action=event.action, old=meta.get("old"),
                                  new=meta.get("new")))
    return changes, (rows[limit - 1].seq if len(rows) > limit else None)


def ensure_flag(session: Session, *, key: str, description: str,
                context: RequestContext) -> bool:
    """Create the flag `key` switched off if missing (demo seed); True when created."""
    if session.exec(select(FeatureFlag.id).where(FeatureFlag.key == check_key(key))).first():
        return False
    row = FeatureFlag(key=key, description=description, enabled=False,
                      rules_json=audit.canonical_json(Rules().as_json()))
    session.add(row)
    session.flush()
    audit.record(session, action="flag.create", context=context, actor_id=None,
                 actor_role="system", target_type=TARGET_TYPE, target_id=key,
                 metadata={"key": key, "old": None, "new": FlagView.of(row).values()})
    return True
