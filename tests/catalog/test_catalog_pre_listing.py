"""CAT-12 through the gateway on a frozen clock moved through the API: a chongqing-2025 batch's
winning products are pre-listed by the 10th working day before execution starts (seeds
000/002), a product not on the platform by then is alerted once and monitoring lists it, and
the pre-listed products are listed from the start; a new national lowest price lowers (or, by
policy, suspends) the non-winning listings above it, on its day, and caps later pushes (seed
003: 执行全国最低价…同步调整)."""

from __future__ import annotations

import uuid

import pytest

from testsupport.catalog_setup import Roles, assert_problem, batch_body, device_no, error_fields, listing, new_uscc
from testsupport.scenario_setup import set_today

START = "2026-11-16"      # a Monday; the ten working days before it hold no holiday
DEADLINE = "2026-11-02"   # Mon 11-02 … Fri 11-13, the weekends 11-07/08 and 11-14/15 skipped


@pytest.fixture
async def actors(scenario_platform):
    handle = Roles(scenario_platform)
    handle.exchange = await handle.client("exchange", "CQ-EXCHANGE")
    handle.insurer = await handle.client("insurer", "500000")
    handle.hospital = await handle.client("hospital", "H-PRE-LISTING")
    yield handle
    for client in handle.clients:
        await client.aclose()


async def new_batch(actors, *, preset: str = "chongqing-2025", starts_on: str = START, **fields) -> str:
    code = f"PL-{uuid.uuid4().hex[:10].upper()}"
    fields.setdefault("groups", [{"code": "G1", "name": "第1组"}, {"code": "G2", "name": "第2组"}])
    created = await actors.exchange.post("/catalog/batches", json=batch_body(code, preset, starts_on=starts_on,
                                                                                **fields))
    assert created.status_code == 201, created.text
    return code


async def push(actors, code: str, rows: list[dict]) -> dict:
    pushed = await actors.exchange.post(f"/catalog/batches/{code}/products", json={"rows": rows})
    assert pushed.status_code == 200, pushed.text
    return pushed.json()


async def products(actors, code: str) -> dict[str, dict]:
    found = await actors.exchange.get("/catalog/products", params={"batch": code, "limit": 500})
    assert found.status_code == 200, found.text
    return {p["registration_no"]: p for p in found.json()["items"]}


async def check(actors) -> dict:
    ran = await actors.insurer.post("/catalog/pre-listings/checks")
    assert ran.status_code == 200, ran.text
    return ran.json()


