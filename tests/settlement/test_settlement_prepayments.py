"""SET-3 prepayment plans end to end: contracts' effective agreements reach settlement as
plans, the insurer disburses through the gateway onto the SET-6 ledger, late tranches are
found by the ops check — one scenario per preset, its figures worked out from the seed."""

from __future__ import annotations

from sqlalchemy import text

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, today
from testsupport.settlement_setup import settlement_engine, settlement_events


async def ledger_cause(pg_server: str, transaction_id: int) -> tuple[str, str]:
    engine = settlement_engine(pg_server)
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(text(
                "SELECT cause_kind, cause_ref FROM ledger_transactions WHERE id = :id"), {"id": transaction_id})).one()
            return row[0], row[1]
    finally:
        await engine.dispose()


async def plan_of(platform, market, hospital: str, base: str) -> dict:
    """The hospital's plan once every effective agreement reached settlement (its base is complete)."""

    async def check():
        response = await market.insurer.get("/settlement/prepayments",
                                            params={"batch_code": market.batch, "hospital_code": hospital})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1 and items[0]["base"] == base, items
        return items[0]

    return await platform.eventually(check)


class TestChongqingPrepayment:
    """SET-3, chongqing-2025 (seeds 000/002: 次月底前将医保预付金的50%预付…第6个月末预付剩余金额):
    base = 1 × 730.00 + 3 × 740.00 = 2,950.00; ratio 1.0 → total 2,950.00; 1,475.00 by the end
    of the month after the 2026-06-01 start (2026-07-31) and 1,475.00 by the end of the 6th
    month (June is month 1 → 2026-11-30); a level-3 hospital draws on the employee fund."""

    async def test_plan_disbursement_ledger_and_late_check(self, shared_platform):
        market = await build_market(shared_platform, preset="chongqing-2025", starts_on="2026-06-01",
                                    manufacturers=2, year1={(0, 0): 1, (0, 1): 3})
        await effective_agreements(shared_platform, market)
        hospital = market.hospitals[0]
        plan = await plan_of(shared_platform, market, hospital, "2950.00")
        assert (plan["base"], plan["total"], plan["fund"], plan["prepaid_year"]) == ("2950.00", "2950.00",
                                                                                      "employee", 1)
        assert [(t["amount"], t["due_on"]) for t in plan["tranches"]] == [
            ("1475.00", "2026-07-31"), ("1475.00", "2026-11-30")]
        assert len(plan["explain"]["agreements"]) == 2 and plan["explain"]["ratio"] == "1"

        over = await market.insurer.post(f"/settlement/prepayments/{plan['id']}/disbursements",
                                         json={"tranche": 1, "amount": "1475.01", "disbursed_on": today()})
        assert over.status_code == 422 and is_problem(over) and over.json()["errors"][0]["field"] == "body.amount"
        paid = await market.insurer.post(f"/settlement/prepayments/{plan['id']}/disbursements",
                                         json={"tranche": 2, "amount": "1475.00", "disbursed_on": today()})
        assert paid.status_code == 201, paid.text
        assert paid.json()["plan_disbursed"] == "1475.00" and paid.json()["ledger_transaction_id"] > 0
        cause = await ledger_cause(shared_platform.platform.settings.database_url,
                                   paid.json()["ledger_transaction_id"])
        assert cause == ("request", paid.headers["x-request-id"])  # SET-6: the movement names its request
        wrong = await market.insurer.post(f"/settlement/prepayments/{plan['id']}/disbursements",
                                          json={"tranche": 1, "amount": "0.01", "disbursed_on": today()})
        undone = await market.insurer.post(
            f"/settlement/prepayments/{plan['id']}/disbursements/{wrong.json()['id']}/reversal",
            json={"reason": "录入错误"})
        assert undone.status_code == 201, undone.text
        assert (undone.json()["amount"], undone.json()["plan_disbursed"]) == ("0.01", "1475.00")
        twice = await market.insurer.post(
            f"/settlement/prepayments/{plan['id']}/disbursements/{wrong.json()['id']}/reversal",
            json={"reason": "again"})
        assert twice.status_code == 409 and is_problem(twice)
        company = market.client(market.manufacturers[0])
        refused = await company.post(f"/settlement/prepayments/{plan['id']}/disbursements",
                                     json={"tranche": 1, "amount": "1.00", "disbursed_on": today()})
        assert refused.status_code == 403

        # The real clock is past 2026-07-31 once this runs in late 2026; tranche 1 is late.
        checked = await market.insurer.post("/settlement/prepayments/late-checks")
        assert checked.status_code == 200, checked.text
        read = (await market.client(hospital).get(f"/settlement/prepayments/{plan['id']}")).json()
        first, second = read["tranches"]
        assert (first["disbursed"], second["disbursed"], read["disbursed"]) == ("0.00", "1475.00", "1475.00")
        # A tranche is late once its due date has passed without it disbursed in full by then:
        # tranche 2, disbursed today, is late too once today is past its due date (2026-11-30).
        expected = [n for n, t in ((1, first), (2, second)) if today() > t["due_on"]]
        assert [n for n, t in ((1, first), (2, second)) if t["late_on"] is not None] == expected
        late = await settlement_events(shared_platform.platform.settings.database_url,
                                       "settlement.prepayment.late", hospital)
        assert sorted((e["plan_id"], e["tranche"]) for e in late) == [(plan["id"], n) for n in expected]
        assert all(e["undisbursed_fen"] == 147500 for e in late if e["tranche"] == 1)
        account = await market.client(hospital).get(f"/settlement/ledger/accounts/hospital:{hospital}:prepayment")
        assert account.status_code == 200, account.text
        statement = account.json()
        assert (statement["balance"], statement["overdraft_allowed"]) == ("1475.00", False)
        assert [(m["amount"], m["counterparty"]) for m in statement["movements"]] == [
            ("-0.01", "fund:employee"), ("0.01", "fund:employee"), ("1475.00", "fund:employee")]
        assert statement["movements"][-1]["cause_ref"] == paid.headers["x-request-id"]
        assert (await market.client(hospital).get("/settlement/ledger/accounts/fund:employee")).status_code == 404
        fund = await market.insurer.get("/settlement/ledger/accounts/fund:employee")
        assert fund.status_code == 200 and fund.json()["overdraft_allowed"] is True
        planned = await settlement_events(shared_platform.platform.settings.database_url,
                                          "settlement.prepayment.planned", hospital)
        assert planned[-1]["total_fen"] == 295000
        disbursed = await settlement_events(shared_platform.platform.settings.database_url,
                                            "settlement.prepayment.disbursed", hospital)
        assert [(e["tranche"], e["amount_fen"], e["fund"]) for e in disbursed] == [
            (2, 147500, "employee"), (1, 1, "employee")]

    async def test_the_insurer_sets_the_total_from_the_monitoring_centre(self, shared_platform):
        """SET-3 (seeds 000/002: 市医保监测中心测算医保预付金): the figure and the reason in the explain."""
        market = await build_market(shared_platform, preset="chongqing-2025", year1={(0, 0): 2})
        await effective_agreements(shared_platform, market)
        plan = await plan_of(shared_platform, market, market.hospitals[0], "1460.00")
        response = await market.insurer.put(f"/settlement/prepayments/{plan['id']}/total",
                                            json={"total": "1000.01", "reason": "市医保监测中心测算"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["computed_total"], body["total"]) == ("1460.00", "1000.01")
        assert [t["amount"] for t in body["tranches"]] == ["500.01", "500.00"]
        assert body["explain"]["set_total"]["reason"] == "市医保监测中心测算"
        hospital = market.client(market.hospitals[0])
        assert (await hospital.put(f"/settlement/prepayments/{plan['id']}/total",
                                   json={"total": "1.00", "reason": "x"})).status_code == 403


class TestChuxiongPrepayment:
    """SET-3, chuxiong-2022 (seed 004: 按不低于年度约定采购金额30%的比例预付): base =
    1 × 730.00 + 3 × 740.00 = 2,950.00; × 0.3 = 885.00, one tranche (seed silent → §4 default)
    due by the end of the month after the 2026-06-01 start: 2026-07-31."""

    async def test_plan_of_the_agreement_year_and_who_sees_it(self, shared_platform):
        market = await build_market(shared_platform, preset="chuxiong-2022", starts_on="2026-06-01",
                                    manufacturers=2, hospitals=2, year1={(0, 0): 1, (0, 1): 3, (1, 0): 1})
        await effective_agreements(shared_platform, market)
        hospital = market.hospitals[0]
        plan = await plan_of(shared_platform, market, hospital, "2950.00")
        assert (plan["base"], plan["total"], plan["prepaid_year"]) == ("2950.00", "885.00", 1)
        assert [(t["amount"], t["due_on"]) for t in plan["tranches"]] == [("885.00", "2026-07-31")]
        assert plan["explain"]["ratio"] == "0.3" and plan["explain"]["frequency"] == "per_agreement_year"
        own = await market.client(hospital).get("/settlement/prepayments", params={"batch_code": market.batch})
        assert [p["id"] for p in own.json()["items"]] == [plan["id"]]
        await plan_of(shared_platform, market, market.hospitals[1], "730.00")
        page = (await market.insurer.get("/settlement/prepayments",
                                         params={"batch_code": market.batch, "limit": 1})).json()
        after = (await market.insurer.get("/settlement/prepayments", params={
            "batch_code": market.batch, "limit": 1, "cursor": page["next_cursor"]})).json()
        assert {page["items"][0]["hospital_code"], after["items"][0]["hospital_code"]} == set(market.hospitals)
        for body, field in (({"tranche": 1, "amount": "1.001", "disbursed_on": today()}, "amount"),
                            ({"tranche": 0, "amount": "1.00", "disbursed_on": today()}, "tranche"),
                            ({"tranche": 1, "amount": "1.00", "disbursed_on": "2026-02-30"}, "disbursed_on")):
            bad = await market.insurer.post(f"/settlement/prepayments/{plan['id']}/disbursements", json=body)
            assert bad.status_code == 422 and is_problem(bad), bad.text
            assert any(field in e["field"] for e in bad.json()["errors"]), bad.text
        huge = await market.insurer.get(f"/settlement/prepayments/{2**63}")
        assert huge.status_code == 422 and is_problem(huge)
        other = await market.insurer.get(f"/settlement/prepayments/{2**62}")
        assert other.status_code == 404 and is_problem(other)
        company = market.client(market.manufacturers[0])
        assert (await company.get("/settlement/prepayments")).status_code == 403
        assert (await company.get(f"/settlement/prepayments/{plan['id']}")).status_code == 403
