"""DESIGN §6 and CON-4/CON-5: the supply events settlement and monitoring will count —
order lines confirmed and declined (dated, with the reason), deliveries recorded (with
``delivered_on``, quantities and lot), acceptance v2 carrying the order and delivery dates,
and returns as their own event with a positive quantity — and the dates they carry are
refused when they precede the step before them or lie in the future (service clock)."""

from datetime import date, timedelta

from testsupport.contracts_setup import build_market, contracts_events, effective_agreements, is_problem, place_order, today
from testsupport import shared_database


async def outbox_envelopes(pg_server: str, event_type: str, key: str) -> list[dict]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from vbptools.embedded import server_url_to_async

    engine = create_async_engine(server_url_to_async(pg_server, shared_database("contracts")))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT envelope FROM outbox WHERE type = :t AND key = :k ORDER BY id"), {"t": event_type, "k": key})
            return [r[0] for r in rows]
    finally:
        await engine.dispose()


def days_from_today(days: int) -> str:
    return (date.fromisoformat(today()) + timedelta(days=days)).isoformat()


async def two_line_order(platform):
    market = await build_market(platform)
    await effective_agreements(platform, market)
    hospital, distributor, product = market.hospitals[0], market.distributors[0], market.product_ids[0]
    placed = await place_order(market, hospital, [(product, 5), (product, 2)])
    assert placed.status_code == 201, placed.text
    return market, hospital, market.client(hospital), market.client(distributor), placed.json()


class TestCon4LineDecisionsAreEvents:
    async def test_confirmed_and_declined_lines_each_publish_their_date_and_reason(self, shared_platform, pg_server):
        market, hospital, _, dist, order = await two_line_order(shared_platform)
        decided = await dist.post(f"/contracts/orders/{order['id']}/confirmation", json={"lines": [
            {"line_no": 1, "decision": "confirm"}, {"line_no": 2, "decision": "decline", "reason": "缺货"}]})
        assert decided.status_code == 200, decided.text

        confirmed = await contracts_events(pg_server, "contracts.order_line.confirmed", hospital)
        declined = await contracts_events(pg_server, "contracts.order_line.declined", hospital)
        assert [(e["line"]["order_id"], e["line"]["line_no"], e["line"]["quantity"], e["confirmed_on"])
                for e in confirmed] == [(order["id"], 1, 5, today())]
        assert [(e["line"]["line_no"], e["line"]["quantity"], e["declined_on"], e["reason"])
                for e in declined] == [(2, 2, today(), "缺货")]
        line = confirmed[0]["line"]
        assert (line["distributor_code"], line["manufacturer_code"], line["product_id"], line["batch_code"],
                line["ordered_on"]) == (market.distributors[0], market.manufacturers[0], market.product_ids[0],
                                        market.batch, today())


class TestCon5DeliveryAcceptanceReturnEvents:
    async def test_delivery_acceptance_v2_and_return_are_published_with_their_dates(self, shared_platform, pg_server):
        market, hospital, his, dist, order = await two_line_order(shared_platform)
        await dist.post(f"/contracts/orders/{order['id']}/confirmation", json={"lines": [
            {"line_no": 1, "decision": "confirm"}, {"line_no": 2, "decision": "confirm"}]})
        delivered = await dist.post("/contracts/deliveries", json={
            "order_id": order["id"], "delivered_on": today(),
            "lines": [{"line_no": 1, "quantity": 4, "lot": "LOT-A", "udi": "UDI-A"},
                      {"line_no": 2, "quantity": 2, "lot": "LOT-B"}]})
        assert delivered.status_code == 201, delivered.text
        delivery_id = delivered.json()["id"]

        recorded = await contracts_events(pg_server, "contracts.delivery.recorded", hospital)
        assert [(e["delivery_id"], e["ordered_on"], e["delivered_on"], e["distributor_code"]) for e in recorded] == [
            (delivery_id, today(), today(), market.distributors[0])]
        assert [(l["line_no"], l["quantity"], l["lot"], l["udi"], l["ordered_quantity"])
                for l in recorded[0]["lines"]] == [(1, 4, "LOT-A", "UDI-A", 5), (2, 2, "LOT-B", None, 2)]

        accepted = await his.post(f"/contracts/deliveries/{delivery_id}/acceptance", json={
            "accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": 4},
                                              {"line_no": 2, "accepted_quantity": 2}]})
        assert accepted.status_code == 200, accepted.text
        envelopes = await outbox_envelopes(pg_server, "contracts.delivery.accepted", hospital)
        assert [e["version"] for e in envelopes] == [2, 2]  # producers emit v2 only
        first = envelopes[0]["data"]
        assert (first["quantity"], first["amount_fen"], first["ordered_on"], first["delivered_on"],
                first["accepted_on"]) == (4, 4 * 73000, today(), today(), today())
        assert "return_reason" not in first

        returned = await his.post("/contracts/returns", json={
            "delivery_id": delivery_id, "line_no": 1, "quantity": 3, "reason": "包装破损", "returned_on": today()})
        assert returned.status_code == 201, returned.text
        returns = await outbox_envelopes(pg_server, "contracts.delivery.returned", hospital)
        assert [(e["version"], e["data"]["return_id"], e["data"]["quantity"], e["data"]["amount_fen"],
                 e["data"]["reason"], e["data"]["returned_on"]) for e in returns] == [
            (1, returned.json()["id"], 3, 3 * 73000, "包装破损", today())]
        # a return no longer publishes a negative acceptance
        assert len(await outbox_envelopes(pg_server, "contracts.delivery.accepted", hospital)) == 2


