"""Transactional outbox and its relay (DESIGN §2, §6).

``add`` writes the event in the caller's transaction, so the event exists exactly
when the change it announces does. The relay publishes unpublished rows in id order
with the aggregate id as the message key, then marks them sent — at-least-once, never
"publish after commit by hand".

Why one relay at a time: rows of one key are inserted in the order their
transactions lock the aggregate, so publishing strictly in id order from a single
publisher keeps per-key order. Every relay therefore takes a transaction-scoped
advisory lock before reading; a second relay (another replica) finds it taken and
waits, so two relays never both publish a row.

Why the relay listens: a trigger on the outbox NOTIFYs ``vbp_outbox`` when a transaction that
inserted events commits (:func:`vbpkit.db.migrations.create_outbox_notify_v3`), so the relay
publishes at once instead of on its next poll — the poll's wait was most of an event's latency
(issue 13). The relay LISTENs on a connection of its own; while that connection is down it
falls back to polling every ``poll_seconds``, and it also looks every ``idle_seconds`` anyway.

Why records go out one batch per partition at a time: the producer's sender keeps one request
in flight per broker and sends a partition's next batch once the last one is answered, whatever
the answer. Sent record by record, a round of the relay filled several batches of a partition;
when the broker refused the first (Tansu answered UNKNOWN_SERVER_ERROR) it appended the second,
and the round sent again from its oldest row put those later records of a key ahead of their
predecessors — a return reached monitoring before its acceptance (issue 21). So the relay builds
each partition's record batches itself, in id order, and sends a partition's next batch only
after the broker acknowledged the one before; at the first refusal it stops that partition, marks
published exactly the rows acknowledged, drops the producer and sends again from the first
unacknowledged row. A record batch is appended whole or not at all, so what consumers see of a
key is its history in order, perhaps with a stretch repeated (the inbox drops the repeat).

Why the broker's cluster id is checked before every round: a broker that lost its data comes back
empty, and once a consumer re-creates the topic, a producer that reconnected on its own would
publish new rows there ahead of the history the relay must republish. Asking first (one metadata
request a round) leaves one window: a round whose produce the client retried across the restart.
Consumers close it: a handler lacking an earlier fact waits for it (``vbpkit.messaging.handlers.NotYetKnown``).

Why published rows are kept for a while: a broker that loses its data (an embedded
Tansu restart, a disaster recovery) comes back with a new cluster id; the relay
notices and republishes everything it still keeps, and consumers' inboxes drop what
they had already handled. :mod:`vbpkit.messaging.retention` prunes them after the retention.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime, timezone

from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbpkit.messaging import broker
from vbpkit.events.envelope import Envelope, Event, topic_for
from vbpkit.db.repository import copy_rows
from vbpkit.db.tables import OUTBOX_CHANNEL, OutboxRow, RelayState
from vbpkit.runtime.supervised_loops import failure_of

log = logging.getLogger(__name__)

RELAY_LOCK = 0x5642_5052_454C_4159 & 0x7FFF_FFFF_FFFF_FFFF  # "VBPRELAY"

# murmur2 of the key, as the Java client and aiokafka's own send() place a keyed record
_PARTITIONER = DefaultPartitioner()


def _envelope(event: Event, key: str, occurred_at: datetime | None) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        type=event.type,
        version=event.version,
        occurred_at=occurred_at or datetime.now(timezone.utc),
        producer=event.producer(),
        key=key,
        data=event.model_dump(mode="json"),
    )


def add(session: AsyncSession, event: Event, *, key: str, occurred_at: datetime | None = None) -> Envelope:
    """Stage ``event`` in the caller's transaction. The caller (the request) commits."""
    envelope = _envelope(event, key, occurred_at)
    session.add(OutboxRow(event_id=envelope.event_id, topic=topic_for(envelope.producer), key=key, type=envelope.type,
                          version=envelope.version, envelope=envelope.model_dump(mode="json")))
    return envelope


