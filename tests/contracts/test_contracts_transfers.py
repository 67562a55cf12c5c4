"""CON-7 volume transfer through the gateway (seed 003: 不能保障质量和供应时…赔偿、惩戒、退出、备选和应急
保障措施; seed 004: 增加替补供应企业，由此产生的所有费用由中选企业承担): the insurer moves what remains
of a failing item (agreed − accepted net of returns) to the designated backup (CAT-13) as a new
agreement version the three parties sign — at once for orders, in an emergency — and an order
for the failing product is then refused naming the backup and its price; monitoring assesses the
failing item only to the day before (MON-1)."""

from __future__ import annotations

from datetime import date, timedelta

from testsupport.contracts_setup import (
    build_market, contracts_events, designate_and_sign, effective_agreements, is_problem, place_order, purchase,
    today,
)


async def designated_backup(platform, market, failing: int, backup: int) -> dict:
    """The insurer designates ``backup`` for ``failing`` in 500103 (CAT-13); contracts has heard of it."""
    designated = await market.insurer.post(f"/catalog/products/{failing}/backups", json={
        "backup_product_id": backup, "region_code": "500103", "reason": "中选企业断供，启用备选企业"})
    assert designated.status_code == 201, designated.text
    await platform.settled()
    return designated.json()


def problem_fields(response) -> dict[str, str]:
    assert is_problem(response), response.text
    return {e["field"]: e["reason"] for e in response.json().get("errors", [])}


