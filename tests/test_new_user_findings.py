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
        listed = (await shared_platform.admin.get("/admin/api-keys", params={"tenant": wrong})).json()
        assert listed["items"] == []

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


# --- catalog ---------------------------------------------------------------------------------

def _batch(code: str, kind: str, **fields) -> dict:
    return {"code": code, "name": "测试批次", "kind": kind, "organiser_level": "provincial",
            "document_no": "渝医保办〔2025〕32号", "starts_on": "2026-06-01", "cycle_years": 2,
            "preset": "chongqing-2025", "policy_overrides": {}} | fields


def _row(registration_no: str, **fields) -> dict:
    return {"registration_no": registration_no, "name": "测试产品", "applicant": "测试企业", "registrant": "测试企业",
            "product_price": "680", "service_price": "50"} | fields


def _numbers():
    import random

    device = "国械注准" + "".join(random.choices("0123456789", k=11))
    drug = "国药准字H" + "".join(random.choices("0123456789", k=8))
    return device, drug


async def _new_batch(platform, kind: str, **fields) -> str:
    import uuid

    code = f"NU-{uuid.uuid4().hex[:10]}"
    created = await platform.admin.post("/catalog/batches", json=_batch(code, kind, **fields))
    assert created.status_code == 201, created.text
    return code


class TestCat3RegistrationNumberFitsTheBatchKind:
    """CAT-3 (CAT-1 kind drug | consumable): a device registration number in a drug batch, or
    a drug approval number in a consumable batch, is refused on ``registration_no``."""

    async def test_the_other_kind_is_a_row_error_and_the_right_kind_is_listed(self, shared_platform):
        device, drug = _numbers()
        drugs = await _new_batch(shared_platform, "drug")
        pushed = await shared_platform.admin.post(f"/catalog/batches/{drugs}/products",
                                                  json={"rows": [_row(drug), _row(device)]})
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["created"] == 1
        [error] = pushed.json()["errors"]
        assert (error["row"], error["field"]) == (1, "registration_no") and "CAT-3" in error["reason"]
        assert "drug batch" in error["reason"]

        consumables = await _new_batch(shared_platform, "consumable")
        refused = await shared_platform.admin.post(f"/catalog/batches/{consumables}/products",
                                                   json={"rows": [_row(drug)]})
        assert refused.status_code == 422 and is_problem(refused), refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["body.rows.0.registration_no"]
        listed = (await shared_platform.admin.get("/catalog/products", params={"batch": consumables})).json()
        assert listed["items"] == []


class TestEvery422LocatesTheField:
    """§5: a rule across fields blames its field (``rows.3.winning_price``), never only the
    row; bulk orders locate from the body's root."""

    async def test_a_listing_whose_prices_do_not_add_up_names_winning_price(self, shared_platform):
        device, _ = _numbers()
        other, _ = _numbers()
        batch = await _new_batch(shared_platform, "consumable")
        mixed = await shared_platform.admin.post(f"/catalog/batches/{batch}/products", json={"rows": [
            _row(device), _row(other, winning_price="731.00")]})
        assert mixed.status_code == 200, mixed.text
        assert [(e["row"], e["field"]) for e in mixed.json()["errors"]] == [(1, "winning_price")]
        only_bad = await shared_platform.admin.post(f"/catalog/batches/{batch}/products", json={"rows": [
            _row(other, winning_price="731.00"), _row(other, product_price=None)]})
        assert only_bad.status_code == 422 and is_problem(only_bad), only_bad.text
        assert [e["field"] for e in only_bad.json()["errors"]] == [
            "body.rows.0.winning_price", "body.rows.1.product_price"]

    async def test_a_bad_batch_names_the_field_it_blames(self, shared_platform):
        import uuid

        refused = await shared_platform.admin.post("/catalog/batches", json=_batch(
            f"NU-{uuid.uuid4().hex[:10]}", "drug", cycle_years=None, ends_on="2026-05-01"))
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["body.ends_on"]

    async def test_bulk_orders_locate_each_error_from_the_body_root(self, shared_platform):
        market = await build_market(shared_platform)
        await effective_agreements(shared_platform, market)
        product = market.product_ids[0]
        his = market.client(market.hospitals[0])
        line = {"line_no": 1, "product_id": product, "quantity": 1, "unit_price": "730.00"}
        sent = await his.post("/contracts/orders/bulk", json={"orders": [
            {"his_order_no": "NU-REPEAT", "lines": [line, line]},
            {"his_order_no": "NU-PRICE", "lines": [line | {"unit_price": "731.00"}]},
            {"his_order_no": "NU-OK", "lines": [line]},
        ]})
        assert sent.status_code == 200, sent.text
        assert [(e["order"], e["field"]) for e in sent.json()["errors"]] == [
            (0, "body.orders.0.lines"), (1, "body.orders.1.lines[line_no=1].unit_price")]
        assert sent.json()["created"] == 1


class TestProblemInstanceIsThePathTheClientCalled:
    """§5 with GW-1: ``instance`` is the path through the gateway (``/catalog/batches/X``),
    not the service's internal one (``/batches/X``)."""

    async def test_instance_carries_the_service_prefix(self, shared_platform):
        missing = await shared_platform.admin.get("/catalog/batches/NO-SUCH-BATCH")
        assert missing.status_code == 404 and is_problem(missing)
        assert missing.json()["instance"] == "/catalog/batches/NO-SUCH-BATCH"
        invalid = await shared_platform.admin.post("/contracts/agreed-volumes", json={"rows": []})
        assert invalid.status_code == 422 and invalid.json()["instance"] == "/contracts/agreed-volumes"


class TestCat6DatesThatMakeSense:
    async def company_product(self, platform, **batch_fields):
        from contracts_setup import credit_code

        device, _ = _numbers()
        company = credit_code()
        batch = await _new_batch(platform, "consumable", **batch_fields)
        pushed = await platform.admin.post(f"/catalog/batches/{batch}/products", json={"rows": [
            _row(device, applicant_credit_code=company)]})
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
        from contracts_setup import today

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
