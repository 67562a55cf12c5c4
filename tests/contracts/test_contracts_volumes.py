"""CON-1 agreed volumes through the gateway: bulk upsert by the exchange or the bureau, up
to 10,000 rows a call, per-row errors that name the unknown hospital or product without
losing the good rows, and reads scoped to the hospital's own volumes (GW-5)."""

import uuid

from testsupport.contracts_setup import build_market, contracts_events, is_problem


async def volumes_of(client, batch: str) -> dict[tuple[int, str, int], int]:
    found, cursor = {}, None
    while True:
        params = {"batch": batch, "limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/contracts/agreed-volumes", params=params)
        assert page.status_code == 200, page.text
        for v in page.json()["items"]:
            found[(v["agreement_year"], v["hospital_code"], v["product_id"])] = v["quantity"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


class TestCon1BulkUpsert:
    async def test_ten_thousand_rows_in_one_call_are_all_stored(self, shared_platform):
        market = await build_market(shared_platform, hospitals=100, products_each=50)
        hospitals, products = market.hospitals, market.product_ids
        rows = [{"batch_code": market.batch, "agreement_year": year, "hospital_code": h, "product_id": p,
                 "quantity": 10 + year} for year in (1, 2) for h in hospitals for p in products]
        assert len(rows) == 10_000
        response = await market.exchange.post("/contracts/agreed-volumes", json={"rows": rows})
        assert response.status_code == 200, response.text
        result = response.json()
        # year 1 was loaded with 100 each by build_market: 5,000 updated, 5,000 created
        assert (result["received"], result["created"], result["updated"], result["errors"]) == (10_000, 5_000, 5_000, [])
        stored = await volumes_of(market.exchange, market.batch)
        assert len(stored) == 10_000 and set(stored.values()) == {11, 12}

    async def test_more_than_ten_thousand_rows_are_refused_whole(self, shared_platform):
        market = await build_market(shared_platform)
        row = {"batch_code": market.batch, "agreement_year": 1, "hospital_code": market.hospitals[0],
               "product_id": market.product_ids[0], "quantity": 7}
        response = await market.exchange.post("/contracts/agreed-volumes", json={"rows": [row] * 10_001})
        assert response.status_code == 422 and is_problem(response)
        assert (await volumes_of(market.exchange, market.batch))[(1, market.hospitals[0], market.product_ids[0])] == 100

    async def test_unknown_hospital_and_product_are_refused_by_name_and_good_rows_kept(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2)
        h0, h1 = market.hospitals
        product = market.product_ids[0]
        ghost = f"H-GHOST-{uuid.uuid4().hex[:6]}"
        response = await market.insurer.post("/contracts/agreed-volumes", json={"rows": [
            {"batch_code": market.batch, "agreement_year": 1, "hospital_code": h0, "product_id": product, "quantity": 120},
            {"batch_code": market.batch, "agreement_year": 1, "hospital_code": ghost, "product_id": product, "quantity": 5},
            {"batch_code": market.batch, "agreement_year": 1, "hospital_code": h1, "product_id": 987654321, "quantity": 5},
            {"batch_code": market.batch, "agreement_year": 2, "hospital_code": h1, "product_id": product, "quantity": 130},
            {"batch_code": market.batch, "agreement_year": 3, "hospital_code": h1, "product_id": product, "quantity": 1},
            {"batch_code": market.batch, "agreement_year": 1, "hospital_code": h1, "product_id": product, "quantity": -1},
        ]})
        assert response.status_code == 207, response.text
        result = response.json()
        assert (result["received"], result["created"], result["updated"]) == (6, 1, 1)
        errors = {e["row"]: e for e in result["errors"]}
        assert set(errors) == {2, 3, 5, 6}
        assert errors[2]["field"] == "hospital_code" and ghost in errors[2]["reason"]
        assert errors[3]["field"] == "product_id" and "987654321" in errors[3]["reason"]
        assert errors[5]["field"] == "agreement_year"
        stored = await volumes_of(market.exchange, market.batch)
        assert stored == {(1, h0, product): 120, (1, h1, product): 100, (2, h1, product): 130}

    async def test_all_rows_bad_is_a_422_and_nothing_stored(self, shared_platform):
        market = await build_market(shared_platform)
        response = await market.exchange.post("/contracts/agreed-volumes", json={"rows": [
            {"batch_code": market.batch, "agreement_year": 1, "hospital_code": "NOBODY", "product_id": market.product_ids[0],
             "quantity": 5}]})
        assert response.status_code == 422 and is_problem(response)
        assert any("NOBODY" in e["reason"] for e in response.json()["errors"])
        assert await volumes_of(market.exchange, market.batch) == {(1, market.hospitals[0], market.product_ids[0]): 100}

    async def test_a_change_emits_agreed_volume_set_and_a_resend_changes_nothing(self, shared_platform, pg_server):
        market = await build_market(shared_platform)
        key = f"{market.batch}/{market.hospitals[0]}"
        row = {"batch_code": market.batch, "agreement_year": 1, "hospital_code": market.hospitals[0],
               "product_id": market.product_ids[0], "quantity": 140}
        first = await market.exchange.post("/contracts/agreed-volumes", json={"rows": [row]})
        again = await market.exchange.post("/contracts/agreed-volumes", json={"rows": [row]})
        assert (first.json()["updated"], again.json()["unchanged"]) == (1, 1)
        events = await contracts_events(pg_server, "contracts.agreed_volume.set", key)
        assert [e["quantity"] for e in events] == [100, 140]


class TestCon1ReadsAreScopedGw5:
    async def test_a_hospital_reads_only_its_own_volumes(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2)
        h0, h1 = market.hospitals
        own = await volumes_of(market.client(h0), market.batch)
        assert set(own) == {(1, h0, market.product_ids[0])}
        asked_for_other = await market.client(h0).get("/contracts/agreed-volumes",
                                                       params={"batch": market.batch, "hospital": h1})
        assert [v["hospital_code"] for v in asked_for_other.json()["items"]] == [h0]
        assert set(await volumes_of(market.exchange, market.batch)) == {(1, h0, market.product_ids[0]),
                                                                        (1, h1, market.product_ids[0])}

    async def test_a_company_may_not_read_or_write_volumes(self, shared_platform):
        market = await build_market(shared_platform)
        manufacturer = market.client(market.manufacturers[0])
        read = await manufacturer.get("/contracts/agreed-volumes", params={"batch": market.batch})
        wrote = await market.client(market.hospitals[0]).post("/contracts/agreed-volumes", json={"rows": [
            {"batch_code": market.batch, "agreement_year": 1, "hospital_code": market.hospitals[0],
             "product_id": market.product_ids[0], "quantity": 1}]})
        assert (read.status_code, wrote.status_code) == (403, 403) and is_problem(read) and is_problem(wrote)
        assert (await volumes_of(market.exchange, market.batch))[(1, market.hospitals[0], market.product_ids[0])] == 100
