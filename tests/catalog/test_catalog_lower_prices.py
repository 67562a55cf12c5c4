"""The lower price (就低) end to end (CAT-6, seed 002): deadlines in Chinese working days, the
company's reduction, automatic disqualification and its schedule; shared setup in
tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

import httpx
import pytest
from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbpkit.web.identity import Principal, Role

from testsupport import EXCHANGE, eventually

from testsupport.catalog_setup import (
    FROZEN_ON, Roles, assert_problem, batch_body, create_batch, device_no, drug_no, error_fields,
    listed_product, listing, lower_price, new_batch, new_code, new_uscc, outbox_events, product,
    seed_002_batch,
)
from testsupport.contracts_setup import is_problem


class TestLowerPriceDeadline:
    """CAT-6 (seed 002): the company has 20 Chinese working days after the lower price took
    effect — holidays skipped, make-up workdays counted (CAT-10)."""

    async def test_the_deadline_skips_national_day_and_counts_make_up_days(self, frozen):
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no()))
        response = await frozen.exchange.post(f"/catalog/products/{item['id']}/lower-prices", json=lower_price())
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["deadline_on"] == "2025-10-30" and body["status"] == "open"
        explain = body["explain"]
        assert explain["rule"] == "CAT-6" and explain["window_working_days"] == 20
        assert explain["preset"] == "chongqing-2025"
        assert (explain["lower_price"], explain["winning_price"]) == ("700.00", "730.00")
        assert explain["deadline"]["skipped_holidays"] == [f"2025-10-0{d}" for d in range(1, 9)]
        assert explain["deadline"]["counted_makeup_workdays"] == ["2025-09-28", "2025-10-11"]
        assert explain["deadline"]["due_on"] == "2025-10-30"
        recorded = (await product(frozen.hospital, item["id"]))["lower_prices"]
        assert [(lp["id"], lp["status"]) for lp in recorded] == [(body["id"], "open")]

    async def test_a_price_not_lower_is_refused(self, frozen):
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no()))
        for price in ("730.00", "731.00"):
            body = assert_problem(await frozen.exchange.post(
                f"/catalog/products/{item['id']}/lower-prices", json=lower_price(price)), 422)
            assert "body.price" in error_fields(body)
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    async def test_a_batch_without_the_window_is_refused(self, frozen):
        code = new_code("CAT6")
        await create_batch(frozen, code, "chongqing-stent-2023")
        item = await listed_product(frozen, code, listing(device_no()))
        body = assert_problem(await frozen.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 422)
        assert "CAT-6" in body["detail"]
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    @pytest.mark.parametrize("effective_on", ["2025-02-19", "2026-01-01"])
    async def test_a_lower_price_outside_the_cycle_is_refused(self, frozen, effective_on):
        """Seed 002: 采购周期内出现的 lower price obliges; the cycle is 2025-02-20 … 2025-12-31."""
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no()))
        body = assert_problem(await frozen.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price(effective_on=effective_on)), 422)
        assert "body.effective_on" in error_fields(body)
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    async def test_a_non_winning_listing_has_no_lower_price_obligation(self, frozen):
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no(), winning=False, national_lowest_price="800.00"))
        body = assert_problem(await frozen.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 422)
        assert "winning" in body["detail"]
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    @pytest.mark.parametrize("role", ["insurer", "hospital", "company"])
    async def test_only_the_exchange_records_lower_prices(self, frozen, role):
        code = await seed_002_batch(frozen)
        credit_code = new_uscc()
        item = await listed_product(frozen, code, listing(drug_no(), applicant_credit_code=credit_code))
        client = {"insurer": frozen.insurer, "hospital": frozen.hospital}.get(role) or await frozen.company(credit_code)
        assert_problem(await client.post(f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 403)
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []


async def product_with_lower_price(roles: Roles, body: dict | None = None) -> tuple[dict, httpx.AsyncClient]:
    """A seed-002 product of its own company (tenant = applicant credit code) with a lower
    price recorded against it; returns the product and the company's client."""
    code = await seed_002_batch(roles)
    credit_code = new_uscc()
    item = await listed_product(roles, code, listing(drug_no(), applicant_credit_code=credit_code))
    recorded = await roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices", json=body or lower_price())
    assert recorded.status_code == 201, recorded.text
    return item, await roles.company(credit_code)


def reduction(price: str, effective_on: str = FROZEN_ON) -> dict:
    return {"winning_price": price, "effective_on": effective_on}


