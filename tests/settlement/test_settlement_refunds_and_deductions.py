"""SET-4 end to end on the real clock: a direct settlement (SET-5) taken back from the
hospital's next fund payable before anything else, and a Chongqing refund demanded once a
year of offsets has passed — with who may do what (GW-5) on the refund routes."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, today
from testsupport.settlement_setup import accepted_purchase, disburse_all, ledger_balance, settlement_events, submitted
from test_settlement_direct_settlement import accept, settles_directly
from test_settlement_prepayments import plan_of


def payable(hospital: str, month: str, amount: str, paid_on: str) -> dict:
    return {"hospital_code": hospital, "fund": "employee", "month": month, "amount": amount, "paid_on": paid_on}


class TestDirectSettlementIsTakenBackFirst:
    async def test_set5_the_next_payable_repays_the_fund_what_it_paid_the_company(self, shared_platform):
        """liaoning-2025 (seed 001) in Dalian (210200), settling directly since 2026-01-01: no
        prepayment plan (未实施医保基金直接结算的市 only), the fund pays 3 × 730.00 = 2,190.00 of an
        invoice at acceptance; this month's payable of 2,000.00 repays 2,000.00 of it (net 0),
        next month's 5,000.00 the other 190.00 (net 4,810.00)."""
        await settles_directly(shared_platform, "210200", "2026-01-01")
        deal = await accepted_purchase(shared_platform, preset="liaoning-2025", quantity=3, region_code="210203")
        invoice = await submitted(deal, 3)
        await accept(deal, invoice)
        insurer = shared_platform.client(await shared_platform.issue_key("insurer", "210000"))
        assert await ledger_balance(insurer, f"hospital:{deal.hospital}:direct_settled") == "2190.00"
        plans = await insurer.get("/settlement/prepayments", params={"hospital_code": deal.hospital})
        assert plans.json()["items"] == []
        this_month = today()[:7]
        first = await insurer.post("/settlement/fund-payables", json={"rows": [
            payable(deal.hospital, this_month, "2000.00", today())]})
        assert first.status_code == 200, first.text
        row = first.json()["rows"][0]
        assert (row["status"], row["direct_settlements"], row["offset"], row["net"]) == (
            "posted", "2000.00", "0.00", "0.00")
        fund_before = await ledger_balance(insurer, "fund:employee")
        corrected = await insurer.post("/settlement/fund-payables", json={"rows": [
            payable(deal.hospital, this_month, "5000.00", today())]})
        row = corrected.json()["rows"][0]
        # the correction gives the 2,000.00 back to the direct settlement and takes all 2,190.00
        assert (row["status"], row["direct_settlements"], row["net"]) == ("corrected", "2190.00", "2810.00")
        assert await ledger_balance(insurer, f"hospital:{deal.hospital}:direct_settled") == "0.00"
        statement = (await deal.his.get(f"/settlement/hospitals/{deal.hospital}/statements/{this_month}")).json()
        [fund] = statement["funds"]
        assert [(d["invoice_id"], d["amount"]) for d in fund["direct_settlement_lines"]] == [
            (invoice["id"], "2190.00")]
        assert (statement["totals"]["direct_settlements"], statement["totals"]["net"]) == ("2190.00", "2810.00")
        # the fund: −5,000.00 (the corrected payable) + 2,000.00 (the superseded one, reversed)
        # + 2,190.00 − 2,000.00 (the direct settlement taken back, less what the first had taken)
        delta = float(await ledger_balance(insurer, "fund:employee")) - float(fund_before)
        assert round(delta, 2) == round(-5000.00 + 2000.00 + 2190.00 - 2000.00, 2)
        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.offset.applied", deal.hospital)
        assert [(e["version_no"], e["direct_settlements_fen"], e["reversed_direct_settlements_fen"])
                for e in events] == [(1, 200000, 0), (2, 219000, 200000)]


