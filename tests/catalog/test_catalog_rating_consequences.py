"""MON-6 → CAT-12 through the gateway (issue 10, item 5): catalog consumes
``monitoring.rating.changed``. In a batch whose policy says so (chongqing-2025), a 严重 rating
suspends the company's listings with the rating named in their history, and a later better
rating lists them again — but not a product the exchange had suspended for its own reason;
in a batch whose policy does not (liaoning-2025), a 特别严重 rating changes no listing."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, today


async def status_of(platform, product_id: int) -> dict:
    response = await platform.admin.get(f"/catalog/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def record(market, company: str, severity: str) -> dict:
    recorded = await market.insurer.post("/monitoring/breaches", json={
        "company_code": company, "batch_code": market.batch, "kind": "quality", "severity": severity,
        "occurred_on": today(), "description": "质量事故: 批次抽检不合格"})
    assert recorded.status_code == 201, recorded.text
    return recorded.json()


class TestRatingSuspendsListings:
    async def test_mon6_a_serious_rating_suspends_and_a_better_one_restores(self, shared_platform):
        market = await build_market(shared_platform, products_each=3)
        company = market.manufacturers[0]
        kept, suspended_before, _ = market.product_ids
        await shared_platform.settled()  # monitoring knows the company and the batch
        manual = await market.exchange.post(f"/catalog/products/{suspended_before}/status",
                                            json={"status": "suspended", "reason": "注册证变更核查"})
        assert manual.status_code == 200, manual.text
        breach = await record(market, company, "严重")

        async def suspended():
            product = await status_of(shared_platform, kept)
            assert product["status"] == "suspended", product["status"]
            return product
        product = await shared_platform.eventually(suspended)
        change = product["history"][-1]
        assert change["changed_by"] == "system:MON-6" and "MON-6 rating 严重" in change["reason"]
        assert str(breach["id"]) in change["reason"]

        exempted = await market.insurer.post(f"/monitoring/breaches/{breach['id']}/exemption",
                                             json={"reason": "经复核属不可抗力"})
        assert exempted.status_code == 200, exempted.text

        async def restored():
            assert [(await status_of(shared_platform, p))["status"] for p in market.product_ids] == [
                "listed", "suspended", "listed"]
        await shared_platform.eventually(restored)
        assert (await status_of(shared_platform, suspended_before))["history"][-1]["reason"] == "注册证变更核查"

    async def test_mon6_a_batch_whose_policy_says_nothing_keeps_its_listings(self, shared_platform):
        market = await build_market(shared_platform, preset="liaoning-2025")
        await shared_platform.settled()
        await record(market, market.manufacturers[0], "特别严重")
        rating = await market.insurer.get(f"/monitoring/companies/{market.manufacturers[0]}/rating")
        assert rating.json()["announced"]["rating"] == "特别严重"
        await shared_platform.settled()  # catalog has handled the rating event
        assert (await status_of(shared_platform, market.product_ids[0]))["status"] == "listed"
