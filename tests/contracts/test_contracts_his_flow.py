"""CON-2/CON-4/CON-5 through the gateway: a HIS's whole flow — agreement signed by three
parties, order at the winning price, confirmation, partial delivery, acceptance, return."""

from testsupport.contracts_setup import build_world, contracts_events, effective_agreement, today


class TestHisFlowFromOrderToAcceptance:
    async def test_order_delivery_acceptance_and_return(self, shared_platform, pg_server):
        world = await build_world(shared_platform)
        agreement = await effective_agreement(shared_platform, world)
        assert [s["party"] for s in agreement["signatures"]] == ["distributor", "hospital", "manufacturer"]
        assert {s["content_sha256"] for s in agreement["signatures"]} == {agreement["content_sha256"]}
        his = world.hospital_client

        order = {"his_order_no": "HIS-0001", "lines": [
            {"line_no": 1, "product_id": world.product_id, "quantity": 5, "unit_price": "730.00"}]}
        placed = await his.post("/contracts/orders", json=order)
        assert placed.status_code == 201, placed.text
        again = await his.post("/contracts/orders", json=order)
        assert again.status_code == 200 and again.json()["id"] == placed.json()["id"]
        line = placed.json()["lines"][0]
        assert (line["distributor_code"], line["unit_price"], line["status"]) == (world.distributor, "730.00", "pending")

        order_id = placed.json()["id"]
        confirmed = await world.distributor_client.post(f"/contracts/orders/{order_id}/confirmation",
                                                        json={"lines": [{"line_no": 1, "decision": "confirm"}]})
        assert confirmed.status_code == 200, confirmed.text

        delivered = await world.distributor_client.post("/contracts/deliveries", json={
            "order_id": order_id, "delivered_on": today(), "lines": [{"line_no": 1, "quantity": 3, "lot": "L1"}]})
        assert delivered.status_code == 201, delivered.text
        delivery_id = delivered.json()["id"]
        too_many = await his.post(f"/contracts/deliveries/{delivery_id}/acceptance",
                                  json={"accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": 4}]})
        assert too_many.status_code == 422  # CON-5: acceptance ≤ delivered
        accepted = await his.post(f"/contracts/deliveries/{delivery_id}/acceptance",
                                  json={"accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": 2}]})
        assert accepted.status_code == 200, accepted.text

        returned = await his.post("/contracts/returns", json={
            "delivery_id": delivery_id, "line_no": 1, "quantity": 1, "reason": "包装破损", "returned_on": today()})
        assert returned.status_code == 201, returned.text

        events = await contracts_events(pg_server, "contracts.delivery.accepted", world.hospital)
        assert [(e["quantity"], e["amount_fen"], "return_reason" in e) for e in events] == [(2, 146000, False)]
        returns = await contracts_events(pg_server, "contracts.delivery.returned", world.hospital)
        assert [(e["quantity"], e["amount_fen"], e["reason"]) for e in returns] == [(1, 73000, "包装破损")]
        assert events[0]["agreement_year"] == 1 and events[0]["accepted_on"] == today()
