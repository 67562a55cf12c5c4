"""Differential pricing end to end (CAT-8, seed 002), through the gateway; shared setup in
tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

from testsupport.catalog_setup import (
    assert_problem,
    create_batch,
    device_no,
    drug_no,
    listed_product,
    listing,
    new_code,
    products_of,
    push,
)


DIFFERENTIAL = {"reference_strength": 10, "strength": 20, "reference_pack": 7, "pack": 14}


class TestDifferentialPricing:
    """CAT-8 (seed 002): another strength or pack of a winning drug is listed at
    price_ref × 1.7^log2(strength ratio) × 1.95^log2(pack ratio), rounded half-up."""

    async def _drug_batch(self, roles) -> tuple[str, str, dict]:
        code = new_code("CAT8")
        await create_batch(roles, code, kind="drug", starts_on="2025-02-20", cycle_years=None, ends_on="2025-12-31")
        number = drug_no()
        # ¥3.00 × 1.7 × 1.95 = 9.945 → half-up 9.95 (half-even would give 9.94)
        reference = await listed_product(roles, code, listing(
            number, name="阿托伐他汀钙片", spec="10mg×7片", unit="盒", product_price="3.00", service_price="0",
            winning_price=None))
        return code, number, reference

    async def test_the_price_is_derived_and_explained(self, roles):
        code, number, reference = await self._drug_batch(roles)
        differential = {"reference_registration_no": number, "reference_spec": "10mg×7片", **DIFFERENTIAL}
        result = await push(roles, code, [listing(number, name="阿托伐他汀钙片", spec="20mg×14片", unit="盒",
                                                  product_price=None, service_price="0", winning_price=None,
                                                  differential=differential)])
        assert (result["created"], result["errors"]) == (1, [])
        derived = next(p for p in await products_of(roles.hospital, code) if p["spec"] == "20mg×14片")
        assert derived["product_price"] == derived["winning_price"] == "9.95"
        explain = derived["derivation"]
        assert explain["rule"] == "CAT-8" and "1.7" in explain["formula"] and "1.95" in explain["formula"]
        assert explain["inputs"]["reference_price"] == "3.00" and explain["price"] == "9.95"

        quote = await roles.hospital.get(f"/catalog/products/{reference['id']}/differential-price",
                                         params=DIFFERENTIAL)
        assert quote.status_code == 200, quote.text
        assert quote.json()["price"] == "9.95" and quote.json()["explain"]["rule"] == "CAT-8"

    async def test_a_different_price_is_refused_with_the_computed_one(self, roles):
        code, number, _ = await self._drug_batch(roles)
        differential = {"reference_registration_no": number, "reference_spec": "10mg×7片", **DIFFERENTIAL}
        body = assert_problem(await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(number, spec="20mg×14片", product_price="9.00", service_price="0", winning_price=None,
                    differential=differential)]}), 422)
        [error] = body["errors"]
        assert "9.95" in error["reason"] and "CAT-8" in error["reason"]
        assert len(await products_of(roles.exchange, code)) == 1

    async def test_a_consumable_batch_has_no_differential_pricing(self, roles):
        code = new_code("CAT8")
        await create_batch(roles, code)
        number = device_no()
        await listed_product(roles, code, listing(number, spec="A"))
        differential = {"reference_registration_no": number, "reference_spec": "A", **DIFFERENTIAL}
        result = await push(roles, code, [listing(number, spec="B", product_price=None, winning_price=None,
                                                  differential=differential), listing(device_no())])
        assert result["created"] == 1
        [error] = result["errors"]
        assert error["row"] == 1 and error["field"] == "differential" and "CAT-8" in error["reason"]
        reference = (await products_of(roles.exchange, code, registration_no=number))[0]
        quote = await roles.hospital.get(f"/catalog/products/{reference['id']}/differential-price",
                                         params=DIFFERENTIAL)
        assert "CAT-8" in assert_problem(quote, 422)["detail"]

    async def test_the_reference_must_be_a_winning_product_of_the_batch(self, roles):
        code, number, _ = await self._drug_batch(roles)
        unknown = {"reference_registration_no": drug_no(), "reference_spec": "10mg×7片", **DIFFERENTIAL}
        other_spec = {"reference_registration_no": number, "reference_spec": "5mg×7片", **DIFFERENTIAL}
        result = await push(roles, code, [
            listing(number, spec="20mg×14片", product_price=None, winning_price=None, service_price="0",
                    differential=unknown),
            listing(number, spec="20mg×28片", product_price=None, winning_price=None, service_price="0",
                    differential=other_spec),
            listing(drug_no(), spec="1", product_price="1.00", winning_price=None, service_price="0"),
        ])
        assert result["created"] == 1
        assert [(e["row"], e["field"]) for e in result["errors"]] == [
            (1, "differential.reference_registration_no"), (2, "differential.reference_registration_no")]
