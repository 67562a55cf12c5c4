"""DESIGN §2/§7 "no loss": the outbox, the relay and the inbox together lose nothing and
count nothing twice when the broker stops, a consumer dies before committing, or the
platform restarts on a fresh broker that kept nothing."""

import os
import signal
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from vbpkit.embedded import server_url_to_async

READ_MODELS = ("contracts", "settlement", "monitoring")


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
        before = codes(2)
        await register(client, before)
        await everywhere(running, client, before)

        fresh_broker.kill()
        during = codes(3)
        for code in during:
            await register(client, [code])  # the outbox takes them; nothing waits for Kafka
        health = await client.get("/health")
        assert health.status_code == 503 and health.json()["broker"]["ok"] is False

        fresh_broker.start()  # a new, empty broker: the relays must notice and republish
        await everywhere(running, client, before + during)
        await running.eventually(lambda: inbox_matches_outbox(pg_server, running.prefix))


class TestConsumerKilledBeforeCommitting:
    async def test_a_killed_service_resumes_without_loss_or_double_count(
        self, start_platform, fresh_broker, pg_server
    ):
        running, client = await platform_with_exchange(start_platform, fresh_broker)
        first = codes(1)
        await register(client, first)
        await everywhere(running, client, first)

        burst = codes(40)
        for chunk in range(0, 40, 5):
            await register(client, burst[chunk:chunk + 5])
        # kill -9 in the middle of consuming: whatever it applied, it never committed
        os.kill(running.platform.processes["contracts"].pid, signal.SIGKILL)
        running.platform.processes["contracts"].wait()
        await running.platform.restart("contracts")

        await everywhere(running, client, first + burst, timeout=90)
        await running.eventually(lambda: inbox_matches_outbox(pg_server, running.prefix))


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
        await everywhere(again, client, before + after, timeout=90)
        await again.eventually(lambda: inbox_matches_outbox(pg_server, again.prefix))