class TestCon7VolumeTransfer:
    async def test_the_remaining_volume_moves_to_the_backup_and_the_failing_product_is_refused(
            self, shared_platform, pg_server):
        # H0 agreed 100 of P0 (manufacturer M0); H1 agreed 100 of P0 and 50 of P1 (M1), one group
        market = await build_market(shared_platform, hospitals=2, manufacturers=2, distributors=2, group="G1",
                                    year1={(0, 0): 100, (1, 0): 100, (1, 1): 50})
        agreements = await effective_agreements(shared_platform, market)
        h0, h1 = market.hospitals
        p0, p1 = market.product_ids
        m1 = market.manufacturers[1]
        await purchase(market, h0, [(p0, 30)])
        await designated_backup(shared_platform, market, p0, p1)

        not_a_backup = await market.insurer.post("/contracts/transfers", json={
            "failing_product_id": p1, "backup_product_id": p0, "reason": "断供"})
        assert not_a_backup.status_code == 422
        assert "not a designated backup" in problem_fields(not_a_backup)["body.backup_product_id"]
        too_much = await market.insurer.post("/contracts/transfers", json={
            "failing_product_id": p0, "backup_product_id": p1, "hospital_codes": [h0], "quantity": 71,
            "reason": "断供"})
        assert too_much.status_code == 422
        assert "agreed 100 − accepted net of returns 30 = 70" in problem_fields(too_much)["body.quantity"]
        for not_insurer in (market.exchange, market.client(h0), market.client(m1)):
            refused = await not_insurer.post("/contracts/transfers", json={
                "failing_product_id": p0, "backup_product_id": p1, "reason": "断供"})
            assert refused.status_code == 403 and is_problem(refused), refused.text

        # H0 has no agreement with M1: an emergency transfer names the distributor that supplies now
        moved = await market.insurer.post("/contracts/transfers", json={
            "failing_product_id": p0, "backup_product_id": p1, "hospital_codes": [h0], "emergency": True,
            "distributor_code": market.distributors[1], "reason": "中选企业断供，应急保障"})
        assert moved.status_code == 201, moved.text
        [row] = moved.json()["transfers"]
        assert (row["remaining"], row["quantity"], row["unit_price"], row["transfer_on"], row["backup_agreement_status"],
                row["hospital_name"]) == (70, 70, market.prices[p1], today(), "draft", "测试医院0")
        overlap = await market.insurer.post("/contracts/transfers", json={
            "failing_product_id": p0, "backup_product_id": p1, "hospital_codes": [h0], "reason": "again"})
        assert overlap.status_code == 409 and is_problem(overlap), overlap.text

        # an order for the failing product names the backup and its price; the backup's goes at once
        refused = await place_order(market, h0, [(p0, 5)])
        assert refused.status_code == 422, refused.text
        reason = problem_fields(refused)["body.lines[line_no=1].product_id"]
        assert f"backup product {p1}" in reason and market.prices[p1] in reason and "CON-7" in reason
        backup_order = await place_order(market, h0, [(p1, 5)])
        assert backup_order.status_code == 201, backup_order.text
        assert (backup_order.json()["lines"][0]["distributor_code"], backup_order.json()["lines"][0]["agreement_id"]) == (
            market.distributors[1], row["backup_agreement_id"])

        # the new agreement carries the 70 and is signed by the three parties
        draft = (await market.client(h0).get(f"/contracts/agreements/{row['backup_agreement_id']}")).json()
        assert (draft["manufacturer_code"], [(i["product_id"], i["agreed_quantity"]) for i in draft["items"]]) == (
            m1, [(p1, 70)])
        signed = await designate_and_sign(shared_platform, market, draft["id"], market.distributors[1])
        assert signed["status"] == "effective"

        # H1 already buys P1: all that remains (100) joins its item in a new version; orders of P1
        # follow the effective agreement until that version is signed
        whole = await market.insurer.post("/contracts/transfers", json={
            "failing_product_id": p0, "backup_product_id": p1, "hospital_codes": [h1], "reason": "断供"})
        assert whole.status_code == 201, whole.text
        [second] = whole.json()["transfers"]
        assert (second["remaining"], second["quantity"], second["emergency"]) == (100, 100, False)
        version = (await market.exchange.get(f"/contracts/agreements/{second['backup_agreement_id']}")).json()
        h1_m1 = next(a for a in agreements if (a["hospital_code"], a["manufacturer_code"]) == (h1, m1))
        assert (version["version"], version["status"], [(i["product_id"], i["agreed_quantity"]) for i in
                                                        version["items"]]) == (2, "draft", [(p1, 150)])
        routed = await place_order(market, h1, [(p1, 1)])
        assert routed.status_code == 201 and routed.json()["lines"][0]["agreement_id"] == h1_m1["id"], routed.text

        [event] = [e for e in await contracts_events(pg_server, "contracts.volume.transferred", h0)]
        assert (event["failing_product_id"], event["backup_product_id"], event["quantity"], event["backup_item_new"],
                event["emergency"]) == (p0, p1, 70, True, True)
        listed = (await market.client(h0).get("/contracts/transfers")).json()["items"]
        assert [t["id"] for t in listed] == [row["id"]]  # a hospital sees its own
        seen_by_m1 = (await market.client(m1).get("/contracts/transfers")).json()["items"]
        assert {t["id"] for t in seen_by_m1} == {row["id"], second["id"]}

        # MON-1: H0's failing item is assessed up to yesterday, pro rata; the backup's from today
        yesterday = (date.fromisoformat(today()) - timedelta(days=1)).isoformat()

        async def assessed():
            response = await market.client(h0).get("/monitoring/progress", params={"batch_code": market.batch})
            assert response.status_code == 200, response.text
            rows = {r["key"]["product_id"]: r for r in response.json()["items"]}
            assert set(rows) == {p0, p1}, rows
            return rows
        rows = await shared_platform.eventually(assessed)
        failing = rows[p0]["explain"]
        assert (failing["transfer"]["role"], failing["agreement_year"]["last"], rows[p0]["target"]) == (
            "failing", yesterday, "1.0000")
        first = date.fromisoformat(failing["agreement_year"]["first"])
        days = (date.fromisoformat(yesterday) - first).days + 1
        assert failing["assessed_formula"].startswith(f"agreed × {days} ÷ ")
        assert rows[p1]["explain"]["agreement_year"]["first"] == today()
