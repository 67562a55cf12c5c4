"""Issue 7 item 7: an event a handler keeps failing on is parked — never skipped silently,
never blocking its partition forever — together with the later events of its aggregate;
/health counts them; an admin lists and retries them. Retention prunes the kit's tables."""

import contextlib
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import text

from testsupport.kit_database import kit_sessionmaker
from testsupport.ops_service import AWAITED_CODES, BROKEN_CODES, OpsSettings, create_app
from testsupport import ADMIN, EXCHANGE, IDENTITY_KEY, SignedClient, eventually
from vbpkit.messaging import retention
from vbpkit.messaging import outbox
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.messaging.outbox import OutboxRelay


def registered(code: str, name: str) -> InstitutionRegistered:
    return InstitutionRegistered(code=code, name=name, level=2, kind="public", region_code="500103")


async def publish(sessionmaker, bootstrap: str, events: list[InstitutionRegistered]) -> None:
    async with sessionmaker() as session, session.begin():
        for event in events:
            outbox.add(session, event, key=event.code)
    relay = OutboxRelay(sessionmaker, bootstrap_servers=bootstrap, producer_name="catalog")
    while await relay.publish_once():
        pass
    await relay.close()


@contextlib.asynccontextmanager
async def ops_service(new_database, bootstrap: str, **settings_overrides):
    settings = OpsSettings(database_url=await new_database("ops"), kafka_bootstrap_servers=bootstrap,
                           identity_key=IDENTITY_KEY, park_after_attempts=2, **settings_overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with SignedClient(transport=httpx.ASGITransport(app=app), base_url="http://ops",
                                principal=ADMIN) as client:
            client.app = app
            yield client


async def effects(client) -> list[tuple[str, str]]:
    async with client.app.state.runtime.sessionmaker() as session:
        return [tuple(r) for r in await session.execute(text("SELECT code, name FROM effects ORDER BY id"))]


class TestAFailingEventIsParkedAndTheRestFlows:
    async def test_parked_listed_retried_in_order(self, new_database, fresh_broker):
        producer = await kit_sessionmaker(await new_database("producer"))
        BROKEN_CODES.add("BAD")
        try:
            async with ops_service(new_database, fresh_broker.bootstrap_servers) as client:
                await publish(producer, fresh_broker.bootstrap_servers, [
                    registered("H1", "one"), registered("BAD", "bad v1"), registered("H2", "two"),
                    registered("BAD", "bad v2"), registered("H3", "three"),
                ])

                async def others_applied_two_parked():
                    body = (await client.get("/health")).json()
                    assert body["consumer"]["parked"] == 2, body
                    assert sorted(await effects(client)) == [("H1", "one"), ("H2", "two"), ("H3", "three")]
                await eventually(others_applied_two_parked, timeout=60)

                listed = (await client.get("/parked-events")).json()
                assert [(i["envelope"]["data"]["name"], i["key"]) for i in listed["items"]] == [
                    ("bad v1", "BAD"), ("bad v2", "BAD")]
                assert "ValueError: cannot handle BAD yet" in listed["items"][0]["error"]
                assert "behind an earlier parked event" in listed["items"][1]["error"]
                first = listed["items"][0]["event_id"]

                still_broken = await client.post(f"/parked-events/{first}/retry")
                assert still_broken.status_code == 409
                assert "failed again" in still_broken.json()["detail"]
                assert len((await client.get("/parked-events")).json()["items"]) == 2

                BROKEN_CODES.discard("BAD")  # the fix is deployed
                retried = await client.post(f"/parked-events/{first}/retry")
                assert retried.status_code == 200, retried.text
                assert retried.json()["applied"] == [i["event_id"] for i in listed["items"]]
                assert [e for e in await effects(client) if e[0] == "BAD"] == [("BAD", "bad v1"), ("BAD", "bad v2")]
                assert (await client.get("/parked-events")).json()["items"] == []
                assert (await client.get("/health")).json()["consumer"]["parked"] == 0
        finally:
            BROKEN_CODES.discard("BAD")

    async def test_only_an_admin_sees_or_retries_parked_events(self, new_database, fresh_broker):
        async with ops_service(new_database, fresh_broker.bootstrap_servers) as client:
            client.as_(EXCHANGE)
            assert (await client.get("/parked-events")).status_code == 403
            missing = "00000000-0000-0000-0000-000000000000"
            assert (await client.post(f"/parked-events/{missing}/retry")).status_code == 403
            client.as_(ADMIN)
            assert (await client.post(f"/parked-events/{missing}/retry")).status_code == 404


class TestRetention:
    async def test_rows_past_their_retention_are_pruned_and_recent_ones_kept(self, new_database):
        sessionmaker = await kit_sessionmaker(await new_database("retention"))
        async with sessionmaker() as session, session.begin():
            for age in (1, 10, 50):
                await session.execute(text(
                    "INSERT INTO processed_events (event_id, type, processed_at) "
                    f"VALUES (gen_random_uuid(), 't', now() - interval '{age} days')"))
                await session.execute(text(
                    "INSERT INTO idempotency_keys (principal, key, request_hash, method, path, created_at) "
                    f"VALUES ('p', 'k{age}', 'h', 'POST', '/x', now() - interval '{age} days')"))
                await session.execute(text(
                    "INSERT INTO outbox (event_id, topic, key, type, version, envelope, published_at) "
                    f"VALUES (gen_random_uuid(), 't', 'k', 't', 1, '{{}}', now() - interval '{age} days')"))
            await session.execute(text(  # never published: kept whatever its age
                "INSERT INTO outbox (event_id, topic, key, type, version, envelope, created_at) "
                "VALUES (gen_random_uuid(), 't', 'k', 't', 1, '{}', now() - interval '99 days')"))
        async with sessionmaker() as session, session.begin():
            deleted = await retention.prune(
                session, outbox=timedelta(days=30), inbox=timedelta(days=45), idempotency=timedelta(days=7))
        assert deleted == {"outbox": 1, "processed_events": 1, "idempotency_keys": 2}
        async with sessionmaker() as session:
            assert await session.scalar(text("SELECT count(*) FROM outbox")) == 3
            assert await session.scalar(text("SELECT count(*) FROM processed_events")) == 2
            assert await session.scalar(text("SELECT count(*) FROM idempotency_keys")) == 1

    def test_the_inbox_must_outlive_the_outbox(self):
        with pytest.raises(ValidationError, match="must exceed outbox_retention_days"):
            OpsSettings(database_url="postgresql+asyncpg://x/y", kafka_bootstrap_servers="k:9092",
                        identity_key="k", outbox_retention_days=30, inbox_retention_days=30)


class TestAnEventAwaitingAnotherTopicsFact:
    async def test_not_yet_known_waits_aside_and_is_applied_when_the_fact_comes(self, new_database, fresh_broker):
        """Topics are not ordered among themselves: settlement may see an agreement before its
        batch. A handler raising ``NotYetKnown`` has its event set aside as awaiting at once
        (the rest flows on) and applied by the consumer itself once the fact has arrived."""
        producer = await kit_sessionmaker(await new_database("producer"))
        AWAITED_CODES.add("LATE")
        try:
            async with ops_service(new_database, fresh_broker.bootstrap_servers) as client:
                await publish(producer, fresh_broker.bootstrap_servers, [
                    registered("LATE", "late"), registered("H1", "one")])

                async def set_aside_while_the_rest_flows():
                    assert (await client.get("/health")).json()["consumer"]["parked"] == 1
                    assert await effects(client) == [("H1", "one")]
                    [item] = (await client.get("/parked-events")).json()["items"]
                    assert item["error"].startswith("NotYetKnown: LATE needs a fact")
                await eventually(set_aside_while_the_rest_flows, timeout=30)
                AWAITED_CODES.discard("LATE")  # the fact arrives

                async def applied_by_the_consumer():
                    assert sorted(await effects(client)) == [("H1", "one"), ("LATE", "late")]
                    assert (await client.get("/health")).json()["consumer"]["parked"] == 0
                await eventually(applied_by_the_consumer, timeout=30)
        finally:
            AWAITED_CODES.discard("LATE")


class TestAPredecessorOfTheSameTopicThatComesLate:
    """Issue 21, item 2: after a broker loss the relay republished history behind records that
    had reached the new broker first, and monitoring met a return before its acceptance. It
    parked the return as a plain failure after three tries, then every later event of the
    hospital behind it (105 events) until an admin retried. A handler lacking an earlier event of
    its own topic waits like one lacking another topic's fact, and the late predecessor — parked
    behind it, since it came later — releases it without an admin."""

    async def test_a_successor_that_overtook_its_predecessor_is_applied_after_it(self, new_database, fresh_broker):
        producer = await kit_sessionmaker(await new_database("producer"))
        async with ops_service(new_database, fresh_broker.bootstrap_servers) as client:
            # as a consumer meets them: the successor first, then unrelated events, then its predecessor
            await publish(producer, fresh_broker.bootstrap_servers, [registered("H1", "returned after accepted")])
            await publish(producer, fresh_broker.bootstrap_servers, [registered("H2", "other")])

            async def waiting_aside():
                body = (await client.get("/health")).json()["consumer"]
                assert (body["parked"], body["awaiting"]) == (1, 1), body
                assert await effects(client) == [("H2", "other")]
            await eventually(waiting_aside, timeout=30)

            await publish(producer, fresh_broker.bootstrap_servers, [
                registered("H1", "accepted"), registered("H1", "invoiced after accepted")])

            async def all_applied_in_their_order():
                assert [e for e in await effects(client) if e[0] == "H1"] == [
                    ("H1", "accepted"), ("H1", "returned after accepted"), ("H1", "invoiced after accepted")]
                body = (await client.get("/health")).json()["consumer"]
                assert (body["parked"], body["awaiting"]) == (0, 0), body
            await eventually(all_applied_in_their_order, timeout=30)

    async def test_a_fact_that_comes_after_the_wait_still_releases_it(self, new_database, fresh_broker):
        """Past ``wait_for_facts_seconds`` the event counts as parked (``/health``: parked, not
        awaiting), but the consumer keeps trying it while events flow: no admin is needed."""
        producer = await kit_sessionmaker(await new_database("producer"))
        async with ops_service(new_database, fresh_broker.bootstrap_servers,
                               wait_for_facts_seconds=0.5, stale_retry_seconds=0.5) as client:
            await publish(producer, fresh_broker.bootstrap_servers, [registered("H1", "returned after accepted")])

            async def parked_past_its_wait():
                body = (await client.get("/health")).json()["consumer"]
                assert (body["parked"], body["awaiting"]) == (1, 0), body
            await eventually(parked_past_its_wait, timeout=30)

            await publish(producer, fresh_broker.bootstrap_servers, [registered("H1", "accepted")])

            async def released():
                assert [e for e in await effects(client) if e[0] == "H1"] == [
                    ("H1", "accepted"), ("H1", "returned after accepted")]
                assert (await client.get("/health")).json()["consumer"]["parked"] == 0
            await eventually(released, timeout=30)

    async def test_a_real_failure_behind_a_waiting_event_still_needs_an_admin(self, new_database, fresh_broker):
        """Healing is for missing facts only: an event whose handler fails otherwise stops its key
        there, with its own error, until an admin retries it."""
        producer = await kit_sessionmaker(await new_database("producer"))
        BROKEN_CODES.add("H9")
        try:
            async with ops_service(new_database, fresh_broker.bootstrap_servers) as client:
                await publish(producer, fresh_broker.bootstrap_servers, [
                    registered("H9", "returned after accepted"), registered("H9", "accepted"),
                    registered("H9", "later")])

                async def stopped_at_the_failure():
                    items = (await client.get("/parked-events")).json()["items"]
                    assert [i["envelope"]["data"]["name"] for i in items] == [
                        "returned after accepted", "accepted", "later"]
                    assert "ValueError: cannot handle H9 yet" in items[1]["error"], items
                await eventually(stopped_at_the_failure, timeout=30)
                assert await effects(client) == []
                BROKEN_CODES.discard("H9")  # the fix is deployed; an admin retries
                listed = (await client.get("/parked-events")).json()["items"]
                retried = await client.post(f"/parked-events/{listed[1]['event_id']}/retry")
                assert retried.status_code == 200, retried.text

                async def all_in():
                    assert [e[1] for e in await effects(client)] == ["accepted", "later", "returned after accepted"]
                    assert (await client.get("/health")).json()["consumer"]["parked"] == 0
                await eventually(all_in, timeout=30)
        finally:
            BROKEN_CODES.discard("H9")
