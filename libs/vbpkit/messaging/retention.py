"""Retention of the kit's tables in every service (issue 7 item 7).

Rows that only exist to make retries and redeliveries safe are kept as long as a retry
or redelivery can come, then deleted, so these tables do not grow forever:

- published outbox rows: ``outbox_retention_days`` (what a broker that lost its data
  gets republished);
- inbox ids: ``inbox_retention_days``, which settings require to exceed the outbox's,
  so a republished event is still recognised as handled;
- Idempotency-Key records: ``idempotency_retention_days``.

Parked events are never pruned: they wait for an admin.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbpkit.runtime.settings import ServiceSettings
from vbpkit.db.tables import IdempotencyRecord, OutboxRow, ProcessedEvent

log = logging.getLogger(__name__)


async def prune(
    session: AsyncSession, *, outbox: timedelta, inbox: timedelta, idempotency: timedelta
) -> dict[str, int]:
    """Delete what is past its retention; returns how many rows of each table went."""
    deleted = {}
    for name, statement in (
        ("outbox", delete(OutboxRow).where(OutboxRow.published_at < func.now() - outbox)),
        ("processed_events", delete(ProcessedEvent).where(ProcessedEvent.processed_at < func.now() - inbox)),
        ("idempotency_keys", delete(IdempotencyRecord).where(IdempotencyRecord.created_at < func.now() - idempotency)),
    ):
        deleted[name] = (await session.execute(statement)).rowcount
    return deleted


async def prune_per_settings(sessionmaker: async_sessionmaker[AsyncSession], settings: ServiceSettings) -> dict[str, int]:
    async with sessionmaker() as session, session.begin():
        return await prune(
            session,
            outbox=timedelta(days=settings.outbox_retention_days),
            inbox=timedelta(days=settings.inbox_retention_days),
            idempotency=timedelta(days=settings.idempotency_retention_days),
        )


async def run(sessionmaker: async_sessionmaker[AsyncSession], settings: ServiceSettings) -> None:
    """Prune now and then every ``housekeeping_interval_seconds``; a failure waits for the next round."""
    while True:
        try:
            deleted = await prune_per_settings(sessionmaker, settings)
            if any(deleted.values()):
                log.info("housekeeping deleted %s", deleted)
        except Exception as exc:  # database away: the rows are only kept longer
            log.warning("housekeeping failed: %s: %s", type(exc).__name__, exc)
        await asyncio.sleep(settings.housekeeping_interval_seconds)
