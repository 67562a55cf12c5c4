"""DESIGN §2 inbox: each event's id is recorded with its effects, so redelivery has no
second effect; offsets are committed only after that transaction; topics are created
at start-up; a broker that lost its data is read again from the start."""

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text

from testsupport.kit_database import kit_sessionmaker
from testsupport import eventually, running
from vbpkit.messaging import broker
from vbpkit.messaging import outbox
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.messaging.handlers import batch
from vbpkit.messaging.inbox import InboxConsumer
from vbpkit.messaging.outbox import OutboxRelay

# A deliberately non-idempotent effect: every application adds a row, so a second
# application of one event would show as a second row.
EFFECTS_DDL = "CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL, code text NOT NULL)"


class Effects:
    def __init__(self, fail_once_on: str | None = None):
        self.fail_once_on = fail_once_on
        self.calls = 0

    async def __call__(self, session, event, envelope):
        self.calls += 1
        if event.code == self.fail_once_on:
            self.fail_once_on = None
            raise RuntimeError("handler failed once")
        await session.execute(
            text("INSERT INTO effects (event_id, code) VALUES (:id, :code)"),
            {"id": envelope.event_id, "code": event.code},
        )


async def effect_counts(sessionmaker) -> dict[str, int]:
    async with sessionmaker() as session:
        rows = await session.execute(text("SELECT code, count(*) FROM effects GROUP BY code"))
        return {code: n for code, n in rows}


async def publish(sessionmaker, bootstrap: str, codes: list[str]) -> None:
    """Produce real envelopes through the outbox and relay, as a service would."""
    async with sessionmaker() as session, session.begin():
        for code in codes:
            outbox.add(session, InstitutionRegistered(code=code, name=code, level=2, kind="public",
                                                      region_code="500103"), key=code)
    relay = OutboxRelay(sessionmaker, bootstrap_servers=bootstrap, producer_name="catalog")
    while await relay.publish_once():
        pass
    await relay.close()


async def read_records(bootstrap: str, count: int) -> list:
    reader = AIOKafkaConsumer("vbp.catalog", bootstrap_servers=bootstrap,
                              auto_offset_reset="earliest", enable_auto_commit=False)
    await reader.start()
    records = []
    while len(records) < count:
        for fetched in (await reader.getmany(timeout_ms=500)).values():
            records.extend(fetched)
    await reader.stop()
    return records


def consumer_for(sessionmaker, bootstrap, handler, group, **settings) -> InboxConsumer:
    return InboxConsumer(
        sessionmaker, bootstrap_servers=bootstrap, group_id=group,
        handlers={"catalog.institution.registered": handler}, max_backoff_seconds=0.3, **settings,
    )


async def committed_offsets(bootstrap: str, group: str) -> int:
    """Sum of the group's committed offsets over vbp.catalog (asked the way a member would)."""
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await probe.start()
    try:
        total = 0
        for partition in range(3):
            total += await probe.committed(TopicPartition("vbp.catalog", partition)) or 0
        return total
    finally:
        await probe.stop()


