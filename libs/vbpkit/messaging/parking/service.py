"""Retrying a parked event: the handler runs again, now, in the caller's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events.envelope import Envelope
from vbpkit.messaging.inbox import Handler, apply
from vbpkit.messaging.parking import repository
from vbpkit.web.problems import Problem


async def retry(session: AsyncSession, *, handlers: dict[str, Handler], event_id: uuid.UUID) -> list[uuid.UUID]:
    """Apply a parked event and the events of its aggregate parked behind it, in order.

    All or nothing: if any handler fails again, the request's transaction rolls back
    (a 409) and every event stays parked. The inbox row was written when the event was
    parked, so a redelivery never applies it behind the retry's back.
    """
    parked = await repository.get(session, event_id)
    if parked is None:
        raise Problem(404, detail=f"event {event_id} is not parked here")
    queue = await repository.this_and_later_of_its_key(session, parked)
    for row in queue:
        envelope = Envelope.model_validate(row.envelope)
        handler = handlers.get(envelope.type)
        if handler is None:
            raise Problem(409, detail=f"this service no longer handles {envelope.type}; event {row.event_id} stays parked")
        try:
            async with session.begin_nested():
                await apply(session, handler, envelope)
        except Exception as exc:
            raise Problem(
                409, detail=f"event {row.event_id} ({envelope.type}) failed again: {type(exc).__name__}: {exc}; "
                            "nothing was applied and every event stays parked",
            ) from exc
    await repository.remove(session, [row.id for row in queue])
    return [row.event_id for row in queue]
