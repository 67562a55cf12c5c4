"""Issue 9, item 8: the bureau's scenarios through the gateway on a frozen clock moved through
the API (``PUT /<service>/clock``) — seed 001's onboarding check two months after a late-June
start (MON-3), seed 002's stockpiling (MON-2), a batch ended early because its category entered
national VBP with targets pro rata (seed 000, MON-1), and a company whose late deliveries
lower its rating (MON-6)."""

from __future__ import annotations

import uuid

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, place_order, purchase
from testsupport.scenario_setup import set_today


async def checked_alerts(platform, market, kind: str) -> list[dict]:
    await platform.settled()
    checked = await market.insurer.post("/monitoring/alert-checks")
    assert checked.status_code == 200, checked.text
    listed = await market.insurer.get("/monitoring/alerts", params={"batch_code": market.batch, "kind": kind})
    assert listed.status_code == 200, listed.text
    return listed.json()["items"]


class TestSeed001Onboarding:
    async def test_mon3_two_months_after_a_late_june_start_the_hospital_not_onboarded(self, scenario_platform):
        """liaoning-2025 from 2026-06-25: the check day is 2026-08-25. Hospital 0 bought on
        2026-07-10, hospital 1 never: nothing on 08-24, hospital 1 alerted on 08-25."""
        platform = scenario_platform
        await set_today(platform, "2026-06-20")
        market = await build_market(platform, preset="liaoning-2025", starts_on="2026-06-25", hospitals=2)
        await effective_agreements(platform, market)
        await set_today(platform, "2026-07-10")
        await purchase(market, market.hospitals[0], [(market.product_ids[0], 5)], delivered_on="2026-07-10",
                       accepted_on="2026-07-10")
        await set_today(platform, "2026-08-24")
        assert await checked_alerts(platform, market, "onboarding") == []
        await set_today(platform, "2026-08-25")
        [alert] = await checked_alerts(platform, market, "onboarding")
        assert (alert["hospital_code"], alert["rule"], alert["period"]) == (market.hospitals[1], "MON-3", "2026-08")
        assert alert["details"]["checked_from"] == "2026-08-25" and alert["details"]["preset"] == "liaoning-2025"


class TestSeed002Stockpiling:
    async def test_mon2_a_month_above_twice_a_twelfth_of_the_year(self, scenario_platform):
        """chongqing-2025 (seed 002), 120 agreed a year: a month's limit is 2 × 120 ÷ 12 = 20.
        In July 2026 hospital 0 takes 25 (alerted), hospital 1 takes 20 (not)."""
        platform = scenario_platform
        await set_today(platform, "2026-05-25")
        market = await build_market(platform, hospitals=2, quantity=120)
        await effective_agreements(platform, market)
        await set_today(platform, "2026-07-15")
        product = market.product_ids[0]
        await purchase(market, market.hospitals[0], [(product, 25)], delivered_on="2026-07-15", accepted_on="2026-07-15")
        await purchase(market, market.hospitals[1], [(product, 20)], delivered_on="2026-07-15", accepted_on="2026-07-15")
        await set_today(platform, "2026-08-01")
        [alert] = await checked_alerts(platform, market, "stockpiling")
        assert (alert["hospital_code"], alert["period"], alert["rule"]) == (market.hospitals[0], "2026-07", "MON-2")
        assert (alert["details"]["accepted_in_month"], alert["details"]["limit"]) == (25, "20.00")


