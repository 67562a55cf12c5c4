"""DESIGN §5, GW-1: every 422 locates the field it blames — in bulk uploads each row's error
from the body's root — and ``instance`` is the public path the client called (found trying the
platform as a new user, issue 7 item 5)."""

from testsupport.contracts_setup import build_market, effective_agreements, is_problem
from testsupport.catalog_setup import batch_body, device_no, listing, new_batch, new_code


class TestEvery422LocatesTheField:
    """§5: a rule across fields blames its field (``rows.3.winning_price``), never only the
    row; a bulk answer numbers rows from 1 and names the field within the row, a 422 of a
    bulk call locates each error from the body's root (issue 23)."""

    async def test_a_listing_whose_prices_do_not_add_up_names_winning_price(self, shared_platform):
        device = device_no()
        other = device_no()
        batch = await new_batch(shared_platform, "consumable")
        mixed = await shared_platform.admin.post(f"/catalog/batches/{batch}/products", json={"rows": [
            listing(device), listing(other, winning_price="731.00")]})
        assert mixed.status_code == 207, mixed.text
        assert [(e["row"], e["field"]) for e in mixed.json()["errors"]] == [(2, "winning_price")]
        only_bad = await shared_platform.admin.post(f"/catalog/batches/{batch}/products", json={"rows": [
            listing(other, winning_price="731.00"), listing(other, product_price=None)]})
        assert only_bad.status_code == 422 and is_problem(only_bad), only_bad.text
        assert [e["field"] for e in only_bad.json()["errors"]] == [
            "body.rows.0.winning_price", "body.rows.1.product_price"]

    async def test_a_bad_batch_names_the_field_it_blames(self, shared_platform):
        refused = await shared_platform.admin.post("/catalog/batches", json=batch_body(
            new_code("NU"), kind="drug", organiser_level="provincial", starts_on="2026-06-01", cycle_years=None,
            ends_on="2026-05-01"))
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["body.ends_on"]

    async def test_bulk_orders_name_each_refused_order_by_its_number_and_field(self, shared_platform):
        market = await build_market(shared_platform)
        await effective_agreements(shared_platform, market)
        product = market.product_ids[0]
        his = market.client(market.hospitals[0])
        line = {"line_no": 1, "product_id": product, "quantity": 1, "unit_price": "730.00"}
        sent = await his.post("/contracts/orders/bulk", json={"orders": [
            {"his_order_no": "NU-REPEAT", "lines": [line, line]},
            {"his_order_no": "NU-PRICE", "lines": [line | {"unit_price": "731.00"}]},
            {"his_order_no": "NU-OK", "lines": [line]},
        ]})
        assert sent.status_code == 207, sent.text
        assert [(e["row"], e["his_order_no"], e["field"]) for e in sent.json()["errors"]] == [
            (1, "NU-REPEAT", "lines"), (2, "NU-PRICE", "lines[line_no=1].unit_price")]
        assert not any(e["reason"].startswith("Value error") for e in sent.json()["errors"])
        assert sent.json()["created"] == 1
        refused = await his.post("/contracts/orders/bulk", json={"orders": [
            {"his_order_no": "NU-PRICE-2", "lines": [line | {"unit_price": "731.00"}]}]})
        assert refused.status_code == 422 and is_problem(refused), refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["body.orders.0.lines[line_no=1].unit_price"]


class TestProblemInstanceIsThePathTheClientCalled:
    """§5 with GW-1: ``instance`` is the path through the gateway (``/catalog/batches/X``),
    not the service's internal one (``/batches/X``)."""

    async def test_instance_carries_the_service_prefix(self, shared_platform):
        missing = await shared_platform.admin.get("/catalog/batches/NO-SUCH-BATCH")
        assert missing.status_code == 404 and is_problem(missing)
        assert missing.json()["instance"] == "/catalog/batches/NO-SUCH-BATCH"
        invalid = await shared_platform.admin.post("/contracts/agreed-volumes", json={"rows": []})
        assert invalid.status_code == 422 and invalid.json()["instance"] == "/contracts/agreed-volumes"
