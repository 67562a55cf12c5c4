"""Issue 3/§5 end to end: every refused catalog write is a 4xx problem+json and leaves what
is stored untouched; shared setup in tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

from testsupport.catalog_setup import (
    assert_problem,
    batch_body,
    create_batch,
    drug_no,
    listed_product,
    listing,
    lower_price,
    new_code,
    new_uscc,
    outbox_events,
    product,
    seed_002_batch,
)


# --- refused writes leave stored data untouched ------------------------------------------------


class TestRefusedWritesChangeNothing:
    """Issue 3/§5: bad input of every kind — malformed JSON, an extra field, a wrong type, a
    foreign role — is a 4xx problem+json and what is stored reads the same afterwards."""

    async def test_a_product(self, roles, catalog_db):
        code = await seed_002_batch(roles)
        credit_code = new_uscc()
        number = drug_no()
        item = await listed_product(roles, code, listing(number, applicant_credit_code=credit_code))
        before = await product(roles.exchange, item["id"])
        events_before = await outbox_events(catalog_db, key=str(item["id"]))
        company = await roles.company(credit_code)
        stranger = await roles.company(new_uscc())
        json_headers = {"content-type": "application/json"}
        attempts = [
            (roles.exchange.post(f"/catalog/batches/{code}/products", content=b'{"rows": [', headers=json_headers), 400),
            (roles.exchange.post(f"/catalog/batches/{code}/products",
                                 json={"rows": [listing(number, product_price="1.00")], "extra": 1}), 422),
            (roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": "all of them"}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                 json=lower_price() | {"extra": 1}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                 json=lower_price() | {"price": 700.0}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                 json=lower_price() | {"effective_on": "next week"}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices", content=b"{", headers=json_headers),
             400),
            (company.post(f"/catalog/products/{item['id']}/price-reductions",
                          json={"winning_price": "7e2", "effective_on": "2025-10-15"}), 422),
            (company.post(f"/catalog/products/{item['id']}/price-reductions",
                          json={"winning_price": "700.001", "effective_on": "2025-10-15"}), 422),
            (stranger.post(f"/catalog/products/{item['id']}/price-reductions",
                           json={"winning_price": "700.00", "effective_on": "2025-10-15"}), 404),
            (roles.hospital.post(f"/catalog/products/{item['id']}/status",
                                 json={"status": "delisted", "reason": "x"}), 403),
            (roles.hospital.post(f"/catalog/batches/{code}/products",
                                 json={"rows": [listing(number, product_price="1.00")]}), 403),
            (company.post(f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 403),
            (roles.exchange.post(f"/catalog/products/{item['id']}/status",
                                 json={"status": "retired", "reason": "x"}), 422),
        ]
        for call, status in attempts:
            assert_problem(await call, status)
        assert await product(roles.exchange, item["id"]) == before
        assert await outbox_events(catalog_db, key=str(item["id"])) == events_before

    async def test_a_batch(self, roles, catalog_db):
        code = new_code("BAD")
        before = await create_batch(roles, code)
        json_headers = {"content-type": "application/json"}
        attempts = [
            (roles.insurer.post(f"/catalog/batches/{code}/extension", content=b"{ends_on:", headers=json_headers), 400),
            (roles.insurer.post(f"/catalog/batches/{code}/extension",
                                json={"ends_on": "2028-01-01", "document_no": "X", "extra": True}), 422),
            (roles.insurer.post(f"/catalog/batches/{code}/extension", json={"ends_on": 20280101, "document_no": "X"}),
             422),
            (roles.insurer.post(f"/catalog/batches/{code}/early-end",
                                json={"ended_on": "2026-01-01", "cause": "tired", "document_no": "X"}), 422),
            (roles.insurer.post(f"/catalog/batches/{code}/early-end",
                                json={"ended_on": "2030-01-01", "cause": "national_vbp", "document_no": "X"}), 422),
            (roles.hospital.post(f"/catalog/batches/{code}/extension", json={"ends_on": "2028-01-01", "document_no": "X"}),
             403),
            (roles.insurer.post("/catalog/batches", json=batch_body(code, name="重名")), 409),
        ]
        for call, status in attempts:
            assert_problem(await call, status)
        assert (await roles.exchange.get(f"/catalog/batches/{code}")).json() == before
        assert len(await outbox_events(catalog_db, key=code)) == 1
