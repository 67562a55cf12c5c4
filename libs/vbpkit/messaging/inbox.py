"""Inbox consumer: effectively-once handling of events (DESIGN §2, STYLE "Events").

A fetch is handled in one database transaction: each event's id goes into
``processed_events`` together with the handler's writes, so a redelivered event has
no second effect. Offsets are committed only after that transaction commits, and
only at the end of what the fetch returned — Tansu may skip a record batch when a
fetch starts in its middle, so the group never resumes inside one.

A handler that raises rolls the whole fetch back, and the same records are handled
again after a backoff. After ``park_after_attempts`` failures the fetch is handled
event by event, each in a savepoint: an event whose handler still fails is *parked*
(``parked_events``, with the error), and so is every later event of the same
aggregate, so that one aggregate's history is never applied out of order.

Topics are not ordered among themselves: settlement may see an agreement (vbp.contracts)
before its batch (vbp.catalog). Nor is one topic always in order: after a broker lost its data
the relay republishes history behind whatever reached the new broker first, and a replay or a
produce retried across a broker restart can do the same — a return may come before its
acceptance (issue 21). Three things make that harmless. A fetch applies its records upstream
topic first (catalog, contracts, settlement, monitoring: the way facts flow), each
topic-partition in its own order. A handler that lacks a fact — of another topic, or an earlier
event of its own — raises :class:`NotYetKnown`: its event is parked at once as *awaiting* (with
the later events of its key), and the rest of the fetch goes on. And after every fetch the
consumer applies each key's parked events again until nothing more goes in: one still lacking
its fact stays awaiting while those behind it that do not need it go in, so a late predecessor
arriving in a later fetch releases its successor, whichever came first.

Events awaiting longer than ``wait_for_facts_seconds`` count as parked for an admin's eye
(``/health`` tells them apart), yet the consumer keeps applying them again every
``stale_retry_seconds`` while other events flow, so a fact that arrives late still releases
them. An admin's retry (:mod:`vbpkit.messaging.parking`) is for real handler failures: an event whose
handler raised anything else is parked with its error, and every later event of its key behind
it. Nothing is ever skipped silently: a read model that missed an event would be wrong forever.
An outage (database or broker unreachable) parks nothing: the consumer reconnects and tries again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from aiokafka import ConsumerRecord
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbpkit.db.tables import ProcessedEvent
from vbpkit.events.envelope import Envelope, Event, topic_for
from vbpkit.events.registry import parse_event
from vbpkit.messaging import broker
from vbpkit.messaging.handlers import (AWAITING, AnyHandler, HandlerTable, NotYetKnown, apply_run, handler_table,
                                      is_outage)
from vbpkit.messaging.parking import repository as parking
from vbpkit.messaging.parking.service import apply_again
from vbpkit.runtime.supervised_loops import failure_of
from vbpkit.runtime.topology import SERVICES

log = logging.getLogger(__name__)


# Built once: run for a whole fetch's ids as one cached statement with many parameter sets
# (insertmanyvalues), not a multi-row VALUES compiled afresh for every fetch.
_CLAIM = insert(ProcessedEvent.__table__).on_conflict_do_nothing().returning(ProcessedEvent.__table__.c.event_id)

# The order facts flow in: a fetch applies an upstream topic's records before a downstream one's.
TOPIC_ORDER = {topic_for(p): rank for rank, p in enumerate(SERVICES)}


class ReplayRefused(RuntimeError):
    """A replay cannot start: the consumer is not connected, or history is no longer whole."""


class BrokerReset(RuntimeError):
    """The broker came back with a new cluster id: every committed offset is gone."""


@dataclass
class Handled:
    received: int
    applied: int
    duplicates: int
    parked: int = 0


class InboxConsumer:
    """Consumes the topics of the event types it has handlers for."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        bootstrap_servers: str,
        group_id: str,
        handlers: Mapping[str, AnyHandler | Sequence[AnyHandler]],
        partitions: int = 3,
        max_backoff_seconds: float = 5.0,
        cluster_check_seconds: float = 1.0,
        park_after_attempts: int = 3,
        wait_for_facts_seconds: float = 60.0,
        stale_retry_seconds: float = 30.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bootstrap = bootstrap_servers
        self.group_id = group_id
        self.handlers: HandlerTable = handler_table(handlers)
        self._park_after = park_after_attempts
        self._wait_for_facts = wait_for_facts_seconds
        self._stale_retry = stale_retry_seconds
        self.topics = sorted({topic_for(t.split(".", 1)[0]) for t in handlers})
        self._partitions = partitions
        self._max_backoff = max_backoff_seconds
        self._cluster_check = cluster_check_seconds
        self._consumer = None
        self.last_error: str | None = None
        self.applied_total = 0
        self.parked_total = 0
        self.waits_total = 0  # retries of events that needed a fact not yet known (NotYetKnown)
        self._committed: dict = {}  # TopicPartition -> next offset this consumer committed
        self._in_flight = 0
        self._replay: tuple[Callable[[AsyncSession], Awaitable[None]], asyncio.Future] | None = None
        self.replays_total = 0

    async def run(self) -> None:
        """Consume until cancelled; every failure reconnects after a backoff.

        Only a cancellation of this task ends the loop. A ``CancelledError`` raised by
        aiokafka from one of its own tasks (see :func:`vbpkit.messaging.broker.stop_quietly`) is a
        failure like any other.
        """
        backoff = 0.0
        while True:
            started = time.monotonic()
            try:
                await self._consume()
            except (Exception, asyncio.CancelledError) as exc:
                self.last_error = failure_of(exc)
            finally:
                await self.close()
            # a consumer that ran a while failed afresh: start the backoff over
            backoff = 0.2 if time.monotonic() - started > 30 else min(max(backoff * 2, 0.2), self._max_backoff)
            log.warning("consumer %s: %s; restarting in %.2fs", self.group_id, self.last_error, backoff)
            await asyncio.sleep(backoff)

    async def lag(self) -> int | None:
        """Records on the broker that this consumer has not yet handled and committed.

        Measured against each partition's high-water mark from the latest fetch response
        (a fetch is at most ``fetch_max_wait_ms`` old); a fetch being handled counts in
        full until its commit. ``None`` while not connected: the lag is unknown then.
        """
        consumer = self._consumer
        if consumer is None or self.last_error is not None:
            return None
        assignment = consumer.assignment()
        if not assignment:  # still joining the group
            return None
        total = self._in_flight
        for tp in assignment:
            high = consumer.highwater(tp)
            if high is None:
                return None
            done = self._committed.get(tp)
            if done is None:
                done = await asyncio.wait_for(consumer.position(tp), timeout=1)
            total += max(0, high - done)
        return total

    async def close(self) -> None:
        self._committed = {}
        self._in_flight = 0
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await broker.stop_quietly(consumer)

    async def _consume(self) -> None:
        await broker.ensure_topics(self._bootstrap, self.topics, self._partitions)
        consumer = broker.new_consumer(self._bootstrap, group_id=self.group_id, topics=self.topics)
        self._consumer = consumer
        await consumer.start()
        # aiokafka keeps no cluster id; its client is the only way to ask for one.
        cluster = await broker.cluster_id(consumer._client)
        checked = retried = stale_retried = time.monotonic()
        arrived = False  # events came since the last retry of the stale awaiting ones
        self.last_error = None
        while True:
            if self._replay is not None:
                await self._start_replay(consumer)
            fetched = await consumer.getmany(timeout_ms=200)
            if fetched:
                arrived = True
                records = [r for batch in fetched.values() for r in batch]
                self._in_flight = len(records)
                result = await self.handle_fetch(records)
                self.applied_total += result.applied
                offsets = {tp: batch[-1].offset + 1 for tp, batch in fetched.items()}
                await consumer.commit(offsets)
                self._committed |= offsets
                self._in_flight = 0
                self.last_error = None  # a handler that failed before has now gone through
            if fetched or time.monotonic() - retried >= 1.0:
                await self.retry_awaiting()
                retried = time.monotonic()
            if arrived and time.monotonic() - stale_retried >= self._stale_retry:
                await self.retry_awaiting(stale=True)  # facts may have come for events that waited long
                stale_retried, arrived = time.monotonic(), False
            if time.monotonic() - checked >= self._cluster_check:
                now = await broker.cluster_id(consumer._client)
                if now != cluster:
                    raise BrokerReset(f"broker cluster changed from {cluster} to {now}")
                checked = time.monotonic()

    async def replay(self, reset: Callable[[AsyncSession], Awaitable[None]], *, timeout: float = 30.0) -> dict:
        """Rebuild the read models from the whole history: between two fetches, ``reset``
        empties them in one transaction with the inbox (processed and parked events), and
        the consumer seeks every partition to its beginning. Returns once that is done;
        the read models are whole again when the lag is back to 0 (``/health``).

        Refused (:class:`ReplayRefused`) while the consumer is not connected, or when a
        partition's log no longer starts at offset 0 (retention trimmed it): replaying a
        partial history would leave the read models short, silently. One instance of the
        service consumes while it replays (a second instance's partitions are not reset).
        """
        consumer = self._consumer
        if consumer is None or self.last_error is not None or not consumer.assignment():
            raise ReplayRefused(f"consumer {self.group_id} is not connected to the broker: {self.last_error or 'joining'}")
        if self._replay is not None:
            raise ReplayRefused(f"a replay of consumer {self.group_id} is starting already")
        future = asyncio.get_running_loop().create_future()
        self._replay = (reset, future)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=timeout)
        finally:
            if not future.done():
                self._replay = None

    async def _start_replay(self, consumer) -> None:
        reset, future = self._replay
        self._replay = None
        try:
            partitions = sorted(consumer.assignment(), key=lambda tp: (tp.topic, tp.partition))
            starts = await consumer.beginning_offsets(partitions)
            trimmed = {f"{tp.topic}[{tp.partition}]": offset for tp, offset in starts.items() if offset > 0}
            if trimmed:
                raise ReplayRefused(f"history no longer starts at offset 0 in {trimmed}: a replay would miss events")
            # The group's offsets go back first: a crash after it replays into read models
            # still whole (every event a duplicate the inbox ignores); a crash after the reset
            # resumes from the beginning — never from the old offsets into emptied tables.
            await consumer.commit({tp: 0 for tp in partitions})
            async with self._sessionmaker() as session, session.begin():
                await reset(session)
                await session.execute(delete(ProcessedEvent))
                await parking.remove_all(session)
            await consumer.seek_to_beginning(*partitions)
            self._committed = {}
            self.parked_total = 0
            self.replays_total += 1
            log.warning("consumer %s: read models reset, replaying %d partitions from the beginning",
                        self.group_id, len(partitions))
            if not future.done():
                future.set_result({"topics": self.topics, "partitions": len(partitions)})
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            if not isinstance(exc, ReplayRefused):
                raise

    async def handle_fetch(self, records: list[ConsumerRecord]) -> Handled:
        """Retry a failing fetch in place, then isolate and park what still fails."""
        attempts = 0
        records = sorted(records, key=lambda r: TOPIC_ORDER.get(r.topic, len(TOPIC_ORDER)))
        while True:
            try:
                return await self.handle(records, isolate=attempts >= self._park_after, attempts=attempts)
            except Exception as exc:
                if is_outage(exc) or attempts >= self._park_after:
                    raise
                if isinstance(exc, NotYetKnown):
                    # Waiting in place would wait for ever if the fact is in a later fetch:
                    # set the event aside as awaiting, let the rest flow, retry it after each fetch.
                    self.waits_total += 1
                    self.last_error = f"waiting for a fact not yet known: {exc}"
                    log.info("consumer %s: %s", self.group_id, self.last_error)
                    return await self.handle(records, isolate=True, attempts=attempts)
                attempts += 1
                self.last_error = f"handler failed ({attempts} of {self._park_after}): {type(exc).__name__}: {exc}"
                log.warning("consumer %s: %s", self.group_id, self.last_error)
                await asyncio.sleep(min(0.2 * 2 ** (attempts - 1), self._max_backoff))

    async def retry_awaiting(self, *, stale: bool = False) -> int:
        """Apply again the events parked awaiting a fact, with those of their key parked behind
        them, each key in its own transaction (:func:`vbpkit.messaging.parking.service.apply_again`).
        ``stale``: also those that have awaited longer than ``wait_for_facts_seconds``."""
        async with self._sessionmaker() as session:
            heads = await parking.awaiting_heads(
                session, prefix=AWAITING, within_seconds=None if stale else self._wait_for_facts)
        applied = 0
        for head in heads:
            async with self._sessionmaker() as session, session.begin():
                queue = await parking.this_and_later_of_its_key(session, head)
                if not queue or queue[0].id != head.id:
                    continue  # an admin or another round got there first
                applied += await apply_again(session, self.handlers, queue)
        self.applied_total += applied
        self.parked_total -= applied
        return applied

    async def handle(self, records: list[ConsumerRecord], *, isolate: bool = False, attempts: int = 0) -> Handled:
        """Apply a fetch in one transaction; the inbox makes redeliveries no-ops.

        The whole fetch's event ids are claimed with one statement, so the cost per event
        is its handlers' own writes; consecutive events with the same handlers go to each of
        them as one run (:func:`vbpkit.messaging.handlers.apply_run`), in the order the records came.
        ``isolate`` applies each event in its own savepoint and parks those that fail.
        """
        envelopes = []
        for record in records:
            envelope = Envelope.model_validate_json(record.value)
            if envelope.type in self.handlers:
                envelopes.append(envelope)
        if not envelopes:
            return Handled(received=len(records), applied=0, duplicates=0)
        async with self._sessionmaker() as session, session.begin():
            claimed = set(await session.scalars(
                _CLAIM, [{"event_id": e.event_id, "type": e.type} for e in envelopes]))
            blocked = await parking.keys_with_parked_events(
                session, {e.key for e in envelopes if e.event_id in claimed}
            )
            applied = parked = 0
            run: list[tuple[Event, Envelope]] = []  # consecutive events with the same handlers
            run_handlers: tuple = ()
            for envelope in envelopes:
                if envelope.event_id not in claimed:
                    continue
                claimed.discard(envelope.event_id)  # a duplicate inside one fetch applies once
                handlers = self.handlers[envelope.type]
                if envelope.key in blocked:
                    await parking.park(session, envelope, attempts=0,
                                       error="parked behind an earlier parked event of the same key")
                    parked += 1
                    continue
                if isolate:
                    if await self._apply_or_park(session, handlers, envelope, attempts + 1):
                        applied += 1
                    else:
                        blocked.add(envelope.key)
                        parked += 1
                    continue
                if run and handlers != run_handlers:
                    await apply_run(session, run_handlers, run)
                    run = []
                run.append((parse_event(envelope), envelope))
                run_handlers = handlers
                applied += 1
            if run:
                await apply_run(session, run_handlers, run)
        self.parked_total += parked
        return Handled(received=len(records), applied=applied, duplicates=len(envelopes) - applied - parked,
                       parked=parked)

    async def _apply_or_park(self, session: AsyncSession, handlers: tuple, envelope: Envelope, attempts: int) -> bool:
        try:
            async with session.begin_nested():
                await apply_run(session, handlers, [(parse_event(envelope), envelope)])
            return True
        except Exception as exc:
            if is_outage(exc):
                raise
            await parking.park(session, envelope, attempts=attempts, error=f"{type(exc).__name__}: {exc}")
            if isinstance(exc, NotYetKnown):
                log.info("consumer %s: %s %s awaits a fact: %s", self.group_id, envelope.type, envelope.event_id, exc)
            else:
                log.error("consumer %s parked %s %s: %s", self.group_id, envelope.type, envelope.event_id, exc)
            return False