class TestPreListing:
    async def test_cat12_deadline_alert_once_and_listed_at_the_start(self, scenario_platform, actors):
        await set_today(scenario_platform, "2026-10-20")
        code = await new_batch(actors)
        on_time, late, company = device_no(), device_no(), new_uscc()
        await push(actors, code, [listing(on_time, status="pre_listed", applicant_credit_code=company)])

        read = await actors.hospital.get(f"/catalog/batches/{code}/pre-listing")
        assert read.status_code == 200, read.text
        body = read.json()
        assert (body["starts_on"], body["deadline_on"]) == (START, DEADLINE)
        count = body["explain"]["count"]
        assert (body["explain"]["rule"], body["explain"]["working_days_before_start"], count["direction"]) == (
            "CAT-12", 10, "before")
        assert count["skipped_weekends"] == ["2026-11-07", "2026-11-08", "2026-11-14", "2026-11-15"]
        assert [(p["registration_no"], p["status"], p["pre_listed_on"], p["on_time"]) for p in body["products"]] == [
            (on_time, "pre_listed", "2026-10-20", True)]

        await set_today(scenario_platform, "2026-11-05")   # the deadline has passed
        await push(actors, code, [listing(late, status="pre_listed", applicant_credit_code=company)])
        await check(actors)
        await check(actors)                                # once per product, however often it runs
        body = (await actors.exchange.get(f"/catalog/batches/{code}/pre-listing")).json()
        state = {p["registration_no"]: (p["on_time"], p["alerted_on"]) for p in body["products"]}
        assert state == {on_time: (True, None), late: (False, "2026-11-05")}
        assert body["summary"] == {"winning": 2, "on_time": 1, "alerted": 1}

        await scenario_platform.settled()
        alerts = (await actors.insurer.get("/monitoring/alerts", params={"batch_code": code,
                                                                          "kind": "pre_listing"})).json()["items"]
        assert [(a["product_id"], a["rule"], a["period"], a["company_code"]) for a in alerts] == [
            ((await products(actors, code))[late]["id"], "CAT-12", DEADLINE[:7], company)]  # the month (issue 23)
        assert alerts[0]["details"]["why"].startswith("on the platform only from 2026-11-05")
        own = await actors.client("company", company)
        assert len((await own.get("/monitoring/alerts", params={"kind": "pre_listing",
                                                                "batch_code": code})).json()["items"]) == 1

        await set_today(scenario_platform, START)
        await check(actors)
        listed = await products(actors, code)
        assert {listed[n]["status"] for n in (on_time, late)} == {"listed"}
        history = (await actors.exchange.get(f"/catalog/products/{listed[on_time]['id']}")).json()["history"]
        assert (history[-1]["old_value"], history[-1]["new_value"], history[-1]["effective_on"]) == (
            "pre_listed", "listed", START)
        assert "CAT-12" in history[-1]["reason"]

    async def test_cat12_pre_listed_is_refused_once_the_batch_started(self, scenario_platform, actors):
        await set_today(scenario_platform, "2026-11-20")
        code = await new_batch(actors)
        refused = await actors.exchange.post(f"/catalog/batches/{code}/products",
                                             json={"rows": [listing(device_no(), status="pre_listed")]})
        problem = assert_problem(refused, 422)
        assert error_fields(problem) == ["body.rows.0.status"] and "CAT-12" in problem["errors"][0]["reason"]
        item = (await push(actors, code, [listing(device_no())]))
        assert item["created"] == 1
        [product] = (await products(actors, code)).values()
        back = await actors.exchange.post(f"/catalog/products/{product['id']}/status",
                                          json={"status": "pre_listed", "reason": "预挂网"})
        assert error_fields(assert_problem(back, 422)) == ["body.status"]
        assert (await products(actors, code))[product["registration_no"]]["status"] == "listed"

    async def test_cat12_a_batch_whose_policy_sets_no_deadline(self, scenario_platform, actors):
        await set_today(scenario_platform, "2026-10-20")
        code = await new_batch(actors, preset="liaoning-2025")
        problem = assert_problem(await actors.exchange.get(f"/catalog/batches/{code}/pre-listing"), 422)
        assert "pre-listing deadline" in problem["detail"]
        assert_problem(await actors.exchange.get("/catalog/batches/NO-SUCH-BATCH/pre-listing"), 404)


def non_winning(number: str, price: str, group: str, cap: str = "900.00") -> dict:
    return listing(number, winning=False, product_price=price, service_price="0.00", winning_price=price,
                   national_lowest_price=cap, group=group)


