"""SET-1's read model of accepted delivery lines, fed only by contracts' events: v2
acceptances, returns as their own event, and v1 acceptances whose negative quantity was a
return — the billable quantity nets them all."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.consumers import HANDLERS, PROJECTIONS
from vbp_settlement.deliveries.service import billed_lines
from vbp_settlement.main import MIGRATIONS
from vbpkit.db.engine import create_sessionmaker
from vbpkit.events import Envelope, parse_event
from vbpkit.messaging.handlers import NotYetKnown, apply, apply_run
from vbpkit.projections import merged_handlers
from vbpkit.db.migrations import upgrade_to_head

HOSPITAL, DISTRIBUTOR, MANUFACTURER = "H500101001", "91500000MA5U000001", "91500000MA5U000002"
# the AcceptedLines projection's handlers, then settlement's own billing view, as the service runs them
TABLE = merged_handlers(PROJECTIONS, HANDLERS)


def envelope(event_type: str, version: int, **data) -> Envelope:
    facts = dict(delivery_id=7, line_no=1, order_id=3, hospital_code=HOSPITAL, product_id=11, batch_code="B-1",
                 agreement_id=5, agreement_year=1, manufacturer_code=MANUFACTURER, distributor_code=DISTRIBUTOR,
                 unit_price_fen=73000)
    facts.update(data)
    return Envelope(event_id=uuid.uuid4(), type=event_type, version=version, occurred_at=datetime.now(timezone.utc),
                    producer="contracts", key=HOSPITAL, data=facts)


def accepted_v1(quantity: int, **data) -> Envelope:
    return envelope("contracts.delivery.accepted", 1, quantity=quantity, amount_fen=quantity * 73000,
                    accepted_on="2026-03-10", **data)


def accepted_v2(quantity: int, **data) -> Envelope:
    return envelope("contracts.delivery.accepted", 2, quantity=quantity, amount_fen=quantity * 73000,
                    ordered_on="2026-03-01", delivered_on="2026-03-05", accepted_on="2026-03-10", **data)


def returned(quantity: int, **data) -> Envelope:
    return envelope("contracts.delivery.returned", 1, return_id=1, quantity=quantity, amount_fen=quantity * 73000,
                    returned_on="2026-03-12", reason="破损", **data)


@pytest.fixture
async def sessions(new_database):
    url = await new_database("settlement_lines")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def handle(sessions, *envelopes: Envelope) -> None:
    async with sessions() as session, session.begin():
        for e in envelopes:
            await apply(session, TABLE[e.type], e)


async def line(sessions, delivery_id: int = 7, line_no: int = 1):
    async with sessions() as session:
        return (await billed_lines(session, [(delivery_id, line_no)]))[(delivery_id, line_no)]


class TestAcceptedLines:
    async def test_returns_of_either_shape_are_netted_and_the_biller_is_the_distributor(self, sessions):
        """SET-1: billable = accepted − returned; a v1 negative acceptance is a return."""
        await handle(sessions, accepted_v1(5), accepted_v1(-2), accepted_v2(4, line_no=2))
        await handle(sessions, returned(1), returned(3, line_no=2))
        first, second = await line(sessions), await line(sessions, line_no=2)
        assert (first.accepted_quantity, first.returned_quantity, first.line.accepted_on) == (5, 3, date(2026, 3, 10))
        assert (second.accepted_quantity, second.returned_quantity) == (4, 3)
        assert first.biller_code == second.biller_code == DISTRIBUTOR

    async def test_a_run_in_one_fetch_applies_in_order(self, sessions):
        """The batch handler takes a fetch's consecutive acceptances at once: a v1 return
        inside the run still follows the acceptance before it."""
        run = [accepted_v2(6), accepted_v1(-2), accepted_v2(6), accepted_v2(3, line_no=2)]
        async with sessions() as session, session.begin():
            await apply_run(session, TABLE["contracts.delivery.accepted"], [(parse_event(e), e) for e in run])
        first, second = await line(sessions), await line(sessions, line_no=2)
        assert (first.accepted_quantity, first.returned_quantity) == (6, 2)
        assert (second.accepted_quantity, second.returned_quantity) == (3, 0)

    async def test_a_republished_acceptance_changes_nothing(self, sessions):
        await handle(sessions, accepted_v2(5))
        await handle(sessions, accepted_v2(5))
        assert (await line(sessions)).accepted_quantity == 5

    async def test_a_return_before_its_acceptance_waits_for_it_rather_than_vanishing(self, sessions):
        """Issue 21: a lost return would overbill, and a return that came before its acceptance
        (history republished after a broker loss) is not a failure: it waits for the acceptance
        (NotYetKnown), which the consumer applies first when it comes."""
        with pytest.raises(NotYetKnown):
            await handle(sessions, returned(1, delivery_id=99))
