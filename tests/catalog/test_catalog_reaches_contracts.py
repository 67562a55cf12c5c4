"""DESIGN §2 (issue 4's read model): contracts keeps batches with their policies, products
with their prices and status, and companies from catalog's events — so it never asks the
catalog on a request path. Shown through the gateway and the contracts database."""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from vbptools.embedded import server_url_to_async
from testsupport import shared_database

CREDIT_CODE = "91350100M000100Y43"


async def contracts_row(pg_server: str, sql: str, **params):
    engine = create_async_engine(server_url_to_async(pg_server, shared_database("contracts")))
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql), params)).mappings().first()
    finally:
        await engine.dispose()


class TestCatalogFactsReachTheContractsView:
    async def test_batch_product_price_status_and_company_arrive(self, shared_platform, pg_server):
        admin = shared_platform.admin
        code = f"B-{uuid.uuid4().hex[:8]}"
        created = await admin.post("/catalog/batches", json={
            "code": code, "name": "冠脉支架", "kind": "consumable", "organiser_level": "national",
            "document_no": "渝医保办〔2023〕3号", "starts_on": "2023-01-31", "cycle_years": 3,
            "preset": "chongqing-stent-2023"})
        assert created.status_code == 201, created.text
        company = await admin.post("/catalog/companies", json={"rows": [
            {"credit_code": CREDIT_CODE, "name": "上海微创医疗器械(集团)有限公司", "roles": ["manufacturer"]}]})
        assert company.status_code == 200, company.text
        row = {"registration_no": "国械注准20163132305", "name": "冠脉雷帕霉素洗脱钴基合金支架系统",
               "applicant": "上海微创医疗器械(集团)有限公司", "applicant_credit_code": CREDIT_CODE,
               "registrant": "上海微创医疗器械(集团)有限公司", "product_price": "680", "service_price": "50"}
        pushed = await admin.post(f"/catalog/batches/{code}/products", json={"rows": [row]})
        assert pushed.json()["created"] == 1, pushed.text
        product_id = (await admin.get("/catalog/products", params={"batch": code})).json()["items"][0]["id"]

        async def listed():
            view = await contracts_row(pg_server, "SELECT * FROM product_view WHERE product_id = :id", id=product_id)
            assert view is not None and view["winning_price_fen"] == 73000 and view["status"] == "listed"
            batch = await contracts_row(pg_server, "SELECT * FROM batch_view WHERE code = :code", code=code)
            assert batch is not None
            assert batch["policy"] == created.json()["policy"]  # the whole policy, as published
            assert await contracts_row(pg_server, "SELECT 1 FROM company_view WHERE credit_code = :c", c=CREDIT_CODE)

        await shared_platform.eventually(listed)

        # a price change and a suspension pushed later replace what the view holds
        await admin.post(f"/catalog/batches/{code}/products",
                         json={"rows": [{**row, "product_price": "650", "status": "suspended"}]})

        async def changed():
            view = await contracts_row(pg_server, "SELECT * FROM product_view WHERE product_id = :id", id=product_id)
            assert (view["winning_price_fen"], view["status"]) == (70000, "suspended")

        await shared_platform.eventually(changed)
