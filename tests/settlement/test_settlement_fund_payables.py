"""SET-4 through the gateway: the insurer posts a month's fund payables in bulk, offsets and
net come back with their explain, corrections keep both versions, a hospital reads its
monthly statement as JSON and .xlsx; who may do what (GW-5); Idempotency-Key (DESIGN §5)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, today
from testsupport.settlement_setup import disburse_all
from test_settlement_prepayments import plan_of


def row(hospital: str, month: str, amount: str, paid_on: str, fund: str = "employee") -> dict:
    return {"hospital_code": hospital, "fund": fund, "month": month, "amount": amount, "paid_on": paid_on}


async def balance(client, address: str) -> str:
    response = await client.get(f"/settlement/ledger/accounts/{address}")
    assert response.status_code == 200, response.text
    return response.json()["balance"]


class TestAMonthOfFundPayables:
    """chongqing-2025, a one-year cycle 2025-06-01 … 2026-05-31: offsets from the payable of
    2026-06 (seed 000: 采购周期结束后的次月起). Agreed 10 × 730.00 = 7,300.00, ratio 1.0,
    disbursed in full; a level-3 hospital, so the employee fund (职工医保)."""

    async def test_set4_post_offset_correct_and_read_the_statement(self, shared_platform):
        market = await build_market(shared_platform, preset="chongqing-2025", starts_on="2025-06-01", cycle_years=1,
                                    year1={(0, 0): 10})
        await effective_agreements(shared_platform, market)
        hospital = market.hospitals[0]
        plan = await plan_of(shared_platform, market, hospital, "7300.00")
        await disburse_all(market, plan, today())

        key = str(uuid.uuid4())
        body = {"rows": [row(hospital, "2026-05", "1000.00", "2026-06-10"),
                         row(hospital, "2026-06", "5000.00", "2026-07-10"),
                         row(hospital, "2026-07", "4000.00", "2026-08-10"),
                         row("H-NOT-REGISTERED", "2026-07", "1.00", "2026-08-10")]}
        posted = await market.insurer.post("/settlement/fund-payables", json=body, headers={"Idempotency-Key": key})
        assert posted.status_code == 207, posted.text  # one row refused, the others posted (issue 23)
        result = posted.json()
        assert (result["received"], result["posted"], result["rejected"]) == (4, 3, 1)
        assert (result["rows"][3]["row"], result["rows"][3]["errors"][0]["field"]) == (4, "hospital_code")
        # May is inside the cycle: nothing offset. June takes 5,000.00 of the 7,300.00, net 0;
        # July the other 2,300.00, net 4,000.00 − 2,300.00 = 1,700.00.
        assert [(r["offset"], r["net"]) for r in result["rows"][:3]] == [
            ("0.00", "1000.00"), ("5000.00", "0.00"), ("2300.00", "1700.00")]
        assert result["rows"][2]["offsets"][0]["explain"]["first_offset_month"] == "2026-06"
        replay = await market.insurer.post("/settlement/fund-payables", json=body, headers={"Idempotency-Key": key})
        assert replay.json() == result  # the first response again, nothing posted twice
        other = await market.insurer.post("/settlement/fund-payables", json={"rows": body["rows"][:1]},
                                          headers={"Idempotency-Key": key})
        assert other.status_code == 409 and is_problem(other)

        assert await balance(market.insurer, f"hospital:{hospital}:prepayment") == "0.00"
        assert await balance(market.insurer, f"hospital:{hospital}:settled") == "10000.00"
        # issue 23, item 7: the plan says what came back and what is left as fields of its own
        read = (await market.client(hospital).get(f"/settlement/prepayments/{plan['id']}")).json()
        assert (read["disbursed"], read["offset"], read["refunded"], read["outstanding"]) == (
            "7300.00", "7300.00", "0.00", "0.00")

        corrected = await market.insurer.post("/settlement/fund-payables", json={"rows": [
            row(hospital, "2026-06", "6000.00", "2026-07-12")]})
        fixed = corrected.json()["rows"][0]
        assert (fixed["status"], fixed["corrects_payable_id"]) == ("corrected", result["rows"][1]["payable_id"])
        # June's 5,000.00 went back to the plan; 6,000.00 takes 6,000.00 of the 7,300.00 − 2,300.00 left
        # by July = 5,000.00 outstanding … so 5,000.00, net 1,000.00
        assert (fixed["offset"], fixed["net"]) == ("5000.00", "1000.00")
        old = await market.insurer.get(f"/settlement/fund-payables/{result['rows'][1]['payable_id']}")
        assert (old.json()["status"], old.json()["superseded_by_id"]) == ("superseded", fixed["payable_id"])

        his = market.client(hospital)
        statement = await his.get(f"/settlement/hospitals/{hospital}/statements/2026-06")
        assert statement.status_code == 200, statement.text
        read = statement.json()
        assert (read["totals"]["payable"], read["totals"]["offsets"], read["totals"]["net"]) == (
            "6000.00", "5000.00", "1000.00")
        assert read["funds"][0]["superseded_versions"] == [result["rows"][1]["payable_id"]]
        assert read["prepayment_outstanding"] == "0.00"
        sheet = await his.get(f"/settlement/hospitals/{hospital}/statements/2026-06", params={"format": "xlsx"})
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        cells = [[c for c in r] for r in load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True)]
        total = next(r for r in cells if r[0] == "合计 total")
        assert [Decimal(str(v)) for v in total[2:6]] == [Decimal("6000"), 0, Decimal("5000"), Decimal("1000")]
        # issue 23, item 4: the hospital named beside its code; "paid on" a date, not text
        assert read["hospital_name"] and cells[1][:3] == ["医疗机构 hospital", hospital, read["hospital_name"]]
        [employee] = [r for r in cells if r[0] == read["funds"][0]["fund"]]
        assert employee[6] == datetime.fromisoformat(read["funds"][0]["paid_on"])

        stranger = market.client(market.manufacturers[0])
        assert (await stranger.get(f"/settlement/hospitals/{hospital}/statements/2026-06")).status_code == 404
        mine = await his.get("/settlement/fund-payables", params={"month": "2026-06"})
        assert [p["id"] for p in mine.json()["items"]] == [fixed["payable_id"]]

    async def test_set4_only_the_insurer_posts_and_bad_bodies_are_named(self, shared_platform):
        market = await build_market(shared_platform)
        hospital = market.hospitals[0]
        body = {"rows": [row(hospital, "2026-05", "1.00", "2026-06-10")]}
        for client in (market.client(hospital), market.client(market.manufacturers[0]), market.exchange):
            refused = await client.post("/settlement/fund-payables", json=body)
            assert refused.status_code == 403 and is_problem(refused)
        bad = await market.insurer.post("/settlement/fund-payables", json={"rows": [
            {**body["rows"][0], "month": "2026-13"}, {**body["rows"][0], "amount": "-1.00"},
            {**body["rows"][0], "amount": "99999999999999999999.99"}]})  # beyond any BIGINT of fen
        assert bad.status_code == 422 and is_problem(bad)
        assert {e["field"] for e in bad.json()["errors"]} >= {"body.rows.0.month", "body.rows.1.amount",
                                                               "body.rows.2.amount"}
        too_many = await market.insurer.post("/settlement/fund-payables", json={"rows": body["rows"] * 10_001})
        assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "body.rows"
        listed = await market.insurer.get("/settlement/fund-payables", params={"hospital_code": hospital})
        assert listed.json()["items"] == []  # nothing of the refused posts was written

    async def test_set4_concurrent_posts_of_one_month_make_one_version_each(self, shared_platform):
        """Found by bench/chaos.py: two posts of a hospital's first payable of a month, or two
        corrections of it, at the same moment both wrote the same version number (a 500).
        Each post now waits for the other: every one is a version, exactly one is live."""
        market = await build_market(shared_platform)
        hospital = market.hospitals[0]
        amounts = [f"{1000 + n}.00" for n in range(8)]
        answers = await asyncio.gather(*(market.insurer.post("/settlement/fund-payables", json={
            "rows": [row(hospital, "2026-05", amount, "2026-06-10")]}) for amount in amounts))
        assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers if a.status_code != 200]
        assert sorted(a.json()["rows"][0]["status"] for a in answers) == ["corrected"] * 7 + ["posted"]
        listed = (await market.insurer.get("/settlement/fund-payables", params={
            "hospital_code": hospital, "month": "2026-05", "include_superseded": "true"})).json()["items"]
        assert sorted(p["version"] for p in listed) == list(range(1, 9))
        live = [p for p in listed if p["status"] == "live"]
        assert len(live) == 1 and live[0]["version"] == 8
        assert await balance(market.insurer, f"hospital:{hospital}:settled") == live[0]["amount"]
