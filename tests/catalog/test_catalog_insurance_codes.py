"""CAT-11 national insurance codes through the gateway — checked by their published structure
against the batch's kind, stored as published, searched by their leading parts, in the payment
standards table the insurer downloads — and the role matrix of every route issue 10 added
(CAT-11, CAT-12): who may call each, and a 403 problem+json for everyone else."""

from __future__ import annotations

import random
from io import BytesIO

import pytest
from openpyxl import load_workbook

from testsupport.catalog_setup import (assert_problem, create_batch, device_no, error_fields, listed_product, listing, new_code,
                           new_uscc, products_of)
from testsupport.contracts_setup import today


def device_code() -> str:
    return "C" + "".join(random.choices("0123456789", k=19))


class TestNationalCodes:
    async def test_cat11_codes_are_checked_stored_searched_and_exported(self, roles):
        code = new_code("IC")
        await create_batch(roles, code, starts_on=today())
        number, insurance_code = device_no(), device_code()
        typed = f" {insurance_code[:7].lower()}-{insurance_code[7:]} "
        result = await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(number, insurance_code=typed),
            listing(device_no(), insurance_code="XJ01CAA040A001010102699"),   # a drug code in a device batch
            listing(device_no(), insurance_code="C123"),
        ]})
        assert result.status_code == 207, result.text
        errors = {e["row"]: e for e in result.json()["errors"]}
        assert result.json()["created"] == 1 and sorted(errors) == [2, 3]
        assert errors[2]["field"] == "insurance_code" and "drug code" in errors[2]["reason"]
        assert errors[3]["field"] == "insurance_code" and "not a national insurance code" in errors[3]["reason"]

        [stored] = await products_of(roles.hospital, code)
        assert stored["insurance_code"] == insurance_code
        for term in (insurance_code, insurance_code[:7].lower()):
            found = await products_of(roles.hospital, code, insurance_code=term)
            assert [p["registration_no"] for p in found] == [number], term
        other = "C" + ("1" if insurance_code[1] != "1" else "2") + insurance_code[2:7]
        assert await products_of(roles.hospital, code, insurance_code=other) == []
        problem = assert_problem(await roles.hospital.get("/catalog/products", params={"insurance_code": "国械注准"}),
                                 422)
        assert error_fields(problem) == ["query.insurance_code"]

        table = await roles.insurer.get("/catalog/payment-standards", params={"batch_code": code})
        assert [r["insurance_code"] for r in table.json()["items"]] == [insurance_code]
        book = await roles.insurer.get("/catalog/payment-standards", params={"batch_code": code, "format": "xlsx"})
        sheet = load_workbook(BytesIO(book.content)).active
        header = [c.value for c in sheet[1]]
        assert sheet.cell(row=2, column=header.index("insurance_code") + 1).value == insurance_code

    async def test_cat11_a_push_of_only_bad_codes_stores_nothing(self, roles):
        code = new_code("IC")
        await create_batch(roles, code, starts_on=today())
        refused = await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(device_no(), insurance_code="C0301010010000100001X")]})
        assert error_fields(assert_problem(refused, 422)) == ["body.rows.0.insurance_code"]
        assert await products_of(roles.hospital, code) == []


ROLES = ("exchange", "insurer", "hospital", "company")
EVERYONE = frozenset(ROLES)


@pytest.fixture(scope="module")
async def matrix(roles):
    """A batch with one winning product for the routes to act on, and a client per role."""
    code = new_code("RM")
    await create_batch(roles, code, starts_on=today())
    item = await listed_product(roles, code, listing(device_no()))
    clients = {"exchange": roles.exchange, "insurer": roles.insurer, "hospital": roles.hospital,
               "company": await roles.company(new_uscc())}
    return {"batch": code, "product": item["id"], "clients": clients}


ROUTES = [
    ("GET /catalog/products/{id}/payment-standard", EVERYONE,
     lambda m, c: c.get(f"/catalog/products/{m['product']}/payment-standard")),
    ("PUT /catalog/products/{id}/payment-standard", {"insurer"},
     lambda m, c: c.put(f"/catalog/products/{m['product']}/payment-standard",
                        json={"category": "乙类", "reason": "核定医保类别"})),
    ("GET /catalog/payment-standards", {"insurer", "exchange"},
     lambda m, c: c.get("/catalog/payment-standards", params={"batch_code": m["batch"]})),
    ("GET /catalog/batches/{code}/pre-listing", EVERYONE,
     lambda m, c: c.get(f"/catalog/batches/{m['batch']}/pre-listing")),
    ("POST /catalog/pre-listings/checks", {"insurer"}, lambda m, c: c.post("/catalog/pre-listings/checks")),
    ("POST /catalog/batches/{code}/national-lowest-prices", {"exchange"},
     lambda m, c: c.post(f"/catalog/batches/{m['batch']}/national-lowest-prices",
                         json={"price": "900.00", "effective_on": today(), "source": "全国最低价"})),
    ("GET /catalog/batches/{code}/national-lowest-prices", EVERYONE,
     lambda m, c: c.get(f"/catalog/batches/{m['batch']}/national-lowest-prices")),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, allowed, call", ROUTES, ids=[r[0] for r in ROUTES])
async def test_cat11_cat12_role_matrix(matrix, role, name, allowed, call):
    response = await call(matrix, matrix["clients"][role])
    if role in allowed:
        assert response.status_code in (200, 201), (name, role, response.text)
    else:
        assert_problem(response, 403)