class TestRedeliveryHasNoSecondEffect:
    async def test_the_same_records_handled_twice_apply_once(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        await publish(sessionmaker, fresh_broker.bootstrap_servers, ["H1", "H2", "H3"])
        records = await read_records(fresh_broker.bootstrap_servers, 3)
        inbox = consumer_for(sessionmaker, fresh_broker.bootstrap_servers, Effects(), "g")
        first = await inbox.handle(records)
        second = await inbox.handle(records + records)
        assert (first.applied, first.duplicates) == (3, 0)
        assert (second.applied, second.duplicates) == (0, 6)
        assert await effect_counts(sessionmaker) == {"H1": 1, "H2": 1, "H3": 1}


class TestBatchHandlers:
    async def test_a_batch_handler_gets_each_new_event_once_in_fetch_order(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        await publish(sessionmaker, fresh_broker.bootstrap_servers, ["H1", "H2", "H3"])
        records = await read_records(fresh_broker.bootstrap_servers, 3)
        calls: list[list[str]] = []

        @batch
        async def handler(session, events):
            calls.append([event.code for event, _ in events])
            for event, envelope in events:
                await Effects()(session, event, envelope)

        inbox = consumer_for(sessionmaker, fresh_broker.bootstrap_servers, handler, "g")
        result = await inbox.handle(records + records[:1])
        await inbox.handle(records)
        assert (result.applied, result.duplicates) == (3, 1)
        assert calls == [[r.key.decode() for r in records]]  # one call, record order, no repeat
        assert await effect_counts(sessionmaker) == {"H1": 1, "H2": 1, "H3": 1}


class TestConsumerKilledBeforeCommitting:
    async def test_after_restart_the_uncommitted_fetch_comes_again_and_is_not_applied_twice(
        self, new_database, fresh_broker
    ):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        bootstrap = fresh_broker.bootstrap_servers
        codes = [f"H{n}" for n in range(10)]
        await publish(sessionmaker, bootstrap, codes)
        group = f"g-{uuid.uuid4().hex[:6]}"
        handler = Effects()
        inbox = consumer_for(sessionmaker, bootstrap, handler, group)
        # The consumer's life up to its crash: fetch, apply in one transaction, then
        # die before the offset commit.
        crashed = broker.new_consumer(bootstrap, group_id=group, topics=["vbp.catalog"])
        await crashed.start()
        records = []
        while len(records) < 10:
            for fetched in (await crashed.getmany(timeout_ms=500)).values():
                records.extend(fetched)
        await inbox.handle(records)
        await crashed.stop()  # enable_auto_commit is off: nothing was committed
        assert await committed_offsets(bootstrap, group) == 0

        async with running(consumer_for(sessionmaker, bootstrap, handler, group)) as restarted:
            async def redelivered_and_committed():
                assert await committed_offsets(bootstrap, group) == 10
            await eventually(redelivered_and_committed)
        assert handler.calls == 10  # the redelivered ten were recognised, not handled
        assert restarted.applied_total == 0
        assert await effect_counts(sessionmaker) == {code: 1 for code in codes}


class TestOffsetsFollowTheTransaction:
    async def test_a_failing_handler_rolls_back_the_fetch_and_it_is_retried(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        bootstrap = fresh_broker.bootstrap_servers
        codes = [f"H{n}" for n in range(6)]
        await publish(sessionmaker, bootstrap, codes)
        handler = Effects(fail_once_on="H3")
        async with running(consumer_for(sessionmaker, bootstrap, handler, "g-fail")) as consumer:
            async def all_applied():
                assert await effect_counts(sessionmaker) == {code: 1 for code in codes}
                assert consumer.last_error is None  # healthy again once the retry went through
            await eventually(all_applied)
            assert consumer.applied_total == 6
        assert handler.fail_once_on is None  # it did fail once, and nothing counted twice


class TestTopicsAreCreatedAtStartUp:
    async def test_a_consumer_on_an_empty_broker_creates_its_topics(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        async with running(consumer_for(sessionmaker, fresh_broker.bootstrap_servers, Effects(), "g-topics")):
            async def created():
                admin = AIOKafkaAdminClient(bootstrap_servers=fresh_broker.bootstrap_servers)
                await admin.start()
                try:
                    assert "vbp.catalog" in await admin.list_topics()
                finally:
                    await admin.close()
            await eventually(created)


class TestBrokerThatLostItsData:
    async def test_consumer_rereads_the_republished_events_and_applies_only_new_ones(
        self, new_database, fresh_broker
    ):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        bootstrap = fresh_broker.bootstrap_servers
        await publish(sessionmaker, bootstrap, ["H1", "H2"])
        async with running(consumer_for(sessionmaker, bootstrap, Effects(), "g-reset")) as consumer:
            async def first_two():
                assert await effect_counts(sessionmaker) == {"H1": 1, "H2": 1}
            await eventually(first_two)
            fresh_broker.stop()
            fresh_broker.start()
            await publish(sessionmaker, bootstrap, ["H3"])  # relay republishes H1, H2 too

            async def third_and_no_double():
                assert await effect_counts(sessionmaker) == {"H1": 1, "H2": 1, "H3": 1}
            await eventually(third_and_no_double, timeout=40)
        assert consumer.applied_total == 3


class TestConsumerSurvivesABrokerOutage:
    """Issue 7 item 8: stopping a consumer whose broker is gone once ended its ``run()`` loop
    (aiokafka's Fetcher.close() re-raises a child task's CancelledError, aio-libs/aiokafka#647),
    so every later event was silently lost to that service."""

    async def test_the_run_loop_outlives_the_outage_and_catches_up(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("inbox"), EFFECTS_DDL)
        bootstrap = fresh_broker.bootstrap_servers
        await publish(sessionmaker, bootstrap, ["H1"])
        consumer = consumer_for(sessionmaker, bootstrap, Effects(), "g-outage", cluster_check_seconds=0.2)
        task = asyncio.create_task(consumer.run())
        try:
            async def first():
                assert await effect_counts(sessionmaker) == {"H1": 1}
            await eventually(first)

            fresh_broker.kill()

            async def noticed():
                assert consumer.last_error is not None
            # a loaded 2-core machine can take longer than the default 30 s to see the broker gone
            await eventually(noticed, timeout=90)
            # the window in which the consumer restarts against no broker at all
            for _ in range(30):
                await asyncio.sleep(0.1)
                assert not task.done(), f"consumer loop ended: {task}"
            fresh_broker.start()
            await publish(sessionmaker, bootstrap, ["H2"])

            async def caught_up():
                assert not task.done(), f"consumer loop ended: {task}"
                assert await effect_counts(sessionmaker) == {"H1": 1, "H2": 1}
            await eventually(caught_up, timeout=60)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await consumer.close()
