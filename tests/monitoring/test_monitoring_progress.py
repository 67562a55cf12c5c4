"""MON-1 through the gateway: contracts' agreements and acceptances reach monitoring as
events, and each party reads progress as the rules let it (GW-5, regions)."""

from __future__ import annotations

from datetime import date

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, purchase, today


class TestProgressThroughTheGateway:
    async def test_mon1_a_hospital_a_company_and_a_regional_bureau_read_progress(self, shared_platform):
        """chongqing-2025 from 2026-06-01: year 1 runs to 2027-05-31 (365 days). Hospital 0
        agreed 100 × 730.00 of product 0 and accepted 30 today: completion 0.3000 against a
        target of (today − 2026-06-01 + 1) ÷ 365."""
        market = await build_market(shared_platform, hospitals=2, year1={(0, 0): 100, (1, 0): 40})
        await effective_agreements(shared_platform, market)
        hospital, other = market.hospitals
        product = market.product_ids[0]
        await purchase(market, hospital, [(product, 30)])
        elapsed = (date.fromisoformat(today()) - date(2026, 6, 1)).days + 1
        target = f"{round(elapsed / 365, 4):.4f}"

        async def arrived():
            response = await market.client(hospital).get("/monitoring/progress", params={"batch_code": market.batch})
            assert response.status_code == 200, response.text
            rows = response.json()["items"]
            assert [(r["key"]["hospital_code"], r["accepted_quantity"]) for r in rows] == [(hospital, 30)], rows
            return rows[0]
        row = await shared_platform.eventually(arrived)
        assert (row["agreed_quantity"], row["completion"], row["target"]) == (100, "0.3000", target)
        assert row["accepted_amount"] == "21900.00" and row["explain"]["rule"] == "MON-1"
        assert row["behind"] == (0.3 < float(target) - 0.10)

        others = await market.client(hospital).get("/monitoring/progress",
                                                   params={"batch_code": market.batch, "hospital_code": other})
        assert others.json()["items"] == []
        company = market.client(market.manufacturers[0])
        seen = (await company.get("/monitoring/progress", params={"batch_code": market.batch})).json()["items"]
        assert {r["key"]["hospital_code"] for r in seen} == {hospital, other}
        bureau = await market.insurer.get("/monitoring/progress", params={"batch_code": market.batch,
                                                                         "group_by": "hospital"})
        # the market's hospitals are in 500103, inside the insurer key's 500000
        assert [(r["key"]["hospital_code"], r["completion"]) for r in bureau.json()["items"]] == sorted(
            [(hospital, "0.3000"), (other, "0.0000")])
        sichuan = shared_platform.client(await shared_platform.issue_key("insurer", "510000"))
        assert (await sichuan.get("/monitoring/progress", params={"batch_code": market.batch})).json()["items"] == []
        bad = await market.insurer.get("/monitoring/progress", params={"region_code": "999999"})
        assert bad.status_code == 422 and is_problem(bad) and bad.json()["errors"][0]["field"] == "query.region_code"
        bad = await market.insurer.get("/monitoring/progress", params={"group_by": "planet"})
        assert bad.status_code == 422 and is_problem(bad)


class TestAlertsThroughTheGateway:
    async def test_mon3_a_hospital_not_onboarded_is_alerted_and_the_bureau_acknowledges(self, shared_platform):
        """Seed 001: the batch started 2026-06-01, so from 2026-08-01 on (the real clock is past
        it) a hospital with agreed items and no accepted delivery is alerted; hospital 0 bought,
        hospital 1 did not. (2 of 100 a year is no stockpiling: 2 ≤ 2 × 100 ÷ 12.)"""
        market = await build_market(shared_platform, hospitals=2, year1={(0, 0): 100, (1, 0): 10})
        await effective_agreements(shared_platform, market)
        bought, idle = market.hospitals
        await purchase(market, bought, [(market.product_ids[0], 2)])

        async def progress_arrived():
            rows = (await market.insurer.get("/monitoring/progress", params={"batch_code": market.batch})).json()
            assert sorted(r["accepted_quantity"] for r in rows["items"]) == [0, 2], rows
        await shared_platform.eventually(progress_arrived)
        for client in (market.client(idle), market.exchange):
            assert (await client.post("/monitoring/alert-checks")).status_code == 403
        checked = await market.insurer.post("/monitoring/alert-checks")
        assert checked.status_code == 200, checked.text
        # the scheduled check may have raised it first (once either way), and may have alerted the
        # hospital that bought before its purchase arrived: that alert is resolved by now, not open
        listed = await market.insurer.get("/monitoring/alerts", params={"batch_code": market.batch,
                                                                       "kind": "onboarding", "status": "open"})
        [alert] = listed.json()["items"]
        assert (alert["hospital_code"], alert["rule"], alert["status"]) == (idle, "MON-3", "open")
        assert (await market.client(bought).get("/monitoring/alerts", params={
            "batch_code": market.batch, "kind": "onboarding", "status": "open"})).json()["items"] == []
        seen_by_bought = (await market.client(bought).get("/monitoring/alerts")).json()["items"]
        assert {a["hospital_code"] for a in seen_by_bought} <= {bought}  # a hospital sees only its own
        done = await market.client(idle).post(f"/monitoring/alerts/{alert['id']}/acknowledgement",
                                              json={"note": "下周进院"})
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["note"]) == ("acknowledged", "下周进院")
        empty = await market.insurer.post(f"/monitoring/alerts/{alert['id']}/acknowledgement", json={"note": ""})
        assert empty.status_code == 422 and is_problem(empty)


