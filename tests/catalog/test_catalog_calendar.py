"""The working-day calendar end to end (CAT-10, with CAT-6 for a deadline that reaches an
unloaded year); shared setup in tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

import pytest

from testsupport.catalog_setup import (
    assert_problem,
    drug_no,
    listed_product,
    listing,
    lower_price,
    new_uscc,
    seed_002_batch,
)


# --- CAT-10 calendar -------------------------------------------------------------------------


class TestWorkingDayCalendar:
    """CAT-10: seeded from chinese-calendar; ops load other years; a year nobody loaded is
    an error naming it, never a weekend-only guess."""

    async def test_a_seeded_year(self, roles):
        response = await roles.hospital.get("/catalog/calendar/2025")
        assert response.status_code == 200, response.text
        year = response.json()
        assert year["source"] == "chinese-calendar"
        assert "2025-10-01" in year["holidays"] and "2025-09-28" in year["makeup_workdays"]

    async def test_counting_working_days(self, roles):
        company = await roles.company(new_uscc())
        response = await company.get("/catalog/calendar/working-days", params={"start": "2025-09-26", "days": 20})
        assert response.status_code == 200, response.text
        assert response.json()["due_on"] == "2025-10-30"
        explain = response.json()["explain"]
        assert explain["rule"] == "CAT-10" and explain["counted_makeup_workdays"] == ["2025-09-28", "2025-10-11"]
        assert explain["calendar_years"] == [{"year": 2025, "source": "chinese-calendar"}]

    async def test_a_year_nobody_loaded_until_ops_load_it(self, roles):
        """CAT-10 with CAT-6: 2027 is beyond chinese-calendar; a deadline that reaches it is
        refused naming 2027 until the insurer loads 2027's schedule."""
        body = assert_problem(await roles.hospital.get("/catalog/calendar/2027"), 404)
        assert "2027" in body["detail"]
        code = await seed_002_batch(roles, starts_on="2025-06-20", ends_on="2027-06-19")
        item = await listed_product(roles, code, listing(drug_no()))
        refused = assert_problem(await roles.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price(effective_on="2026-12-20")), 422)
        assert "2027" in refused["detail"] and refused["year"] == 2027
        assert any("2027" in e["reason"] for e in refused["errors"])
        body = assert_problem(await roles.hospital.get("/catalog/calendar/working-days",
                                                       params={"start": "2026-12-20", "days": 20}), 422)
        assert body["year"] == 2027

        schedule = {"holidays": ["2027-01-01"], "makeup_workdays": ["2027-01-09"], "document": "国办发明电〔2026〕7号"}
        assert_problem(await roles.exchange.put("/catalog/calendar/2027", json=schedule), 403)
        assert_problem(await roles.hospital.get("/catalog/calendar/2027"), 404)
        loaded = await roles.insurer.put("/catalog/calendar/2027", json=schedule)
        assert loaded.status_code == 200, loaded.text
        year = (await roles.hospital.get("/catalog/calendar/2027")).json()
        assert (year["source"], year["holidays"], year["makeup_workdays"]) == ("ops", ["2027-01-01"], ["2027-01-09"])

        recorded = await roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                             json=lower_price(effective_on="2026-12-20"))
        assert recorded.status_code == 201, recorded.text
        # 9 working days left in 2026, then 1 Jan off, 4–8 Jan, Saturday 9 Jan worked, 11–15 Jan
        assert recorded.json()["deadline_on"] == "2027-01-15"
        assert {"year": 2027, "source": "ops"} in recorded.json()["explain"]["deadline"]["calendar_years"]

    async def test_a_make_up_day_on_a_weekday_is_refused(self, roles):
        body = assert_problem(await roles.insurer.put("/catalog/calendar/2099", json={
            "holidays": ["2099-01-01"], "makeup_workdays": ["2099-01-05"], "document": "x"}), 422)
        assert "2099-01-05" in body["detail"]
        assert_problem(await roles.hospital.get("/catalog/calendar/2099"), 404)

    @pytest.mark.parametrize("schedule", [
        {"holidays": ["2098-01-01"], "makeup_workdays": [], "document": "x", "extra": 1},
        {"holidays": ["2097-01-01"], "makeup_workdays": [], "document": "x"},
        {"holidays": "2098-01-01", "makeup_workdays": [], "document": "x"},
    ], ids=["extra-field", "another-year", "wrong-type"])
    async def test_other_bad_schedules_are_refused(self, roles, schedule):
        assert_problem(await roles.insurer.put("/catalog/calendar/2098", json=schedule), 422)
        assert_problem(await roles.hospital.get("/catalog/calendar/2098"), 404)