class TestNationalLowestPrice:
    async def test_cat12_a_new_figure_lowers_the_listings_above_it_on_its_day(self, scenario_platform, actors):
        await set_today(scenario_platform, "2026-10-20")
        code = await new_batch(actors, starts_on="2026-06-01")
        above, below, other, winner = device_no(), device_no(), device_no(), device_no()
        await push(actors, code, [non_winning(above, "800.00", "G1"), non_winning(below, "600.00", "G1"),
                                  non_winning(other, "850.00", "G2"), listing(winner, group="G1")])
        ids = {n: p["id"] for n, p in (await products(actors, code)).items()}

        recorded = await actors.exchange.post(f"/catalog/batches/{code}/national-lowest-prices", json={
            "price": "700.00", "effective_on": "2026-10-20", "group": "G1", "source": "省级平台最低价 (不含自报价)"})
        assert recorded.status_code == 201, recorded.text
        outcome = recorded.json()["outcome"]
        assert recorded.json()["status"] == "applied"
        assert outcome["lowered"] == [{"product_id": ids[above], "from": "800.00", "to": "700.00"}]
        assert sorted(outcome["caps_moved"]) == sorted([ids[above], ids[below]]) and outcome["suspended"] == []
        now = await products(actors, code)
        assert [now[n]["winning_price"] for n in (above, below, other, winner)] == [
            "700.00", "600.00", "850.00", "730.00"]
        assert (now[above]["national_lowest_price"], now[other]["national_lowest_price"]) == ("700.00", "900.00")
        detail = (await actors.hospital.get(f"/catalog/products/{ids[above]}")).json()
        assert [(h["kind"], h["new_value"]) for h in detail["history"][-2:]] == [("cap", "700.00"),
                                                                                   ("price", "700.00")]
        standard = (await actors.hospital.get(f"/catalog/products/{ids[above]}/payment-standard")).json()
        assert (standard["standard"]["rule"], standard["standard"]["amount"]) == ("listing_price", "700.00")

        # CAT-7 from the figure's day: a push above it is refused with the cap named
        refused = await actors.exchange.post(f"/catalog/batches/{code}/products",
                                             json={"rows": [non_winning(below, "750.00", "G1")]})
        problem = assert_problem(refused, 422)
        assert error_fields(problem) == ["body.rows.0.product_price"] and "700.00" in problem["errors"][0]["reason"]

        later = await actors.exchange.post(f"/catalog/batches/{code}/national-lowest-prices", json={
            "price": "650.00", "effective_on": "2026-11-01", "source": "全国最低价 2026-11"})
        assert later.status_code == 201 and later.json()["status"] == "pending", later.text
        assert (await push(actors, code, [non_winning(other, "840.00", "G2")]))["updated"] == 1  # not in force yet
        await set_today(scenario_platform, "2026-11-01")
        await check(actors)
        now = await products(actors, code)
        assert [now[n]["winning_price"] for n in (above, below, other, winner)] == [
            "650.00", "600.00", "650.00", "730.00"]
        listed = (await actors.exchange.get(f"/catalog/batches/{code}/national-lowest-prices",
                                            params={"product_id": ids[other]})).json()["items"]
        assert [(f["price"], f["status"], f["applied_on"]) for f in listed] == [("650.00", "applied", "2026-11-01")]

    async def test_cat12_the_policy_may_suspend_instead(self, scenario_platform, actors):
        await set_today(scenario_platform, "2026-10-20")
        code = await new_batch(actors, starts_on="2026-06-01",
                               policy_overrides={"national_lowest_price_follow": "suspend"})
        number = device_no()
        await push(actors, code, [non_winning(number, "800.00", "G1")])
        product_id = (await products(actors, code))[number]["id"]
        recorded = await actors.exchange.post(f"/catalog/batches/{code}/national-lowest-prices", json={
            "price": "700.00", "effective_on": "2026-10-19", "product_id": product_id, "source": "全国最低价"})
        assert recorded.status_code == 201, recorded.text
        assert [s["product_id"] for s in recorded.json()["outcome"]["suspended"]] == [product_id]
        now = (await products(actors, code))[number]
        assert (now["status"], now["winning_price"]) == ("suspended", "800.00")
        # listed again at most at the cap
        assert (await push(actors, code, [non_winning(number, "700.00", "G1")]))["updated"] == 1
        assert (await products(actors, code))[number]["status"] == "listed"

    async def test_cat12_bad_figures_are_refused_and_store_nothing(self, scenario_platform, actors):
        await set_today(scenario_platform, "2026-10-20")
        code = await new_batch(actors, starts_on="2026-06-01")
        winner, loser = device_no(), device_no()
        await push(actors, code, [listing(winner, group="G1"), non_winning(loser, "800.00", "G1")])
        ids = {n: p["id"] for n, p in (await products(actors, code)).items()}
        path = f"/catalog/batches/{code}/national-lowest-prices"
        good = {"price": "700.00", "effective_on": "2026-10-20", "source": "全国最低价"}
        for body, field in [
            (good | {"group": "NO-SUCH-GROUP"}, "body.group"),
            (good | {"product_id": ids[winner]}, "body.product_id"),
            (good | {"product_id": 2**63}, "body.product_id"),
            (good | {"group": "G1", "product_id": ids[loser]}, "body.product_id"),
            (good | {"price": "0.00"}, "body.price"),
            (good | {"price": "abc"}, "body.price"),
            (good | {"effective_on": "2030-01-01"}, "body.effective_on"),
            ({k: v for k, v in good.items() if k != "source"}, "body.source"),
        ]:
            problem = assert_problem(await actors.exchange.post(path, json=body), 422)
            assert field in error_fields(problem), (body, problem)
        assert_problem(await actors.exchange.post("/catalog/batches/NO-SUCH/national-lowest-prices", json=good), 404)
        assert_problem(await actors.insurer.post(path, json=good), 403)
        assert_problem(await actors.hospital.post(path, json=good), 403)
        assert (await actors.exchange.get(path)).json()["items"] == []
        assert (await products(actors, code))[loser]["winning_price"] == "800.00"

        assert (await actors.exchange.post(path, json=good | {"effective_on": "2026-10-10"})).status_code == 201
        behind = assert_problem(await actors.exchange.post(path, json=good | {"effective_on": "2026-10-01"}), 422)
        assert error_fields(behind) == ["body.effective_on"]
