"""CAT-11 insurance payment standards through the gateway: a winning product's standard is its
winning price and follows each change of it; a non-winning product's follows its listing
price (seed 002) or stays frozen (seed 003); the insurer fixes one product's amount with a
reason (seed 001: 41,600.00, 乙类, 除外内容), which price changes then leave, and hands it back
to the policy; every change is ``catalog.payment_standard.changed``; the insurer downloads the
table for a day as JSON and .xlsx; bad input and other roles are refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from testsupport.catalog_setup import (assert_problem, create_batch, device_no, error_fields, listed_product, listing, new_code,
                           outbox_events, push)
from testsupport.contracts_setup import today


async def standard(client, product_id: int, on: str | None = None) -> dict:
    response = await client.get(f"/catalog/products/{product_id}/payment-standard", params={"on": on} if on else {})
    assert response.status_code == 200, response.text
    return response.json()


class TestPaymentStandards:
    async def test_cat11_winning_price_follows_and_the_insurer_pins_and_releases(self, roles, catalog_db):
        code = new_code("PS")
        await create_batch(roles, code, starts_on=today())
        number = device_no()
        item = await listed_product(roles, code, listing(number))
        read = await standard(roles.hospital, item["id"])
        assert (read["standard"]["rule"], read["standard"]["amount"], read["standard"]["effective_from"]) == (
            "winning_price", "730.00", today())
        assert "以中选价" in read["explain"]["how"] and read["standard"]["category"] is None

        repriced = await push(roles, code, [listing(number, product_price="650.00", winning_price="700.00")])
        assert repriced["updated"] == 1, repriced
        read = await standard(roles.hospital, item["id"])
        assert read["standard"]["amount"] == "700.00" and len(read["history"]) == 2
        assert "price changed" in read["standard"]["reason"]

        fixed = await roles.insurer.put(f"/catalog/products/{item['id']}/payment-standard", json={
            "amount": "41600.00", "category": "乙类", "excluded_content": True,
            "reason": "辽医保〔2025〕: 血流导向密网支架 医保支付标准 41600 元"})
        assert fixed.status_code == 200, fixed.text
        assert (fixed.json()["standard"]["rule"], fixed.json()["standard"]["amount"],
                fixed.json()["standard"]["pinned"]) == ("fixed", "41600.00", True)
        await push(roles, code, [listing(number, product_price="600.00", winning_price="650.00")])
        read = await standard(roles.hospital, item["id"])
        assert (read["standard"]["rule"], read["standard"]["amount"], read["standard"]["excluded_content"]) == (
            "fixed", "41600.00", True)

        released = await roles.insurer.put(f"/catalog/products/{item['id']}/payment-standard",
                                           json={"follow_policy": True, "reason": "恢复按中选价支付"})
        assert released.status_code == 200, released.text
        assert (released.json()["standard"]["rule"], released.json()["standard"]["amount"],
                released.json()["standard"]["category"]) == ("winning_price", "650.00", "乙类")
        yesterday = (date.fromisoformat(today()) - timedelta(days=1)).isoformat()
        assert (await standard(roles.hospital, item["id"], on=yesterday))["standard"] is None

        events = await outbox_events(catalog_db, key=str(item["id"]), type_="catalog.payment_standard.changed")
        assert [(e["data"]["rule"], e["data"]["amount_fen"]) for e in events] == [
            ("winning_price", 73_000), ("winning_price", 70_000), ("fixed", 4_160_000), ("winning_price", 65_000)]

    async def test_cat11_non_winning_listing_price_or_frozen_by_the_batch_policy(self, roles):
        listing_price, frozen = new_code("PS"), new_code("PS")
        await create_batch(roles, listing_price, starts_on=today())
        await create_batch(roles, frozen, preset="chongqing-stent-2023", starts_on=today())
        row = dict(winning=False, national_lowest_price="800.00", product_price="700.00", winning_price="750.00")
        follows = await listed_product(roles, listing_price, listing(device_no(), **row))
        kept = await listed_product(roles, frozen, listing(device_no(), **row))
        assert (await standard(roles.exchange, follows["id"]))["standard"]["rule"] == "listing_price"
        read = await standard(roles.exchange, kept["id"])
        assert (read["standard"]["rule"], read["standard"]["amount"]) == ("frozen", None)
        assert "暂不调整" in read["explain"]["how"]

    async def test_cat11_the_insurer_downloads_the_days_table(self, roles):
        code = new_code("PS")
        await create_batch(roles, code, starts_on=today())
        item = await listed_product(roles, code, listing(device_no()))
        table = await roles.insurer.get("/catalog/payment-standards", params={"batch_code": code})
        assert table.status_code == 200, table.text
        [row] = table.json()["items"]
        assert (row["product_id"], row["standard"], row["rule"], row["effective_to"]) == (
            item["id"], "730.00", "winning_price", None)
        workbook = await roles.insurer.get("/catalog/payment-standards",
                                           params={"batch_code": code, "format": "xlsx"})
        assert workbook.status_code == 200
        sheet = load_workbook(BytesIO(workbook.content)).active
        header = [c.value for c in sheet[1]]
        values = dict(zip(header, [c.value for c in sheet[2]]))
        assert values["standard"] == Decimal("730") and values["name"] == "药物洗脱支架系统"
        assert (await roles.hospital.get("/catalog/payment-standards")).status_code == 403

    async def test_cat11_bad_input_and_other_roles_are_refused(self, roles):
        code = new_code("PS")
        await create_batch(roles, code, starts_on=today())
        item = await listed_product(roles, code, listing(device_no()))
        path = f"/catalog/products/{item['id']}/payment-standard"
        for body, field in (({"amount": "-1.00", "reason": "x"}, "body.amount"),
                            ({"amount": "1.00", "follow_policy": True, "reason": "x"}, "body"),
                            ({"amount": "1.00", "category": "丙类", "reason": "x"}, "body.category"),
                            ({"amount": "1.00"}, "body.reason"),
                            ({"amount": "1.00", "reason": "x", "effective_from": "2000-01-01"}, "body.effective_from")):
            problem = assert_problem(await roles.insurer.put(path, json=body), 422)
            assert field in error_fields(problem), (body, problem)
        assert_problem(await roles.hospital.put(path, json={"amount": "1.00", "reason": "x"}), 403)
        assert_problem(await roles.exchange.put(path, json={"amount": "1.00", "reason": "x"}), 403)
        assert_problem(await roles.insurer.put("/catalog/products/999999999/payment-standard",
                                               json={"amount": "1.00", "reason": "x"}), 404)
        assert (await standard(roles.hospital, item["id"]))["standard"]["rule"] == "winning_price"
