"""SET-2 payments (回款) end to end through the gateway — partial payments, never above the
unpaid balance — and the overdue check, exactly once; shared setup in tests/settlement_setup.py.

The shared platform's clock is real, and an acceptance cannot be dated before its order
(CON-5), so no invoice there is past due. The overdue check is therefore also run
in-process, on the shared settlement database, with a frozen 'today' after the due date —
what the scheduled job does on a platform whose clock has reached it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from vbp_settlement.payments.service import run_overdue_check
from vbpkit.db.engine import create_sessionmaker

from testsupport.contracts_setup import is_problem, today
from testsupport.settlement_setup import (
    accepted_invoice,
    accepted_purchase,
    settlement_engine,
    settlement_events,
    submitted,
    yuan,
)


def pay(invoice: dict, amount: str, **fields) -> dict:
    return {"invoice_id": invoice["id"], "amount": amount, "paid_on": today(), **fields}


class TestPartialPayments:
    """SET-2: the hospital pays an accepted invoice in parts, never above what is unpaid."""

    async def test_parts_up_to_exactly_the_balance_and_not_one_fen_more(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        invoice = await accepted_invoice(deal, 2)
        total = yuan(deal.unit_price, 2)
        assert total == "1460.00"
        first = await deal.his.post("/settlement/payments", json=pay(invoice, "1000.00", reference="BANK-1"))
        assert first.status_code == 201, first.text
        assert (first.json()["amount"], first.json()["invoice_unpaid"]) == ("1000.00", "460.00")
        over = await deal.his.post("/settlement/payments", json=pay(invoice, "460.01"))
        assert over.status_code == 422 and is_problem(over), over.text
        assert over.json()["errors"][0]["field"] == "body.amount"
        assert "unpaid balance 460.00" in over.json()["errors"][0]["reason"]
        last = await deal.his.post("/settlement/payments", json=pay(invoice, "460.00"))
        assert last.status_code == 201 and last.json()["invoice_unpaid"] == "0.00", last.text
        read = (await deal.biller.get(f"/settlement/invoices/{invoice['id']}")).json()
        assert (read["paid"], read["unpaid"]) == ("1460.00", "0.00")
        listed = (await deal.biller.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"]
        assert [p["amount"] for p in listed] == ["1000.00", "460.00"]
        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.payment.recorded", deal.hospital)
        assert [(e["invoice_id"], e["amount_fen"], e["unpaid_fen"]) for e in events] == [
            (invoice["id"], 100000, 46000), (invoice["id"], 46000, 0)]

    async def test_a_zero_or_future_payment_is_refused_and_nothing_is_written(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        zero = await deal.his.post("/settlement/payments", json=pay(invoice, "0"))
        assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "body.amount"
        tomorrow = (date.fromisoformat(today()) + timedelta(days=2)).isoformat()
        future = await deal.his.post("/settlement/payments", json=pay(invoice, "1.00", paid_on=tomorrow))
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "body.paid_on"
        assert (await deal.his.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"] == []

    async def test_only_an_accepted_invoice_is_paid(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await submitted(deal, 1)
        response = await deal.his.post("/settlement/payments", json=pay(invoice, "1.00"))
        assert response.status_code == 409 and is_problem(response)

    async def test_a_paid_invoice_is_not_reversed(self, shared_platform):
        """SET-1/SET-2: reversing an invoice with payments would orphan them."""
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        assert (await deal.his.post("/settlement/payments", json=pay(invoice, "1.00"))).status_code == 201
        response = await deal.biller.post(f"/settlement/invoices/{invoice['id']}/reversal", json={"reason": "x"})
        assert response.status_code == 409 and is_problem(response)
        assert (await deal.biller.get(f"/settlement/invoices/{invoice['id']}")).json()["status"] == "accepted"

    async def test_parallel_payments_never_exceed_the_invoice(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        responses = await asyncio.gather(*(deal.his.post("/settlement/payments", json=pay(invoice, "500.00"))
                                           for _ in range(3)))
        assert sorted(r.status_code for r in responses) == [201, 422, 422], [r.text for r in responses]
        assert (await deal.his.get(f"/settlement/invoices/{invoice['id']}")).json()["unpaid"] == "230.00"

    async def test_a_replayed_payment_is_recorded_once(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        first = await deal.his.post("/settlement/payments", json=pay(invoice, "10.00"), headers=headers)
        second = await deal.his.post("/settlement/payments", json=pay(invoice, "10.00"), headers=headers)
        assert first.status_code == second.status_code == 201 and second.json() == first.json()
        listed = (await deal.his.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"]
        assert len(listed) == 1


class TestOverdue:
    """SET-2: an invoice unpaid after its due date becomes overdue through the scheduled
    check on the service's clock, with ``settlement.invoice.overdue``, exactly once."""

    async def test_nothing_is_overdue_before_its_due_date(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        insurer = shared_platform.client(await shared_platform.issue_key("insurer", "500000"))
        checked = await insurer.post("/settlement/invoices/overdue-checks")
        assert checked.status_code == 200, checked.text
        assert checked.json()["checked_on"] == today() and invoice["id"] not in checked.json()["invoices_overdue"]
        for role, tenant in (("hospital", deal.hospital), ("company", deal.distributor), ("exchange", "CQ-EXCHANGE")):
            client = shared_platform.client(await shared_platform.issue_key(role, tenant))
            refused = await client.post("/settlement/invoices/overdue-checks")
            assert refused.status_code == 403 and is_problem(refused), (role, refused.text)
        assert (await deal.his.get(f"/settlement/invoices/{invoice['id']}")).json()["overdue_on"] is None

    async def test_an_unpaid_invoice_becomes_overdue_once_and_a_paid_one_never(self, shared_platform):
        pg = shared_platform.platform.settings.database_url
        deal = await accepted_purchase(shared_platform, quantity=2)
        unpaid = await accepted_invoice(deal, 1)
        paid = await accepted_invoice(deal, 1)
        assert (await deal.his.post("/settlement/payments", json=pay(unpaid, "100.00"))).status_code == 201
        assert (await deal.his.post("/settlement/payments", json=pay(paid, paid["amount"]))).status_code == 201
        due_on = date.fromisoformat(unpaid["due_on"])
        engine = settlement_engine(pg)
        sessions = create_sessionmaker(engine)
        try:
            async with sessions() as session, session.begin():
                assert unpaid["id"] not in await run_overdue_check(session, today=due_on)
            async with sessions() as session, session.begin():
                marked = await run_overdue_check(session, today=due_on + timedelta(days=1))
            assert unpaid["id"] in marked and paid["id"] not in marked
            async with sessions() as session, session.begin():
                assert unpaid["id"] not in await run_overdue_check(session, today=due_on + timedelta(days=2))
        finally:
            await engine.dispose()
        read = (await deal.biller.get(f"/settlement/invoices/{unpaid['id']}")).json()
        assert read["overdue_on"] == (due_on + timedelta(days=1)).isoformat()
        assert (await deal.biller.get(f"/settlement/invoices/{paid['id']}")).json()["overdue_on"] is None
        events = [e for e in await settlement_events(pg, "settlement.invoice.overdue", deal.hospital)]
        assert [(e["invoice_id"], e["unpaid_fen"], e["due_on"]) for e in events] == [
            (unpaid["id"], 73000 - 10000, unpaid["due_on"])]
