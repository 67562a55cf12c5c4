"""The exchange's listing pushes end to end (CAT-3, CAT-4, CAT-5 renewals, CAT-7 cap) and the
product search (§5), through the gateway; shared setup in tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

import uuid

import pytest

from testsupport.catalog_setup import (
    assert_problem, create_batch, device_no, drug_no, error_fields, listed_product, listing, new_batch,
    new_code, new_uscc, product, product_events, products_of, push,
)
from testsupport.contracts_setup import is_problem


# --- CAT-3/CAT-4 listing pushes -----------------------------------------------------------


class TestListingPushIsIdempotent:
    """CAT-4: the exchange's push is upserted by (batch, registration number, spec); the same
    rows again change nothing and announce nothing."""

    async def test_the_same_rows_twice(self, roles, catalog_db):
        code = new_code("CAT4")
        await create_batch(roles, code)
        rows = [listing(device_no(), spec=f"3.0×{n}mm") for n in (15, 18, 24)]
        first = await push(roles, code, rows)
        assert (first["created"], first["updated"], first["unchanged"], first["errors"]) == (3, 0, 0, [])
        items = await products_of(roles.exchange, code)
        keys = [str(p["id"]) for p in items]
        events = await product_events(catalog_db, key=keys)
        assert len(events) == 3 and {e["type"] for e in events} == {"catalog.product.listed"}
        histories = [await product(roles.exchange, p["id"]) for p in items]

        second = await push(roles, code, rows)
        assert (second["created"], second["updated"], second["unchanged"], second["errors"]) == (0, 0, 3, [])
        assert await products_of(roles.exchange, code) == items
        assert [await product(roles.exchange, p["id"]) for p in items] == histories
        assert len(await product_events(catalog_db, key=keys)) == 3

    async def test_the_answer_gives_each_rows_id(self, roles):
        """Issue 12, item 4: a client never searches for what it just pushed."""
        code = new_code("CAT4")
        await create_batch(roles, code)
        kept, changed = device_no(), device_no()
        await push(roles, code, [listing(kept), listing(changed)])
        ids = {p["registration_no"]: p["id"] for p in await products_of(roles.exchange, code)}
        fresh = device_no()
        answer = await push(roles, code, [listing(fresh), listing("bad"), listing(changed, name="新名称"),
                                          listing(kept)])
        new_id = {p["registration_no"]: p["id"] for p in await products_of(roles.exchange, code)}[fresh]
        assert answer["items"] == [{"row": 1, "id": new_id, "outcome": "created"},
                                   {"row": 3, "id": ids[changed], "outcome": "updated"},
                                   {"row": 4, "id": ids[kept], "outcome": "unchanged"}]
        assert [e["row"] for e in answer["errors"]] == [2]  # rows numbered from 1 (issue 23)

    async def test_a_number_typed_with_a_space_is_the_same_listing(self, roles):
        code = new_code("CAT4")
        await create_batch(roles, code)
        number = device_no()
        await push(roles, code, [listing(number)])
        again = await push(roles, code, [listing(number[:4] + " " + number[4:])])
        assert (again["created"], again["unchanged"]) == (0, 1)


class TestListingPushRowErrors:
    """CAT-3/§5: bad rows are reported by number (from 1) and field; the good rows are stored."""

    async def test_the_status_says_whether_every_row_went_in(self, roles):
        """Issue 23, item 2, the bulk convention: 200 when every row was stored, 207 when some
        were refused and the others stored, 422 (problem+json, nothing stored) when none was."""
        code = new_code("CAT3")
        await create_batch(roles, code)
        url = f"/catalog/batches/{code}/products"
        everything = await roles.exchange.post(url, json={"rows": [listing(device_no())]})
        assert everything.status_code == 200 and everything.json()["errors"] == [], everything.text
        some = await roles.exchange.post(url, json={"rows": [listing(device_no()), listing("bad")]})
        assert some.status_code == 207 and [e["row"] for e in some.json()["errors"]] == [2], some.text
        none = await roles.exchange.post(url, json={"rows": [listing("bad")]})
        assert none.status_code == 422 and is_problem(none), none.text
        assert none.json()["errors"][0]["row"] == 1 and none.json()["errors"][0]["field"].startswith("body.rows.0.")

    async def test_a_group_the_batch_does_not_have_is_refused_unless_the_push_creates_it(self, roles):
        """Issue 23, item 2: a mistyped group code (G9 for G1) once made a new group silently."""
        code = new_code("CAT2")
        await create_batch(roles, code, groups=[{"code": "G1", "name": "冠脉支架"}])
        url = f"/catalog/batches/{code}/products"
        typo, right = device_no(), device_no()
        pushed = await roles.exchange.post(url, json={"rows": [listing(right, group="G1"), listing(typo, group="G9")]})
        assert pushed.status_code == 207, pushed.text
        [error] = pushed.json()["errors"]
        assert (error["row"], error["field"]) == (2, "group") and "G1" in error["reason"] and "create_groups" in error["reason"]
        groups = (await roles.exchange.get(f"/catalog/batches/{code}")).json()["groups"]
        assert [g["code"] for g in groups] == ["G1"]
        created = await roles.exchange.post(url, params={"create_groups": "true"},
                                            json={"rows": [listing(typo, group="G9")]})
        assert created.status_code == 200 and created.json()["created"] == 1, created.text
        groups = (await roles.exchange.get(f"/catalog/batches/{code}")).json()["groups"]
        assert sorted(g["code"] for g in groups) == ["G1", "G9"]

    async def test_bad_rows_are_reported_and_good_rows_stored(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code)
        good = [device_no(), device_no()]
        rows = [
            listing(good[0]),
            listing("国械注准2016313230"),  # 10 digits
            listing(device_no(), winning_price="731.00"),  # ≠ 680 + 50
            listing(device_no(), product_price=None),
            listing(good[1], product_price="1.005", winning_price=None),  # more than 2 decimals (§3)
            listing(good[1]),
        ]
        result = await push(roles, code, rows)
        assert (result["received"], result["created"]) == (6, 2), result
        by_row = {}
        for error in result["errors"]:
            by_row.setdefault(error["row"], []).append(error)
        assert sorted(by_row) == [2, 3, 4, 5]
        assert by_row[2][0]["field"] == "registration_no" and "11 digits" in by_row[2][0]["reason"]
        mismatch = by_row[3][0]["reason"]
        assert all(name in mismatch for name in ("winning_price", "product_price", "service_price")), mismatch
        assert "731.00" in mismatch and "CAT-3" in mismatch
        assert any("product_price" in e["field"] + e["reason"] for e in by_row[4]), by_row[4]
        assert by_row[5][0]["field"] == "product_price"
        stored = await products_of(roles.exchange, code)
        assert sorted(p["registration_no"] for p in stored) == sorted(good)

    async def test_only_bad_rows_is_a_422_and_nothing_stored(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code)
        body = assert_problem(await roles.exchange.post(
            f"/catalog/batches/{code}/products", json={"rows": [listing("国械注准123")]}), 422)
        assert "body.rows.0.registration_no" in error_fields(body)
        assert await products_of(roles.exchange, code) == []

    async def test_more_than_10000_rows_is_refused(self, roles):
        code = new_code("CAT4")
        await create_batch(roles, code)
        rows = [listing(device_no()) for _ in range(10_001)]
        body = assert_problem(await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": rows}), 422)
        assert "body.rows" in error_fields(body)
        assert await products_of(roles.exchange, code) == []

    async def test_an_unknown_batch_is_404(self, roles):
        assert_problem(await roles.exchange.post(
            f"/catalog/batches/{new_code('NONE')}/products", json={"rows": [listing(device_no())]}), 404)

    @pytest.mark.parametrize("role", ["insurer", "hospital", "company"])
    async def test_only_the_exchange_pushes(self, roles, role):
        code = new_code("CAT4")
        await create_batch(roles, code)
        client = {"insurer": roles.insurer, "hospital": roles.hospital}.get(role) or await roles.company(new_uscc())
        assert_problem(await client.post(f"/catalog/batches/{code}/products",
                                         json={"rows": [listing(device_no())]}), 403)
        assert await products_of(roles.exchange, code) == []


class TestListingPushChangesAreHistory:
    """CAT-4: a price or status change pushed by the exchange is kept in the product's
    history with who and why, and announced."""

    async def test_price_then_status(self, roles, catalog_db):
        code = new_code("CAT4")
        await create_batch(roles, code)
        number = device_no()
        item = await listed_product(roles, code, listing(number))

        changed = await push(roles, code, [listing(number, product_price="670.00", winning_price="720.00")])
        assert (changed["updated"], changed["errors"]) == (1, [])
        detail = await product(roles.hospital, item["id"])
        assert (detail["product_price"], detail["winning_price"]) == ("670.00", "720.00")
        [price] = [h for h in detail["history"] if h["kind"] == "price"]
        assert (price["old_value"], price["new_value"]) == ("730.00", "720.00")
        assert price["changed_by"].startswith("exchange:") and "CAT-4" in price["reason"]

        suspended = await push(roles, code, [listing(number, product_price="670.00", winning_price="720.00",
                                                     status="suspended")])
        assert suspended["updated"] == 1
        detail = await product(roles.hospital, item["id"])
        assert detail["status"] == "suspended"
        [status] = [h for h in detail["history"] if h["kind"] == "status"]
        assert (status["old_value"], status["new_value"]) == ("listed", "suspended")
        assert status["changed_by"].startswith("exchange:") and status["reason"]

        types = [e["type"] for e in await product_events(catalog_db, key=str(item["id"]))]
        assert types == ["catalog.product.listed", "catalog.product.price_changed", "catalog.product.status_changed"]


class TestWithAndWithoutServicePrice:
    """CAT-3 (seeds 003, 004): the winning price is with the accompanying service; the
    product price is the 'without service' price; winning = product + service exactly."""

    async def test_both_prices_are_kept(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        item = await listed_product(roles, code, listing(device_no()))
        assert (item["product_price"], item["service_price"], item["winning_price"]) == ("680.00", "50.00", "730.00")

    async def test_the_winning_price_is_computed_when_not_given(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chuxiong-2022")
        item = await listed_product(roles, code, listing(device_no(), product_price="795", service_price="1",
                                                         winning_price=None))
        assert (item["product_price"], item["service_price"], item["winning_price"]) == ("795.00", "1.00", "796.00")


# --- CAT-5 renewed registration -----------------------------------------------------------


class TestRenewedRegistrationKeepsPriceAndStatus:
    """CAT-5 (seed 000): a renewed registration certificate keeps the winning status and
    price; the new number is linked to the old one."""

    async def test_the_product_is_the_same_under_its_new_number(self, roles):
        code = new_code("CAT5")
        await create_batch(roles, code)
        old, new = device_no(), device_no()
        item = await listed_product(roles, code, listing(old, spec="3.0×18mm"))
        await push(roles, code, [listing(old, spec="3.0×18mm", status="suspended")])

        renewed = await push(roles, code, [listing(new, spec="3.0×18mm", renewed_from=old)])
        assert (renewed["created"], renewed["updated"], renewed["errors"]) == (0, 1, [])
        detail = await product(roles.hospital, item["id"])
        assert detail["registration_no"] == new and detail["renewed_from"] == old
        assert (detail["winning_price"], detail["status"]) == ("730.00", "suspended")
        [registration] = [h for h in detail["history"] if h["kind"] == "registration"]
        assert (registration["old_value"], registration["new_value"]) == (old, new)
        assert "CAT-5" in registration["reason"]

        [found] = await products_of(roles.hospital, code, registration_no=old)
        assert found["id"] == item["id"] and found["registration_no"] == new
        assert len(await products_of(roles.hospital, code)) == 1

    async def test_a_renewal_at_another_price_is_refused(self, roles):
        code = new_code("CAT5")
        await create_batch(roles, code)
        old, new = device_no(), device_no()
        item = await listed_product(roles, code, listing(old))
        body = assert_problem(await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(new, renewed_from=old, product_price="700.00", winning_price="750.00")]}), 422)
        [error] = body["errors"]
        assert error["field"] == "body.rows.0.renewed_from" and "CAT-5" in error["reason"] and "730.00" in error["reason"]
        detail = await product(roles.exchange, item["id"])
        assert (detail["registration_no"], detail["winning_price"]) == (old, "730.00")
        assert await products_of(roles.exchange, code, registration_no=new) == []

    async def test_a_renewal_of_an_unknown_number_is_refused(self, roles):
        code = new_code("CAT5")
        await create_batch(roles, code)
        unknown, new = device_no(), device_no()
        result = await push(roles, code, [listing(new, renewed_from=unknown), listing(device_no())])
        assert result["created"] == 1
        [error] = result["errors"]
        assert error["row"] == 1 and error["field"] == "renewed_from" and unknown in error["reason"]
        assert await products_of(roles.exchange, code, registration_no=new) == []


# --- CAT-7 non-winning cap ----------------------------------------------------------------


class TestNonWinningListingIsCapped:
    """CAT-7 (seed 003): a non-winning product may be listed at most at the national lowest
    price; a higher listing is refused with the cap in the error."""

    async def test_above_the_cap_is_refused_at_or_below_stored(self, roles):
        code = new_code("CAT7")
        await create_batch(roles, code, "chongqing-stent-2023")
        above, at, below = device_no(), device_no(), device_no()
        result = await push(roles, code, [
            listing(above, winning=False, national_lowest_price="700.00"),
            listing(at, winning=False, national_lowest_price="730.00"),
            listing(below, winning=False, national_lowest_price="800.00"),
        ])
        assert result["created"] == 2
        [error] = result["errors"]
        assert error["row"] == 1 and "700.00" in error["reason"] and "CAT-7" in error["reason"]
        stored = {p["registration_no"]: p for p in await products_of(roles.exchange, code)}
        assert sorted(stored) == sorted([at, below])
        assert stored[at]["winning"] is False and stored[at]["national_lowest_price"] == "730.00"

    async def test_a_non_winning_row_needs_the_cap(self, roles):
        code = new_code("CAT7")
        await create_batch(roles, code, "chongqing-stent-2023")
        result = await push(roles, code, [listing(device_no(), winning=False), listing(device_no())])
        assert result["created"] == 1
        assert "national_lowest_price" in result["errors"][0]["reason"]


# --- search ---------------------------------------------------------------------------------


class TestProductSearch:
    """§5 outline: the catalog is searched by batch, name, registration number, company and
    status, paginated by cursor; a company sees its own products with mine=true."""

    async def test_filters_and_pages(self, roles):
        code = new_code("SRCH")
        await create_batch(roles, code)
        token = uuid.uuid4().hex[:6]
        mine, theirs = new_uscc(), new_uscc()
        numbers = [device_no() for _ in range(3)]
        await push(roles, code, [
            listing(numbers[0], name=f"冠脉支架{token}甲", applicant=f"重庆{token}医疗有限公司", applicant_credit_code=mine),
            listing(numbers[1], name=f"冠脉支架{token}乙", applicant="北京另一家公司", applicant_credit_code=theirs,
                    status="suspended"),
            listing(numbers[2], name="球囊导管", applicant="上海第三公司"),
        ])
        everyone = await products_of(roles.hospital, code)
        assert sorted(p["registration_no"] for p in everyone) == sorted(numbers)

        by_name = await products_of(roles.hospital, code, name=token)
        assert sorted(p["registration_no"] for p in by_name) == sorted(numbers[:2])
        spaced = numbers[2][:4] + " " + numbers[2][4:]
        assert [p["registration_no"] for p in await products_of(roles.hospital, None, registration_no=spaced)] \
            == [numbers[2]]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code, company=mine)] == [numbers[0]]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code, company=f"{token}医疗")] \
            == [numbers[0]]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code, status="suspended")] \
            == [numbers[1]]

        first = (await roles.hospital.get("/catalog/products", params={"batch": code, "limit": 2})).json()
        assert len(first["items"]) == 2 and first["next_cursor"] is not None
        rest = (await roles.hospital.get("/catalog/products",
                                         params={"batch": code, "limit": 2, "cursor": first["next_cursor"]})).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None
        assert [p["id"] for p in first["items"] + rest["items"]] == [p["id"] for p in everyone]

        company = await roles.company(mine)
        own = (await company.get("/catalog/products", params={"mine": "true"})).json()["items"]
        assert [p["registration_no"] for p in own] == [numbers[0]]
        assert all(p["applicant_credit_code"] == mine for p in own)

    async def test_mine_is_for_companies(self, roles):
        body = assert_problem(await roles.exchange.get("/catalog/products", params={"mine": "true"}), 422)
        assert "query.mine" in error_fields(body)

    @pytest.mark.parametrize("query", [{"status": "sold"}, {"limit": 0}, {"cursor": "abc"}, {"name": ""}])
    async def test_bad_filters_are_422(self, roles, query):
        assert_problem(await roles.hospital.get("/catalog/products", params=query), 422)


class TestCat3RegistrationNumberFitsTheBatchKind:
    """CAT-3 (CAT-1 kind drug | consumable): a device registration number in a drug batch, or
    a drug approval number in a consumable batch, is refused on ``registration_no``."""

    async def test_the_other_kind_is_a_row_error_and_the_right_kind_is_listed(self, shared_platform):
        device, drug = device_no(), drug_no()
        drugs = await new_batch(shared_platform, "drug")
        pushed = await shared_platform.admin.post(f"/catalog/batches/{drugs}/products",
                                                  json={"rows": [listing(drug), listing(device)]})
        assert pushed.status_code == 207, pushed.text
        assert pushed.json()["created"] == 1
        [error] = pushed.json()["errors"]
        assert (error["row"], error["field"]) == (2, "registration_no") and "CAT-3" in error["reason"]
        assert "drug batch" in error["reason"]

        consumables = await new_batch(shared_platform, "consumable")
        refused = await shared_platform.admin.post(f"/catalog/batches/{consumables}/products",
                                                   json={"rows": [listing(drug)]})
        assert refused.status_code == 422 and is_problem(refused), refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["body.rows.0.registration_no"]
        listed = (await shared_platform.admin.get("/catalog/products", params={"batch": consumables})).json()
        assert listed["items"] == []
