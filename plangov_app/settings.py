"""Every environment variable PlanGov reads, in one place."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "plangov", "dev", "development", "test"}
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message says why."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """PlanGov's configuration, read from the environment (and `.env`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias=_env("PLANGOV_ENV")
    )
    database_url: str = Field("sqlite:///plangov.db", validation_alias=_env("DATABASE_URL"))
    secret_key: str = Field("", validation_alias=_env("PLANGOV_SECRET_KEY"))
    secret_file: Path = Field(Path(".plangov_secret"), validation_alias=_env("PLANGOV_SECRET_FILE"))
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))
    token_ttl_minutes: int = Field(480, ge=1, validation_alias=_env("PLANGOV_TOKEN_TTL_MINUTES"))
    jwt_issuer: str = Field("plangov", validation_alias=_env("PLANGOV_JWT_ISSUER"))
    jwt_audience: str = Field("plangov-api", validation_alias=_env("PLANGOV_JWT_AUDIENCE"))
    demo_mode: bool | None = Field(None, validation_alias=_env("PLANGOV_DEMO_MODE"))
    login_max_failures: int = Field(5, ge=1, validation_alias=_env("PLANGOV_LOGIN_MAX_FAILURES"))
    login_max_failures_per_ip: int = Field(
        30, ge=1, validation_alias=_env("PLANGOV_LOGIN_MAX_FAILURES_PER_IP")
    )
    login_window_seconds: int = Field(
        300, ge=1, validation_alias=_env("PLANGOV_LOGIN_WINDOW_SECONDS")
    )
    telemetry_file: Path = Field(
        Path("telemetry.jsonl"), validation_alias=_env("PLANGOV_TELEMETRY_FILE")
    )
    outbox_max_age_seconds: int = Field(
        900, ge=1, validation_alias=_env("PLANGOV_OUTBOX_MAX_AGE_SECONDS")
    )
    # The experiment scheduler's pause between passes (workers/experiments.py).
    experiment_tick_seconds: float = Field(
        30.0, ge=1, le=3600, validation_alias=_env("PLANGOV_EXPERIMENT_TICK_SECONDS")
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, validation_alias=_env("PLANGOV_MAX_BODY_BYTES")
    )
    max_json_depth: int = Field(32, ge=8, le=256, validation_alias=_env("PLANGOV_MAX_JSON_DEPTH"))
    db_lock_timeout_seconds: float = Field(
        10.0, gt=0, le=120, validation_alias=_env("PLANGOV_DB_LOCK_TIMEOUT_SECONDS")
    )
    db_pool_size: int = Field(48, ge=1, le=500, validation_alias=_env("PLANGOV_DB_POOL_SIZE"))
    trusted_proxies: str = Field("", validation_alias=_env("PLANGOV_TRUSTED_PROXIES"))
    # uvicorn's own list of peers whose X-Forwarded-For it applies (its default below); read
    # only to recognise a client address uvicorn has already rewritten (services/context.py).
    server_forwarded_allow_ips: str = Field(
        "127.0.0.1,::1", validation_alias=_env("FORWARDED_ALLOW_IPS")
    )
    # Sign-in throttling (services/auth.py; the README's "Sign-in throttling" explains it).
    login_lockout_seconds: int = Field(
        60, ge=1, validation_alias=_env("PLANGOV_LOGIN_LOCKOUT_SECONDS")
    )
    login_lockout_max_seconds: int = Field(
        3600, ge=1, validation_alias=_env("PLANGOV_LOGIN_LOCKOUT_MAX_SECONDS")
    )
    login_failure_memory_seconds: int = Field(
        86_400, ge=1, validation_alias=_env("PLANGOV_LOGIN_FAILURE_MEMORY_SECONDS")
    )
    login_max_failures_per_account: int = Field(
        20, ge=1, validation_alias=_env("PLANGOV_LOGIN_MAX_FAILURES_PER_ACCOUNT")
    )
    login_max_attempts_per_ip: int = Field(
        60, ge=1, validation_alias=_env("PLANGOV_LOGIN_MAX_ATTEMPTS_PER_IP")
    )
    # Denied access: at most one audit event per actor and target, and this many per actor,
    # per window (services/denials.py).
    denial_audit_window_seconds: int = Field(
        600, ge=1, validation_alias=_env("PLANGOV_DENIAL_AUDIT_WINDOW_SECONDS")
    )
    denial_audit_max_per_window: int = Field(
        10, ge=1, validation_alias=_env("PLANGOV_DENIAL_AUDIT_MAX_PER_WINDOW")
    )

    @model_validator(mode="after")
    def _require_real_secret_in_production(self) -> Settings:
        if self.env == "production":
            key = self.secret_key.strip()
            if not key:
                raise SettingsError(
                    "PLANGOV_SECRET_KEY is required when PLANGOV_ENV=production."
                )
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    "PLANGOV_SECRET_KEY is a placeholder or shorter than "
                    f"{MIN_SECRET_LENGTH} characters; generate one with "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
                )
        return self

    @property
    def is_demo(self) -> bool:
        """Whether the login page lists the demo accounts."""
        return self.env != "production" if self.demo_mode is None else self.demo_mode

    def signing_key(self) -> str:
        """The JWT signing secret; outside production, generated once and kept in a file."""
        if self.secret_key:
            return self.secret_key
        if self.secret_file.exists():
            return self.secret_file.read_text().strip()
        key = secrets.token_urlsafe(48)
        self.secret_file.write_text(key)
        self.secret_file.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; call `get_settings.cache_clear()` in tests)."""
    return Settings()
