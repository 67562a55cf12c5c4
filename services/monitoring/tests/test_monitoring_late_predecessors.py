"""Issue 21, item 2: monitoring heals by itself when an event of a topic comes before its
predecessor. In the chaos run a broker came back empty, contracts' relay republished its history
behind records that had reached the new broker first, and monitoring met a return before its
acceptance: it parked the return after three tries as a plain failure ("which monitoring never
saw accepted"), then every later event of that hospital behind it — 105 events that only an
admin's retry would bring back. Here the same order reaches monitoring's real consumer."""

from __future__ import annotations

import contextlib
from datetime import date

import httpx
from sqlalchemy import func, select, update
from testsupport import ADMIN, IDENTITY_KEY, SignedClient, eventually
from vbp_monitoring.main import create_app
from vbpkit.projections.accepted_lines import AcceptedLine, LineReturn
from vbp_monitoring.settings import MonitoringSettings
from vbp_monitoring.timeliness.models import InvoiceFact, PaymentFact
from vbpkit.messaging import outbox
from vbpkit.events.contracts import DeliveryAcceptedV2, DeliveryReturned
from vbpkit.events.settlement import InvoiceReversed, InvoiceSubmitted, PaymentRecordedV2, PaymentReversed
from vbpkit.messaging.outbox import OutboxRelay
from vbpkit.db.tables import OutboxRow

from testsupport.kit_database import kit_sessionmaker

LINE = dict(delivery_id=35, line_no=1, order_id=7, hospital_code="H500101004", product_id=3, batch_code="CQ",
            agreement_id=1, agreement_year=1, manufacturer_code="91500000MA5U000001", distributor_code="D1",
            unit_price_fen=73_000)


def accepted() -> DeliveryAcceptedV2:
    return DeliveryAcceptedV2(**LINE, quantity=6, amount_fen=6 * 73_000, ordered_on=date(2025, 3, 1),
                              delivered_on=date(2025, 3, 2), accepted_on=date(2025, 3, 3))


def returned() -> DeliveryReturned:
    return DeliveryReturned(**LINE, return_id=1, quantity=2, amount_fen=2 * 73_000, returned_on=date(2025, 3, 9),
                            reason="破损")


async def stage(sessionmaker, events) -> None:
    """Events in the producer's outbox in the order given, keyed by hospital as producers key them."""
    async with sessionmaker() as session, session.begin():
        for event in events:
            outbox.add(session, event, key=LINE["hospital_code"])


async def publish(sessionmaker, bootstrap: str, producer: str, *, only_the_last: int | None = None) -> None:
    """Relay what is unpublished; ``only_the_last``: only the newest rows — as a relay that published
    to a broker that came back empty before noticing it, whose history is republished later."""
    if only_the_last is not None:
        async with sessionmaker() as session, session.begin():
            newest = select(OutboxRow.id).order_by(OutboxRow.id.desc()).limit(only_the_last).scalar_subquery()
            await session.execute(update(OutboxRow).where(OutboxRow.id.not_in(newest)).values(published_at=func.now()))
    relay = OutboxRelay(sessionmaker, bootstrap_servers=bootstrap, producer_name=producer)
    while await relay.publish_once():
        pass
    await relay.close()


async def republish_history(sessionmaker, bootstrap: str, producer: str) -> None:
    """What the relay does on seeing the broker's new cluster id: everything kept, again, in order."""
    async with sessionmaker() as session, session.begin():
        await session.execute(update(OutboxRow).values(published_at=None))
    await publish(sessionmaker, bootstrap, producer)


@contextlib.asynccontextmanager
async def monitoring(new_database, bootstrap: str):
    settings = MonitoringSettings(database_url=await new_database("monitoring"), kafka_bootstrap_servers=bootstrap,
                                  identity_key=IDENTITY_KEY)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with SignedClient(transport=httpx.ASGITransport(app=app), base_url="http://monitoring",
                                principal=ADMIN) as client:
            client.app = app
            yield client


async def count(client, model, *where) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


class TestARecordAheadOfItsPredecessor:
    async def test_a_return_before_its_acceptance_is_applied_once_the_acceptance_comes(
            self, new_database, fresh_broker):
        contracts = await kit_sessionmaker(await new_database("contracts"))
        async with monitoring(new_database, fresh_broker.bootstrap_servers) as client:
            await stage(contracts, [accepted(), returned()])
            await publish(contracts, fresh_broker.bootstrap_servers, "contracts", only_the_last=1)

            async def waiting_for_its_acceptance():
                consumer = (await client.get("/health")).json()["consumer"]
                assert (consumer["parked"], consumer["awaiting"]) == (1, 1), consumer
            await eventually(waiting_for_its_acceptance, timeout=60)

            await republish_history(contracts, fresh_broker.bootstrap_servers, "contracts")

            async def both_applied_nothing_parked():
                assert await count(client, AcceptedLine, AcceptedLine.delivery_id == 35) == 1
                assert await count(client, LineReturn, LineReturn.delivery_id == 35) == 1
                consumer = (await client.get("/health")).json()["consumer"]
                assert (consumer["parked"], consumer["awaiting"]) == (0, 0), consumer
            await eventually(both_applied_nothing_parked, timeout=60)

    async def test_a_reversal_before_what_it_reverses_waits_for_it(self, new_database, fresh_broker):
        """MON-4: applied out of order, a reversal of an invoice or payment monitoring had not seen
        would have been lost, and the invoice counted live (and paid) for ever."""
        settlement = await kit_sessionmaker(await new_database("settlement"))
        invoice = dict(invoice_id=11, number="INV-11", hospital_code=LINE["hospital_code"],
                       company_code="91500000MA5U000001", amount_fen=146_000)
        submitted = InvoiceSubmitted(**invoice, submitted_on=date(2025, 3, 10), due_on=date(2025, 4, 30), lines=[])
        reversed_ = InvoiceReversed(**invoice, reversed_on=date(2025, 3, 20), reason="开错")
        payment = dict(payment_id=5, invoice_id=12, number="INV-12", hospital_code=LINE["hospital_code"],
                       company_code="91500000MA5U000001", amount_fen=100)
        paid = PaymentRecordedV2(**payment, paid_on=date(2025, 3, 12), unpaid_fen=0, source="hospital", fund=None,
                                 ledger_transaction_id=1)
        unpaid = PaymentReversed(**payment, reversal_id=1, reversed_on=date(2025, 3, 13), reason="退回",
                                 unpaid_fen=100, ledger_transaction_id=2)
        async with monitoring(new_database, fresh_broker.bootstrap_servers) as client:
            await stage(settlement, [submitted, paid, reversed_, unpaid])
            await publish(settlement, fresh_broker.bootstrap_servers, "settlement", only_the_last=2)

            async def waiting():
                assert (await client.get("/health")).json()["consumer"]["awaiting"] == 2
            await eventually(waiting, timeout=60)

            await republish_history(settlement, fresh_broker.bootstrap_servers, "settlement")

            async def reversed_in_the_end():
                assert await count(client, InvoiceFact, InvoiceFact.invoice_id == 11, InvoiceFact.live.is_(False)) == 1
                assert await count(client, PaymentFact, PaymentFact.payment_id == 5, PaymentFact.reversed.is_(True)) == 1
                assert (await client.get("/health")).json()["consumer"]["parked"] == 0
            await eventually(reversed_in_the_end, timeout=60)
