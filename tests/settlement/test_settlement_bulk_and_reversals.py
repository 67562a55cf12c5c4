"""SET-1 bulk invoice upload and SET-2 payment reversal end to end through the gateway.

Bulk: up to 10,000 invoices in one request, each checked and submitted as a single invoice
would be and standing alone — a refused row is reported with its fields, the good rows are
kept, and two rows billing the same line beyond its limit let the first through only.
Reversal: the hospital takes back a payment it recorded in error, once; the invoice owes it
again (paid = payments − reversals, SET-2), the SET-6 ledger moves it back from the company's
received to its receivable, and the overdue check and the invoice reversal read the net.
Shared setup in tests/settlement_setup.py."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from vbp_settlement.payments.service import run_overdue_check
from vbpkit.db.engine import create_sessionmaker

from testsupport.contracts_setup import is_problem, today
from testsupport.settlement_setup import (
    accepted_invoice,
    accepted_purchase,
    billable,
    invoice_body,
    ledger_account,
    ledger_balance,
    settlement_engine,
    settlement_events,
    yuan,
)


def pay(invoice: dict, amount: str) -> dict:
    return {"invoice_id": invoice["id"], "amount": amount, "paid_on": today()}


class TestBulkInvoices:
    """SET-1: POST /settlement/invoices/bulk — per-row results, good rows kept."""

    async def test_good_rows_are_kept_and_each_bad_row_names_its_fields(self, shared_platform):
        """SET-1: 10 accepted; rows bill 4 and 6 (exactly the rest), then 1 more of the same
        line (refused: at most 0), a malformed row, a repeated number and a wrong amount."""
        deal = await accepted_purchase(shared_platform, quantity=10)
        first = invoice_body(deal, 4)
        rows = [first, invoice_body(deal, 6), invoice_body(deal, 1),
                {"number": "BAD-1", "lines": [{"delivery_id": deal.delivery_id, "line_no": 1, "quantity": 1}]},
                invoice_body(deal, 1, number=first["number"]), invoice_body(deal, 1, amount="1.00")]
        response = await deal.biller.post("/settlement/invoices/bulk", json={"invoices": rows})
        assert response.status_code == 207, response.text  # some refused, the others kept (issue 23)
        result = response.json()
        assert (result["received"], result["submitted"], result["rejected"]) == (6, 2, 4)
        assert [(r["row"], r["status"], r["number"]) for r in result["rows"]] == [
            (1, "submitted", first["number"]), (2, "submitted", rows[1]["number"]), (3, "rejected", rows[2]["number"]),
            (4, "rejected", "BAD-1"), (5, "rejected", first["number"]), (6, "rejected", rows[5]["number"])]
        errors = {r["row"]: r["errors"] for r in result["rows"]}
        assert errors[1] == errors[2] == []
        assert [(e["field"], e["max_quantity"]) for e in errors[3]] == [("lines[0].quantity", 0)]
        assert "may bill at most 0" in errors[3][0]["reason"] and "on live invoices 10" in errors[3][0]["reason"]
        assert [e["field"] for e in errors[4]] == ["amount"]
        assert [e["field"] for e in errors[5]] == ["number"]
        assert [e["field"] for e in errors[6]] == ["lines[0].quantity"]  # the line is used up
        ids = [r["invoice_id"] for r in result["rows"][:2]]
        for invoice_id, quantity in zip(ids, (4, 6)):
            read = (await deal.his.get(f"/settlement/invoices/{invoice_id}")).json()
            assert (read["status"], read["amount"]) == ("submitted", yuan(deal.unit_price, quantity))
        line = await billable(shared_platform, deal)
        assert (line["invoiced_quantity"], line["billable_quantity"]) == (10, 0)
        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.invoice.submitted", deal.hospital)
        assert sorted(e["invoice_id"] for e in events) == sorted(ids)

    async def test_ten_thousand_one_line_invoices_in_one_upload(self, shared_platform):
        """SET-1: the most one upload takes — 10,000 invoices of 1 each of a 10,000 line."""
        deal = await accepted_purchase(shared_platform, quantity=10_000)
        tag = uuid.uuid4().hex[:8]
        rows = [invoice_body(deal, 1, number=f"B{tag}-{i:05d}") for i in range(10_000)]
        response = await deal.biller.post("/settlement/invoices/bulk", json={"invoices": rows})
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["received"], result["submitted"], result["rejected"]) == (10_000, 10_000, 0)
        assert len({r["invoice_id"] for r in result["rows"]}) == 10_000
        line = await billable(shared_platform, deal)
        assert (line["invoiced_quantity"], line["billable_quantity"]) == (10_000, 0)
        again = await deal.biller.post("/settlement/invoices/bulk", json={"invoices": [invoice_body(deal, 1)]})
        assert again.status_code == 422, again.text  # its one row refused: nothing stored (issue 23)
        [error] = again.json()["errors"]
        assert (error["row"], error["field"], error["max_quantity"]) == (1, "body.invoices.0.lines[0].quantity", 0)

    async def test_more_than_ten_thousand_rows_or_the_wrong_role_are_refused(self, shared_platform):
        """SET-1: ≤ 10,000 rows (422 naming body.invoices, nothing written); a company's upload only."""
        deal = await accepted_purchase(shared_platform, quantity=1)
        too_many = await deal.biller.post("/settlement/invoices/bulk",
                                          json={"invoices": [invoice_body(deal, 1)] * 10_001})
        assert too_many.status_code == 422 and is_problem(too_many), too_many.text
        assert too_many.json()["errors"][0]["field"] == "body.invoices"
        assert (await billable(shared_platform, deal))["invoiced_quantity"] == 0
        for client in (deal.his, shared_platform.client(await shared_platform.issue_key("insurer", "500000"))):
            refused = await client.post("/settlement/invoices/bulk", json={"invoices": [invoice_body(deal, 1)]})
            assert refused.status_code == 403 and is_problem(refused), refused.text


