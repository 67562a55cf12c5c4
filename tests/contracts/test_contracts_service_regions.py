"""CAT-15 distributors' service regions through the gateway (seed 004: 配送及其伴随服务能力应覆盖协议
供应地区): a distributor declares where it delivers and where it gives accompanying service; a
designation for a hospital outside them — or without the service a with-service agreement pays
for — is refused naming the region; a later declaration that leaves a designated hospital
outside is taken and flagged to the bureau."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, designate_and_sign, generate, is_problem


def regions(*codes: tuple[str, bool]) -> dict:
    return {"regions": [{"region_code": code, "accompanying_service": service} for code, service in codes]}


class TestCat15ServiceRegions:
    async def test_a_designation_outside_the_declared_regions_is_refused_and_a_shrink_flagged(self, shared_platform):
        market = await build_market(shared_platform, hospitals=1, distributors=2)
        [hospital], [maker] = market.hospitals, market.manufacturers
        d0, d1 = market.distributors
        path = f"/catalog/companies/{d1}/service-regions"
        for stranger in (market.client(d0), market.client(hospital)):
            refused = await stranger.put(path, json=regions(("500104", True)))
            assert refused.status_code == 403 and is_problem(refused), refused.text
        bad = await market.client(d1).put(path, json=regions(("999999", True), ("500104", True), ("500104", False)))
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"body.regions[0].region_code",
                                                             "body.regions[2].region_code"}
        not_a_distributor = await shared_platform.admin.put(f"/catalog/companies/{maker}/service-regions",
                                                            json=regions(("500104", True)))
        assert not_a_distributor.status_code == 422 and is_problem(not_a_distributor)

        declared = await market.client(d1).put(path, json=regions(("500104", True)))
        assert declared.status_code == 200 and declared.json()["regions"] == regions(("500104", True))["regions"]
        await shared_platform.settled()
        generated = await generate(market)
        assert generated.status_code == 200, generated.text
        [agreement_id] = generated.json()["agreements"]
        designate = f"/contracts/agreements/{agreement_id}/distributor"
        outside = await market.client(maker).post(designate, json={"distributor_code": d1})
        assert outside.status_code == 422, outside.text
        assert "does not serve region 500103" in outside.json()["errors"][0]["reason"]
        assert outside.json()["errors"][0]["field"] == "body.distributor_code"

        assert (await market.client(d1).put(path, json=regions(("500000", False)))).status_code == 200
        await shared_platform.settled()
        no_service = await market.client(maker).post(designate, json={"distributor_code": d1})
        assert no_service.status_code == 422 and "no accompanying service" in no_service.json()["detail"]

        assert (await market.client(d1).put(path, json=regions(("500000", True)))).status_code == 200
        await shared_platform.settled()
        signed = await designate_and_sign(shared_platform, market, agreement_id, d1)
        assert (signed["status"], signed["distributor_code"]) == ("effective", d1)

        await shared_platform.settled()
        assert (await market.client(d1).put(path, json=regions(("510000", True)))).status_code == 200
        await shared_platform.settled()
        flagged = (await market.insurer.get("/monitoring/alerts", params={
            "kind": "distributor_uncovered", "hospital_code": hospital})).json()["items"]
        assert [(a["company_code"], a["subject"], a["rule"], a["region_code"]) for a in flagged] == [
            (d1, str(agreement_id), "CAT-15", "500103")]
        assert flagged[0]["details"]["declared_regions"] == ["510000"]
