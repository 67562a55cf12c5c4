"""The registry end to end (CAT-9): companies keyed by a checked unified social credit code,
institutions in a known administrative division; shared setup in tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

import pytest
from vbp_catalog.uscc import check_character

from testsupport.catalog_setup import (
    assert_problem,
    error_fields,
    new_code,
    new_uscc,
)


# --- CAT-9 companies -------------------------------------------------------------------------


class TestCompanyRegistry:
    """CAT-9: companies are keyed by a unified social credit code whose GB 32100-2015 check
    character is validated; bad rows are reported, good rows stored."""

    async def test_a_wrong_check_character_is_named(self, roles):
        good, other = new_uscc(), new_uscc()
        expected = good[-1]
        wrong = good[:-1] + ("0" if expected != "0" else "1")
        bad_twin = new_uscc()
        bad_twin = bad_twin[:-1] + ("0" if bad_twin[-1] != "0" else "1")
        rows = [
            {"credit_code": good, "name": "重庆某医药有限公司", "roles": ["manufacturer"]},
            {"credit_code": bad_twin, "name": "错码公司", "roles": ["distributor"]},
            {"credit_code": other, "name": "某配送公司", "roles": ["distributor", "manufacturer"]},
        ]
        response = await roles.exchange.post("/catalog/companies", json={"rows": rows})
        assert response.status_code == 207, response.text  # some rows refused, the others stored (issue 23)
        body = response.json()
        assert body["created"] == 2
        [error] = body["errors"]
        assert error["row"] == 2 and error["field"] == "credit_code"
        assert f"expected {check_character(bad_twin[:17])!r}" in error["reason"]
        assert (await roles.hospital.get(f"/catalog/companies/{good}")).json()["roles"] == ["manufacturer"]
        assert sorted((await roles.hospital.get(f"/catalog/companies/{other}")).json()["roles"]) == \
            ["distributor", "manufacturer"]
        assert_problem(await roles.hospital.get(f"/catalog/companies/{bad_twin}"), 404)

        only_bad = await roles.insurer.post("/catalog/companies", json={"rows": [
            {"credit_code": wrong, "name": "x", "roles": ["manufacturer"]}]})
        assert "body.rows.0.credit_code" in error_fields(assert_problem(only_bad, 422))
        assert (await roles.hospital.get(f"/catalog/companies/{good}")).json()["name"] == "重庆某医药有限公司"

    @pytest.mark.parametrize("role", ["hospital", "company"])
    async def test_only_the_exchange_or_insurer_register(self, roles, role):
        code = new_uscc()
        client = roles.hospital if role == "hospital" else await roles.company(code)
        assert_problem(await client.post("/catalog/companies", json={"rows": [
            {"credit_code": code, "name": "自己注册", "roles": ["manufacturer"]}]}), 403)
        assert_problem(await roles.hospital.get(f"/catalog/companies/{code}"), 404)


class TestInstitutionRegionCodeIsAKnownDivision:
    """CAT-9: an institution's region code must be a current GB/T 2260 division (vbpkit.domain.regions),
    so that monitoring can name and roll up every region; an unknown one is refused, located
    at its row, and nothing is stored for it."""

    @staticmethod
    def institution(code: str, region_code: str) -> dict:
        return {"code": code, "name": f"医院 {code}", "level": 2, "kind": "public", "region_code": region_code}

    async def test_an_unknown_code_is_refused_at_its_row(self, roles):
        good, made_up, abolished, grouping = (new_code("H") for _ in range(4))
        response = await roles.exchange.post("/catalog/institutions", json={"rows": [
            self.institution(good, "532301"), self.institution(made_up, "500199"),
            self.institution(abolished, "500112"), self.institution(grouping, "500100")]})
        assert response.status_code == 207, response.text
        body = response.json()
        assert body["created"] == 1
        assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "region_code"), (3, "region_code"),
                                                                    (4, "region_code")]
        assert all("unknown administrative division code" in e["reason"] for e in body["errors"]), body
        assert (await roles.hospital.get(f"/catalog/institutions/{good}")).json()["region_code"] == "532301"
        for code in (made_up, abolished, grouping):
            assert_problem(await roles.hospital.get(f"/catalog/institutions/{code}"), 404)

    async def test_only_unknown_codes_is_a_422_naming_the_field(self, roles):
        code = new_code("H")
        body = assert_problem(await roles.exchange.post("/catalog/institutions", json={"rows": [
            self.institution(code, "999999")]}), 422)
        [error] = [e for e in body["errors"] if e["field"] == "body.rows.0.region_code"]
        assert "unknown administrative division code" in error["reason"]
        assert_problem(await roles.hospital.get(f"/catalog/institutions/{code}"), 404)