class TestCompanyReductionMeetsTheLowerPrice:
    """CAT-6: the product's own company applies, by the deadline, to lower its price to at
    most the lower price; the obligation is met and the winning price is lowered from the
    reduction's effective date."""

    async def test_a_timely_reduction(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions", json=reduction("700.00"))
        assert response.status_code == 201, response.text
        assert response.json()["applied"] is True

        detail = await product(company, item["id"])
        assert (detail["winning_price"], detail["product_price"], detail["service_price"]) == ("700.00", "650.00", "50.00")
        assert detail["status"] == "listed"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["met"]
        price = [h for h in detail["history"] if h["kind"] == "price"][-1]
        assert (price["old_value"], price["new_value"], price["effective_on"]) == ("730.00", "700.00", FROZEN_ON)
        assert price["changed_by"].startswith("company:")
        [event] = await outbox_events(frozen.catalog_db, key=str(item["id"]), type_="catalog.product.price_changed")
        assert event["data"]["winning_price_fen"] == 70000 and event["data"]["effective_on"] == FROZEN_ON

        assert (await frozen.insurer.post("/catalog/lower-prices/checks")).status_code == 200
        assert (await product(company, item["id"]))["status"] == "listed"

    async def test_a_reduction_due_later_meets_it_now_and_applies_on_its_day(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                      json=reduction("690.00", "2025-10-30"))
        assert response.status_code == 201, response.text
        assert response.json()["applied"] is False
        detail = await product(company, item["id"])
        assert detail["winning_price"] == "730.00"  # not before 2025-10-30
        assert [lp["status"] for lp in detail["lower_prices"]] == ["met"]

    async def test_a_reduction_above_the_lower_price_does_not_meet_it(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions", json=reduction("710.00"))
        assert response.status_code == 201, response.text
        detail = await product(company, item["id"])
        assert detail["winning_price"] == "710.00"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["open"]

    async def test_a_reduction_effective_after_the_deadline_does_not_meet_it(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                      json=reduction("700.00", "2025-10-31"))
        assert response.status_code == 201, response.text
        assert [lp["status"] for lp in (await product(company, item["id"]))["lower_prices"]] == ["open"]

    async def test_a_late_back_dated_reduction_does_not_meet_it(self, service_client):
        """Seed 002: the company must *apply* within the 20 working days. On 2025-10-20 a
        reduction applied on the deadline day itself (lower price of 2025-09-16, deadline
        2025-10-20) meets it; one applied after the deadline (lower price of 2025-09-01,
        deadline 2025-09-28), back-dated to 2025-09-20, does not — the product is
        disqualified. In process, with the clock frozen and the schedule out of the way, so
        that nothing disqualifies the late product before its company applies."""
        client = await service_client(create_app, CatalogSettings, lower_price_check_seconds=3600,
                                      clock=f"frozen:{FROZEN_ON}T10:00")
        code = new_code("CAT6")
        created = await client.post("/batches", json=batch_body(
            code, kind="drug", starts_on="2025-02-20", cycle_years=None, ends_on="2025-12-31",
            policy_overrides={"lower_price_window_working_days": 20, "buy_below_winning_price": False}))
        assert created.status_code == 201, created.text
        credit_code = new_uscc()
        late, on_the_day = drug_no(), drug_no()
        client.as_(EXCHANGE)
        pushed = await client.post(f"/batches/{code}/products", json={"rows": [
            listing(number, applicant_credit_code=credit_code) for number in (late, on_the_day)]})
        assert pushed.json()["created"] == 2, pushed.text
        items = (await client.get("/products", params={"batch": code})).json()["items"]
        ids = {p["registration_no"]: p["id"] for p in items}
        for number, effective_on, deadline_on in ((late, "2025-09-01", "2025-09-28"),
                                                  (on_the_day, "2025-09-16", FROZEN_ON)):
            recorded = await client.post(f"/products/{ids[number]}/lower-prices",
                                         json=lower_price(effective_on=effective_on))
            assert recorded.status_code == 201, recorded.text
            assert recorded.json()["deadline_on"] == deadline_on

        client.as_(Principal(role=Role.COMPANY, tenant=credit_code, key_id="test-company"))
        for number, effective_on in ((late, "2025-09-20"), (on_the_day, FROZEN_ON)):
            response = await client.post(f"/products/{ids[number]}/price-reductions",
                                         json=reduction("700.00", effective_on))
            assert response.status_code == 201, response.text
        assert [lp["status"] for lp in (await client.get(f"/products/{ids[late]}")).json()["lower_prices"]] \
            == ["open"]
        assert [lp["status"] for lp in (await client.get(f"/products/{ids[on_the_day]}")).json()["lower_prices"]] \
            == ["met"]

        client.as_(Principal(role=Role.INSURER, tenant="500000", key_id="test-insurer"))
        assert (await client.post("/lower-prices/checks")).status_code == 200
        detail = (await client.get(f"/products/{ids[late]}")).json()
        assert detail["status"] == "disqualified"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["lapsed"]
        kept = (await client.get(f"/products/{ids[on_the_day]}")).json()
        assert (kept["status"], kept["winning_price"]) == ("listed", "700.00")
        assert [lp["status"] for lp in kept["lower_prices"]] == ["met"]

    async def test_another_company_cannot_touch_the_price(self, frozen):
        item, _ = await product_with_lower_price(frozen)
        stranger = await frozen.company(new_uscc())
        body = assert_problem(await stranger.post(f"/catalog/products/{item['id']}/price-reductions",
                                                  json=reduction("700.00")), 404)
        assert str(item["id"]) in body["detail"]
        detail = await product(frozen.exchange, item["id"])
        assert detail["winning_price"] == "730.00" and detail["price_reductions"] == []
        assert [lp["status"] for lp in detail["lower_prices"]] == ["open"]

    async def test_a_reduction_not_below_the_price_is_refused(self, frozen):
        item, company = await product_with_lower_price(frozen)
        for price in ("730.00", "800.00"):
            body = assert_problem(await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                                     json=reduction(price)), 422)
            assert "body.winning_price" in error_fields(body)
        detail = await product(frozen.exchange, item["id"])
        assert detail["winning_price"] == "730.00" and detail["price_reductions"] == []
        assert [lp["status"] for lp in detail["lower_prices"]] == ["open"]


class TestLapsedLowerPriceDisqualifies:
    """CAT-6: without a reduction by the deadline the product is disqualified automatically
    (取消中选资格) with an event; checking again changes nothing."""

    async def test_the_check_disqualifies_once(self, frozen):
        item, _ = await product_with_lower_price(frozen, lower_price("650.00", "2025-03-03"))
        assert (await product(frozen.hospital, item["id"]))["lower_prices"][0]["deadline_on"] == "2025-03-31"

        assert_problem(await frozen.exchange.post("/catalog/lower-prices/checks"), 403)
        check = await frozen.insurer.post("/catalog/lower-prices/checks")
        assert check.status_code == 200, check.text
        assert check.json()["today"] == FROZEN_ON
        detail = await product(frozen.hospital, item["id"])
        assert detail["status"] == "disqualified"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["lapsed"]
        [status] = [h for h in detail["history"] if h["kind"] == "status"]
        assert status["new_value"] == "disqualified" and status["changed_by"] == "system:CAT-6"
        assert "CAT-6" in status["reason"] and "650.00" in status["reason"]
        assert status["effective_on"] == FROZEN_ON
        [event] = await outbox_events(frozen.catalog_db, key=str(item["id"]), type_="catalog.product.status_changed")
        assert event["data"]["status"] == "disqualified" and event["data"]["previous_status"] == "listed"

        second = await frozen.insurer.post("/catalog/lower-prices/checks")
        assert second.status_code == 200 and item["id"] not in second.json()["disqualified_products"]
        assert await product(frozen.hospital, item["id"]) == detail
        assert len(await outbox_events(frozen.catalog_db, key=str(item["id"]),
                                       type_="catalog.product.status_changed")) == 1

    async def test_a_disqualified_product_takes_no_further_lower_price(self, frozen):
        item, company = await product_with_lower_price(frozen, lower_price("650.00", "2025-03-03"))
        await frozen.insurer.post("/catalog/lower-prices/checks")
        assert_problem(await frozen.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                                  json=lower_price()), 409)
        assert_problem(await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                          json=reduction("600.00")), 409)