class TestSeed000EarlyEnd:
    async def test_mon1_targets_pro_rata_to_the_early_end(self, scenario_platform):
        """A chongqing-2025 batch from 2026-06-01 ends on 2026-09-30 because its category
        entered national VBP: year 1 runs 122 days of 365, so 365 agreed are assessed as 122;
        100 bought: completion 100 ÷ 122 = 0.8197; the target is 61 ÷ 122 = 0.5000 on 07-31
        and 1.0000 on the early end."""
        platform = scenario_platform
        await set_today(platform, "2026-05-25")
        market = await build_market(platform, quantity=365)
        await effective_agreements(platform, market)
        await set_today(platform, "2026-06-10")
        await purchase(market, market.hospitals[0], [(market.product_ids[0], 100)], delivered_on="2026-06-10",
                       accepted_on="2026-06-10")
        await set_today(platform, "2026-07-01")
        ended = await market.insurer.post(f"/catalog/batches/{market.batch}/early-end", json={
            "ended_on": "2026-09-30", "cause": "national_vbp", "document_no": "国医保〔2026〕1号"})
        assert ended.status_code == 200, ended.text

        async def read(as_of: str) -> dict:
            response = await market.insurer.get("/monitoring/progress", params={"batch_code": market.batch,
                                                                                "as_of": as_of})
            assert response.status_code == 200, response.text
            [row] = response.json()["items"]
            assert row["assessed_quantity"] == 122, row  # once monitoring has the early end
            return row
        july = await platform.eventually(lambda: read("2026-07-31"))
        assert (july["completion"], july["target"], july["agreed_quantity"]) == ("0.8197", "0.5000", 365)
        end = await read("2026-09-30")
        assert end["target"] == "1.0000" and end["behind"] is True  # 0.8197 < 1 − 0.10


class TestLateDeliveriesLowerTheRating:
    async def test_mon6_late_supply_is_a_breach_and_the_rating_falls(self, scenario_platform):
        """Ordered on 2026-07-01, delivered on 07-05: the 48-hour window closed at the end of
        07-03, so the check of 07-06 finds a late supply (一般) and the company's rating falls
        from none to 一般; its fill rate is 0, its lead time 4 days. The insurer then records
        bribery (特别严重) and exempts it for force majeure after all: back to 一般."""
        platform = scenario_platform
        await set_today(platform, "2026-05-25")
        market = await build_market(platform)
        await effective_agreements(platform, market)
        company, hospital = market.manufacturers[0], market.hospitals[0]
        rating_path = f"/monitoring/companies/{company}/rating"
        assert (await market.insurer.get(rating_path)).json()["rating"] is None
        await set_today(platform, "2026-07-01")
        placed = await place_order(market, hospital, [(market.product_ids[0], 10)])
        assert placed.status_code == 201, placed.text
        order = placed.json()
        distributor = market.client(market.distributors[0])
        confirmed = await distributor.post(f"/contracts/orders/{order['id']}/confirmation",
                                           json={"lines": [{"line_no": 1, "decision": "confirm"}]})
        assert confirmed.status_code == 200, confirmed.text
        await set_today(platform, "2026-07-05")
        delivered = await distributor.post("/contracts/deliveries", json={
            "order_id": order["id"], "delivered_on": "2026-07-05", "lines": [{"line_no": 1, "quantity": 10, "lot": "L"}]})
        assert delivered.status_code == 201, delivered.text
        await set_today(platform, "2026-07-06")
        await checked_alerts(platform, market, "behind")
        rating = (await market.insurer.get(rating_path)).json()
        assert rating["rating"] == "一般" and rating["announced"] == {"rating": "一般", "since": "2026-07-06"}
        [breach] = rating["breaches"]
        assert (breach["kind"], breach["source"], breach["occurred_on"], breach["order_id"]) == (
            "late_supply", "detected", "2026-07-04", order["id"])
        performance = (await market.insurer.get("/monitoring/performance", params={
            "first": "2026-07-01", "last": "2026-07-31", "batch_code": market.batch})).json()["items"]
        assert [(p["company_code"], p["fill_rate"], p["lead_time_days_p50"]) for p in performance] == [
            (company, "0.0000", 4)]

        recorded = await market.insurer.post("/monitoring/breaches", json={
            "company_code": company, "batch_code": market.batch, "kind": "illegal_conduct", "severity": "特别严重",
            "occurred_on": "2026-07-06", "description": "因商业贿赂受到处罚"})
        assert recorded.status_code == 201, recorded.text
        assert (await market.client(company).get(rating_path)).json()["rating"] == "特别严重"
        exempted = await market.insurer.post(f"/monitoring/breaches/{recorded.json()['id']}/exemption",
                                             json={"reason": "不可抗力: 经复核非企业责任"})
        assert exempted.status_code == 200 and exempted.json()["exempt"] is True, exempted.text
        assert (await market.insurer.get(rating_path)).json()["rating"] == "一般"

        other = market.client(market.distributors[0])
        assert (await other.get(rating_path)).status_code == 404
        assert (await market.client(hospital).get(rating_path)).status_code == 403
        for body, field in (({"company_code": company, "kind": "gossip", "severity": "一般", "occurred_on": "2026-07-01",
                              "description": "x"}, "body.kind"),
                            ({"company_code": company, "kind": "quality", "severity": "很严重",
                              "occurred_on": "2026-07-01", "description": "x"}, "body.severity"),
                            ({"company_code": company, "kind": "quality", "severity": "一般",
                              "occurred_on": "2026-08-01", "description": "x"}, "body.occurred_on"),
                            ({"company_code": "91500000MA5UNKNOWN", "kind": "quality", "severity": "一般",
                              "occurred_on": "2026-07-01", "description": "x"}, "body.company_code")):
            refused = await market.insurer.post("/monitoring/breaches", json=body)
            assert refused.status_code == 422 and is_problem(refused), refused.text
            assert refused.json()["errors"][0]["field"] == field
        assert (await market.client(hospital).post("/monitoring/breaches", json={
            "company_code": company, "kind": "quality", "severity": "一般", "occurred_on": "2026-07-01",
            "description": uuid.uuid4().hex})).status_code == 403


