"""MON-15 coverage and signing on the scenario platform's clock (seeds: 全市公立医疗机构和军队医疗机构…均
应参加; seed 001: 及时与各有关企业签订协议): every public institution of the region takes part, so one
with no agreed volume or no effective agreement for a batch is listed and alerted from its start;
an agreement generated 15 days ago (the policy's ``signing_deadline_days``) and still not in
effect is alerted, naming the parties that have not signed."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, designate_and_sign, generate
from testsupport.scenario_setup import set_today


class TestMon15CoverageAndSigning:
    async def test_the_uncovered_and_the_unsigned_are_named(self, scenario_platform):
        platform = scenario_platform
        await set_today(platform, "2026-05-25")
        market = await build_market(platform, hospitals=3, year1={(0, 0): 100, (1, 0): 100})
        signed_up, slow, left_out = market.hospitals
        generated = await generate(market)
        assert generated.status_code == 200, generated.text
        by_hospital = {a["hospital_code"]: a["id"] for a in generated.json()["generated"]}
        await designate_and_sign(platform, market, by_hospital[signed_up])
        agreement = (await market.exchange.get(f"/contracts/agreements/{by_hospital[slow]}")).json()
        assert (await market.client(slow).post(f"/contracts/agreements/{agreement['id']}/signatures", json={
            "content_sha256": agreement["content_sha256"]})).status_code == 201

        await set_today(platform, "2026-06-10")
        await platform.settled()
        assert (await market.insurer.post("/monitoring/alert-checks")).status_code == 200
        alerts = (await market.insurer.get("/monitoring/alerts", params={
            "batch_code": market.batch, "limit": 200})).json()["items"]
        mine = {(a["kind"], a["hospital_code"]): a for a in alerts if a["kind"] in ("coverage", "unsigned")
                and a["hospital_code"] in market.hospitals}
        assert set(mine) == {("coverage", slow), ("coverage", left_out), ("unsigned", slow)}
        assert mine[("coverage", left_out)]["details"]["missing"] == ["agreed volumes", "an effective agreement"]
        assert mine[("coverage", slow)]["details"]["missing"] == ["an effective agreement"]
        unsigned = mine[("unsigned", slow)]
        assert (unsigned["subject"], unsigned["details"]["signed"], unsigned["details"]["not_signed"]) == (
            str(agreement["id"]), ["hospital"], ["manufacturer", "distributor"])

        read = await market.insurer.get("/monitoring/coverage", params={"batch_code": market.batch})
        assert read.status_code == 200, read.text
        body = read.json()
        assert body["provinces"] == ["500000"]
        assert {i["hospital_code"] for i in body["without_volumes"]} & set(market.hospitals) == {left_out}
        assert {i["hospital_code"] for i in body["without_agreement"]} & set(market.hospitals) == {slow, left_out}
        mine_only = await market.client(slow).get("/monitoring/coverage", params={"batch_code": market.batch})
        assert [i["hospital_code"] for i in mine_only.json()["without_agreement"]] == [slow]
