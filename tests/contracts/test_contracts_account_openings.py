"""CON-10 account opening on the scenario platform's clock (seed 003: 医疗机构应积极配合做好账户开户等工
作): the designated distributor records its request, the hospital the opening; a request not
opened within the policy's 10 working days (CAT-10 calendar) is alerted, naming both."""

from __future__ import annotations

from testsupport.contracts_setup import build_market, effective_agreements, is_problem
from testsupport.scenario_setup import set_today


async def account_alerts(market) -> list[dict]:
    assert (await market.insurer.post("/monitoring/alert-checks")).status_code == 200
    alerts = (await market.insurer.get("/monitoring/alerts", params={
        "kind": "account_not_opened", "batch_code": market.batch})).json()["items"]
    return alerts


class TestCon10AccountOpening:
    async def test_requested_alerted_after_ten_working_days_then_opened(self, scenario_platform):
        platform = scenario_platform
        await set_today(platform, "2026-06-01")  # a Monday
        market = await build_market(platform, hospitals=1, distributors=2)
        await effective_agreements(platform, market)
        [hospital], (d0, d1) = market.hospitals, market.distributors

        body = {"hospital_code": hospital, "note": "已提交开户资料"}
        assert (await market.client(d1).post("/contracts/account-openings", json=body)).status_code == 403
        refused = await market.client(hospital).post("/contracts/account-openings", json=body)
        assert refused.status_code == 403 and is_problem(refused)
        asked = await market.client(d0).post("/contracts/account-openings", json=body)
        assert asked.status_code == 201, asked.text
        request = asked.json()
        assert (request["requested_on"], request["batch_code"], request["opened_on"]) == (
            "2026-06-01", market.batch, None)
        assert (await market.client(d0).post("/contracts/account-openings", json=body)).status_code == 409

        await set_today(platform, "2026-06-15")  # the 10th working day after: still in time
        await platform.settled()
        assert await account_alerts(market) == []
        await set_today(platform, "2026-06-16")
        [alert] = await account_alerts(market)
        assert (alert["hospital_code"], alert["company_code"], alert["rule"], alert["subject"]) == (
            hospital, d0, "CON-10", str(request["id"]))
        assert (alert["details"]["due_on"], alert["details"]["working_days"]) == ("2026-06-15", 10)

        path = f"/contracts/account-openings/{request['id']}/opening"
        assert (await market.client(d0).post(path, json={})).status_code == 403
        early = await market.client(hospital).post(path, json={"opened_on": "2026-05-31"})
        assert early.status_code == 422 and early.json()["errors"][0]["field"] == "body.opened_on"
        opened = await market.client(hospital).post(path, json={})
        assert opened.status_code == 200 and opened.json()["opened_on"] == "2026-06-16", opened.text
        mine = (await market.client(d0).get("/contracts/account-openings")).json()["items"]
        assert [(r["id"], r["opened_on"]) for r in mine] == [(request["id"], "2026-06-16")]
        assert (await market.client(d1).get("/contracts/account-openings")).json()["items"] == []