class TestLowerPriceScheduleRunsByItself:
    """CAT-6: the check runs on its own schedule against the service clock — here every 0.2 s
    with the clock frozen at 2025-12-01, in process."""

    async def test_the_schedule_disqualifies_without_being_asked(self, service_client):
        client = await service_client(create_app, CatalogSettings, lower_price_check_seconds=0.2,
                                      clock="frozen:2025-12-01T10:00")
        code = new_code("CAT6")
        created = await client.post("/batches", json=batch_body(
            code, kind="drug", starts_on="2025-02-20", cycle_years=None, ends_on="2025-12-31",
            policy_overrides={"lower_price_window_working_days": 20}))
        assert created.status_code == 201, created.text
        late, timely = drug_no(), drug_no()
        client.as_(EXCHANGE)
        pushed = await client.post(f"/batches/{code}/products", json={"rows": [listing(late), listing(timely)]})
        assert pushed.json()["created"] == 2, pushed.text
        ids = {p["registration_no"]: p["id"] for p in (await client.get("/products", params={"batch": code})).json()["items"]}
        # deadline 2025-10-30 is before the clock's 2025-12-01; 2025-11-28 + 20 working days is not
        for number, effective_on in ((late, "2025-09-26"), (timely, "2025-11-28")):
            response = await client.post(f"/products/{ids[number]}/lower-prices", json=lower_price("700.00", effective_on))
            assert response.status_code == 201, response.text

        async def disqualified():
            detail = (await client.get(f"/products/{ids[late]}")).json()
            assert detail["status"] == "disqualified"
            return detail

        detail = await eventually(disqualified, timeout=10)
        assert detail["history"][-1]["changed_by"] == "system:CAT-6"
        assert detail["history"][-1]["effective_on"] == "2025-12-01"
        other = (await client.get(f"/products/{ids[timely]}")).json()
        assert other["status"] == "listed" and [lp["status"] for lp in other["lower_prices"]] == ["open"]


