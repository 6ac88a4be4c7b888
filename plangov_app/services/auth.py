"""Sign-in, sign-out and token resolution.

Sign-in takes three short steps, so that no transaction is open while Argon2 runs:

1. *admit*, a short unit of work: the throttles decide whether this attempt may try a
   password at all. If so it is charged in advance as a failure, so parallel guesses
   cannot slip past a limit, and counted against its address's attempts;
2. *verify* the password, outside any transaction;
3. *settle*, a short unit of work: a success refunds the charge, makes the address known
   to the account and is audited as `auth.login`; a failure as `auth.login_failed`.

The throttles (settings `PLANGOV_LOGIN_*`; the README's "Sign-in throttling" says why):

- account and address: `login_max_failures` failures lock that pair out for
  `login_lockout_seconds`, doubling with every further failure up to
  `login_lockout_max_seconds`; a success from the pair ends its streak;
- account: `login_max_failures_per_account` failures, from anywhere, lock the account
  for addresses it has never signed in from (same back-off); the owner's known
  addresses are exempt, so strangers cannot lock the owner out;
- address: `login_max_failures_per_ip` failures, on any accounts, lock the address for
  accounts it is not known to; and it gets `login_max_attempts_per_ip` sign-ins,
  successful or not, per `login_window_seconds`.

Failure streaks are forgotten after `login_failure_memory_seconds` without failures. A
refused attempt costs no Argon2 and writes at most one `auth.login_throttled` event per
throttled key and window, carrying how many were suppressed since the previous one.
Attacker-chosen text (username, user agent) is shortened in every sign-in event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from db.models import KnownSignInAddress, RevokedToken, Throttle, User, utcnow
from db.session import read_session, unit_of_work, upsert
from plangov_app.services import audit, throttles
from plangov_app.services.context import UNVERIFIED_FORWARDED, RequestContext
from plangov_app.services.errors import DomainError, RateLimited, Unauthorized
from plangov_app.services.rbac import Actor, load_actor
from plangov_app.services.security import decode_token, issue_token, verify_password
from plangov_app.settings import get_settings

WRONG_CREDENTIALS = "Incorrect email or password."
LOCKED = "Too many failed sign-in attempts. Try again in {wait} s."
TOO_MANY = "Too many sign-in attempts from your address. Try again in {wait} s."
AUDIT_USERNAME_CHARS = 100
AUDIT_USER_AGENT_CHARS = 200
PAIR, ACCOUNT, ADDRESS = "login:pair", "login:account", "login:address"


@dataclass(frozen=True)
class LoginOutcome:
    """What a sign-in attempt produced: a token, or the error to show (after commit)."""

    actor: Actor | None = None
    access_token: str | None = None
    expires_at: datetime | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class _Account:
    """What the read step learnt about the account an attempt names."""

    user_id: str | None = None
    role: str | None = None
    password_hash: str | None = None
    is_active: bool = False
    known_address: bool = False


@dataclass(frozen=True)
class _Counters:
    """The three throttles an attempt answers to, locked in this order (no deadlocks)."""

    pair: Throttle
    account: Throttle
    address: Throttle

    def all(self) -> tuple[Throttle, Throttle, Throttle]:
        return self.pair, self.account, self.address


@dataclass(frozen=True)
class _Block:
    """Why an attempt is refused: the throttle that summarises it and the wait."""

    scope: str
    counter: Throttle
    wait: int
    message: str


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively, without surrounding spaces."""
    return email.strip().lower()


def login(email: str, password: str, context: RequestContext) -> LoginOutcome:
    """Check throttles and credentials; record the attempt either way.

    Opens its own short sessions (see the module docstring) and returns once the outcome
    is stored; the caller raises `outcome.error` if there is one.
    """
    email = normalise_email(email)[:254]
    address = context.origin_ip or "unknown"
    context = replace(context, user_agent=(context.user_agent or "")[:AUDIT_USER_AGENT_CHARS]
                      or None)
    with read_session() as session:
        account = _lookup(session, email, address)
    with unit_of_work() as session:
        refusal = _admit(session, email, address, account, context)
    if refusal is not None:
        return LoginOutcome(error=refusal)
    password_ok = verify_password(account.password_hash, password)
    with unit_of_work() as session:
        actor = _settle(session, email, address, account, password_ok, context)
    if actor is None:
        return LoginOutcome(error=Unauthorized(WRONG_CREDENTIALS))
    token, expires = issue_token(actor)
    return LoginOutcome(actor=actor, access_token=token, expires_at=expires)


def _lookup(session: Session, email: str, address: str) -> _Account:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        return _Account()
    known = session.get(KnownSignInAddress, (user.id, address)) is not None
    return _Account(user_id=user.id, role=user.role, password_hash=user.password_hash,
                    is_active=user.is_active, known_address=known)


def _counters(session: Session, email: str, address: str, now: datetime) -> _Counters:
    settings = get_settings()
    counters = _Counters(pair=throttles.row(session, PAIR, f"{email}|{address}"),
                         account=throttles.row(session, ACCOUNT, email),
                         address=throttles.row(session, ADDRESS, address))
    for counter in counters.all():
        throttles.forget_stale(counter, now, settings.login_failure_memory_seconds)
    throttles.roll_window(counters.address, now, settings.login_window_seconds)
    return counters


