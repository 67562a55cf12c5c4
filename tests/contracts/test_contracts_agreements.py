"""CON-2 agreements and CON-3 renewal through the gateway: one agreement per hospital and
manufacturer priced from the catalog, the manufacturer's distributor, three signatures of
the canonical content, effect, immutability and versions; and the three renewal rules of
§4 (seeds 000, 001, 003) — exactly at the limit passes, below lists every failing item."""

import hashlib

from testsupport.contracts_setup import (
    build_market, contracts_events, designate_and_sign, effective_agreements, generate, is_problem, purchase,
    set_volumes, today,
)


async def agreements_of(market, year: int) -> list[dict]:
    page = await market.exchange.get("/contracts/agreements", params={"batch_code": market.batch, "agreement_year": year})
    assert page.status_code == 200, page.text
    return page.json()["items"]


class TestCon2Generation:
    async def test_one_agreement_per_hospital_and_manufacturer_priced_from_the_catalog(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2, manufacturers=2, products_each=2,
                                    year1={(0, 0): 10, (0, 1): 20, (0, 2): 30, (1, 3): 40})
        generated = await generate(market)
        assert generated.status_code == 200, generated.text
        assert generated.json()["created"] == 3
        m0, m1 = market.manufacturers
        p = market.product_ids
        found = {(a["hospital_code"], a["manufacturer_code"]): a for a in await agreements_of(market, 1)}
        assert set(found) == {(market.hospitals[0], m0), (market.hospitals[0], m1), (market.hospitals[1], m1)}
        items = {k: [(i["product_id"], i["agreed_quantity"], i["unit_price"]) for i in a["items"]]
                 for k, a in found.items()}
        assert items[(market.hospitals[0], m0)] == [(p[0], 10, "730.00"), (p[1], 20, "740.00")]
        assert items[(market.hospitals[0], m1)] == [(p[2], 30, "750.00")]
        assert items[(market.hospitals[1], m1)] == [(p[3], 40, "760.00")]
        assert found[(market.hospitals[0], m0)]["agreed_amount"] == "22100.00"
        assert {(a["status"], a["version"], a["distributor_code"]) for a in found.values()} == {("draft", 1, None)}
        # issue 23, item 7: the answer says whose each agreement is
        assert {(g["id"], g["hospital_code"], g["manufacturer_code"], g["agreement_year"], g["status"], g["outcome"])
                for g in generated.json()["generated"]} == {
            (a["id"], h, m, 1, "draft", "created") for (h, m), a in found.items()}
        assert [g["id"] for g in generated.json()["generated"]] == generated.json()["agreements"]

    async def test_generating_again_without_changes_changes_nothing(self, shared_platform):
        market = await build_market(shared_platform)
        first, again = await generate(market), await generate(market)
        assert again.json()["unchanged"] == 1 and again.json()["agreements"] == first.json()["agreements"]


