"""Twelve-factor settings: everything comes from `PASAR_*` environment variables.

The defaults make a bare machine work: a SQLite file in the working directory and a
secret generated on first run, stored beside the database so restarts keep sessions valid.
"""

from __future__ import annotations

import secrets
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pasar.platform.money import validate_currency


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PASAR_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./pasar.db"
    secret_key: SecretStr | None = None
    currency: str = "USD"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    auto_migrate: bool | None = None
    log_level: str = "INFO"
    log_json: bool = True
    token_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    login_rate_limit: str = "10/minute"
    lookup_rate_limit: str = "10/minute"
    rate_limit_storage: str = "memory://"
    #: Largest request body accepted (413 problem+json above); imports need 8 MiB + envelope.
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    db_pool_size: int = Field(default=10, gt=0)

    # The order journey. Amounts are minor units of `currency`.
    commission_bps: int = Field(default=1000, ge=0, le=10_000)
    cod_limit: int = Field(default=200_000, ge=0)
    bank_transfer_hours: int = Field(default=24, gt=0)
    payment_action_minutes: int = Field(default=30, gt=0)
    completion_days: int = Field(default=7, gt=0)
    holidays: list[date] = Field(default_factory=list)
    payments_sandbox: bool = True
    #: How often `pasar serve` runs the order sweeps (deadlines, auto-completion); 0 = never.
    jobs_interval_seconds: float = Field(default=60.0, ge=0)

    # Fulfilment. The public address goes into labels' QR codes and tracking links.
    #: Unset: where `pasar serve` listens (`http://<host>:<port>`).
    public_url: str | None = None
    #: A TOML file of carriers (rate tables, couriers) replacing the built-in ones.
    carriers_file: Path | None = None
    #: A shipment with no carrier scan for this long is flagged as possibly late.
    tracking_silence_hours: int = Field(default=48, gt=0)
    #: The sandbox carrier's clock: real hours between scans, divided by this (demo speed).
    sandbox_carrier_speedup: float = Field(default=1.0, gt=0)

    # Events and workers (issue 5).
    #: `pasar serve` also runs a worker (relay, senders, scheduled jobs) in each process.
    #: Turn off when `pasar worker` processes do that work.
    embedded_worker: bool = True
    #: Outbox events a worker claims at once; a failing batch is retried event by event.
    relay_batch_size: int = Field(default=200, gt=0, le=5_000)
    #: Failed attempts after which an event is dead-lettered for an operator to replay.
    relay_max_attempts: int = Field(default=10, gt=0)
    #: How long an idle worker waits before looking for work again.
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    #: Published events are deleted after this many days (0 keeps them for ever); what
    #: consumers made of them (the mail log, webhook deliveries) keeps its own copy.
    outbox_retention_days: int = Field(default=30, ge=0)
    #: Fan every event out to NATS JetStream (`nats://host:4222`), subjects `pasar.events.<name>`.
    event_broker: str | None = None

    # Buyer notifications.
    #: Outgoing mail server; unset keeps every email in the mail log only.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65_536)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    #: "none", "starttls" or "tls" (implicit TLS, usually port 465).
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    mail_from: str = "Pasar <no-reply@pasar.example>"
    #: "log" keeps text messages in the SMS log; other providers plug in behind the same interface.
    sms_provider: Literal["log"] = "log"
    #: The language of notifications when the buyer chose none ("en" or "id").
    default_locale: Literal["en", "id"] = "en"

    # Seller webhooks.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    #: May sellers register webhook endpoints on this machine (http://127.0.0.1, localhost)?
    #: Unset: yes while the marketplace itself runs locally (no public `PASAR_PUBLIC_URL`),
    #: so a developer can try webhooks; no in production, where a seller must not make Pasar
    #: call services beside it and read their answers in the delivery log.
    allow_loopback_endpoints: bool | None = None
    #: An endpoint whose deliveries have failed for this long without a success is disabled.
    webhook_disable_after_hours: float = Field(default=24.0, gt=0)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        return validate_currency(value)

    @property
    def public_address(self) -> str:
        """The marketplace's address as people reach it, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def loopback_endpoints_allowed(self) -> bool:
        if self.allow_loopback_endpoints is not None:
            return self.allow_loopback_endpoints
        host = urlsplit(self.public_address).hostname or ""
        return host in ("localhost", "127.0.0.1", "::1")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def migrate_on_start(self) -> bool:
        """Migrations run at start on the embedded default; on PostgreSQL an operator runs them."""
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate

    @cached_property
    def secret(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _stored_secret(self._secret_path())

    def _secret_path(self) -> Path:
        if self.is_sqlite and ":memory:" not in self.database_url:
            db_file = Path(self.database_url.split("///", 1)[1])
            return db_file.with_name(db_file.name + ".secret")
        return Path("pasar.secret")


def _stored_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
