"""CON-9 stocking before the start (seed 001: 督促各有关企业、各医疗机构在执行之日起的前3天按临床需求提前
完成备货，确保结果执行前后的平稳有序衔接), on the scenario platform's clock: a Liaoning batch
(``stocking_days_before_start`` 3) takes orders from three days before its start — they count
towards year 1 — and not a day earlier; on the start day a hospital with year-1 items that had
ordered nothing is alerted, one that stocked is not."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, place_order, purchase
from testsupport.scenario_setup import set_today


class TestCon9StockingBeforeTheStart:
    async def test_orders_from_three_days_before_count_towards_year_one(self, scenario_platform):
        platform = scenario_platform
        await set_today(platform, "2026-06-20")
        market = await build_market(platform, preset="liaoning-2025", starts_on="2026-07-01", hospitals=2,
                                    quantity=100)
        await effective_agreements(platform, market)
        stocked, idle = market.hospitals
        [product] = market.product_ids

        await set_today(platform, "2026-06-27")
        early = await place_order(market, stocked, [(product, 5)])
        assert early.status_code == 422 and is_problem(early), early.text
        assert "not in force on 2026-06-27" in early.json()["errors"][0]["reason"]
        await set_today(platform, "2026-06-28")
        await purchase(market, stocked, [(product, 30)], delivered_on="2026-06-28", accepted_on="2026-06-28")

        await set_today(platform, "2026-07-01")
        await platform.settled()
        assert (await market.insurer.post("/monitoring/alert-checks")).status_code == 200
        alerts = (await market.insurer.get("/monitoring/alerts", params={
            "batch_code": market.batch, "kind": "no_stocking"})).json()["items"]
        assert [(a["hospital_code"], a["rule"], a["period"]) for a in alerts] == [(idle, "CON-9", "2026-07")]
        assert alerts[0]["details"]["stocking_from"] == "2026-06-28"

        progress = (await market.insurer.get("/monitoring/progress", params={
            "batch_code": market.batch, "hospital_code": stocked, "as_of": "2026-07-01"})).json()["items"]
        assert [(r["accepted_quantity"], r["explain"]["agreement_year"]["year"]) for r in progress] == [(30, 1)]
