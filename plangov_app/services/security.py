"""Password hashing (Argon2id, memory-hard) and signed bearer tokens (JWT, HS256)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from plangov_app.services.errors import Unauthorized
from plangov_app.services.rbac import Actor
from plangov_app.settings import Settings, get_settings

_hasher = PasswordHasher()
# Verified when the account does not exist, so a wrong email costs what a wrong password does.
_DUMMY_HASH = _hasher.hash("plangov-dummy-password")
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """An Argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, spend the same time and say no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    """The verified claims of a bearer token."""

    sub: str
    role: str
    jti: str
    exp: datetime
    subject_scope: dict[str, list[str]]


def _key(settings: Settings) -> OctKey:
    return OctKey.import_key(settings.signing_key())


def issue_token(actor: Actor, settings: Settings | None = None) -> tuple[str, datetime]:
    """A signed JWT for `actor` and when it expires."""
    settings = settings or get_settings()
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=settings.token_ttl_minutes)
    claims: dict[str, Any] = {
        "sub": actor.user_id,
        "role": actor.role.value,
        "subject_scope": actor.subject_scope(),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, _key(settings)), expires


def decode_token(token: str, settings: Settings | None = None) -> TokenClaims:
    """Verify signature, algorithm, issuer, audience and expiry; raise Unauthorized if any fail."""
    settings = settings or get_settings()
    if not token or len(token) > 8192:
        raise Unauthorized("Missing or malformed bearer token.")
    registry = JWTClaimsRegistry(
        iss={"essential": True, "value": settings.jwt_issuer},
        aud={"essential": True, "value": settings.jwt_audience},
        exp={"essential": True},
        sub={"essential": True},
        jti={"essential": True},
    )
    try:
        decoded = jwt.decode(token, _key(settings), algorithms=[ALGORITHM])
        registry.validate(decoded.claims)
        claims = decoded.claims
        return TokenClaims(
            sub=str(claims["sub"]),
            role=str(claims.get("role", "")),
            jti=str(claims["jti"]),
            exp=datetime.fromtimestamp(int(claims["exp"]), UTC),
            subject_scope=claims.get("subject_scope") or {},
        )
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise Unauthorized(f"Invalid bearer token ({_reason(error)}).") from error


def _reason(error: Exception) -> str:
    name = type(error).__name__
    return {
        "ExpiredTokenError": "expired",
        "BadSignatureError": "bad signature",
        "InvalidClaimError": "wrong issuer or audience",
        "MissingClaimError": "missing claim",
        "UnsupportedAlgorithmError": "algorithm not accepted",
    }.get(name, "malformed")
