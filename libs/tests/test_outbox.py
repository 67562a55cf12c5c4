"""DESIGN §2/§6 transactional outbox and relay: atomic with the change, ordered per key,
retried while the broker is down, never published by two relays, republished to a
broker that lost its data."""

import asyncio
import contextlib

from sqlalchemy import func, select

from testsupport.kafka_fault_proxy import FaultyKafkaProxy
from testsupport.kafka_reading import read_topic
from testsupport.kit_database import kit_sessionmaker
from testsupport import running
from vbpkit.messaging import outbox
from vbptools.embedded import EmbeddedBroker, free_port, wait_for_broker
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.messaging.outbox import OutboxRelay
from vbpkit.db.tables import OutboxRow


def event(code: str, n: int = 0, *, padding: int = 0) -> InstitutionRegistered:
    return InstitutionRegistered(code=code, name=f"医院{n}" + "·" * padding, level=3, kind="public",
                                 region_code="500103")


async def stage(sessionmaker, items: list[tuple[str, int]], *, padding: int = 0) -> None:
    async with sessionmaker() as session, session.begin():
        for code, n in items:
            outbox.add(session, event(code, n, padding=padding), key=code)


def relay_for(sessionmaker, bootstrap: str, **kw) -> OutboxRelay:
    kw.setdefault("poll_seconds", 0.02)
    kw.setdefault("max_backoff_seconds", 0.2)
    return OutboxRelay(sessionmaker, bootstrap_servers=bootstrap, producer_name="catalog", **kw)


async def unpublished(sessionmaker) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).where(OutboxRow.published_at.is_(None)))


async def wait_until(predicate, timeout: float = 20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.05)


class TestEventIsPartOfTheTransaction:
    async def test_a_rolled_back_change_leaves_no_event(self, new_database):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        async with sessionmaker() as session:
            async with session.begin():
                outbox.add(session, event("H1"), key="H1")
                await session.flush()
                await session.rollback()
        async with sessionmaker() as session, session.begin():
            outbox.add(session, event("H2"), key="H2")
        async with sessionmaker() as session:
            keys = list(await session.scalars(select(OutboxRow.key)))
        assert keys == ["H2"]


