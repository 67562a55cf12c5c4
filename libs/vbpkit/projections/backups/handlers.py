"""Keeps the backup view in step with ``catalog.backup.designated`` / ``.withdrawn``; an event
older than the row it would change is ignored."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.catalog import BackupDesignated, BackupWithdrawn
from vbpkit.messaging.handlers import batch
from vbpkit.projections.backups import repository
from vbpkit.projections.backups.models import BackupView
from vbpkit.projections.read_models import upsert_latest


@batch
async def on_designated(session: AsyncSession, events: list[tuple[BackupDesignated, Envelope]]) -> None:
    await upsert_latest(session, BackupView, [
        dict(backup_id=e.backup_id, batch_code=e.batch_code, failing_product_id=e.failing_product_id,
             backup_product_id=e.backup_product_id, backup_manufacturer_code=e.backup_manufacturer_code,
             region_code=e.region_code, price_fen=e.price_fen, active=True, designated_on=e.designated_on,
             withdrawn_on=None, as_of=envelope.occurred_at)
        for e, envelope in events], key="backup_id")


@batch
async def on_withdrawn(session: AsyncSession, events: list[tuple[BackupWithdrawn, Envelope]]) -> None:
    for e, envelope in events:
        await repository.withdraw(session, backup_id=e.backup_id, on=e.withdrawn_on, as_of=envelope.occurred_at)


HANDLERS = {
    "catalog.backup.designated": on_designated,
    "catalog.backup.withdrawn": on_withdrawn,
}
