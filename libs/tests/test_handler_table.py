"""Issue 22, item 1: an event type maps to an ordered list of handlers, all applied in the
consumer's one transaction (STYLE "Events", cosmicpython's ``Type[Event] → List[Callable]``), so
a projection declared once in the kit and a service's own roll-up both take the same event."""

import pytest
from sqlalchemy import text

from testsupport.kit_database import kit_sessionmaker
from testsupport import eventually
from vbpkit.messaging.handlers import NotYetKnown, batch, handler_table
from vbpkit.messaging.inbox import InboxConsumer
from vbpkit.messaging.parking import repository as parking
from vbpkit.messaging.parking import service as parking_service
from vbpkit.projections import CatalogView, Registry, merged_handlers

from test_inbox import publish, read_records

EFFECTS_DDL = "CREATE TABLE effects (id bigserial PRIMARY KEY, handler text NOT NULL, code text NOT NULL)"
REGISTERED = "catalog.institution.registered"


async def record(session, handler: str, code: str) -> None:
    await session.execute(text("INSERT INTO effects (handler, code) VALUES (:h, :c)"), {"h": handler, "c": code})


@batch
async def projection(session, events) -> None:
    """A read model that takes a run at once, as the kit's projections do."""
    for event, _ in events:
        await record(session, "projection", event.code)


class RollUp:
    """A service's own handler of the same event, reading what the projection wrote of it."""

    def __init__(self, *, fail_on: set[str] = frozenset(), await_on: set[str] = frozenset()):
        self.fail_on, self.await_on = set(fail_on), set(await_on)

    async def __call__(self, session, event, envelope) -> None:
        if event.code in self.await_on:
            raise NotYetKnown(f"{event.code} needs a fact not delivered yet")
        if event.code in self.fail_on:
            raise RuntimeError(f"cannot roll {event.code} up")
        seen = await session.scalar(text("SELECT count(*) FROM effects WHERE handler = 'projection' AND code = :c"),
                                    {"c": event.code})
        await record(session, f"roll-up after {seen}", event.code)


async def effects(sessionmaker) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        return [tuple(r) for r in await session.execute(text("SELECT handler, code FROM effects ORDER BY id"))]


def consumer(sessionmaker, bootstrap: str, roll_up: RollUp) -> InboxConsumer:
    return InboxConsumer(sessionmaker, bootstrap_servers=bootstrap, group_id="g", park_after_attempts=1,
                         handlers=handler_table({REGISTERED: projection}, {REGISTERED: roll_up}),
                         max_backoff_seconds=0.05)


class TestSeveralHandlersOfOneType:
    async def test_each_handler_applies_once_in_order_and_sees_the_one_before(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("handlers"), EFFECTS_DDL)
        await publish(sessionmaker, fresh_broker.bootstrap_servers, ["H1", "H2"])
        records = await read_records(fresh_broker.bootstrap_servers, 2)
        inbox = consumer(sessionmaker, fresh_broker.bootstrap_servers, RollUp())
        assert (await inbox.handle(records)).applied == 2
        assert (await inbox.handle(records)).duplicates == 2  # a redelivery: no handler applies again
        assert sorted(await effects(sessionmaker)) == [
            ("projection", "H1"), ("projection", "H2"), ("roll-up after 1", "H1"), ("roll-up after 1", "H2")]

    async def test_a_failure_in_the_second_rolls_back_the_first(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("handlers"), EFFECTS_DDL)
        await publish(sessionmaker, fresh_broker.bootstrap_servers, ["H1", "BAD"])
        records = await read_records(fresh_broker.bootstrap_servers, 2)
        roll_up = RollUp(fail_on={"BAD"})
        inbox = consumer(sessionmaker, fresh_broker.bootstrap_servers, roll_up)
        with pytest.raises(RuntimeError, match="cannot roll BAD up"):
            await inbox.handle(records)
        assert await effects(sessionmaker) == []  # the whole fetch, the projection's rows too

        handled = await inbox.handle(records, isolate=True, attempts=1)  # what handle_fetch does next
        assert (handled.applied, handled.parked) == (1, 1)
        assert sorted(await effects(sessionmaker)) == [("projection", "H1"), ("roll-up after 1", "H1")]

        roll_up.fail_on.clear()  # mended; an admin retries
        async with sessionmaker() as session, session.begin():
            [parked] = await parking.page(session, after_id=None, limit=10)
            await parking_service.retry(session, handlers=inbox.handlers, event_id=parked.event_id)
        assert sorted(await effects(sessionmaker)) == [
            ("projection", "BAD"), ("projection", "H1"), ("roll-up after 1", "BAD"), ("roll-up after 1", "H1")]

    async def test_waiting_for_a_fact_holds_both_and_its_arrival_releases_both(self, new_database, fresh_broker):
        sessionmaker = await kit_sessionmaker(await new_database("handlers"), EFFECTS_DDL)
        await publish(sessionmaker, fresh_broker.bootstrap_servers, ["LATE", "H1"])
        records = await read_records(fresh_broker.bootstrap_servers, 2)
        roll_up = RollUp(await_on={"LATE"})
        inbox = consumer(sessionmaker, fresh_broker.bootstrap_servers, roll_up)
        handled = await inbox.handle_fetch(records)
        assert (handled.applied, handled.parked) == (1, 1)
        assert ("projection", "LATE") not in await effects(sessionmaker)

        roll_up.await_on.clear()  # the fact arrives

        async def released():
            await inbox.retry_awaiting()
            assert sorted(await effects(sessionmaker)) == [
                ("projection", "H1"), ("projection", "LATE"), ("roll-up after 1", "H1"), ("roll-up after 1", "LATE")]
        await eventually(released, timeout=10)


class TestTheTable:
    def test_a_services_own_handler_of_a_projected_event_comes_after_the_projections(self):
        async def mine(session, event, envelope):
            return None

        table = merged_handlers([Registry, CatalogView], {"catalog.batch.published": mine})
        [projected, own] = table["catalog.batch.published"]
        assert own is mine and projected is CatalogView.handlers["catalog.batch.published"]
        assert table["catalog.product.listed"] == (CatalogView.handlers["catalog.product.listed"],)

    def test_the_same_handler_twice_for_one_type_is_a_wiring_mistake(self):
        with pytest.raises(ValueError, match="listed twice for catalog.institution.registered"):
            handler_table({REGISTERED: projection}, {REGISTERED: [projection]})
