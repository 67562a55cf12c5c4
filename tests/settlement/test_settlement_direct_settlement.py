"""SET-5 direct settlement (医保基金直接结算, seed 001 鼓励…医保基金与各有关企业直接结算货款,
seed 004 探索推进医保基金与医药企业直接结算) end to end through the gateway: where the batch's
policy allows it and the hospital's region settles directly (PUT
/settlement/direct-settlement-regions/{code}) since the acceptance date or earlier, the fund
of the hospital's level pays the company the whole invoice as the hospital accepts it, and
the SET-6 ledger shows it: the company's receivable 0 and received = amount, the hospital's
direct_settled = amount, the fund down by the amount. Shared setup in tests/settlement_setup.py.

The regions used here are Liaoning's and Chuxiong's; every other test's hospitals are in
Chongqing (500103), which no test makes settle directly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from testsupport.contracts_setup import is_problem, today
from testsupport.settlement_setup import (
    accepted_purchase,
    known_to_settlement,
    ledger_account,
    ledger_balance,
    settlement_events,
    submitted,
)


async def settles_directly(platform, region_code: str, since_on: str) -> None:
    insurer = platform.client(await platform.issue_key("insurer", region_code[:2] + "0000"))
    response = await insurer.put(f"/settlement/direct-settlement-regions/{region_code}", json={"since_on": since_on})
    assert response.status_code == 200, response.text
    assert response.json()["since_on"] == since_on


async def accept(deal, invoice: dict):
    response = await deal.his.post(f"/settlement/invoices/{invoice['id']}/acceptance", json={"decision": "accept"})
    assert response.status_code == 200, response.text
    return response


class TestTheFundPaysAtAcceptance:
    """SET-5: accepted where the hospital settles directly → paid at once by the fund."""

    async def test_liaoning_the_employee_fund_pays_the_whole_invoice_on_the_acceptance_date(self, shared_platform):
        """SET-5/SET-6, liaoning-2025 (seed 001), a level-3 hospital in Shenyang's 和平区 (210102),
        Shenyang (210100) settling directly since exactly today — the acceptance date passes.
        2 × 730.00 = 1,460.00 moves receivable → received and fund:employee → direct_settled."""
        await settles_directly(shared_platform, "210100", today())
        deal = await accepted_purchase(shared_platform, preset="liaoning-2025", quantity=2, region_code="210102")
        assert (await known_to_settlement(shared_platform, deal.hospital))["fund"] == "employee"
        insurer = shared_platform.client(await shared_platform.issue_key("insurer", "210000"))
        fund_before = Decimal(await ledger_balance(insurer, "fund:employee"))
        invoice = await submitted(deal, 2)
        assert invoice["amount"] == "1460.00"
        accepted = await accept(deal, invoice)
        body = accepted.json()
        assert (body["status"], body["paid"], body["unpaid"]) == ("accepted", "1460.00", "0.00")
        read = (await deal.biller.get(f"/settlement/invoices/{invoice['id']}")).json()
        assert (read["paid"], read["unpaid"]) == ("1460.00", "0.00")
        payments = (await deal.his.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"]
        assert [(p["source"], p["fund"], p["amount"], p["paid_on"], p["reversal"]) for p in payments] == [
            ("fund", "employee", "1460.00", today(), None)]
        assert "region 210100" in payments[0]["reference"]

        company, hospital = deal.distributor, deal.hospital
        receivable = await ledger_account(deal.biller, f"company:{company}:receivable")
        assert receivable["balance"] == "0.00"
        assert [(m["amount"], m["counterparty"]) for m in receivable["movements"]] == [
            ("-1460.00", f"company:{company}:received"), ("1460.00", f"hospital:{hospital}:purchases")]
        received = await ledger_account(deal.biller, f"company:{company}:received")
        assert received["balance"] == "1460.00"
        assert received["movements"][0]["cause_ref"] == accepted.headers["x-request-id"]  # SET-6: its cause
        assert received["movements"][0]["transaction_id"] == payments[0]["transaction_id"]
        direct = await ledger_account(deal.his, f"hospital:{hospital}:direct_settled")
        assert (direct["balance"], direct["overdraft_allowed"]) == ("1460.00", False)
        assert [(m["amount"], m["counterparty"]) for m in direct["movements"]] == [("1460.00", "fund:employee")]
        purchases = await ledger_account(deal.his, f"hospital:{hospital}:purchases")
        assert (purchases["balance"], purchases["overdraft_allowed"]) == ("-1460.00", True)
        fund_after = Decimal(await ledger_balance(insurer, "fund:employee"))
        assert fund_before - fund_after == Decimal("1460.00")

        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.payment.recorded", hospital)
        assert [(e["invoice_id"], e["source"], e["fund"], e["amount_fen"], e["unpaid_fen"],
                 e["ledger_transaction_id"]) for e in events] == [
            (invoice["id"], "fund", "employee", 146000, 0, payments[0]["transaction_id"])]

    async def test_chuxiong_pays_directly_too(self, shared_platform):
        """SET-5, chuxiong-2022 (seed 004 探索…直接结算), a hospital of 楚雄市 (532301) under
        Chuxiong prefecture (532300) settling directly since 2022-01-01: 1 × 730.00."""
        await settles_directly(shared_platform, "532300", "2022-01-01")
        deal = await accepted_purchase(shared_platform, preset="chuxiong-2022", quantity=1, region_code="532301")
        await known_to_settlement(shared_platform, deal.hospital)
        invoice = await submitted(deal, 1)
        body = (await accept(deal, invoice)).json()
        assert (body["paid"], body["unpaid"]) == ("730.00", "0.00")
        assert await ledger_balance(deal.biller, f"company:{deal.distributor}:receivable") == "0.00"
        assert await ledger_balance(deal.biller, f"company:{deal.distributor}:received") == "730.00"
        assert await ledger_balance(deal.his, f"hospital:{deal.hospital}:direct_settled") == "730.00"


class TestWhatTheFundPaidIsSettled:
    """SET-5 with SET-2: an invoice the fund paid owes nothing; nobody pays or undoes it again."""

    async def test_the_hospital_neither_pays_it_again_nor_reverses_the_fund_payment(self, shared_platform):
        await settles_directly(shared_platform, "210100", today())
        deal = await accepted_purchase(shared_platform, preset="liaoning-2025", quantity=1, region_code="210102")
        await known_to_settlement(shared_platform, deal.hospital)
        invoice = await submitted(deal, 1)
        await accept(deal, invoice)
        again = await deal.his.post("/settlement/payments", json={
            "invoice_id": invoice["id"], "amount": "0.01", "paid_on": today()})
        assert again.status_code == 422 and is_problem(again), again.text
        assert "unpaid balance 0.00" in again.json()["errors"][0]["reason"]
        payment = (await deal.his.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"][0]
        undo = await deal.his.post(f"/settlement/payments/{payment['id']}/reversal", json={"reason": "录入错误"})
        assert undo.status_code == 409 and is_problem(undo), undo.text
        assert "fund" in undo.json()["detail"]
        reversal = await deal.biller.post(f"/settlement/invoices/{invoice['id']}/reversal", json={"reason": "红冲"})
        assert reversal.status_code == 409 and is_problem(reversal), reversal.text
        assert await ledger_balance(deal.biller, f"company:{deal.distributor}:received") == "730.00"
        receivables = (await deal.biller.get("/settlement/receivables")).json()
        assert (receivables["total"], receivables["ledger"]["balance"]) == ({"amount": "0.00", "count": 0}, "0.00")


class TestWhereTheHospitalPaysItself:
    """SET-5 applies only where both the policy and the region say so, from its date."""

    async def test_a_region_settling_directly_only_from_tomorrow_leaves_it_to_the_hospital(self, shared_platform):
        """SET-5: since_on one day after the acceptance date → not paid by the fund."""
        tomorrow = (date.fromisoformat(today()) + timedelta(days=1)).isoformat()
        await settles_directly(shared_platform, "210200", tomorrow)  # 大连市
        deal = await accepted_purchase(shared_platform, preset="liaoning-2025", quantity=1, region_code="210202")
        await known_to_settlement(shared_platform, deal.hospital)
        invoice = await submitted(deal, 1)
        body = (await accept(deal, invoice)).json()
        assert (body["paid"], body["unpaid"]) == ("0.00", "730.00")
        assert (await deal.his.get("/settlement/payments", params={"invoice_id": invoice["id"]})).json()["items"] == []
        assert await ledger_balance(deal.biller, f"company:{deal.distributor}:receivable") == "730.00"
        assert await ledger_balance(deal.his, f"hospital:{deal.hospital}:direct_settled") == "0.00"

    async def test_a_policy_without_direct_settlement_leaves_it_to_the_hospital(self, shared_platform):
        """SET-5: chongqing-2025 (seeds 000/002: direct_settlement "no") in a region that settles
        directly → the hospital pays, and its payment is booked as the hospital's."""
        await settles_directly(shared_platform, "210100", today())
        deal = await accepted_purchase(shared_platform, preset="chongqing-2025", quantity=1, region_code="210102")
        await known_to_settlement(shared_platform, deal.hospital)
        invoice = await submitted(deal, 1)
        assert (await accept(deal, invoice)).json()["unpaid"] == "730.00"
        paid = await deal.his.post("/settlement/payments", json={
            "invoice_id": invoice["id"], "amount": "730.00", "paid_on": today()})
        assert paid.status_code == 201, paid.text
        assert (paid.json()["source"], paid.json()["fund"], paid.json()["invoice_unpaid"]) == ("hospital", None, "0.00")
        assert await ledger_balance(deal.his, f"hospital:{deal.hospital}:direct_settled") == "0.00"
        assert await ledger_balance(deal.biller, f"company:{deal.distributor}:received") == "730.00"
