"""CON-8 orders without an agreement through the gateway (seed 004: 各有关部门和医疗机构不得以费用控制、
医疗机构使用品种规格数量要求、未申报采购量…为由，限制中选耗材的合理使用与供应保障): under Chuxiong's policy
(``orders_without_agreement`` = ``winning_price``) a hospital with no agreement with the winner's
manufacturer buys at the winning price through the distributor the manufacturer named for its
region, counted beyond the agreed volume; without one named, the refusal names whom to ask.
Under Chongqing's (``refuse``) the line is refused as CON-4 always did."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, place_order, today


class TestCon8OrdersWithoutAnAgreement:
    async def test_a_hospital_without_an_agreement_buys_at_the_winning_price(self, shared_platform):
        market = await build_market(shared_platform, preset="chuxiong-2022", hospitals=2, distributors=2,
                                    year1={(0, 0): 100})
        await effective_agreements(shared_platform, market)
        _, newcomer = market.hospitals
        [product] = market.product_ids
        maker, (d0, d1) = market.manufacturers[0], market.distributors
        await shared_platform.settled()

        unnamed = await place_order(market, newcomer, [(product, 5)])
        assert unnamed.status_code == 422, unnamed.text
        reason = unnamed.json()["errors"][0]["reason"]
        assert maker in reason and "named no default distributor for region 500103" in reason

        body = {"batch_code": market.batch, "region_code": "500000", "distributor_code": d1}
        assert (await market.client(d0).put("/contracts/default-distributors", json=body)).status_code == 403
        for field, wrong in (("batch_code", "NO-SUCH"), ("region_code", "999999")):
            refused = await market.client(maker).put("/contracts/default-distributors", json={**body, field: wrong})
            assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == f"body.{field}"
        named = await market.client(maker).put("/contracts/default-distributors", json=body)
        assert named.status_code == 200 and named.json()["distributor_code"] == d1, named.text

        placed = await place_order(market, newcomer, [(product, 5)])
        assert placed.status_code == 201, placed.text
        [line] = placed.json()["lines"]
        assert (line["distributor_code"], line["unit_price"], line["beyond_agreed"]) == (d1, market.prices[product], True)
        standing = (await market.exchange.get(f"/contracts/agreements/{line['agreement_id']}")).json()
        assert (standing["status"], standing["version"], standing["hospital_code"], standing["items"]) == (
            "standing", 0, newcomer, [])
        signed = await market.client(newcomer).post(f"/contracts/agreements/{standing['id']}/signatures",
                                                    json={"content_sha256": standing["content_sha256"]})
        assert signed.status_code == 409 and "CON-8" in signed.json()["detail"]

        order = placed.json()
        supplier = market.client(d1)
        assert (await supplier.post(f"/contracts/orders/{order['id']}/confirmation", json={
            "lines": [{"line_no": 1, "decision": "confirm"}]})).status_code == 200
        delivered = await supplier.post("/contracts/deliveries", json={
            "order_id": order["id"], "delivered_on": today(), "lines": [{"line_no": 1, "quantity": 5, "lot": "L1"}]})
        assert delivered.status_code == 201, delivered.text
        accepted = await market.client(newcomer).post(f"/contracts/deliveries/{delivered.json()['id']}/acceptance",
                                                      json={"accepted_on": today(),
                                                            "lines": [{"line_no": 1, "accepted_quantity": 5}]})
        assert accepted.status_code == 200, accepted.text

    async def test_under_the_refuse_policy_the_line_is_refused(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2, year1={(0, 0): 100})  # chongqing-2025
        await effective_agreements(shared_platform, market)
        await shared_platform.settled()
        named = await market.client(market.manufacturers[0]).put("/contracts/default-distributors", json={
            "batch_code": market.batch, "region_code": "500000", "distributor_code": market.distributors[0]})
        assert named.status_code == 200, named.text
        refused = await place_order(market, market.hospitals[1], [(market.product_ids[0], 5)])
        assert refused.status_code == 422 and is_problem(refused)
        assert "no effective agreement" in refused.json()["errors"][0]["reason"]
