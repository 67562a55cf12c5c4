"""MON-12 through the gateway (seed 004: 对短缺药品…逐级上报; seed 003: 不能保障…供应时…备选和应急保障
措施): a hospital reports a product short, its county insurer escalates it to the parent region,
whose insurer resolves it with what was done; and the scheduled check raises a supply-failure
alert, naming the backups, for a product with the policy's number of late or failed supply
breaches in a region, or suspended while agreed volume is left."""

from __future__ import annotations

from datetime import date, timedelta

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, purchase, today


def fields(response) -> dict[str, str]:
    assert is_problem(response), response.text
    return {e["field"]: e["reason"] for e in response.json().get("errors", [])}


class TestMon12Shortages:
    async def test_reported_escalated_to_the_parent_region_and_resolved(self, shared_platform):
        market = await build_market(shared_platform, hospitals=1)
        await effective_agreements(shared_platform, market)
        await shared_platform.settled()  # monitoring knows the product
        [hospital], [product] = market.hospitals, market.product_ids
        county = shared_platform.client(await shared_platform.issue_key("insurer", "500103"))
        neighbour = shared_platform.client(await shared_platform.issue_key("insurer", "500104"))
        city = market.insurer  # 500000: 重庆市 is the parent of 渝中区
        his = market.client(hospital)
        body = {"product_id": product, "since": today(), "quantity_short": 40, "note": "配送企业连续两周无货"}

        tomorrow = (date.fromisoformat(today()) + timedelta(days=1)).isoformat()
        assert "body.since" in fields(await his.post("/monitoring/shortages", json={**body, "since": tomorrow}))
        assert "body.product_id" in fields(await his.post("/monitoring/shortages", json={**body, "product_id": 9**12}))
        elsewhere = await his.post("/monitoring/shortages", json={**body, "region_code": "500104"})
        assert "its own region 500103" in fields(elsewhere)["body.region_code"]
        outside = await county.post("/monitoring/shortages", json={**body, "region_code": "500104"})
        assert "not 500103 or a region under it" in fields(outside)["body.region_code"]
        for not_a_reporter in (market.exchange, market.client(market.manufacturers[0])):
            refused = await not_a_reporter.post("/monitoring/shortages", json=body)
            assert refused.status_code == 403 and is_problem(refused), refused.text

        reported = await his.post("/monitoring/shortages", json=body)
        assert reported.status_code == 201, reported.text
        shortage = reported.json()
        assert (shortage["region_code"], shortage["handling_region_code"], shortage["hospital_code"],
                shortage["company_code"], shortage["status"]) == (
            "500103", "500103", hospital, market.manufacturers[0], "open")
        path = f"/monitoring/shortages/{shortage['id']}"
        assert (await neighbour.post(f"{path}/escalation", json={"note": "x"})).status_code == 404

        escalated = await county.post(f"{path}/escalation", json={"note": "区内无替代货源，请市级协调"})
        assert escalated.status_code == 200, escalated.text
        assert escalated.json()["handling_region_code"] == "500000"
        assert [(e["from"], e["to"]) for e in escalated.json()["escalations"]] == [("500103", "500000")]
        handled_above = await county.post(f"{path}/resolution", json={"action": "other", "resolution": "x"})
        assert handled_above.status_code == 403 and "500000" in handled_above.json()["detail"]
        top = await city.post(f"{path}/escalation", json={"note": "再上报"})
        assert top.status_code == 409 and "province" in top.json()["detail"]

        resolved = await city.post(f"{path}/resolution", json={
            "action": "transfer", "resolution": "剩余约定量转移至备选企业，次日恢复供应"})
        assert resolved.status_code == 200, resolved.text
        assert (resolved.json()["status"], resolved.json()["action"], resolved.json()["resolved_on"]) == (
            "resolved", "transfer", today())
        again = await city.post(f"{path}/resolution", json={"action": "other", "resolution": "x"})
        assert again.status_code == 409
        mine = (await his.get("/monitoring/shortages", params={"status": "resolved"})).json()["items"]
        assert [s["id"] for s in mine] == [shortage["id"]]

    async def test_supply_failure_alert_names_the_backups(self, shared_platform):
        """P0 gathers three late-supply breaches in 500103 (the policy's default 3 within 90 days),
        each a hospital's report the insurer confirmed; P1, its backup, is suspended while 100 of
        its agreed volume is left. Each gets one supply_failure alert; P0's names P1 as backup."""
        market = await build_market(shared_platform, hospitals=1, manufacturers=2, group="G1")
        await effective_agreements(shared_platform, market)
        [hospital], (p0, p1) = market.hospitals, market.product_ids
        bought = await purchase(market, hospital, [(p0, 1), (p0, 1), (p0, 1)])
        await shared_platform.settled()
        his, insurer = market.client(hospital), market.insurer
        for line_no in (1, 2, 3):
            filed = await his.post("/monitoring/supply-reports", json={
                "order_id": bought["order"]["id"], "line_no": line_no, "kind": "late", "occurred_on": today(),
                "description": "超过约定时限送达"})
            assert filed.status_code == 201, filed.text
            confirmed = await insurer.post(f"/monitoring/supply-reports/{filed.json()['id']}/decision", json={
                "decision": "confirm", "severity": "一般", "reason": "核实属实"})
            assert confirmed.status_code == 200, confirmed.text
        designated = await insurer.post(f"/catalog/products/{p0}/backups", json={
            "backup_product_id": p1, "region_code": "500103", "reason": "断供"})
        assert designated.status_code == 201, designated.text
        suspended = await shared_platform.admin.post(f"/catalog/products/{p1}/status", json={
            "status": "suspended", "reason": "质量问题暂停挂网"})
        assert suspended.status_code == 200, suspended.text
        await shared_platform.settled()
        assert (await insurer.post("/monitoring/alert-checks")).status_code == 200

        alerts = (await insurer.get("/monitoring/alerts", params={
            "batch_code": market.batch, "kind": "supply_failure"})).json()["items"]
        by_product = {a["product_id"]: a for a in alerts}
        assert set(by_product) == {p0, p1}, alerts
        failing = by_product[p0]
        assert (failing["rule"], failing["region_code"], failing["company_code"]) == (
            "MON-12", "500103", market.manufacturers[0])
        [breaches] = failing["details"]["breaches"]
        assert (breaches["region_code"], breaches["count"], breaches["threshold"], breaches["window_days"]) == (
            "500103", 3, 3, 90)
        assert [b["backup_product_id"] for b in failing["details"]["backups"]] == [p1]
        halted = by_product[p1]["details"]["halted"]
        assert (halted["status"], halted["volume_left"], by_product[p1]["details"]["backups"]) == (
            "suspended", {hospital: 100}, [])
        assert (await insurer.post("/monitoring/alert-checks")).status_code == 200
        again = (await insurer.get("/monitoring/alerts", params={
            "batch_code": market.batch, "kind": "supply_failure"})).json()["items"]
        assert len(again) == 2  # once a month
