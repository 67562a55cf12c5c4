"""Settings every service reads the same way (pydantic-settings).

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix``
(``CATALOG_``, ``CONTRACTS_`` …), so one environment can configure all four
without collisions; nothing reads the environment at import time — the
composition root (``create_app``) builds the settings object.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What a service needs to stand on the backbone."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = Field(
        description="SQLAlchemy async URL of this service's own database, "
        "e.g. postgresql+asyncpg://vbp:vbp@db:5432/vbp_catalog",
    )
    kafka_bootstrap_servers: str = Field(description="host:port[,host:port…] of the broker")
    identity_key: SecretStr = Field(
        description="HMAC key shared with the gateway; signs the forwarded principal (GW-3)",
    )
    identity_max_skew_seconds: int = Field(default=300, ge=1)
    restarts: int = Field(default=0, ge=0, description="set by the launcher: how often it restarted this process")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description=(
        "a larger request body is refused with 413 as it arrives, before anything is parsed (issue 11)"))
    topic_partitions: int = Field(default=3, ge=1)
    relay_poll_seconds: float = Field(default=0.05, gt=0)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_max_backoff_seconds: float = Field(default=5.0, gt=0)
    outbox_retention_days: int = Field(
        default=30,
        ge=1,
        description="published outbox rows are kept this long so they can be "
        "republished to a broker that lost its data",
    )
    inbox_retention_days: int = Field(
        default=45,
        ge=1,
        description="processed event ids are kept this long; longer than outbox_retention_days, "
        "so an event republished after a broker loss is still recognised as handled",
    )
    idempotency_retention_days: int = Field(
        default=7, ge=1, description="an Idempotency-Key can be replayed for this long (DESIGN §5)",
    )
    housekeeping_interval_seconds: float = Field(default=3600, gt=0, description="how often retention is applied")
    park_after_attempts: int = Field(
        default=3, ge=1, le=20,
        description="a fetch whose handler fails this many times is applied event by event, "
        "and the events that still fail are parked (GET /<service>/parked-events)",
    )
    wait_for_facts_seconds: float = Field(
        default=60.0, ge=0,
        description="how long a consumer retries, after every fetch, an event that needs a fact not delivered yet "
        "(vbpkit.messaging.handlers.NotYetKnown: another topic's, or a late predecessor of its own) before it counts as parked",
    )
    stale_retry_seconds: float = Field(
        default=30.0, gt=0,
        description="how often, while events flow, a consumer applies again the events that have awaited a fact "
        "longer than wait_for_facts_seconds, so a fact that comes late still releases them",
    )
    consumers_enabled: bool = True
    log_level: str = "INFO"
    clock: str | None = Field(
        default=None,
        description="demonstrate the platform at another date: ISO date or datetime "
        "(then advancing), or frozen:<iso>; empty = system time",
    )

    @model_validator(mode="after")
    def _inbox_outlives_outbox(self):
        # A relay republishes every kept outbox row to a broker that lost its data; an
        # inbox that had already forgotten those ids would apply them a second time.
        if self.inbox_retention_days <= self.outbox_retention_days:
            raise ValueError(
                f"inbox_retention_days ({self.inbox_retention_days}) must exceed "
                f"outbox_retention_days ({self.outbox_retention_days})"
            )
        return self