class TestCat6DatesThatMakeSense:
    async def company_product(self, platform, **batch_fields):
        from testsupport.contracts_setup import credit_code

        device = device_no()
        company = credit_code()
        batch = await new_batch(platform, "consumable", **batch_fields)
        pushed = await platform.admin.post(f"/catalog/batches/{batch}/products", json={"rows": [
            listing(device, applicant_credit_code=company)]})
        assert pushed.json()["created"] == 1, pushed.text
        product = (await platform.admin.get("/catalog/products", params={"batch": batch})).json()["items"][0]
        return product, platform.client(await platform.issue_key("company", company))

    async def test_a_reduction_effective_before_the_batch_starts_is_refused(self, shared_platform):
        """CAT-6: the batch has no winning price before its execution starts (2026-06-01)."""
        product, company = await self.company_product(shared_platform)
        early = await company.post(f"/catalog/products/{product['id']}/price-reductions",
                                   json={"winning_price": "700.00", "effective_on": "2026-05-31"})
        assert early.status_code == 422 and is_problem(early), early.text
        assert [e["field"] for e in early.json()["errors"]] == ["body.effective_on"]
        assert "2026-06-01" in early.json()["detail"]
        assert (await shared_platform.admin.get(f"/catalog/products/{product['id']}")).json()["price_reductions"] == []
        at_start = await company.post(f"/catalog/products/{product['id']}/price-reductions",
                                      json={"winning_price": "700.00", "effective_on": "2026-06-01"})
        assert at_start.status_code == 201, at_start.text

    async def test_a_lower_price_past_its_deadline_says_the_product_will_be_disqualified(self, shared_platform):
        """CAT-6 (seed 002): a lower price of 2026-06-02 has its 20-working-day deadline long
        gone; the answer says so, when the check disqualifies the product, and the check does."""
        from testsupport.contracts_setup import today

        product, _ = await self.company_product(
            shared_platform, cycle_years=None, ends_on="2026-12-31",
            policy_overrides={"lower_price_window_working_days": 20})
        recorded = await shared_platform.admin.post(f"/catalog/products/{product['id']}/lower-prices", json={
            "price": "700.00", "effective_on": "2026-06-02", "region": "江苏省", "source": "苏医保发〔2026〕1号"})
        assert recorded.status_code == 201, recorded.text
        body = recorded.json()
        assert body["deadline_on"] < today()
        consequence = body["consequence"]
        assert consequence["deadline_passed"] is True and consequence["rule"] == "CAT-6"
        assert consequence["disqualified_on"] == today() and consequence["check_runs_within_seconds"] > 0
        assert body["deadline_on"] in consequence["detail"] and "取消中选资格" in consequence["detail"]
        insurer = shared_platform.client(await shared_platform.issue_key("insurer", "500000"))
        assert (await insurer.post("/catalog/lower-prices/checks")).status_code == 200
        detail = (await shared_platform.admin.get(f"/catalog/products/{product['id']}")).json()
        assert detail["status"] == "disqualified"