class TestPaymentReversal:
    """SET-2: POST /settlement/payments/{id}/reversal by the hospital that recorded it, once."""

    async def test_the_invoice_owes_it_again_and_the_ledger_moves_it_back(self, shared_platform):
        """SET-2/SET-6: 2 × 730.00 = 1,460.00; paid 1,000.00 then 460.00; the 1,000.00 is
        reversed → paid 460.00, unpaid 1,000.00; received 460.00, receivable 1,000.00."""
        deal = await accepted_purchase(shared_platform, quantity=2)
        invoice = await accepted_invoice(deal, 2)
        wrong = (await deal.his.post("/settlement/payments", json=pay(invoice, "1000.00"))).json()
        assert (await deal.his.post("/settlement/payments", json=pay(invoice, "460.00"))).status_code == 201
        undone = await deal.his.post(f"/settlement/payments/{wrong['id']}/reversal", json={"reason": "录入错误"})
        assert undone.status_code == 201, undone.text
        body = undone.json()
        assert (body["payment_id"], body["amount"], body["invoice_unpaid"], body["reversed_on"], body["reason"]) == (
            wrong["id"], "1000.00", "1000.00", today(), "录入错误")
        read = (await deal.biller.get(f"/settlement/invoices/{invoice['id']}")).json()
        assert (read["paid"], read["unpaid"], read["status"]) == ("460.00", "1000.00", "accepted")
        listed = (await deal.biller.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"]
        assert [(p["amount"], p["source"], p["reversal"] and p["reversal"]["reason"]) for p in listed] == [
            ("1000.00", "hospital", "录入错误"), ("460.00", "hospital", None)]
        company = deal.distributor
        received = await ledger_account(deal.biller, f"company:{company}:received")
        assert received["balance"] == "460.00"
        assert (received["movements"][0]["amount"], received["movements"][0]["counterparty"],
                received["movements"][0]["cause_ref"], received["movements"][0]["transaction_id"]) == (
            "-1000.00", f"company:{company}:receivable", undone.headers["x-request-id"], body["transaction_id"])
        assert await ledger_balance(deal.biller, f"company:{company}:receivable") == "1000.00"
        twice = await deal.his.post(f"/settlement/payments/{wrong['id']}/reversal", json={"reason": "again"})
        assert twice.status_code == 409 and is_problem(twice), twice.text
        assert await ledger_balance(deal.biller, f"company:{company}:received") == "460.00"
        # the balance is owed again, and may be paid again — up to exactly it
        over = await deal.his.post("/settlement/payments", json=pay(invoice, "1000.01"))
        assert over.status_code == 422 and "unpaid balance 1000.00" in over.json()["errors"][0]["reason"]
        assert (await deal.his.post("/settlement/payments", json=pay(invoice, "1000.00"))).status_code == 201
        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.payment.reversed", deal.hospital)
        assert [(e["payment_id"], e["amount_fen"], e["unpaid_fen"], e["reason"], e["ledger_transaction_id"])
                for e in events] == [(wrong["id"], 100000, 100000, "录入错误", body["transaction_id"])]

    async def test_only_the_hospital_that_paid_reverses_it(self, shared_platform):
        """SET-2, GW-5: another hospital → 404, the company and the insurer → 403, bad input → 422."""
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        payment = (await deal.his.post("/settlement/payments", json=pay(invoice, "730.00"))).json()
        path = f"/settlement/payments/{payment['id']}/reversal"
        other = shared_platform.client(await shared_platform.issue_key("hospital", f"H-OTHER-{uuid.uuid4().hex[:6]}"))
        foreign = await other.post(path, json={"reason": "x"})
        assert foreign.status_code == 404 and is_problem(foreign), foreign.text
        for client in (deal.biller, shared_platform.client(await shared_platform.issue_key("insurer", "500000"))):
            refused = await client.post(path, json={"reason": "x"})
            assert refused.status_code == 403 and is_problem(refused), refused.text
        blank = await deal.his.post(path, json={"reason": ""})
        assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "body.reason"
        missing = await deal.his.post("/settlement/payments/999999999/reversal", json={"reason": "x"})
        assert missing.status_code == 404
        assert (await deal.his.get(f"/settlement/invoices/{invoice['id']}")).json()["unpaid"] == "0.00"

    async def test_once_reversed_the_invoice_may_be_reversed_and_leaves_the_ledger(self, shared_platform):
        """SET-1/SET-2/SET-6: paid in full then the payment reversed → paid 0 → the company
        reverses (红冲) the invoice; its receivable and the hospital's purchases return to 0."""
        deal = await accepted_purchase(shared_platform, quantity=1)
        invoice = await accepted_invoice(deal, 1)
        payment = (await deal.his.post("/settlement/payments", json=pay(invoice, "730.00"))).json()
        blocked = await deal.biller.post(f"/settlement/invoices/{invoice['id']}/reversal", json={"reason": "红冲"})
        assert blocked.status_code == 409
        assert (await deal.his.post(f"/settlement/payments/{payment['id']}/reversal",
                                    json={"reason": "重复录入"})).status_code == 201
        reversed_ = await deal.biller.post(f"/settlement/invoices/{invoice['id']}/reversal", json={"reason": "红冲"})
        assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed", reversed_.text
        company, hospital = deal.distributor, deal.hospital
        assert await ledger_balance(deal.biller, f"company:{company}:receivable") == "0.00"
        assert await ledger_balance(deal.biller, f"company:{company}:received") == "0.00"
        purchases = await ledger_account(deal.his, f"hospital:{hospital}:purchases")
        assert purchases["balance"] == "0.00"
        assert [m["amount"] for m in purchases["movements"]] == ["730.00", "-730.00"]

    async def test_a_reversed_payment_makes_the_invoice_overdue_again(self, shared_platform):
        """SET-2: the overdue check reads paid = payments − reversals — an invoice paid in
        full whose payment was reversed is overdue the day after its due date."""
        pg = shared_platform.platform.settings.database_url
        deal = await accepted_purchase(shared_platform, quantity=2)
        undone, kept = await accepted_invoice(deal, 1), await accepted_invoice(deal, 1)
        payment = (await deal.his.post("/settlement/payments", json=pay(undone, "730.00"))).json()
        assert (await deal.his.post("/settlement/payments", json=pay(kept, "730.00"))).status_code == 201
        assert (await deal.his.post(f"/settlement/payments/{payment['id']}/reversal",
                                    json={"reason": "退票"})).status_code == 201
        due_on = date.fromisoformat(undone["due_on"])
        engine = settlement_engine(pg)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                marked = await run_overdue_check(session, today=due_on + timedelta(days=1))
        finally:
            await engine.dispose()
        assert undone["id"] in marked and kept["id"] not in marked
        events = [e for e in await settlement_events(pg, "settlement.invoice.overdue", deal.hospital)]
        assert [(e["invoice_id"], e["unpaid_fen"]) for e in events] == [(undone["id"], 73000)]