class TestSeed001CutOffAndCompanyGroups:
    async def test_mon5_cutoff_and_mon1_company_group_through_the_gateway(self, scenario_platform):
        """Seed 001: 不得…对非中选产品“一刀切”简单停用 — the hospital bought 90 winning and 10 non-winning
        (0.1000) in July 2026 and 100 winning, no non-winning in August: a non_winning_cutoff alert
        for August. And 同企业、同组别的中选产品可合并考核: its two products of one company and group
        read as one company-group row of progress."""
        platform = scenario_platform
        await set_today(platform, "2026-05-25")
        market = await build_market(platform, products_each=2, group="G1", quantity=1200)
        await effective_agreements(platform, market)
        [hospital], (first, second) = market.hospitals, market.product_ids
        await set_today(platform, "2026-07-15")
        await purchase(market, hospital, [(first, 90)], delivered_on="2026-07-15", accepted_on="2026-07-15")
        await set_today(platform, "2026-08-15")
        await purchase(market, hospital, [(first, 60), (second, 40)], delivered_on="2026-08-15",
                       accepted_on="2026-08-15")
        pushed = await market.exchange.post("/monitoring/non-winning-purchases", json={"rows": [
            {"hospital_code": hospital, "batch_code": market.batch, "group_code": "G1", "product": "某非中选产品",
             "month": "2026-07", "quantity": 10, "amount": "200.00"}]})
        assert pushed.status_code == 200, pushed.text
        await set_today(platform, "2026-09-01")
        [alert] = await checked_alerts(platform, market, "non_winning_cutoff")
        assert (alert["hospital_code"], alert["period"], alert["group_code"], alert["details"]["previous_share"]) == (
            hospital, "2026-08", "G1", "0.1000")
        groups = (await market.insurer.get("/monitoring/progress", params={
            "batch_code": market.batch, "group_by": "company_group", "as_of": "2026-08-31"})).json()["items"]
        assert [(g["key"]["group_code"], g["accepted_quantity"]) for g in groups] == [("G1", 190)]
