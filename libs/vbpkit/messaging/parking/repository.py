"""Every query on ``parked_events``."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events.envelope import Envelope
from vbpkit.db.tables import ParkedEvent


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


async def note_failure(session: AsyncSession, parked_id: int, *, error: str) -> None:
    """A parked event failed again: its latest error, one more attempt."""
    await session.execute(update(ParkedEvent).where(ParkedEvent.id == parked_id)
                          .values(error=error[:4000], attempts=ParkedEvent.attempts + 1))


def _awaiting_heads(prefix: str):
    """The first parked event of each key, where it awaits a fact (its error begins with ``prefix``,
    vbpkit.messaging.handlers.NotYetKnown)."""
    first = (select(func.min(ParkedEvent.id)).group_by(ParkedEvent.key)).scalar_subquery()
    return ParkedEvent.id.in_(first) & ParkedEvent.error.startswith(prefix, autoescape=True)


def _within(seconds: float):
    return ParkedEvent.parked_at > func.now() - func.make_interval(0, 0, 0, 0, 0, 0, seconds)


async def awaiting_heads(session: AsyncSession, *, prefix: str, within_seconds: float | None) -> list[ParkedEvent]:
    """The first parked event of each key that awaits a fact, parked less than ``within_seconds``
    ago (None: however long ago)."""
    query = select(ParkedEvent).where(_awaiting_heads(prefix)).order_by(ParkedEvent.id)
    if within_seconds is not None:
        query = query.where(_within(within_seconds))
    return list(await session.scalars(query))


async def count_awaiting(session: AsyncSession, *, prefix: str, within_seconds: float) -> int:
    """How many parked events are still within their wait for a fact: the head of their key
    awaits one, parked less than ``within_seconds`` ago, with the events of its key behind it."""
    heads = select(ParkedEvent.key).where(_awaiting_heads(prefix), _within(within_seconds))
    return await session.scalar(select(func.count()).select_from(ParkedEvent).where(ParkedEvent.key.in_(heads)))


async def remove_all(session: AsyncSession) -> None:
    """Forget every parked event (a replay from the beginning applies them again)."""
    await session.execute(delete(ParkedEvent))
