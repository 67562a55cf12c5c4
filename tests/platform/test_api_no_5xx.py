"""Issue 11, item 1: each input that gave a 500 now gives a 4xx problem+json naming the field,
with nothing stored — a control character or an id beyond BIGINT in a path, an integer beyond
its column in a query or body, a NUL in any text (in a bulk upload only that row fails), an
empty CSV, a date whose cycle overflows or lies in year 1, differential pricing with extreme
ratios or from a price of 0.00, and a body beyond the size limit (413). Item 8: one ``server``
header. Item 3: a signature bound to the body and the service (see also libs/tests/test_identity.py)."""

from __future__ import annotations

import asyncio
import json

import psutil

from testsupport.catalog_setup import (assert_problem, batch_body, create_batch, device_no, drug_no, error_fields, listed_product,
                           listing, new_code, products_of)
from testsupport.contracts_setup import today


def fields(response, status: int = 422) -> list[str]:
    return error_fields(assert_problem(response, status))


class TestPaths:
    async def test_a_control_character_in_a_path_is_a_400_naming_it(self, roles):
        assert fields(await roles.exchange.get("/catalog/batches/%0D"), 400) == ["path"]
        assert fields(await roles.exchange.get("/catalog/batches/A%00B"), 400) == ["path"]

    async def test_an_id_beyond_bigint_is_a_422(self, roles):
        assert fields(await roles.hospital.get("/contracts/orders/9223372036854775808")) == ["path"]
        assert fields(await roles.hospital.get("/catalog/products/99999999999999999999999")) == ["path"]

    async def test_dot_segments_are_resolved_before_routing(self, roles):
        code = new_code("P")
        await create_batch(roles, code, starts_on=today())
        response = await roles.exchange.get(f"/catalog/institutions/../batches/{code}")
        assert response.status_code == 200, response.text
        assert response.json()["code"] == code


class TestIntegersBeyondTheirColumn:
    async def test_query_and_body_integers(self, roles):
        assert fields(await roles.exchange.get("/contracts/agreements", params={"agreement_year": 2**31})) == [
            "query.agreement_year"]
        assert fields(await roles.exchange.get("/catalog/products", params={"cursor": 2**64})) == ["query.cursor"]
        order = {"his_order_no": "HIS-BIG-1", "lines": [
            {"line_no": 1, "product_id": 2**63, "quantity": 1, "unit_price": "730.00"}]}
        assert fields(await roles.hospital.post("/contracts/orders", json=order)) == ["body.lines.0.product_id"]
        order["lines"][0] |= {"product_id": 1, "line_no": 2**31}
        assert fields(await roles.hospital.post("/contracts/orders", json=order)) == ["body.lines.0.line_no"]


class TestNul:
    async def test_a_nul_in_a_query_or_a_body_is_named(self, roles):
        assert fields(await roles.hospital.get("/catalog/products", params={"name": "支架\x00"})) == ["query.name"]
        code = new_code("NUL")
        refused = await roles.insurer.post("/catalog/batches", json=batch_body(code, name="批次\x00"))
        assert fields(refused) == ["body.name"]
        assert (await roles.insurer.get(f"/catalog/batches/{code}")).status_code == 404

    async def test_a_lone_surrogate_in_a_body_is_named(self, roles):
        """JSON admits "\\ud800" alone; UTF-8, and so PostgreSQL, has no form for it (was a 500)."""
        code = new_code("SUR")
        body = json.dumps(batch_body(code, name="批次\ud800")).encode()  # ensure_ascii: the escape as sent
        refused = await roles.insurer.post("/catalog/batches", content=body,
                                           headers={"Content-Type": "application/json"})
        assert fields(refused) == ["body.name"]
        assert (await roles.insurer.get(f"/catalog/batches/{code}")).status_code == 404
        pair = await roles.insurer.post("/catalog/batches", json=batch_body(new_code("SUR"), name="批次😀"))
        assert pair.status_code == 201, pair.text  # a surrogate pair is a character like any other

    async def test_in_a_bulk_upload_only_that_row_fails(self, roles):
        code = new_code("NUL")
        await create_batch(roles, code, starts_on=today())
        good, bad = device_no(), device_no()
        pushed = await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(good), listing(bad, name="支架\x00系统")]})
        assert pushed.status_code == 207, pushed.text
        assert pushed.json()["created"] == 1
        assert [(e["row"], e["field"]) for e in pushed.json()["errors"]] == [(2, "name")]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code)] == [good]


