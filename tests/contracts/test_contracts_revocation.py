"""CON-6 distributor revocation (seed 001: 取消配送资格，选择其他配送企业) through the gateway:
the bureau revokes, orders are refused while no distributor is designated, the revoked
distributor acts no more, and when the manufacturer designates another the open order
lines move to it (pending again) with ``contracts.distributor.changed``."""

from testsupport.contracts_setup import build_market, contracts_events, effective_agreements, is_problem, place_order, today


class TestCon6RevocationAndRedesignation:
    async def test_open_lines_move_to_the_new_distributor(self, shared_platform, pg_server):
        market = await build_market(shared_platform, distributors=2, year1={(0, 0): 100})
        [agreement] = await effective_agreements(shared_platform, market)
        hospital, manufacturer = market.hospitals[0], market.manufacturers[0]
        old, new = market.distributors
        his, old_client, new_client = market.client(hospital), market.client(old), market.client(new)
        product = market.product_ids[0]
        path = f"/contracts/agreements/{agreement['id']}"

        pending = (await place_order(market, hospital, [(product, 4)])).json()
        partly = (await place_order(market, hospital, [(product, 10), (product, 2)])).json()
        done = (await place_order(market, hospital, [(product, 3)])).json()
        await old_client.post(f"/contracts/orders/{partly['id']}/confirmation", json={"lines": [
            {"line_no": 1, "decision": "confirm"}, {"line_no": 2, "decision": "decline", "reason": "缺货"}]})
        await old_client.post(f"/contracts/orders/{done['id']}/confirmation",
                              json={"lines": [{"line_no": 1, "decision": "confirm"}]})
        for order_id, quantity in ((partly["id"], 5), (done["id"], 3)):
            delivered = await old_client.post("/contracts/deliveries", json={
                "order_id": order_id, "delivered_on": today(),
                "lines": [{"line_no": 1, "quantity": quantity, "lot": "L1"}]})
            assert delivered.status_code == 201, delivered.text

        for refused_by in (his, market.client(manufacturer), old_client):
            refused = await refused_by.post(f"{path}/distributor-revocation", json={"reason": "配送不及时"})
            assert refused.status_code == 403 and is_problem(refused)
        assert (await market.exchange.get(path)).json()["distributor_code"] == old
        revoked = await market.insurer.post(f"{path}/distributor-revocation", json={"reason": "核实后取消配送资格"})
        assert revoked.status_code == 200 and revoked.json()["distributor_code"] is None, revoked.text
        assert revoked.json()["status"] == "effective"

        no_distributor = await place_order(market, hospital, [(product, 1)])
        assert no_distributor.status_code == 422 and "distributor" in no_distributor.json()["errors"][0]["reason"]
        late_confirm = await old_client.post(f"/contracts/orders/{pending['id']}/confirmation",
                                             json={"lines": [{"line_no": 1, "decision": "confirm"}]})
        late_delivery = await old_client.post("/contracts/deliveries", json={
            "order_id": partly["id"], "delivered_on": today(), "lines": [{"line_no": 1, "quantity": 5, "lot": "L2"}]})
        assert (late_confirm.status_code, late_delivery.status_code) == (403, 403)

        async def designated():
            response = await market.client(manufacturer).post(f"{path}/distributor", json={"distributor_code": new})
            assert response.status_code == 200, response.text

        await shared_platform.eventually(designated)
        orders = (await market.exchange.get("/contracts/orders", params={"hospital_code": hospital, "limit": 200})).json()
        lines = {(o["id"], l["line_no"]): l for o in orders["items"] for l in o["lines"]}
        assert (lines[(pending["id"], 1)]["distributor_code"], lines[(pending["id"], 1)]["status"]) == (new, "pending")
        assert (lines[(partly["id"], 1)]["distributor_code"], lines[(partly["id"], 1)]["status"],
                lines[(partly["id"], 1)]["delivered_quantity"]) == (new, "pending", 5)
        assert (lines[(partly["id"], 2)]["distributor_code"], lines[(partly["id"], 2)]["status"]) == (old, "declined")
        assert (lines[(done["id"], 1)]["distributor_code"], lines[(done["id"], 1)]["status"]) == (old, "confirmed")

        changes = await contracts_events(pg_server, "contracts.distributor.changed", str(agreement["id"]))
        assert [(c["previous_distributor_code"], c["distributor_code"]) for c in changes][-2:] == [(old, None), (None, new)]
        assert changes[-1]["moved_order_lines"] == 2

        assert (await old_client.get(f"/contracts/orders/{pending['id']}")).status_code == 404
        confirmed = await new_client.post(f"/contracts/orders/{partly['id']}/confirmation",
                                          json={"lines": [{"line_no": 1, "decision": "confirm"}]})
        assert confirmed.status_code == 200, confirmed.text
        rest = await new_client.post("/contracts/deliveries", json={
            "order_id": partly["id"], "delivered_on": today(), "lines": [{"line_no": 1, "quantity": 5, "lot": "L3"}]})
        assert rest.status_code == 201, rest.text
        accepted = await his.post(f"/contracts/deliveries/{rest.json()['id']}/acceptance",
                                  json={"accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": 5}]})
        assert accepted.status_code == 200, accepted.text
        routed = await place_order(market, hospital, [(product, 1)])
        assert routed.status_code == 201 and routed.json()["lines"][0]["distributor_code"] == new

    async def test_the_manufacturer_cannot_replace_a_signed_distributor_without_revocation(self, shared_platform):
        market = await build_market(shared_platform, distributors=2)
        [agreement] = await effective_agreements(shared_platform, market)
        replaced = await market.client(market.manufacturers[0]).post(
            f"/contracts/agreements/{agreement['id']}/distributor", json={"distributor_code": market.distributors[1]})
        assert replaced.status_code == 409 and is_problem(replaced)
        assert (await market.exchange.get(f"/contracts/agreements/{agreement['id']}")).json()["distributor_code"] == (
            market.distributors[0])