def _admit(session: Session, email: str, address: str, account: _Account,
           context: RequestContext) -> RateLimited | None:
    """Refuse (and summarise) a throttled attempt, or charge it in advance as a failure."""
    now = utcnow()
    counters = _counters(session, email, address, now)
    block = _blocking(counters, account.known_address, now)
    if block is not None:
        _report_throttled(session, email, address, block, context, now)
        return RateLimited(block.message.format(wait=block.wait), retry_after=block.wait)
    counters.address.attempts += 1
    for counter in counters.all():
        throttles.fail(counter, now)
        throttles.touch(session, counter, now)
    return None


def _blocking(counters: _Counters, known: bool, now: datetime) -> _Block | None:
    """The throttle that refuses this attempt, if any, and the longest wait.

    The broadest refusing throttle is named, so that one summary covers the most attempts.
    """
    settings = get_settings()

    def locked(counter: Throttle, limit: int) -> int:
        return throttles.lock_seconds(counter, now, limit=limit,
                                      base_s=settings.login_lockout_seconds,
                                      max_s=settings.login_lockout_max_seconds)

    address = counters.address
    checks = [(ADDRESS, address, TOO_MANY,
               throttles.window_left(address, now, settings.login_window_seconds)
               if address.attempts >= settings.login_max_attempts_per_ip else 0)]
    if not known:
        checks += [(ADDRESS, address, LOCKED, locked(address, settings.login_max_failures_per_ip)),
                   (ACCOUNT, counters.account, LOCKED,
                    locked(counters.account, settings.login_max_failures_per_account))]
    checks.append((PAIR, counters.pair, LOCKED, locked(counters.pair, settings.login_max_failures)))
    refusing = [check for check in checks if check[3] > 0]
    if not refusing:
        return None
    scope, counter, message, _ = refusing[0]
    return _Block(scope=scope, counter=counter, message=message,
                  wait=max(check[3] for check in refusing))


def _report_throttled(session: Session, email: str, address: str, block: _Block,
                      context: RequestContext, now: datetime) -> None:
    """One `auth.login_throttled` event per throttled key and window; count the rest."""
    window = get_settings().login_window_seconds
    suppressed = throttles.report_due(block.counter, now, window)
    throttles.touch(session, block.counter, now)
    if suppressed is None:
        return
    username = email[:AUDIT_USERNAME_CHARS]
    target_type, target_id = ("address", address) if block.scope == ADDRESS else ("user", username)
    audit.record(session, action="auth.login_throttled", context=context,
                 target_type=target_type, target_id=target_id,
                 metadata={"throttle": block.scope, "username": username,
                           "retry_after_s": block.wait, "window_s": window,
                           "suppressed_before": suppressed})


def _settle(session: Session, email: str, address: str, account: _Account, password_ok: bool,
            context: RequestContext) -> Actor | None:
    """Record the outcome of an admitted attempt; the actor on success, else None."""
    username = email[:AUDIT_USERNAME_CHARS]
    if account.user_id is None or not password_ok or not account.is_active:
        reason = "inactive" if account.user_id and password_ok else "bad_credentials"
        audit.record(session, action="auth.login_failed", context=context,
                     actor_id=account.user_id, actor_role=account.role,
                     target_type="user", target_id=username, metadata={"reason": reason})
        return None
    now = utcnow()
    counters = _counters(session, email, address, now)
    counters.pair.failures, counters.pair.last_failure_at = 0, None
    for counter in (counters.account, counters.address):  # refund this attempt's charge
        counter.failures = max(0, counter.failures - 1)
    for counter in counters.all():
        throttles.touch(session, counter, now)
    if context.origin_ip and context.origin_ip != UNVERIFIED_FORWARDED:
        _remember_address(session, account.user_id, address, now)
    actor = load_actor(session, account.user_id)
    audit.record(session, action="auth.login", context=context, actor=actor,
                 target_type="user", target_id=actor.user_id)
    throttles.prune(session, get_settings().login_failure_memory_seconds)
    return actor


def _remember_address(session: Session, user_id: str, address: str, now: datetime) -> None:
    session.execute(upsert(session, KnownSignInAddress).values(
        user_id=user_id, origin_ip=address, last_seen_at=now,
    ).on_conflict_do_update(index_elements=["user_id", "origin_ip"],
                            set_={"last_seen_at": now}))


def resolve_token(session: Session, token: str) -> Actor:
    """The actor behind a bearer token: signature, claims, revocation and account checked."""
    claims = decode_token(token)
    if session.get(RevokedToken, claims.jti) is not None:
        raise Unauthorized("This session has been signed out.")
    return load_actor(session, claims.sub)


def logout(session: Session, token: str, context: RequestContext) -> None:
    """Revoke the token so it cannot be used again, and audit the sign-out."""
    claims = decode_token(token)
    if session.get(RevokedToken, claims.jti) is not None:
        return
    actor = load_actor(session, claims.sub)
    session.add(RevokedToken(jti=claims.jti, expires_at=claims.exp))
    audit.record(session, action="auth.logout", context=context, actor=actor,
                 target_type="user", target_id=actor.user_id)


def token_for(session: Session, email: str) -> str:
    """A token for an existing account, for scripting (`plangov token EMAIL`)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise Unauthorized(f"No account with email {email!r}.")
    return issue_token(load_actor(session, user.id))[0]
