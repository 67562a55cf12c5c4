"""Event handlers and the table that maps each event type to its handlers (STYLE "Events").

An event type maps to an ordered **list** of handlers, all applied in the consumer's one
transaction — the way cosmicpython's message bus maps ``Type[Event] → List[Callable]``. So a
read model declared once in the kit (:mod:`vbpkit.projections`) and a service's own roll-up can
both take the same event, and one feature's handler never has to call another's by hand.

A handler takes one event (``async def h(session, event, envelope)``) or, marked with
:func:`batch`, every new event of a run at once (``async def h(session, [(event, envelope)…])``).
A run is consecutive events of a fetch with the same handlers; each handler takes the whole run
in turn, in the table's order — so what an earlier handler wrote of an event is there when a
later one takes it. A handler that raises rolls back the fetch (or the event, when isolated),
the effects of every handler of it included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events.envelope import Envelope, Event
from vbpkit.events.registry import parse_event

Handler = Callable[[AsyncSession, Event, Envelope], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[tuple[Event, Envelope]]], Awaitable[None]]
AnyHandler = Handler | BatchHandler
# event type → its handlers, in the order they apply
HandlerTable = Mapping[str, tuple[AnyHandler, ...]]


class NotYetKnown(LookupError):
    """A handler needs a fact that has not arrived yet — another topic's, or an earlier event of
    its own topic that came late: worth waiting for, never a reason for an admin to step in."""


AWAITING = "NotYetKnown: "  # how an awaiting event's parking error begins


def batch(handler: BatchHandler) -> BatchHandler:
    """Mark a handler that takes every new event of a run at once.

    Measured (bench/RESULTS.md): per-event handlers made the consumers CPU-bound near
    1,000 events/s; a read model that writes a fetch in one statement is not.
    """
    handler.takes_batches = True
    return handler


def takes_batches(handler: AnyHandler) -> bool:
    return getattr(handler, "takes_batches", False)


def handler_table(*sources: Mapping[str, AnyHandler | Sequence[AnyHandler]]) -> dict[str, tuple[AnyHandler, ...]]:
    """One table from several (the projections' first, then each feature's): the handlers of an
    event type in the order their sources come. The same handler twice for one type is a wiring
    mistake, refused at start-up rather than applied twice."""
    table: dict[str, tuple[AnyHandler, ...]] = {}
    for source in sources:
        for event_type, handlers in source.items():
            handlers = tuple(handlers) if isinstance(handlers, Sequence) else (handlers,)
            for handler in handlers:
                if handler in table.get(event_type, ()):
                    raise ValueError(f"{getattr(handler, '__qualname__', handler)} is listed twice for {event_type}")
            table[event_type] = table.get(event_type, ()) + handlers
    return table


async def apply(session: AsyncSession, handlers: AnyHandler | Iterable[AnyHandler], envelope: Envelope) -> None:
    """Apply one event with its handler, or each of its handlers, whichever kind each is."""
    handlers = tuple(handlers) if isinstance(handlers, Iterable) else (handlers,)
    await apply_run(session, handlers, [(parse_event(envelope), envelope)])


async def apply_run(session: AsyncSession, handlers: tuple[AnyHandler, ...],
                    run: list[tuple[Event, Envelope]]) -> None:
    """A run of events with the same handlers: each handler takes all of it in turn."""
    for handler in handlers:
        if takes_batches(handler):
            await handler(session, run)
        else:
            for event, envelope in run:
                await handler(session, event, envelope)


def is_outage(exc: BaseException) -> bool:
    """A failure of the infrastructure, not of one event: never a reason to park."""
    if isinstance(exc, (OSError, TimeoutError, InterfaceError, OperationalError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
