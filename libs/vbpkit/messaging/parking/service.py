"""Applying parked events again: by the consumer itself when they await a fact
(:func:`apply_again`), by an admin after a real failure's cause is fixed (:func:`retry`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.db.tables import ParkedEvent
from vbpkit.events.envelope import Envelope
from vbpkit.messaging.handlers import HandlerTable, NotYetKnown, apply, is_outage
from vbpkit.messaging.parking import repository
from vbpkit.web.problems import Problem


async def apply_again(session: AsyncSession, handlers: HandlerTable, queue: list[ParkedEvent]) -> int:
    """Apply one key's parked events in the order they were parked, passing over an event that
    still lacks its fact (:class:`NotYetKnown`); after each one that goes in, start again from
    the first still parked — so a predecessor that came late and was parked behind its
    successor goes in first and the successor straight after it, the key's history as it
    happened (issue 21). An event whose handler fails otherwise stops the key there, with its
    error, for an admin. What went in leaves ``parked_events``; the rest stays, its error
    brought up to date. Returns how many went in."""
    pending, errors, applied = list(queue), {}, []
    position = 0
    while position < len(pending):
        row = pending[position]
        envelope = Envelope.model_validate(row.envelope)
        try:
            async with session.begin_nested():
                await apply(session, handlers[envelope.type], envelope)
        except Exception as exc:
            if is_outage(exc):
                raise
            errors[row.id] = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, NotYetKnown):
                break  # the rest of the key waits behind it
            position += 1
        else:
            applied.append(pending.pop(position).id)
            errors.pop(row.id, None)
            position = 0
    await repository.remove(session, applied)
    for row in pending:
        if row.id in errors:
            await repository.note_failure(session, row.id, error=errors[row.id])
    return len(applied)


async def retry(session: AsyncSession, *, handlers: HandlerTable, event_id: uuid.UUID) -> list[uuid.UUID]:
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
        if envelope.type not in handlers:
            raise Problem(409, detail=f"this service no longer handles {envelope.type}; event {row.event_id} stays parked")
        try:
            async with session.begin_nested():
                await apply(session, handlers[envelope.type], envelope)
        except Exception as exc:
            raise Problem(
                409, detail=f"event {row.event_id} ({envelope.type}) failed again: {type(exc).__name__}: {exc}; "
                            "nothing was applied and every event stays parked",
            ) from exc
    await repository.remove(session, [row.id for row in queue])
    return [row.event_id for row in queue]
