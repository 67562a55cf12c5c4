"""DESIGN §2/§7 "no loss": the outbox, the relay and the inbox together lose nothing and
count nothing twice when the broker stops, a consumer dies before committing, or the
platform restarts on a fresh broker that kept nothing.

"Nothing twice" is judged by the effects, not by the inbox: a trigger on each service's
registry read model records every row the consumer writes, inside the consumer's own
transaction, so an event applied twice shows as two effect rows while an application
that was killed before its commit leaves none.
"""

import asyncio
import os
import signal
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from vbptools.embedded import server_url_to_async

READ_MODELS = ("contracts", "settlement", "monitoring")
# the registry projection's table, which catalog.institution.registered fills in each of them
REGISTRY_TABLE = "institution_view"


def institution(code: str, level: int = 2) -> dict:
    return {"code": code, "name": f"医院 {code}", "level": level, "kind": "public", "region_code": "500103"}


async def register(client, codes: list[str]) -> None:
    response = await client.post("/catalog/institutions", json={"rows": [institution(c) for c in codes]})
    assert response.status_code == 200, response.text


async def everywhere(running, client, codes: list[str], timeout: float = 60.0) -> None:
    async def check():
        for service in READ_MODELS:
            for code in codes:
                response = await client.get(f"/{service}/institutions/{code}")
                assert response.status_code == 200, f"{code} missing in {service}"

    await running.eventually(check, timeout=timeout)


async def scalar(pg_server: str, database: str, sql: str):
    engine = create_async_engine(server_url_to_async(pg_server, database))
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def execute(pg_server: str, database: str, *statements: str) -> None:
    engine = create_async_engine(server_url_to_async(pg_server, database))
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def count_effects(pg_server: str, prefix: str, delay_seconds: float = 0.0) -> None:
    """Record every write of each registry read model; ``delay`` slows each one down, so
    that a consumer can be killed while it is handling a fetch."""
    for service in READ_MODELS:
        await execute(
            pg_server, f"{prefix}{service}",
            "CREATE TABLE test_effects (id bigserial PRIMARY KEY, code text NOT NULL)",
            f"""CREATE FUNCTION test_count_effect() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_sleep({delay_seconds});
                    INSERT INTO test_effects (code) VALUES (NEW.code);
                    RETURN NEW;
                END $$""",
            f"CREATE TRIGGER test_count_effect AFTER INSERT OR UPDATE ON {REGISTRY_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION test_count_effect()",
        )


async def each_applied_once(pg_server: str, prefix: str, codes: list[str]) -> None:
    for service in READ_MODELS:
        engine = create_async_engine(server_url_to_async(pg_server, f"{prefix}{service}"))
        try:
            async with engine.connect() as connection:
                rows = (await connection.execute(text("SELECT code, count(*) FROM test_effects GROUP BY code"))).all()
        finally:
            await engine.dispose()
        assert dict(rows) == {code: 1 for code in codes}, f"{service}: effects per event"


async def handling_a_fetch(pg_server: str, database: str) -> None:
    """The consumer is inside a fetch's transaction: a trigger of it is sleeping."""
    busy = await scalar(
        pg_server, "postgres",
        f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND wait_event = 'PgSleep'",
    )
    assert busy > 0


async def inbox_matches_outbox(pg_server: str, prefix: str) -> None:
    """Every consumer handled each catalog event exactly once: no loss, no double count."""
    published = await scalar(pg_server, f"{prefix}catalog", "SELECT count(*) FROM outbox")
    unpublished = await scalar(pg_server, f"{prefix}catalog", "SELECT count(*) FROM outbox WHERE published_at IS NULL")
    assert unpublished == 0
    for service in READ_MODELS:
        handled = await scalar(pg_server, f"{prefix}{service}", "SELECT count(*) FROM processed_events")
        assert handled == published, f"{service} handled {handled} of {published} events"


async def platform_with_exchange(start_platform, broker, prefix: str | None = None):
    running = await start_platform(broker.bootstrap_servers, prefix)
    return running, running.client(await running.issue_key("exchange", "CQ-EXCHANGE"))


def codes(n: int) -> list[str]:
    return [f"H{uuid.uuid4().hex[:8]}" for _ in range(n)]


class TestBrokerStoppedWhileWritesContinue:
    async def test_writes_succeed_and_their_events_arrive_when_the_broker_returns(
        self, start_platform, fresh_broker, pg_server
    ):
        running, client = await platform_with_exchange(start_platform, fresh_broker)
        await count_effects(pg_server, running.prefix)
        before = codes(2)
        await register(client, before)
        await everywhere(running, client, before)

        fresh_broker.kill()
        during = codes(3)
        for code in during:
            await register(client, [code])  # the outbox takes them; nothing waits for Kafka
        health = await running.admin.get("/health")
        assert health.status_code == 503 and health.json()["broker"]["ok"] is False

        async def every_consumer_restarting_without_a_broker():
            services = (await running.admin.get("/health")).json()["services"]
            assert all(services[name]["consumer"]["ok"] is False for name in READ_MODELS)
        # the window that once ended consumer loops for good (aiokafka#647): stay in it a while
        await running.eventually(every_consumer_restarting_without_a_broker)
        await asyncio.sleep(2)

        fresh_broker.start()  # a new, empty broker: the relays must notice and republish
        await running.settled()
        await everywhere(running, client, before + during)
        await inbox_matches_outbox(pg_server, running.prefix)
        await each_applied_once(pg_server, running.prefix, before + during)


class TestConsumerKilledBeforeCommitting:
    async def test_a_service_killed_while_handling_a_fetch_resumes_without_loss_or_double_count(
        self, start_platform, fresh_broker, pg_server
    ):
        running, client = await platform_with_exchange(start_platform, fresh_broker)
        first = codes(1)
        await register(client, first)
        await everywhere(running, client, first)
        await count_effects(pg_server, running.prefix, delay_seconds=0.1)

        burst = codes(40)
        for chunk in range(0, 40, 5):
            await register(client, burst[chunk:chunk + 5])
        # kill -9 in the middle of a fetch's transaction: what it applied is never committed
        await running.eventually(lambda: handling_a_fetch(pg_server, f"{running.prefix}contracts"))
        os.kill(running.platform.processes["contracts"].pid, signal.SIGKILL)
        running.platform.processes["contracts"].wait()
        await running.platform.restart("contracts")

        await running.settled(timeout=120)
        await everywhere(running, client, first + burst)
        await inbox_matches_outbox(pg_server, running.prefix)
        await each_applied_once(pg_server, running.prefix, burst)


class TestRestartOnAFreshBroker:
    async def test_the_platform_restarted_on_an_empty_broker_loses_nothing(
        self, start_platform, fresh_broker, pg_server
    ):
        running, client = await platform_with_exchange(start_platform, fresh_broker)
        before = codes(5)
        await register(client, before)
        # stop at once: some events may not have reached every consumer yet
        running.platform.stop()
        fresh_broker.stop()

        fresh_broker.start()
        again, client = await platform_with_exchange(start_platform, fresh_broker, prefix=running.prefix)
        after = codes(2)
        await register(client, after)
        await again.settled(timeout=120)
        await everywhere(again, client, before + after)
        await inbox_matches_outbox(pg_server, again.prefix)