class TestCon5SupplyDatesAreRefusedOutsideOrderAndToday:
    """CON-5: nothing is delivered before it was ordered, accepted before it was delivered,
    returned before it was accepted — nor on a day after today (the service's clock)."""

    async def test_dates_before_their_step_or_in_the_future_are_422_naming_the_field(self, shared_platform):
        _, _, his, dist, order = await two_line_order(shared_platform)
        await dist.post(f"/contracts/orders/{order['id']}/confirmation", json={"lines": [
            {"line_no": 1, "decision": "confirm"}, {"line_no": 2, "decision": "confirm"}]})

        def delivery(on):
            return {"order_id": order["id"], "delivered_on": on, "lines": [{"line_no": 1, "quantity": 1, "lot": "L"}]}

        for on in (days_from_today(-1), days_from_today(1)):
            refused = await dist.post("/contracts/deliveries", json=delivery(on))
            assert refused.status_code == 422 and is_problem(refused), refused.text
            assert [e["field"] for e in refused.json()["errors"]] == ["body.delivered_on"]
        delivered = await dist.post("/contracts/deliveries", json=delivery(today()))
        assert delivered.status_code == 201, delivered.text  # the order's own day is fine
        delivery_id = delivered.json()["id"]

        def acceptance(on):
            return {"accepted_on": on, "lines": [{"line_no": 1, "accepted_quantity": 1}]}

        for on in (days_from_today(-1), days_from_today(1)):
            refused = await his.post(f"/contracts/deliveries/{delivery_id}/acceptance", json=acceptance(on))
            assert refused.status_code == 422 and is_problem(refused), refused.text
            assert [e["field"] for e in refused.json()["errors"]] == ["body.accepted_on"]
        assert (await his.post(f"/contracts/deliveries/{delivery_id}/acceptance",
                               json=acceptance(today()))).status_code == 200

        future_return = await his.post("/contracts/returns", json={
            "delivery_id": delivery_id, "line_no": 1, "quantity": 1, "reason": "破损",
            "returned_on": days_from_today(1)})
        assert future_return.status_code == 422
        assert [e["field"] for e in future_return.json()["errors"]] == ["body.returned_on"]


class TestTheSupplyEventsArePublishedInAsyncApi:
    """§6: every event the next services need is in the gateway's ``/asyncapi.json``."""

    async def test_asyncapi_lists_them_on_the_contracts_channel(self, shared_platform):
        document = (await shared_platform.admin.get("/asyncapi.json")).json()
        messages = document["channels"]["contracts"]["messages"]
        assert {"contracts.order_line.confirmed.v1", "contracts.order_line.declined.v1",
                "contracts.delivery.recorded.v1", "contracts.delivery.accepted.v1",
                "contracts.delivery.accepted.v2", "contracts.delivery.returned.v1"} <= set(messages)