class TestChongqingRefund:
    async def test_set4_what_a_year_of_offsets_left_is_demanded_back_once(self, shared_platform):
        """chongqing-2025 (seed 000: 采购周期结束后的次月起…抵扣…超过一年未抵扣完毕的…全部退回),
        a one-year cycle 2024-06-01 … 2025-05-31: offsets from 2025-06, the window closes with
        2026-06, so on today's clock (after 2026-06) the check demands what is left: agreed
        10 × 730.00 = 7,300.00 disbursed, 2,000.00 offset from 2025-06 → 5,300.00 back."""
        market = await build_market(shared_platform, preset="chongqing-2025", starts_on="2024-06-01", cycle_years=1,
                                    year1={(0, 0): 10})
        await effective_agreements(shared_platform, market)
        hospital = market.hospitals[0]
        plan = await plan_of(shared_platform, market, hospital, "7300.00")
        await disburse_all(market, plan, today())
        posted = await market.insurer.post("/settlement/fund-payables", json={"rows": [
            payable(hospital, "2025-06", "2000.00", "2025-07-10")]})
        assert posted.json()["rows"][0]["offset"] == "2000.00"
        his, exchange = market.client(hospital), market.exchange
        company = market.client(market.manufacturers[0])
        for client in (his, exchange, company):
            assert (await client.post("/settlement/refund-checks")).status_code == 403
        checked = await market.insurer.post("/settlement/refund-checks")
        assert checked.status_code == 200, checked.text

        async def demanded():
            listed = await market.insurer.get("/settlement/refunds", params={"hospital_code": hospital})
            items = listed.json()["items"]
            assert len(items) == 1, items  # the scheduled check may have made it first: once either way
            return items[0]
        refund = await shared_platform.eventually(demanded)
        assert (refund["plan_id"], refund["demanded"], refund["still_due"]) == (plan["id"], "5300.00", "5300.00")
        assert (refund["explain"]["offsets_began"], refund["explain"]["refund_month"]) == ("2025-06", "2026-06")
        assert (await market.insurer.post("/settlement/refund-checks")).json()["refunds_demanded"] == []
        assert (await his.get(f"/settlement/refunds/{refund['id']}")).json()["demanded"] == "5300.00"
        assert (await exchange.get("/settlement/refunds", params={"hospital_code": hospital})).json()["items"]
        other = market.client(market.manufacturers[0])
        assert (await other.get(f"/settlement/refunds/{refund['id']}")).status_code == 404
        assert await ledger_balance(market.insurer, f"hospital:{hospital}:prepayment") == "0.00"
        late = await market.insurer.post("/settlement/fund-payables", json={"rows": [
            payable(hospital, "2026-07", "9000.00", "2026-08-10")]})
        assert (late.json()["rows"][0]["offset"], late.json()["rows"][0]["net"]) == ("0.00", "9000.00")

        refused = await his.post(f"/settlement/refunds/{refund['id']}/receipts",
                                 json={"amount": "1.00", "received_on": today()})
        assert refused.status_code == 403
        too_much = await market.insurer.post(f"/settlement/refunds/{refund['id']}/receipts",
                                             json={"amount": "5300.01", "received_on": today()})
        assert too_much.status_code == 422 and is_problem(too_much)
        assert too_much.json()["errors"][0]["field"] == "body.amount"
        received = await market.insurer.post(f"/settlement/refunds/{refund['id']}/receipts",
                                             json={"amount": "5300.00", "received_on": today()})
        assert received.status_code == 201, received.text
        assert (received.json()["received"], received.json()["still_due"]) == ("5300.00", "0.00")
        assert await ledger_balance(market.insurer, f"hospital:{hospital}:refund_due") == "0.00"
        demands = await settlement_events(shared_platform.platform.settings.database_url,
                                          "settlement.refund.demanded", hospital)
        assert [(e["plan_id"], e["amount_fen"]) for e in demands] == [(plan["id"], 530000)]
