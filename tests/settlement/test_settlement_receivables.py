"""SET-2 receivables ageing (应收账款账龄) end to end through the gateway: GET
/settlement/receivables?as_of= ages a company's live invoices with an unpaid balance by days
overdue = as_of − due_on into not_due (≤ 0), overdue_1_30, overdue_31_60, overdue_61_90 and
overdue_over_90, per hospital too, and reconciles with its SET-6 ledger receivable. The
shared platform's clock is real: the invoices are due at the end of the month after today
(chongqing-2025, SET-1), and each ``as_of`` is placed from that date by hand — the default
is the service clock's today. Role matrix per GW-5. Shared setup in tests/settlement_setup.py."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

from testsupport.contracts_setup import build_market, credit_code, effective_agreements, is_problem, purchase, today
from testsupport.settlement_setup import Purchase, billable, ledger_balance, submitted

BUCKETS = ("not_due", "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_over_90")
ZERO = {"amount": "0.00", "count": 0}


def end_of_next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def only(bucket: str, amount: str, count: int) -> dict:
    return {name: ({"amount": amount, "count": count} if name == bucket else ZERO) for name in BUCKETS}


async def two_hospitals(platform) -> tuple[Purchase, Purchase]:
    """One distributor delivering 10 to hospital 0 and 1 to hospital 1, at 730.00 each."""
    market = await build_market(platform, hospitals=2)
    await effective_agreements(platform, market)
    product = market.product_ids[0]
    deals = []
    for hospital, quantity in zip(market.hospitals, (10, 1)):
        delivery = (await purchase(market, hospital, [(product, quantity)]))["deliveries"][0]
        deal = Purchase(market=market, hospital=hospital, distributor=delivery["distributor_code"],
                        manufacturer=market.manufacturers[0], delivery_id=delivery["id"], line_no=1,
                        quantity=quantity, unit_price=market.prices[product], accepted_on=delivery["accepted_on"])
        await billable(platform, deal, accepted=quantity)
        deals.append(deal)
    return deals[0], deals[1]


async def decide(deal: Purchase, invoice: dict, decision: str = "accept") -> None:
    body = {"decision": decision, "reason": None if decision == "accept" else "数量不符"}
    response = await deal.his.post(f"/settlement/invoices/{invoice['id']}/acceptance", json=body)
    assert response.status_code == 200, response.text


async def pay(deal: Purchase, invoice: dict, amount: str) -> dict:
    response = await deal.his.post("/settlement/payments", json={
        "invoice_id": invoice["id"], "amount": amount, "paid_on": today()})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
async def book(shared_platform):
    """Hospital 0: 3 accepted (2,190.00) with 190.00 paid → 2,000.00; 2 submitted → 1,460.00;
    1 accepted and paid → out; 1 reversed → out; 1 rejected → out; 1 accepted, paid and the
    payment reversed → 730.00 again. Hospital 1: 1 accepted → 730.00. Owed 4,920.00 in 4
    invoices, 3,460.00 of it accepted (the ledger receivable), 1,460.00 only submitted."""
    first, second = await two_hospitals(shared_platform)
    partly = await submitted(first, 3)
    await decide(first, partly)
    await pay(first, partly, "190.00")
    pending = await submitted(first, 2)
    settled = await submitted(first, 1)
    await decide(first, settled)
    await pay(first, settled, "730.00")
    withdrawn = await submitted(first, 1)
    assert (await first.biller.post(f"/settlement/invoices/{withdrawn['id']}/reversal",
                                    json={"reason": "红冲"})).status_code == 200
    refused = await submitted(first, 1)
    await decide(first, refused, "reject")
    undone = await submitted(first, 1)
    await decide(first, undone)
    payment = await pay(first, undone, "730.00")
    assert (await first.his.post(f"/settlement/payments/{payment['id']}/reversal",
                                 json={"reason": "录入错误"})).status_code == 201
    other = await submitted(second, 1)
    await decide(second, other)
    due_on = end_of_next_month(date.fromisoformat(first.accepted_on))
    assert {i["due_on"] for i in (partly, pending, undone, other)} == {due_on.isoformat()}
    return {"first": first, "second": second, "due_on": due_on, "open": {
        partly["id"]: "2000.00", pending["id"]: "1460.00", undone["id"]: "730.00", other["id"]: "730.00"}}


async def receivables(client, **params):
    return await client.get("/settlement/receivables", params=params)


class TestAgeing:
    """SET-2: days overdue = as_of − due_on, bucketed at 0, 30, 60 and 90 days."""

    async def test_by_default_on_the_clocks_today_nothing_is_due_yet(self, book):
        response = await receivables(book["first"].biller)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["company_code"], body["as_of"]) == (book["first"].distributor, today())
        assert body["buckets"] == only("not_due", "4920.00", 4)
        assert body["total"] == {"amount": "4920.00", "count": 4}
        assert {i["id"]: i["unpaid"] for i in body["invoices"]} == book["open"]
        days = (date.fromisoformat(today()) - book["due_on"]).days
        assert {i["days_overdue"] for i in body["invoices"]} == {days} and days < 0
        assert body["explain"]["rule"] == "SET-2" and "as_of − due_on" in body["explain"]["days_overdue"]

    @pytest.mark.parametrize("days, bucket", [
        (0, "not_due"), (1, "overdue_1_30"), (30, "overdue_1_30"), (31, "overdue_31_60"), (60, "overdue_31_60"),
        (61, "overdue_61_90"), (90, "overdue_61_90"), (91, "overdue_over_90")])
    async def test_each_boundary_falls_in_its_bucket(self, book, days, bucket):
        as_of = (book["due_on"] + timedelta(days=days)).isoformat()
        body = (await receivables(book["first"].biller, as_of=as_of)).json()
        assert body["as_of"] == as_of
        assert body["buckets"] == only(bucket, "4920.00", 4)
        assert [(h["hospital_code"], h["buckets"], h["total"]) for h in body["hospitals"]] == sorted([
            (book["first"].hospital, only(bucket, "4190.00", 3), {"amount": "4190.00", "count": 3}),
            (book["second"].hospital, only(bucket, "730.00", 1), {"amount": "730.00", "count": 1})])
        assert {(i["days_overdue"], i["bucket"]) for i in body["invoices"]} == {(days, bucket)}

    async def test_the_ledger_receivable_holds_the_accepted_unpaid(self, book):
        """SET-6: company:<C>:receivable = Σ unpaid of accepted invoices (3,460.00); the
        submitted 1,460.00 is not owed until accepted."""
        deal = book["first"]
        ledger = (await receivables(deal.biller)).json()["ledger"]
        assert ledger == {"account": f"company:{deal.distributor}:receivable", "balance": "3460.00",
                          "accepted_unpaid": "3460.00", "submitted_unpaid": "1460.00", "reconciles": True}
        assert await ledger_balance(deal.biller, f"company:{deal.distributor}:receivable") == "3460.00"


class TestWhoReads:
    """SET-2 × GW-5: a company its own, overseers any company they name, hospitals none."""

    async def test_the_company_reads_its_own_and_no_other(self, shared_platform, book):
        deal = book["first"]
        own = await receivables(deal.biller, company_code=deal.distributor)
        assert own.status_code == 200 and own.json()["total"] == {"amount": "4920.00", "count": 4}
        stranger = credit_code()
        foreign = await receivables(deal.biller, company_code=stranger)
        assert foreign.status_code == 404 and is_problem(foreign), foreign.text
        another = shared_platform.client(await shared_platform.issue_key("company", stranger))
        theirs = await receivables(another)
        assert theirs.status_code == 200, theirs.text
        assert (theirs.json()["company_code"], theirs.json()["total"], theirs.json()["invoices"]) == (stranger, ZERO, [])
        peek = await receivables(another, company_code=deal.distributor)
        assert peek.status_code == 404 and is_problem(peek), peek.text

    async def test_a_hospital_reads_none(self, book):
        deal = book["first"]
        for params in ({}, {"company_code": deal.distributor}):
            refused = await receivables(deal.his, **params)
            assert refused.status_code == 403 and is_problem(refused), refused.text

    @pytest.mark.parametrize("role, tenant", [("insurer", "500000"), ("exchange", "CQ-EXCHANGE")])
    async def test_overseers_name_the_company(self, shared_platform, book, role, tenant):
        client = shared_platform.client(await shared_platform.issue_key(role, tenant))
        unnamed = await receivables(client)
        assert unnamed.status_code == 422 and is_problem(unnamed), unnamed.text
        assert unnamed.json()["errors"][0]["field"] == "query.company_code"
        as_of = (book["due_on"] + timedelta(days=45)).isoformat()
        named = await receivables(client, company_code=book["first"].distributor, as_of=as_of)
        assert named.status_code == 200, named.text
        assert named.json()["buckets"] == only("overdue_31_60", "4920.00", 4)

    async def test_a_malformed_date_names_the_field(self, book):
        refused = await receivables(book["first"].biller, as_of="2026-13-01")
        assert refused.status_code == 422 and is_problem(refused), refused.text
        assert refused.json()["errors"][0]["field"] == "query.as_of"