class TestCon2DistributorDesignation:
    async def test_only_the_manufacturer_designates_and_only_a_distributor(self, shared_platform):
        market = await build_market(shared_platform, manufacturers=2)
        agreement_id = (await generate(market)).json()["agreements"][0]
        owner = (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()["manufacturer_code"]
        other = next(m for m in market.manufacturers if m != owner)
        body = {"distributor_code": market.distributors[0]}
        by_hospital = await market.client(market.hospitals[0]).post(
            f"/contracts/agreements/{agreement_id}/distributor", json=body)
        by_other = await market.client(other).post(f"/contracts/agreements/{agreement_id}/distributor", json=body)
        not_a_distributor = await market.client(owner).post(
            f"/contracts/agreements/{agreement_id}/distributor", json={"distributor_code": other})
        assert (by_hospital.status_code, by_other.status_code, not_a_distributor.status_code) == (403, 404, 422)
        assert (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()["distributor_code"] is None
        signed = await designate_and_sign(shared_platform, market, agreement_id)
        assert signed["distributor_code"] == market.distributors[0]


class TestCon2Signatures:
    async def test_three_signatures_store_signer_time_and_hash_then_effective(self, shared_platform, pg_server):
        market = await build_market(shared_platform)
        agreement_id = (await generate(market)).json()["agreements"][0]
        manufacturer, distributor, hospital = market.manufacturers[0], market.distributors[0], market.hospitals[0]

        async def designated():
            response = await market.client(manufacturer).post(f"/contracts/agreements/{agreement_id}/distributor",
                                                              json={"distributor_code": distributor})
            assert response.status_code == 200, response.text

        await shared_platform.eventually(designated)
        agreement = (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()
        digest = agreement["content_sha256"]
        assert digest == hashlib.sha256(agreement["canonical_content"].encode()).hexdigest()
        wrong = await market.client(hospital).post(f"/contracts/agreements/{agreement_id}/signatures",
                                                   json={"content_sha256": "0" * 64})
        assert wrong.status_code == 409 and is_problem(wrong)
        for n, code in enumerate((hospital, manufacturer), start=1):
            signed = await market.client(code).post(f"/contracts/agreements/{agreement_id}/signatures",
                                                    json={"content_sha256": digest})
            assert signed.status_code == 201, signed.text
            assert signed.json()["status"] == "signing" and len(signed.json()["signatures"]) == n
        assert await contracts_events(pg_server, "contracts.agreement.effective", str(agreement_id)) == []
        twice = await market.client(hospital).post(f"/contracts/agreements/{agreement_id}/signatures",
                                                   json={"content_sha256": digest})
        assert twice.status_code == 409
        last = await market.client(distributor).post(f"/contracts/agreements/{agreement_id}/signatures",
                                                     json={"content_sha256": digest})
        assert last.status_code == 201, last.text
        effective = last.json()
        assert effective["status"] == "effective" and effective["effective_at"]
        signatures = {s["party"]: s for s in effective["signatures"]}
        assert set(signatures) == {"hospital", "manufacturer", "distributor"}
        assert {s["content_sha256"] for s in signatures.values()} == {digest}
        assert all(s["signer"].startswith(("hospital:", "company:")) and s["signed_at"] for s in signatures.values())
        events = await contracts_events(pg_server, "contracts.agreement.effective", str(agreement_id))
        assert len(events) == 1 and events[0]["content_sha256"] == digest
        assert events[0]["distributor_code"] == distributor and events[0]["agreed_amount_fen"] == 100 * 73000

    async def test_a_distributor_cannot_sign_before_it_is_designated(self, shared_platform):
        market = await build_market(shared_platform)
        agreement_id = (await generate(market)).json()["agreements"][0]
        digest = (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()["content_sha256"]
        early = await market.client(market.distributors[0]).post(f"/contracts/agreements/{agreement_id}/signatures",
                                                                  json={"content_sha256": digest})
        assert early.status_code in (403, 404) and is_problem(early)
        assert (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()["signatures"] == []


class TestCon2SignedAgreementsAreImmutable:
    async def test_a_change_after_signing_is_a_new_version_that_supersedes_on_effect(self, shared_platform):
        market = await build_market(shared_platform)
        [first] = await effective_agreements(shared_platform, market)
        refused = await market.client(market.hospitals[0]).post(
            f"/contracts/agreements/{first['id']}/service-option", json={"with_service": False})
        assert refused.status_code == 409
        await set_volumes(market, 1, {(0, 0): 150})
        regenerated = await generate(market)
        assert regenerated.json()["new_versions"] == 1, regenerated.text
        [second_id] = regenerated.json()["agreements"]
        assert second_id != first["id"]
        unchanged = (await market.exchange.get(f"/contracts/agreements/{first['id']}")).json()
        assert (unchanged["status"], unchanged["content_sha256"], unchanged["items"]) == (
            "effective", first["content_sha256"], first["items"])
        second = (await market.exchange.get(f"/contracts/agreements/{second_id}")).json()
        assert (second["version"], second["status"], second["items"][0]["agreed_quantity"]) == (2, "draft", 150)
        assert second["content_sha256"] != first["content_sha256"]
        await designate_and_sign(shared_platform, market, second_id)
        assert (await market.exchange.get(f"/contracts/agreements/{first['id']}")).json()["status"] == "superseded"


def failing(response) -> set[tuple]:
    assert response.status_code == 422 and is_problem(response), response.text
    return {(e["hospital_code"], e.get("product_id") or e.get("company_code"), e["agreed"], e["required_minimum"])
            for e in response.json()["errors"]}


class TestCon3PerItemOfPreviousAgreedSeed000:
    """chongqing-2025: every item of year 2 ≥ 1.0 × its year-1 agreed quantity."""

    async def test_exactly_at_the_previous_agreed_passes(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2, products_each=2,
                                    year1={(0, 0): 100, (0, 1): 50, (1, 0): 80})
        await set_volumes(market, 2, {(0, 0): 100, (0, 1): 50, (1, 0): 80})
        passed = await generate(market, 2)
        assert passed.status_code == 200 and passed.json()["created"] == 2, passed.text

    async def test_below_lists_every_failing_item_with_its_minimum(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2, products_each=3,
                                    year1={(0, 0): 100, (0, 1): 50, (0, 2): 7, (1, 0): 80})
        h0, h1 = market.hospitals
        p = market.product_ids
        await set_volumes(market, 2, {(0, 0): 99, (0, 1): 60, (1, 0): 79})  # (0, 2) dropped: agreed 0
        refused = await generate(market, 2)
        assert failing(refused) == {(h0, p[0], 99, "100"), (h0, p[2], 0, "7"), (h1, p[0], 79, "80")}
        assert refused.json()["type"].endswith("renewal-below-minimum")
        assert await agreements_of(market, 2) == []


class TestCon3PerItemOfFirstYearSeed001:
    """liaoning-2025: every item of a later year ≥ 1.0 × its first-year agreed quantity."""

    async def test_year_three_is_held_to_year_one_not_year_two(self, shared_platform):
        market = await build_market(shared_platform, preset="liaoning-2025", cycle_years=3, products_each=2,
                                    year1={(0, 0): 100, (0, 1): 40})
        await set_volumes(market, 2, {(0, 0): 130, (0, 1): 40})
        assert (await generate(market, 2)).status_code == 200
        await set_volumes(market, 3, {(0, 0): 100, (0, 1): 40})  # below year 2, exactly year 1
        at_limit = await generate(market, 3)
        assert at_limit.status_code == 200, at_limit.text

    async def test_below_the_first_year_lists_every_failing_item(self, shared_platform):
        market = await build_market(shared_platform, preset="liaoning-2025", products_each=2,
                                    year1={(0, 0): 100, (0, 1): 40})
        await set_volumes(market, 2, {(0, 0): 99, (0, 1): 39})
        h0, p = market.hospitals[0], market.product_ids
        assert failing(await generate(market, 2)) == {(h0, p[0], 99, "100"), (h0, p[1], 39, "40")}
        assert await agreements_of(market, 2) == []


class TestCon3StentRuleSeed003:
    """chongqing-stent-2023: hospital total ≥ 0.95 × year-1 actual accepted (net of returns),
    and per company ≥ 0.90 × that company's year-1 agreed volume."""

    async def stent_market(self, platform):
        market = await build_market(platform, preset="chongqing-stent-2023", cycle_years=3, manufacturers=2,
                                    year1={(0, 0): 100, (0, 1): 100})
        await effective_agreements(platform, market)
        h0, (p0, p1) = market.hospitals[0], market.product_ids
        bought = await purchase(market, h0, [(p0, 120), (p1, 85)])  # 205 accepted in year 1
        delivery = next(d for d in bought["deliveries"] if any(l["line_no"] == 1 for l in d["lines"]))
        returned = await market.client(h0).post("/contracts/returns", json={
            "delivery_id": delivery["id"], "line_no": 1, "quantity": 5, "reason": "效期不足",
            "returned_on": today()})
        assert returned.status_code == 201, returned.text  # actual = 200 → total minimum 190
        return market

    async def test_exactly_at_both_limits_passes(self, shared_platform):
        market = await self.stent_market(shared_platform)
        await set_volumes(market, 2, {(0, 0): 100, (0, 1): 90})  # total 190 = 0.95 × 200; company 90 = 0.9 × 100
        passed = await generate(market, 2)
        assert passed.status_code == 200 and passed.json()["created"] == 2, passed.text

    async def test_below_lists_the_hospital_total_and_every_failing_company(self, shared_platform):
        market = await self.stent_market(shared_platform)
        await set_volumes(market, 2, {(0, 0): 99, (0, 1): 89})
        h0 = market.hospitals[0]
        m0, m1 = market.manufacturers
        assert failing(await generate(market, 2)) == {(h0, None, 188, "190"), (h0, m1, 89, "90")}
        await set_volumes(market, 2, {(0, 0): 80, (0, 1): 110})
        assert failing(await generate(market, 2)) == {(h0, m0, 80, "90")}
        assert await agreements_of(market, 2) == []


class TestCon2GenerationLeavesOutUnorderableProducts:
    """CON-2/CON-4: a suspended or disqualified product gets no agreement item, and the
    generation's answer says which products it left out and why."""

    async def test_suspended_and_disqualified_products_are_left_out_and_named(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2, products_each=3)
        suspended, disqualified, listed = market.product_ids
        for product, status in ((suspended, "suspended"), (disqualified, "disqualified")):
            changed = await shared_platform.admin.post(f"/catalog/products/{product}/status",
                                                       json={"status": status, "reason": "质量问题"})
            assert changed.status_code == 200, changed.text

        async def left_out_both():
            generated = await generate(market)
            assert generated.status_code == 200, generated.text
            assert [(p["product_id"], p["status"]) for p in generated.json()["left_out"]] == [
                (suspended, "suspended"), (disqualified, "disqualified")]
            return generated.json()

        result = await shared_platform.eventually(left_out_both)
        assert result["left_out"][0]["hospital_codes"] == sorted(market.hospitals)
        assert result["left_out"][0]["agreed_quantity"] == 200
        for agreement_id in result["agreements"]:
            agreement = (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()
            assert [i["product_id"] for i in agreement["items"]] == [listed]

    async def test_with_every_product_listed_nothing_is_left_out(self, shared_platform):
        market = await build_market(shared_platform, products_each=2)
        generated = await generate(market)
        assert generated.status_code == 200 and generated.json()["left_out"] == [], generated.text


class TestCon3MinimumsAreWholeUnitsRoundedUp:
    """CON-3 (seed 003): 90 % of 85 stents agreed last year is 76.5; the minimum is 77
    stents — 77 passes, 76 is refused with "77" as the required minimum."""

    async def test_a_fractional_minimum_is_rounded_up_and_compared_as_whole_units(self, shared_platform):
        market = await build_market(shared_platform, preset="chongqing-stent-2023", cycle_years=3,
                                    year1={(0, 0): 85})
        await effective_agreements(shared_platform, market)
        h0, m0 = market.hospitals[0], market.manufacturers[0]
        await set_volumes(market, 2, {(0, 0): 76})
        refused = await generate(market, 2)
        assert refused.status_code == 422 and is_problem(refused), refused.text
        [error] = refused.json()["errors"]
        assert (error["hospital_code"], error["company_code"], error["agreed"], error["required_minimum"]) == (
            h0, m0, 76, "77")
        assert "76.5 → 77 whole units" in error["reason"]
        await set_volumes(market, 2, {(0, 0): 77})
        passed = await generate(market, 2)
        assert passed.status_code == 200, passed.text
