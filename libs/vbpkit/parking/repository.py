"""Every query on ``parked_events``."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events.envelope import Envelope
from vbpkit.tables import ParkedEvent


async def park(session: AsyncSession, envelope: Envelope, *, error: str, attempts: int) -> None:
    await session.execute(
        insert(ParkedEvent)
        .values(event_id=envelope.event_id, key=envelope.key, type=envelope.type,
                envelope=envelope.model_dump(mode="json"), error=error[:4000], attempts=attempts)
        .on_conflict_do_nothing()
    )


async def keys_with_parked_events(session: AsyncSession, keys: set[str]) -> set[str]:
    if not keys:
        return set()
    return set(await session.scalars(select(ParkedEvent.key).where(ParkedEvent.key.in_(keys)).distinct()))


async def count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(ParkedEvent))


async def page(session: AsyncSession, *, after_id: int | None, limit: int) -> list[ParkedEvent]:
    query = select(ParkedEvent).order_by(ParkedEvent.id).limit(limit + 1)
    if after_id is not None:
        query = query.where(ParkedEvent.id > after_id)
    return list(await session.scalars(query))


async def get(session: AsyncSession, event_id: uuid.UUID) -> ParkedEvent | None:
    return await session.scalar(select(ParkedEvent).where(ParkedEvent.event_id == event_id))


async def this_and_later_of_its_key(session: AsyncSession, parked: ParkedEvent) -> list[ParkedEvent]:
    return list(await session.scalars(
        select(ParkedEvent)
        .where(ParkedEvent.key == parked.key, ParkedEvent.id >= parked.id)
        .order_by(ParkedEvent.id)
        .with_for_update()
    ))


async def remove(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(delete(ParkedEvent).where(ParkedEvent.id.in_(ids)))


async def awaiting_heads(session: AsyncSession, *, prefix: str, within_seconds: float) -> list[ParkedEvent]:
    """The first parked event of each key whose error begins with ``prefix`` (an event
    awaiting a fact, vbpkit.inbox.NotYetKnown), parked less than ``within_seconds`` ago."""
    first = (select(func.min(ParkedEvent.id)).group_by(ParkedEvent.key)).scalar_subquery()
    return list(await session.scalars(
        select(ParkedEvent)
        .where(ParkedEvent.id.in_(first), ParkedEvent.error.startswith(prefix, autoescape=True),
               ParkedEvent.parked_at > func.now() - func.make_interval(0, 0, 0, 0, 0, 0, within_seconds))
        .order_by(ParkedEvent.id)))


async def remove_all(session: AsyncSession) -> None:
    """Forget every parked event (a replay from the beginning applies them again)."""
    await session.execute(delete(ParkedEvent))