async def add_many(session: AsyncSession, events: list[tuple[Event, str]]) -> list[Envelope]:
    """Stage many ``(event, key)`` in the caller's transaction with one INSERT — a bulk post's
    thousands of events without an ORM object each, written by binary COPY with the envelope
    serialised by pydantic. Their order is kept (ids ascend)."""
    now = datetime.now(timezone.utc)
    envelopes = [Envelope.model_construct(event_id=uuid.uuid4(), type=e.type, version=e.version, occurred_at=now,
                                          producer=e.producer(), key=key, data=e.model_dump(mode="json"))
                 for e, key in events]
    await copy_rows(session, OutboxRow.__table__, ["event_id", "topic", "key", "type", "version", "envelope"],
                    [(e.event_id, topic_for(e.producer), e.key, e.type, e.version, e.model_dump_json())
                     for e in envelopes])
    return envelopes


class OutboxRelay:
    """Publishes a service's outbox to its topic; one per service process."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        bootstrap_servers: str,
        producer_name: str,
        partitions: int = 3,
        poll_seconds: float = 0.05,
        idle_seconds: float = 1.0,
        batch_size: int = 500,
        max_backoff_seconds: float = 5.0,
        cluster_check_seconds: float = 0.0,
    ) -> None:
        """``cluster_check_seconds``: how old the last look at the broker's cluster id may be when
        a round starts; 0 looks before every round (why: the module's docstring)."""
        self._sessionmaker = sessionmaker
        self._bootstrap = bootstrap_servers
        self.topic = topic_for(producer_name)
        self._partitions = partitions
        self._poll = poll_seconds
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self.listening = False
        self._batch = batch_size
        self._max_backoff = max_backoff_seconds
        self._cluster_check = cluster_check_seconds
        self._producer = None
        self._checked_at = 0.0
        self.last_error: str | None = None
        self.published_total = 0

    async def run(self) -> None:
        """Publish until cancelled. Broker or database down: keep the rows and retry.

        Only a cancellation of this task ends the loop; a ``CancelledError`` that aiokafka
        raises from one of its own tasks is a failure like any other.
        """
        listener = asyncio.create_task(self._listen(), name=f"relay listener {self.topic}")
        try:
            await self._publish_forever()
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _publish_forever(self) -> None:
        backoff = self._poll
        while True:
            self._wake.clear()  # a commit from here on wakes the wait below
            try:
                published = await self.publish_once()
            except (Exception, asyncio.CancelledError) as exc:
                self.last_error = failure_of(exc)
            else:
                self.last_error = None
                backoff = self._poll
                if not published:
                    await self._idle()
                continue
            log.warning("outbox relay for %s: %s; retrying in %.2fs", self.topic, self.last_error, backoff)
            await self._drop_producer()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _idle(self) -> None:
        """Until a commit is announced (or, listening, ``idle_seconds``; not, ``poll_seconds``)."""
        try:
            await asyncio.wait_for(self._wake.wait(), self._idle_seconds if self.listening else self._poll)
        except TimeoutError:
            pass

    async def _listen(self) -> None:
        """LISTEN on a connection of its own, for as long as the relay runs; reconnect when it drops."""
        engine = self._sessionmaker.kw["bind"]
        while True:
            try:
                async with engine.connect() as connection:
                    driver = (await connection.get_raw_connection()).driver_connection
                    await driver.add_listener(OUTBOX_CHANNEL, self._notified)
                    try:
                        self.listening = True
                        self._wake.set()  # what committed before the LISTEN was not announced: look once
                        while not driver.is_closed():
                            await asyncio.sleep(1)
                    finally:  # the connection goes back to the pool: it must not keep listening
                        self.listening = False
                        if not driver.is_closed():
                            await asyncio.shield(driver.remove_listener(OUTBOX_CHANNEL, self._notified))
            except Exception as exc:
                log.info("outbox relay for %s: not listening (%s); polling", self.topic, failure_of(exc))
            finally:
                self.listening = False
            await asyncio.sleep(1)

    def _notified(self, *_args) -> None:
        self._wake.set()

    async def close(self) -> None:
        await self._drop_producer()

    async def publish_once(self) -> int:
        """Publish one batch if this relay holds the lock; returns how many rows.

        Rows acknowledged before a refusal are marked published in the same transaction; the
        refusal is raised after it commits, so the relay backs off and starts a new producer."""
        refused: BaseException | None = None
        async with self._sessionmaker() as session, session.begin():
            if not await session.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK))):
                return 0
            producer = await self._ready_producer(session)
            rows = (
                await session.execute(
                    # the envelope as PostgreSQL's text of it: valid JSON, never decoded and encoded again
                    select(OutboxRow.id, OutboxRow.topic, OutboxRow.key, cast(OutboxRow.envelope, Text).label("envelope"))
                    .where(OutboxRow.published_at.is_(None))
                    .order_by(OutboxRow.id)
                    .limit(self._batch)
                )
            ).all()
            if not rows:
                return 0
            acknowledged, refused = await self._send_in_order(producer, rows)
            if acknowledged:
                await session.execute(
                    update(OutboxRow).where(OutboxRow.id.in_(acknowledged)).values(published_at=func.now())
                )
        self.published_total += len(acknowledged)
        if refused is not None:
            raise refused
        return len(acknowledged)

    async def _send_in_order(self, producer, rows) -> tuple[list[int], BaseException | None]:
        """Send ``rows`` (in id order) partition by partition, concurrently across partitions and
        one record batch at a time within each; returns the ids the broker acknowledged and the
        first refusal, if any. A partition stops at its first refusal: nothing after it is sent."""
        by_partition: dict[tuple[str, int], list] = {}
        partitions: dict[str, list[int]] = {}
        for row in rows:
            if row.topic not in partitions:
                partitions[row.topic] = sorted(await producer.partitions_for(row.topic))
            key = row.key.encode()
            partition = _PARTITIONER(key, partitions[row.topic], partitions[row.topic])
            by_partition.setdefault((row.topic, partition), []).append((row.id, key, row.envelope.encode()))
        acknowledged: list[int] = []

        async def send_partition(topic: str, partition: int, records: list[tuple[int, bytes, bytes]]) -> None:
            sent = 0
            while sent < len(records):
                batch = producer.create_batch()
                end = sent
                # stored by add() from a validated Envelope: no need to validate it again
                while end < len(records) and batch.append(key=records[end][1], value=records[end][2],
                                                          timestamp=None) is not None:
                    end += 1
                batch.close()
                await (await producer.send_batch(batch, topic, partition=partition))
                acknowledged.extend(record_id for record_id, _, _ in records[sent:end])
                sent = end

        outcomes = await asyncio.gather(*(send_partition(topic, partition, records)
                                          for (topic, partition), records in by_partition.items()),
                                        return_exceptions=True)
        refused = next((outcome for outcome in outcomes if isinstance(outcome, BaseException)), None)
        return acknowledged, refused

    async def backlog(self) -> int:
        async with self._sessionmaker() as session:
            return await session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.published_at.is_(None))
            )

    async def _ready_producer(self, session: AsyncSession):
        if self._producer is None:
            await broker.ensure_topics(self._bootstrap, [self.topic], self._partitions)
            producer = broker.new_producer(self._bootstrap)
            await producer.start()
            self._producer = producer
            self._checked_at = 0.0
        now = time.monotonic()
        if now - self._checked_at >= self._cluster_check:
            await self._follow_cluster(session)
            self._checked_at = now
        return self._producer

    async def _follow_cluster(self, session: AsyncSession) -> None:
        current = await broker.cluster_id(self._producer.client)
        state = await session.get(RelayState, 1, with_for_update=True)
        if state is None:
            session.add(RelayState(id=1, broker_cluster_id=current))
            return
        if state.broker_cluster_id == current:
            return
        if state.broker_cluster_id is not None:
            republished = await session.execute(
                update(OutboxRow)
                .where(OutboxRow.published_at.is_not(None))
                .values(published_at=None)
            )
            log.warning(
                "broker cluster changed (%s -> %s): republishing %d kept events of %s",
                state.broker_cluster_id, current, republished.rowcount, self.topic,
            )
            await broker.ensure_topics(self._bootstrap, [self.topic], self._partitions)
        state.broker_cluster_id = current
        state.updated_at = func.now()

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await broker.stop_quietly(producer)
