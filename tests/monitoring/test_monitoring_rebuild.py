"""MON-8 rebuild (and MON-11's reconciliation): an admin rebuilds monitoring's read models by replaying every topic from the
beginning (``POST /monitoring/read-model-rebuilds``), and every figure read before equals the
figure read after — on the scenario platform, after a history with returns, a delivery after
the return, a declined line, a payment reversed, an invoice reversed (红冲) and a volume
transferred from a failing winner (CON-7)."""

from __future__ import annotations

import uuid

from testsupport.contracts_setup import build_market, effective_agreements, place_order, purchase
from testsupport.scenario_setup import set_today


async def snapshot(platform) -> dict:
    admin = platform.admin
    reads = {
        "progress": ("/monitoring/progress", {"as_of": "2026-07-31", "limit": 500}),
        "progress by hospital": ("/monitoring/progress", {"as_of": "2026-07-31", "group_by": "hospital",
                                                          "limit": 500}),
        "report 2026-06": ("/monitoring/reports/monthly", {"month": "2026-06"}),
        "report 2026-07": ("/monitoring/reports/monthly", {"month": "2026-07"}),
        "timeliness 2026-07": ("/monitoring/timeliness", {"month": "2026-07"}),
        "performance": ("/monitoring/performance", {"first": "2026-06-01", "last": "2026-07-31",
                                                    "as_of": "2026-07-31"}),
        "prepayment use": ("/monitoring/prepayment-use", {"as_of": "2026-07-31"}),
        "off-platform 2026-06 (MON-11)": ("/monitoring/his/off-platform", {"month": "2026-06"}),
    }
    taken = {}
    for name, (path, params) in reads.items():
        response = await admin.get(path, params=params)
        assert response.status_code == 200, (name, response.text)
        taken[name] = response.json()
    return taken


class TestRebuildByReplay:
    async def test_mon8_rebuilt_read_models_equal_the_incrementally_kept_ones(self, scenario_platform):
        platform = scenario_platform
        await set_today(platform, "2026-05-25")
        market = await build_market(platform, quantity=100)
        await effective_agreements(platform, market)
        hospital, product = market.hospitals[0], market.product_ids[0]
        his, biller = market.client(hospital), market.client(market.distributors[0])
        await set_today(platform, "2026-06-15")
        first = (await purchase(market, hospital, [(product, 10)], delivered_on="2026-06-15",
                                accepted_on="2026-06-15"))["deliveries"][0]
        await set_today(platform, "2026-06-20")
        returned = await his.post("/contracts/returns", json={"delivery_id": first["id"], "line_no": 1, "quantity": 3,
                                                              "reason": "包装破损", "returned_on": "2026-06-20"})
        assert returned.status_code == 201, returned.text
        second = (await purchase(market, hospital, [(product, 5)], delivered_on="2026-06-20",
                                 accepted_on="2026-06-20"))["deliveries"][0]
        declined = await place_order(market, hospital, [(product, 4)])
        assert (await biller.post(f"/contracts/orders/{declined.json()['id']}/confirmation", json={
            "lines": [{"line_no": 1, "decision": "decline", "reason": "缺货"}]})).status_code == 200

        price = market.prices[product]
        fen = round(float(price) * 100)

        async def invoiced(delivery: dict, quantity: int) -> dict:
            async def submit():
                response = await biller.post("/settlement/invoices", json={
                    "number": f"INV-{uuid.uuid4().hex[:10]}", "amount": f"{fen * quantity / 100:.2f}",
                    "lines": [{"delivery_id": delivery["id"], "line_no": 1, "quantity": quantity}]})
                assert response.status_code == 201, response.text
                return response.json()
            return await platform.eventually(submit)
        kept = await invoiced(first, 7)
        assert (await his.post(f"/settlement/invoices/{kept['id']}/acceptance",
                               json={"decision": "accept"})).status_code == 200
        wrong = await invoiced(second, 5)
        assert (await biller.post(f"/settlement/invoices/{wrong['id']}/reversal",
                                  json={"reason": "开票错误"})).status_code in (200, 201)
        await set_today(platform, "2026-06-25")
        paid = await his.post("/settlement/payments", json={"invoice_id": kept["id"], "amount": "100.00",
                                                            "paid_on": "2026-06-25"})
        assert paid.status_code == 201, paid.text
        assert (await his.post(f"/settlement/payments/{paid.json()['id']}/reversal",
                               json={"reason": "录入错误"})).status_code == 201
        assert (await his.post("/settlement/payments", json={"invoice_id": kept["id"], "amount": f"{fen * 7 / 100:.2f}",
                                                             "paid_on": "2026-06-25"})).status_code == 201
        code = f"REBUILD{uuid.uuid4().hex[:8]}"  # MON-11: the HIS stocked in 15 in June, the platform kept 12
        assert (await platform.admin.put(f"/monitoring/his/mappings/{code}", json={"product_id": product})
                ).status_code == 200
        assert (await his.post("/monitoring/his/3503", json=[{
            "med_list_codg": code, "fixmedins_hilist_id": "HC1", "fixmedins_hilist_name": "吻合器", "fixmedins_bchno": "R1",
            "spler_name": "某经销部", "manu_lotnum": "L1", "prdr_name": "某企业", "aprvno": "国械注准1",
            "manu_date": "2026-01-01", "expy_end": "2028-01-01", "purc_retn_cnt": "15", "rx_flag": "0",
            "purc_retn_stoin_time": "2026-06-15 09:00:00"}])).status_code == 200
        await set_today(platform, "2026-06-26")  # CON-7: a winner fails, its volume left moves to the backup
        failed = await build_market(platform, manufacturers=2, group="G1", year1={(0, 0): 50})
        await effective_agreements(platform, failed)
        (failing, backup), [buyer] = failed.product_ids, failed.hospitals
        assert (await failed.insurer.post(f"/catalog/products/{failing}/backups", json={
            "backup_product_id": backup, "region_code": "500103", "reason": "断供"})).status_code == 201
        await platform.settled()
        moved = await failed.insurer.post("/contracts/transfers", json={
            "failing_product_id": failing, "backup_product_id": backup, "emergency": True,
            "distributor_code": failed.distributors[0], "reason": "断供", "hospital_codes": [buyer]})
        assert moved.status_code == 201, moved.text
        await platform.settled()
        before = await snapshot(platform)
        transferred = {r["key"]["product_id"]: r["explain"]["transfer"]["role"] for r in before["progress"]["items"]
                       if r["key"]["batch_code"] == failed.batch}
        assert transferred == {failing: "failing"}  # the backup's item is in force once its agreement is signed
        mine = [r for r in before["progress"]["items"] if r["key"]["batch_code"] == market.batch]
        assert [(r["accepted_quantity"]) for r in mine] == [12]  # 10 − 3 + 5
        [off] = [r for r in before["off-platform 2026-06 (MON-11)"]["items"] if r["product_id"] == product]
        assert (off["his_net"], off["platform_net"], off["off_platform"]) == ("15.0000", "12.0000", "3.0000")

        assert (await his.post("/monitoring/read-model-rebuilds")).status_code == 403
        rebuilt = await platform.admin.post("/monitoring/read-model-rebuilds")
        assert rebuilt.status_code == 202, rebuilt.text
        assert "accepted_lines" in rebuilt.json()["tables"] and "alerts" not in rebuilt.json()["tables"]
        assert "his_records" not in rebuilt.json()["tables"]  # what the HIS sent is kept; the figures come back
        body = await platform.settled()
        assert body["services"]["monitoring"]["consumer"]["replays"] == 1
        assert await snapshot(platform) == before
