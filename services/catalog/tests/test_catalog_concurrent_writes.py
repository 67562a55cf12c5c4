"""Issue 21, item 3: concurrent writes of one natural key never answer 5xx and never count a
row twice. Each test sends the same write many times at once through the catalog app (each
request its own session and transaction, on a real PostgreSQL) and checks the answers, the
rows stored and the outbox: one event per real change, however many calls raced."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select
from vbp_catalog.batches.models import Batch
from vbp_catalog.companies.models import Company
from vbp_catalog.institutions.models import Institution
from vbp_catalog.main import create_app
from vbp_catalog.products.models import Product
from vbp_catalog.settings import CatalogSettings
from vbp_catalog.uscc import ALPHABET, check_character
from vbpkit.db.tables import OutboxRow

from testsupport import EXCHANGE

CALLS = 10
ROWS = 300


async def catalog(service_client):
    # the clock inside the batch's first year, so a listing is "listed" (CAT-12 rules pass)
    return await service_client(create_app, CatalogSettings, principal=EXCHANGE, consumers_enabled=False,
                                clock="frozen:2025-07-01T10:00:00+08:00")


async def count(client, model, *where) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def events(client, event_type: str) -> int:
    return await count(client, OutboxRow, OutboxRow.type == event_type)


def shuffled(rows: list[dict], seed: int) -> list[dict]:
    """The same rows in another order: two calls locking rows in request order deadlock."""
    copy = list(rows)
    random.Random(seed).shuffle(copy)
    return copy


async def at_once(client, path: str, bodies: list[dict]):
    return await asyncio.gather(*(client.post(path, json=body) for body in bodies))


def assert_no_5xx(responses) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == [], [r.text for r in responses
                                                                           if r.status_code >= 500][:1]


def uscc(n: int) -> str:
    first_17 = f"91500000MA{n:07d}"
    assert all(c in ALPHABET for c in first_17)
    return first_17 + check_character(first_17)


class TestConcurrentInstitutionUpserts:
    async def test_ten_identical_upserts_create_each_institution_once(self, service_client):
        """Issue 21 / CAT-9: ten bulk upserts of the same 300 new institutions at once, each in
        another order, all answer 200; their `created` add up to 300 and the rest are unchanged;
        300 rows, 300 `catalog.institution.registered` events."""
        client = await catalog(service_client)
        rows = [{"code": f"H5001{n:05d}", "name": f"医院 {n}", "level": 1 + n % 3, "kind": "public",
                 "region_code": "500103"} for n in range(ROWS)]
        responses = await at_once(client, "/institutions", [{"rows": shuffled(rows, seed)} for seed in range(CALLS)])
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        answers = [r.json() for r in responses]
        assert sum(a["created"] for a in answers) == ROWS
        assert sum(a["updated"] for a in answers) == 0
        assert sum(a["unchanged"] for a in answers) == ROWS * (CALLS - 1)
        assert await count(client, Institution) == ROWS
        assert await events(client, "catalog.institution.registered") == ROWS

    async def test_concurrent_changes_of_one_row_each_count_and_announce_once(self, service_client):
        """Issue 21 / CAT-9: ten upserts of one institution at once, five with one name and five
        with another: every answer is 200, and each answer's `created`/`updated` is an event
        in the outbox — nothing counted that was not written, nothing written twice unseen."""
        client = await catalog(service_client)
        bodies = [{"rows": [{"code": "H500100001", "name": f"医院 {n % 2}", "level": 3, "kind": "public",
                             "region_code": "500103"}]} for n in range(CALLS)]
        responses = await at_once(client, "/institutions", bodies)
        assert {r.status_code for r in responses} == {200}
        answers = [r.json() for r in responses]
        assert sum(a["created"] for a in answers) == 1
        changes = sum(a["created"] + a["updated"] for a in answers)
        assert await events(client, "catalog.institution.registered") == changes
        assert await count(client, Institution) == 1


class TestConcurrentCompanyUpserts:
    async def test_ten_identical_upserts_create_each_company_once(self, service_client):
        """Issue 21 / CAT-9: the company registry under the same ten concurrent bulk upserts of
        300 new companies: all 200, `created` adds up to 300, 300 rows and 300 events."""
        client = await catalog(service_client)
        rows = [{"credit_code": uscc(n), "name": f"企业 {n}", "roles": ["manufacturer", "distributor"][: 1 + n % 2]}
                for n in range(ROWS)]
        responses = await at_once(client, "/companies", [{"rows": shuffled(rows, seed)} for seed in range(CALLS)])
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        answers = [r.json() for r in responses]
        assert sum(a["created"] for a in answers) == ROWS
        assert sum(a["unchanged"] for a in answers) == ROWS * (CALLS - 1)
        assert await count(client, Company) == ROWS
        assert await events(client, "catalog.company.registered") == ROWS


def batch_body(code: str) -> dict:
    return {"code": code, "name": f"批次 {code}", "kind": "consumable", "organiser_level": "alliance",
            "document_no": "渝医保办〔2025〕32号", "starts_on": "2025-06-20", "cycle_years": 2,
            "preset": "chongqing-2025"}


class TestConcurrentBatchCreates:
    async def test_one_create_wins_and_the_others_are_told_the_code_is_taken(self, service_client):
        """Issue 21 / CAT-1: ten creates of one batch code at once: one 201, nine 409 (the
        answer a later create gets), one batch and one `catalog.batch.published`."""
        client = await catalog(service_client)
        responses = await at_once(client, "/batches", [batch_body("LM-HCDL-2025-1")] * CALLS)
        assert_no_5xx(responses)
        assert sorted(r.status_code for r in responses) == [201] + [409] * (CALLS - 1)
        assert await count(client, Batch) == 1
        assert await events(client, "catalog.batch.published") == 1


def listing(n: int) -> dict:
    return {"registration_no": f"国械注准2016{n:07d}", "spec": f"型号 {n}", "name": "药物洗脱支架系统",
            "applicant": "测试医疗器械有限公司", "registrant": "测试医疗器械有限公司",
            "product_price": "680.00", "service_price": "50.00", "winning_price": "730.00"}


class TestConcurrentListingPushes:
    async def test_ten_identical_pushes_list_each_product_once(self, service_client):
        """Issue 21 / CAT-4: listings are upserted by (batch, registration number, spec),
        idempotent. Ten pushes of the same 200 new listings at once, each in another order: all
        200, `created` adds up to 200, the rest unchanged; 200 products and one
        `catalog.product.listed` each."""
        client = await catalog(service_client)
        assert (await client.post("/batches", json=batch_body("LM-HCDL-2025-2"))).status_code == 201
        rows = [listing(n) for n in range(200)]
        responses = await at_once(client, "/batches/LM-HCDL-2025-2/products",
                                  [{"rows": shuffled(rows, seed)} for seed in range(CALLS)])
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        answers = [r.json() for r in responses]
        assert sum(a["created"] for a in answers) == 200
        assert sum(a["updated"] for a in answers) == 0
        assert sum(a["unchanged"] for a in answers) == 200 * (CALLS - 1)
        # every answer names the one product of each row
        assert len({item["id"] for a in answers for item in a["items"]}) == 200
        assert await count(client, Product) == 200
        assert await events(client, "catalog.product.listed") == 200