class TestFilesDatesAndPricing:
    async def test_an_empty_csv_import(self, roles):
        code = new_code("CSV")
        await create_batch(roles, code, starts_on=today())
        response = await roles.exchange.post(f"/catalog/batches/{code}/products/import", content=b"",
                                             headers={"Content-Type": "text/csv"})
        assert fields(response) == ["body"]

    async def test_batch_dates_out_of_range(self, roles):
        for starts_on in ("9999-12-31", "0001-01-01", "1999-12-31"):
            code = new_code("D")
            response = await roles.insurer.post("/catalog/batches", json=batch_body(code, starts_on=starts_on,
                                                                                    cycle_years=10))
            assert fields(response) == ["body.starts_on"], starts_on
            assert (await roles.insurer.get(f"/catalog/batches/{code}")).status_code == 404

    async def test_differential_pricing_extremes(self, roles):
        code = new_code("DP")
        await create_batch(roles, code, kind="drug", starts_on=today())
        item = await listed_product(roles, code, listing(drug_no(), name="阿莫西林片", product_price="10.00",
                                                         service_price="0.00", winning_price="10.00"))
        path = f"/catalog/products/{item['id']}/differential-price"
        extreme = {"reference_strength": "1e-30", "strength": "1e30", "reference_pack": 1, "pack": 1}
        assert fields(await roles.hospital.get(path, params=extreme)) == ["query.strength"]
        packs = {"reference_strength": "1", "strength": "1", "reference_pack": 1, "pack": 10**9}
        assert fields(await roles.hospital.get(path, params=packs)) == ["query.pack"]
        free = await listed_product(roles, code, listing(drug_no(), name="免费片", product_price="0.00",
                                                         service_price="0.00", winning_price="0.00"))
        normal = {"reference_strength": "1", "strength": "2", "reference_pack": 1, "pack": 1}
        assert fields(await roles.hospital.get(f"/catalog/products/{free['id']}/differential-price",
                                               params=normal)) == ["path.product_id"]


class TestBodiesAndHeaders:
    async def test_a_body_beyond_the_limit_is_a_413_and_stores_nothing(self, roles):
        code = new_code("BIG")
        body = b'{"code": "' + code.encode() + b'", "name": "' + b"x" * (17 * 1024 * 1024) + b'"}'
        response = await roles.insurer.post("/catalog/batches", content=body,
                                            headers={"Content-Type": "application/json"})
        assert fields(response, 413) == ["body"]
        assert (await roles.insurer.get(f"/catalog/batches/{code}")).status_code == 404

    async def test_one_server_header(self, roles):
        response = await roles.hospital.get("/catalog/batches")
        assert response.status_code == 200
        assert len(response.headers.get_list("server")) == 1


class TestHostileBodies:
    """Item 6: a body of millions of tiny rows is refused before it is parsed, and a burst of
    them leaves the service's memory where it was (it grew from 154 MB to 843 MB before)."""

    async def test_millions_of_tiny_rows_are_refused_unparsed(self, roles, shared_platform):
        code = new_code("HOS")
        await create_batch(roles, code, starts_on=today())
        body = b'{"rows": [' + b",".join([b"{}"] * 3_000_000) + b"]}"      # 9 MB, 3 M objects
        catalog = psutil.Process(shared_platform.platform.processes["catalog"].pid)
        before = catalog.memory_info().rss
        answers = await asyncio.gather(*(
            roles.exchange.post(f"/catalog/batches/{code}/products", content=body,
                                headers={"Content-Type": "application/json"}) for _ in range(4)))
        for answer in answers:
            assert fields(answer) == ["body"]
            assert "10,000 rows" in answer.json()["errors"][0]["reason"]
        grown = catalog.memory_info().rss - before
        assert grown < 150 * 1024 * 1024, f"catalog grew by {grown / 2**20:.0f} MB"
        assert await products_of(roles.hospital, code) == []
