"""The kit's own tables, present in every service's database."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, LargeBinary, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from vbpkit.db.engine import KitBase


# a transaction that inserted outbox rows NOTIFYs this channel as it commits (migration v3)
OUTBOX_CHANNEL = "vbp_outbox"


class OutboxRow(KitBase):
    """An event written in the same transaction as the change it announces."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_published_at", "published_at"),
    )


class RelayState(KitBase):
    """Which broker cluster the relay last published to (a change means it lost its data)."""

    __tablename__ = "outbox_relay_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broker_cluster_id: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FrozenClockState(KitBase):
    """Where an admin last set a frozen clock (``PUT /clock``), so a service that restarts —
    the launcher's supervisor bringing back a killed process — stands where the others do,
    not at its ``CLOCK=frozen:`` start (kit v4). One row, id 1; unused on a real clock. It is
    restored only under the same ``CLOCK`` setting: a deployment started with another one means it."""

    __tablename__ = "frozen_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    now: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    setting: Mapped[str] = mapped_column(Text, comment="the CLOCK setting the service ran under when it was set")
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProcessedEvent(KitBase):
    """Inbox: an event id recorded in the same transaction as its effects (or its parking)."""

    __tablename__ = "processed_events"

    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    type: Mapped[str] = mapped_column(String(200))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_processed_events_processed_at", "processed_at"),)


class ParkedEvent(KitBase):
    """An event a handler kept failing on, set aside until an admin retries it.

    So are the later events of the same aggregate (``key``): applying them before the
    parked one would apply one aggregate's history out of order.
    """

    __tablename__ = "parked_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(200))
    envelope: Mapped[dict] = mapped_column(JSONB)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    parked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdempotencyRecord(KitBase):
    """The first response to a POST carrying an Idempotency-Key (DESIGN §5)."""

    __tablename__ = "idempotency_keys"

    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list | None] = mapped_column(JSONB)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    method: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
