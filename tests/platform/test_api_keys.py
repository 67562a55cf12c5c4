"""GW-2, CAT-9 through the gateway: a company's API key names a valid unified social credit code
(found trying the platform as a new user, issue 7 item 5)."""

from testsupport.contracts_setup import is_problem


class TestGw2CompanyKeysNeedAValidCreditCode:
    """GW-2 with CAT-9: a company key is scoped to a credit code; a code that fails its GB
    32100-2015 check character is refused (422 on ``body.tenant``), so no key is issued for
    a company that cannot exist."""

    async def test_a_wrong_check_character_is_refused_naming_the_expected_one(self, shared_platform):
        from testsupport.contracts_setup import credit_code

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
        from testsupport.contracts_setup import credit_code

        short = await shared_platform.admin.post("/admin/api-keys", json={
            "role": "company", "tenant": "9150000000000000", "label": "short"})
        assert short.status_code == 422 and short.json()["errors"][0]["field"] == "body.tenant"
        good = credit_code()
        issued = await shared_platform.admin.post("/admin/api-keys", json={
            "role": "company", "tenant": f" {good.lower()} ", "label": "ok"})
        assert issued.status_code == 201, issued.text
        assert issued.json()["tenant"] == good
