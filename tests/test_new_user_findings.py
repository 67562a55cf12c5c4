"""What trying the platform as a new user found (issue 7, item 5), each fixed and proved
through the gateway: agreement generation names the unorderable products it leaves out
(CON-2/CON-4), renewal minimums in whole units (CON-3), CAT-3 registration numbers that
fit the batch kind, CAT-6 price reductions and lower prices with dates that make sense,
per-field error locations in bulk uploads and the public path in ``instance`` (§5, GW-1),
and company keys only for valid credit codes (GW-2, CAT-9)."""

from contracts_setup import build_market, effective_agreements, generate, is_problem, set_volumes


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


class TestGw2CompanyKeysNeedAValidCreditCode:
    """GW-2 with CAT-9: a company key is scoped to a credit code; a code that fails its GB
    32100-2015 check character is refused (422 on ``body.tenant``), so no key is issued for
    a company that cannot exist."""

    async def test_a_wrong_check_character_is_refused_naming_the_expected_one(self, shared_platform):
        from contracts_setup import credit_code

        good = credit_code()
        wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
        refused = await shared_platform.admin.post("/admin/api-keys", json={
            "role": "company", "tenant": wrong, "label": "typo"})
        assert refused.status_code == 422 and is_problem(refused), refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == "body.tenant" and f"expected {good[-1]!r}" in error["reason"]
        listed = (await shared_platform.admin.get("/admin/api-keys")).json()
        assert wrong not in {k["tenant"] for k in listed}

    async def test_a_malformed_code_is_refused_and_a_valid_one_is_issued_normalised(self, shared_platform):
        from contracts_setup import credit_code

        short = await shared_platform.admin.post("/admin/api-keys", json={
            "role": "company", "tenant": "9150000000000000", "label": "short"})
        assert short.status_code == 422 and short.json()["errors"][0]["field"] == "body.tenant"
        good = credit_code()
        issued = await shared_platform.admin.post("/admin/api-keys", json={
            "role": "company", "tenant": f" {good.lower()} ", "label": "ok"})
        assert issued.status_code == 201, issued.text
        assert issued.json()["tenant"] == good
