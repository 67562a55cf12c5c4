"""CAT-14 lot holds through the gateway (seed 000: 出现质量问题…及时报告和处置; seed 004: 加强…质量监管):
the insurer holds a lot of a product; a delivery line of that lot is not accepted (CON-5) —
accepting none of it is — and every hospital that accepted the lot before is alerted with its
lines; released, the lot is accepted again."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, purchase, today


async def delivered(market, hospital: str, product: int, quantity: int, lot: str) -> dict:
    """An order of ``hospital`` confirmed and delivered with ``lot``, not yet accepted."""
    placed = await market.client(hospital).post("/contracts/orders", json={
        "his_order_no": f"LOT-{hospital}-{lot}-{quantity}", "lines": [
            {"line_no": 1, "product_id": product, "quantity": quantity, "unit_price": market.prices[product]}]})
    assert placed.status_code == 201, placed.text
    order = placed.json()
    distributor = market.client(order["lines"][0]["distributor_code"])
    confirmed = await distributor.post(f"/contracts/orders/{order['id']}/confirmation",
                                       json={"lines": [{"line_no": 1, "decision": "confirm"}]})
    assert confirmed.status_code == 200, confirmed.text
    delivery = await distributor.post("/contracts/deliveries", json={
        "order_id": order["id"], "delivered_on": today(), "lines": [{"line_no": 1, "quantity": quantity, "lot": lot}]})
    assert delivery.status_code == 201, delivery.text
    return delivery.json()


def accept(market, hospital: str, delivery: dict, quantity: int):
    return market.client(hospital).post(f"/contracts/deliveries/{delivery['id']}/acceptance", json={
        "accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": quantity}]})


class TestCat14LotHolds:
    async def test_a_held_lot_is_not_accepted_and_those_who_accepted_it_are_alerted(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2)
        await effective_agreements(shared_platform, market)
        h0, h1 = market.hospitals
        [product] = market.product_ids
        await purchase(market, h0, [(product, 6)])  # lot LOT-1, accepted
        waiting = await delivered(market, h1, product, 4, "LOT-1")

        for not_insurer in (market.client(h0), market.exchange, market.client(market.manufacturers[0])):
            refused = await not_insurer.post(f"/catalog/products/{product}/lot-holds", json={
                "lot": "LOT-1", "reason": "抽检不合格"})
            assert refused.status_code == 403 and is_problem(refused), refused.text
        held = await market.insurer.post(f"/catalog/products/{product}/lot-holds", json={
            "lot": "LOT-1", "reason": "省级抽检不合格，暂停使用"})
        assert held.status_code == 201, held.text
        twice = await market.insurer.post(f"/catalog/products/{product}/lot-holds", json={
            "lot": "LOT-1", "reason": "again"})
        assert twice.status_code == 409 and is_problem(twice)
        await shared_platform.settled()

        blocked = await accept(market, h1, waiting, 4)
        assert blocked.status_code == 422, blocked.text
        [error] = blocked.json()["errors"]
        assert error["field"] == "body.lines[line_no=1].accepted_quantity"
        assert "lot LOT-1" in error["reason"] and "CAT-14" in error["reason"] and "省级抽检不合格" in error["reason"]
        refusing_the_goods = await accept(market, h1, waiting, 0)
        assert refusing_the_goods.status_code == 200, refusing_the_goods.text

        alerts = (await market.insurer.get("/monitoring/alerts", params={
            "batch_code": market.batch, "kind": "lot_hold"})).json()["items"]
        assert [(a["hospital_code"], a["subject"], a["rule"], a["details"]["accepted_quantity"]) for a in alerts] == [
            (h0, "LOT-1", "CAT-14", 6)]
        assert [line["quantity"] for line in alerts[0]["details"]["lines"]] == [6]

        for not_insurer in (market.client(h0), market.exchange):
            refused = await not_insurer.post(f"/catalog/lot-holds/{held.json()['id']}/release", json={"reason": "x"})
            assert refused.status_code == 403 and is_problem(refused), refused.text
        released = await market.insurer.post(f"/catalog/lot-holds/{held.json()['id']}/release", json={
            "reason": "复检合格"})
        assert released.status_code == 200 and released.json()["status"] == "released", released.text
        await shared_platform.settled()
        again = await delivered(market, h1, product, 2, "LOT-1")
        assert (await accept(market, h1, again, 2)).status_code == 200
        history = (await market.insurer.get(f"/catalog/products/{product}")).json()["history"]
        assert [h["new_value"] for h in history if h["kind"] == "lot_hold"] == [
            "lot LOT-1 held", "lot LOT-1 released"]