class TestRelayPublishesInOrderPerKey:
    async def test_events_arrive_keyed_by_aggregate_in_commit_order(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        for n in range(20):
            await stage(sessionmaker, [(f"H{n % 3}", n)])
        async with running(relay_for(sessionmaker, fresh_broker.bootstrap_servers)):
            await wait_until(lambda: _zero(unpublished(sessionmaker)))
        received = await read_topic(fresh_broker.bootstrap_servers, "vbp.catalog", expect=20)
        assert len(received) == 20
        for code in ("H0", "H1", "H2"):
            names = [env.data["name"] for key, env in received if key == code]
            assert names == [f"医院{n}" for n in range(20) if f"H{n % 3}" == code]
        assert all(env.key == key for key, env in received)


async def _zero(awaitable) -> bool:
    return await awaitable == 0


class TestRelayIsWokenByTheCommit:
    """Issue 13, item 3: a commit that inserted outbox rows NOTIFYs the relay, which publishes at
    once — with a 60 s poll, only the notification can explain an event published within 20 s.
    Until it listens, and when its connection drops, the relay polls."""

    async def test_a_commit_is_published_without_waiting_for_the_poll(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        relay = relay_for(sessionmaker, fresh_broker.bootstrap_servers, poll_seconds=60, idle_seconds=60)
        async with running(relay):
            await wait_until(lambda: _true(relay.listening))
            for n in range(3):  # each commit wakes it again, also while it was idle
                await stage(sessionmaker, [(f"H{n}", n)])
                await wait_until(lambda: _zero(unpublished(sessionmaker)))
            assert relay.published_total == 3

    async def test_a_bulk_insert_by_copy_wakes_it_too(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        relay = relay_for(sessionmaker, fresh_broker.bootstrap_servers, poll_seconds=60, idle_seconds=60)
        async with running(relay):
            await wait_until(lambda: _true(relay.listening))
            async with sessionmaker() as session, session.begin():
                await outbox.add_many(session, [(event(f"H{n}", n), f"H{n}") for n in range(1200)])
            await wait_until(lambda: _zero(unpublished(sessionmaker)))  # 3 batches of 500, one notification


async def _true(value) -> bool:
    return bool(value)


class TestRelayRetriesWhileBrokerIsDown:
    async def test_rows_stay_until_the_broker_is_back_then_all_arrive(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        relay = relay_for(sessionmaker, fresh_broker.bootstrap_servers)
        async with running(relay):
            await stage(sessionmaker, [("H1", 1)])
            await wait_until(lambda: _zero(unpublished(sessionmaker)))
            fresh_broker.kill()
            await stage(sessionmaker, [("H2", 2), ("H3", 3)])
            await wait_until(lambda: _has_error(relay), timeout=30)
            assert await unpublished(sessionmaker) == 2
            fresh_broker.start()
            await wait_until(lambda: _zero(unpublished(sessionmaker)), timeout=40)
        received = await read_topic(fresh_broker.bootstrap_servers, "vbp.catalog", expect=3)
        # the restarted broker kept nothing, so H1 arrives again: republished, not lost
        assert sorted(key for key, _ in received) == ["H1", "H2", "H3"]


async def _has_error(relay) -> bool:
    return relay.last_error is not None


class TestTwoRelaysNeverBothPublishARow:
    async def test_each_event_is_published_once_with_two_relays_running(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        await stage(sessionmaker, [(f"H{n % 7}", n) for n in range(300)])
        first = relay_for(sessionmaker, fresh_broker.bootstrap_servers, batch_size=20)
        second = relay_for(sessionmaker, fresh_broker.bootstrap_servers, batch_size=20)
        async with running(first), running(second):
            await wait_until(lambda: _zero(unpublished(sessionmaker)), timeout=60)
        received = await read_topic(fresh_broker.bootstrap_servers, "vbp.catalog", expect=300)
        ids = [env.event_id for _, env in received]
        assert len(ids) == 300
        assert len(set(ids)) == 300
        assert first.published_total + second.published_total == 300

    async def test_a_relay_finding_the_lock_taken_publishes_nothing(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        await stage(sessionmaker, [("H1", 1)])
        relay = relay_for(sessionmaker, fresh_broker.bootstrap_servers)
        async with sessionmaker() as holder, holder.begin():
            await holder.execute(select(func.pg_advisory_xact_lock(outbox.RELAY_LOCK)))
            assert await relay.publish_once() == 0
            assert await unpublished(sessionmaker) == 1
        assert await relay.publish_once() == 1
        await relay.close()


class TestRepublishToABrokerThatLostItsData:
    async def test_a_new_cluster_id_makes_the_relay_send_kept_events_again(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        await stage(sessionmaker, [(f"H{n}", n) for n in range(5)])
        relay = relay_for(sessionmaker, fresh_broker.bootstrap_servers)
        async with running(relay):
            await wait_until(lambda: _zero(unpublished(sessionmaker)))
        fresh_broker.stop()
        fresh_broker.start()  # memory storage: a brand-new, empty cluster
        async with running(relay_for(sessionmaker, fresh_broker.bootstrap_servers)):
            received = await read_topic(fresh_broker.bootstrap_servers, "vbp.catalog", expect=5, timeout=30)
        assert sorted(key for key, _ in received) == [f"H{n}" for n in range(5)]


@contextlib.asynccontextmanager
async def broker_behind_a_fault_proxy(tmp_path):
    """A real broker that advertises a proxy in front of it, so every client goes through the proxy."""
    proxy_port = free_port()
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log", advertised_port=proxy_port)
    broker.start()
    proxy = FaultyKafkaProxy(broker.host, broker.port, port=proxy_port)
    await proxy.start()
    try:
        bootstrap = f"{broker.host}:{proxy_port}"
        await wait_for_broker(bootstrap)
        yield bootstrap, proxy
    finally:
        await proxy.stop()
        broker.stop()


class TestAFailedProduceNeverLetsALaterRecordOvertake:
    """Issue 21, item 1: the chaos run saw a return reach monitoring before its acceptance. The
    relay had sent a batch record by record; the broker refused the produce request carrying the
    first records of a partition, appended the next request's later records, and the relay sent
    the whole batch again — so a later record of a key stood before an earlier one. Whatever a
    produce refuses, the first occurrence of every event on the topic is in commit order."""

    async def test_records_of_a_key_arrive_in_order_after_a_refused_produce(self, new_database, tmp_path):
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        # one key, so one partition; ~3 kB an event, so one relay round (500 rows) is more than
        # the producer's 1 MiB record batch: the round needs two produce requests for the partition
        for first in range(0, 1200, 100):
            await stage(sessionmaker, [("H1", n) for n in range(first, first + 100)], padding=1000)
        async with broker_behind_a_fault_proxy(tmp_path) as (bootstrap, proxy):
            proxy.refuse_produces = 1
            relay = relay_for(sessionmaker, bootstrap)
            async with running(relay):
                await wait_until(lambda: _zero(unpublished(sessionmaker)), timeout=60)
            assert proxy.refused, "the proxy refused no produce request: the fault was not injected"
            received = await read_topic(bootstrap, "vbp.catalog", expect=1200, timeout=30)
        first_seen: dict = {}
        for _, envelope in received:
            first_seen.setdefault(envelope.event_id, envelope.data["name"].rstrip("·"))
        assert list(first_seen.values()) == [f"医院{n}" for n in range(1200)]

    async def test_a_refused_partition_does_not_hold_back_the_others(self, new_database, tmp_path):
        """Rows of partitions whose produce went through are marked published at once; only the
        refused partition's rows, from the first refused one on, are sent again."""
        sessionmaker = await kit_sessionmaker(await new_database("outbox"))
        await stage(sessionmaker, [(f"H{n % 9}", n) for n in range(90)])
        async with broker_behind_a_fault_proxy(tmp_path) as (bootstrap, proxy):
            proxy.refuse_produces = 1
            relay = relay_for(sessionmaker, bootstrap)
            async with running(relay):
                await wait_until(lambda: _zero(unpublished(sessionmaker)), timeout=60)
            received = await read_topic(bootstrap, "vbp.catalog", expect=90, timeout=30)
        for code in {f"H{n}" for n in range(9)}:
            first_seen: dict = {}
            for key, envelope in received:
                if key == code:
                    first_seen.setdefault(envelope.event_id, envelope.data["name"])
            assert list(first_seen.values()) == [f"医院{n}" for n in range(90) if f"H{n % 9}" == code]