class TestSavingsThroughTheGateway:
    async def test_mon9_the_exchange_pushes_baselines_and_the_bureau_reads_savings(self, shared_platform):
        """Product 0 won at 730.00 and was bought at 900.00 before (its baseline): a hospital that
        accepted 3 saved (900.00 − 730.00) × 3 = 510.00."""
        market = await build_market(shared_platform, year1={(0, 0): 100})
        await effective_agreements(shared_platform, market)
        hospital, product = market.hospitals[0], market.product_ids[0]
        for client in (market.insurer, market.client(hospital)):
            refused = await client.post("/monitoring/baseline-prices",
                                        json={"rows": [{"product_id": product, "baseline_price": "900.00"}]})
            assert refused.status_code == 403

        async def pushed():
            response = await market.exchange.post("/monitoring/baseline-prices", json={"rows": [
                {"product_id": product, "baseline_price": "900.00"}]})
            assert response.status_code == 200, response.text
            assert response.json()["stored"] == 1, response.json()  # once monitoring knows the product
        await shared_platform.eventually(pushed)
        await purchase(market, hospital, [(product, 3)])

        async def saved():
            response = await market.insurer.get("/monitoring/savings", params={"batch_code": market.batch})
            assert response.status_code == 200, response.text
            assert response.json()["total"] == "510.00", response.json()
            return response.json()
        found = await shared_platform.eventually(saved)
        [row] = found["items"]
        assert (row["hospital_code"], row["products"][0]["baseline"], row["products"][0]["price_paid"]) == (
            hospital, "900.00", "730.00")
        bad = await market.exchange.post("/monitoring/baseline-prices", json={"rows": [
            {"product_id": product, "baseline_price": "-1.00"}]})
        assert bad.status_code == 422 and is_problem(bad)


class TestSubstitutePushThroughTheGateway:
    async def test_mon5_only_the_exchange_pushes_and_each_bad_row_is_named(self, shared_platform):
        market = await build_market(shared_platform)
        hospital = market.hospitals[0]
        row = {"hospital_code": hospital, "batch_code": market.batch, "group_code": "NO-SUCH-GROUP",
               "product": "某非中选产品", "month": "2026-10", "quantity": 5, "amount": "100.00"}
        for client in (market.insurer, market.client(hospital)):
            assert (await client.post("/monitoring/non-winning-purchases", json={"rows": [row]})).status_code == 403
        await shared_platform.settled()  # monitoring knows the hospital: only the group is unknown
        pushed = await market.exchange.post("/monitoring/non-winning-purchases", json={"rows": [row]})
        assert pushed.status_code == 422 and is_problem(pushed), pushed.text  # no row stored (issue 23)
        assert pushed.json()["errors"][0]["field"] == "body.rows.0.group_code"
        bad = await market.exchange.post("/monitoring/non-winning-purchases", json={"rows": [{**row, "month": "10/2026"}]})
        assert bad.status_code == 422 and is_problem(bad) and bad.json()["errors"][0]["field"] == "body.rows.0.month"
        shares = await market.client(hospital).get("/monitoring/substitutes")
        assert shares.status_code == 200 and shares.json()["items"] == []


class TestTimelinessThroughTheGateway:
    async def test_mon4_settlement_events_reach_monitoring_and_the_rate_counts_them(self, shared_platform):
        """An invoice accepted and paid in full today is due at the end of next month
        (交货验收合格后的次月底): for that month the hospital has 1 invoice due, paid on time."""
        from testsupport.settlement_setup import accepted_invoice, accepted_purchase

        deal = await accepted_purchase(shared_platform, quantity=2)
        invoice = await accepted_invoice(deal, 2)
        paid = await deal.his.post("/settlement/payments", json={"invoice_id": invoice["id"],
                                                                 "amount": invoice["amount"], "paid_on": today()})
        assert paid.status_code == 201, paid.text
        month = invoice["due_on"][:7]

        async def counted():
            response = await deal.his.get("/monitoring/timeliness", params={"month": month})
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            assert [(i["hospital_code"], i["invoices_due"], i["paid_on_time"], i["on_time_rate"]) for i in items] == [
                (deal.hospital, 1, 1, "1.0000")], items
        await shared_platform.eventually(counted)

        # MON-10: the fund prepays the hospital's plan; what it passed on to the batch's supplier shows
        plans = (await deal.market.insurer.get("/settlement/prepayments",
                                               params={"hospital_code": deal.hospital})).json()["items"]
        tranche = plans[0]["tranches"][0]
        paid_out = await deal.market.insurer.post(f"/settlement/prepayments/{plans[0]['id']}/disbursements", json={
            "tranche": tranche["number"], "amount": tranche["amount"], "disbursed_on": today()})
        assert paid_out.status_code == 201, paid_out.text

        async def traced():
            response = await deal.his.get("/monitoring/prepayment-use")
            items = response.json()["items"]
            assert [(i["disbursed"], i["paid_to_suppliers"], i["shortfall"]) for i in items] == [
                (tranche["amount"], invoice["amount"], "0.00")], items
        await shared_platform.eventually(traced)
        bad = await deal.his.get("/monitoring/timeliness", params={"month": "2026-13"})
        assert bad.status_code == 422 and is_problem(bad)
