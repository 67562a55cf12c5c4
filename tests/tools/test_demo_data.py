"""`VBP_DEMO_DATA=1 make run` loads the seed-003 stent batch and its 14 winning products
(CAT-3 import of the table as published); loading again changes nothing."""

from vbptools import demo


class TestDemoData:
    async def test_loads_the_stent_table_and_reloads_idempotently(self, shared_platform):
        await demo.load(shared_platform.admin)
        await demo.load(shared_platform.admin)
        products = (await shared_platform.admin.get(
            "/catalog/products", params={"batch": demo.STENT_BATCH["code"], "limit": 50})).json()["items"]
        assert len(products) == 14
        first = next(p for p in products if p["registration_no"] == "国械注准20163132305")
        assert (first["product_price"], first["service_price"], first["winning_price"]) == ("680.00", "50.00", "730.00")
