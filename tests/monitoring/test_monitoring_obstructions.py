"""MON-14 obstruction complaints through the gateway (seed 004: 不得以费用控制、医疗机构使用品种规格数量
要求、未申报采购量、要求企业缴纳质量保证金等为由，限制中选耗材的合理使用与供应保障): a company party to an
agreement with the hospital reports an obstruction, another company may not; the insurer of the
hospital's region finds it; a substantiated finding shows in the hospital's assessment and the
month's report."""

from __future__ import annotations

from datetime import date, timedelta

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, today


class TestMon14Obstructions:
    async def test_a_party_reports_the_insurer_finds_and_the_assessment_shows_it(self, shared_platform):
        market = await build_market(shared_platform, hospitals=2, distributors=2)
        await effective_agreements(shared_platform, market)
        await shared_platform.settled()
        h0, h1 = market.hospitals
        maker, stranger = market.client(market.manufacturers[0]), market.client(market.distributors[1])
        body = {"hospital_code": h0, "kind": "cost_control_pretext", "occurred_on": today(),
                "description": "以控费为由要求暂停使用中选产品"}

        assert (await stranger.post("/monitoring/obstructions", json=body)).status_code == 403  # no agreement with h0
        for not_a_company in (market.client(h0), market.insurer):
            refused = await not_a_company.post("/monitoring/obstructions", json=body)
            assert refused.status_code == 403 and is_problem(refused), refused.text
        tomorrow = (date.fromisoformat(today()) + timedelta(days=1)).isoformat()
        late = await maker.post("/monitoring/obstructions", json={**body, "occurred_on": tomorrow})
        assert late.status_code == 422 and late.json()["errors"][0]["field"] == "body.occurred_on"
        other_batch = await maker.post("/monitoring/obstructions", json={**body, "batch_code": "NO-SUCH"})
        assert other_batch.status_code == 422 and market.batch in other_batch.json()["errors"][0]["reason"]
        wrong_kind = await maker.post("/monitoring/obstructions", json={**body, "kind": "rudeness"})
        assert wrong_kind.status_code == 422 and is_problem(wrong_kind)

        reported = await maker.post("/monitoring/obstructions", json=body)
        assert reported.status_code == 201, reported.text
        complaint = reported.json()
        assert (complaint["batch_code"], complaint["status"], complaint["region_code"]) == (
            market.batch, "open", "500103")
        assert [c["id"] for c in (await market.client(h0).get("/monitoring/obstructions")).json()["items"]] == [
            complaint["id"]]
        assert (await market.client(h1).get("/monitoring/obstructions")).json()["items"] == []

        sichuan = shared_platform.client(await shared_platform.issue_key("insurer", "510000"))
        path = f"/monitoring/obstructions/{complaint['id']}/finding"
        assert (await sichuan.post(path, json={"finding": "substantiated", "reason": "x"})).status_code == 404
        found = await market.insurer.post(path, json={"finding": "substantiated", "reason": "经核查属实，已约谈医院"})
        assert found.status_code == 200 and found.json()["status"] == "substantiated", found.text
        assert (await market.insurer.post(path, json={"finding": "unsubstantiated", "reason": "x"})).status_code == 409

        assessed = (await market.insurer.get("/monitoring/assessments/1", params={
            "batch_code": market.batch})).json()["hospitals"]
        assert {h["hospital_code"]: h["obstructions_substantiated"] for h in assessed} == {h0: 1, h1: 0}
        month = (await market.insurer.get("/monitoring/reports/monthly", params={"month": today()[:7]})).json()
        assert {"hospital_code": h0, "hospital_name": "测试医院0", "substantiated": 1} in month["obstructions"]
