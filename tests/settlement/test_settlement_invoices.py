"""SET-1 invoices end to end through the gateway: the billing limit net of returns and live
invoices, due dates by the batch policy with their explain, the hospital's decision,
reversal (红冲), the GW-5 role × tenant matrix and Idempotency-Key; shared setup in
tests/settlement_setup.py."""

from __future__ import annotations

import asyncio
import calendar
import uuid
from datetime import date, timedelta

import pytest

from testsupport.contracts_setup import credit_code, is_problem, today
from testsupport.settlement_setup import (
    accepted_invoice,
    accepted_purchase,
    billable,
    invoice_body,
    settlement_events,
    submitted,
    yuan,
)


def refused_line(response, max_quantity: int) -> dict:
    assert response.status_code == 422 and is_problem(response), response.text
    error = response.json()["errors"][0]
    assert error["field"] == "body.lines[0].quantity"
    assert error["max_quantity"] == max_quantity
    assert f"may bill at most {max_quantity}" in error["reason"]
    return error


async def invoices_of(client) -> list[dict]:
    response = await client.get("/settlement/invoices")
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestBillingLimit:
    """SET-1: a line bills at most accepted − returned − what other live invoices bill; the
    error names the line and the most it may bill, and nothing is written."""

    async def test_a_line_bills_exactly_its_accepted_quantity_and_not_one_more(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=10)
        error = refused_line(await deal.biller.post("/settlement/invoices", json=invoice_body(deal, 11)), 10)
        assert f"delivery {deal.delivery_id} line 1" in error["reason"]
        assert await invoices_of(deal.biller) == []
        first = await submitted(deal, 6)
        assert (first["amount"], first["status"]) == (yuan(deal.unit_price, 6), "submitted")
        refused_line(await deal.biller.post("/settlement/invoices", json=invoice_body(deal, 5)), 4)
        await submitted(deal, 4)
        line = await billable(shared_platform, deal)
        assert (line["invoiced_quantity"], line["billable_quantity"]) == (10, 0)

    async def test_a_return_reduces_what_may_be_billed(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=10)
        returned = await deal.his.post("/contracts/returns", json={
            "delivery_id": deal.delivery_id, "line_no": 1, "quantity": 3, "reason": "包装破损", "returned_on": today()})
        assert returned.status_code == 201, returned.text
        await billable(shared_platform, deal, returned=3)
        refused_line(await deal.biller.post("/settlement/invoices", json=invoice_body(deal, 8)), 7)
        await submitted(deal, 7)

    async def test_reversal_frees_the_lines_for_a_replacement(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=5)
        first = await accepted_invoice(deal, 5)
        refused_line(await deal.biller.post("/settlement/invoices", json=invoice_body(deal, 1)), 0)
        reversed_ = await deal.biller.post(f"/settlement/invoices/{first['id']}/reversal", json={"reason": "开票有误"})
        assert reversed_.status_code == 200, reversed_.text
        assert (reversed_.json()["status"], reversed_.json()["reversal_reason"]) == ("reversed", "开票有误")
        replacement = await submitted(deal, 5)
        assert replacement["status"] == "submitted"
        again = await deal.biller.post(f"/settlement/invoices/{first['id']}/reversal", json={"reason": "再次"})
        assert again.status_code == 409 and is_problem(again)
        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.invoice.reversed", deal.hospital)
        assert [(e["invoice_id"], e["reason"]) for e in events] == [(first["id"], "开票有误")]

    async def test_a_rejected_invoice_frees_its_lines(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=4)
        first = await submitted(deal, 4)
        rejected = await deal.his.post(f"/settlement/invoices/{first['id']}/acceptance",
                                       json={"decision": "reject", "reason": "数量不符"})
        assert rejected.status_code == 200, rejected.text
        await submitted(deal, 4)

    async def test_the_amount_must_be_the_lines_total(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        response = await deal.biller.post("/settlement/invoices", json=invoice_body(deal, 2, amount="1.00"))
        assert response.status_code == 422 and is_problem(response)
        assert [e["field"] for e in response.json()["errors"]] == ["body.amount"]
        assert await invoices_of(deal.biller) == []

    async def test_the_number_is_unique_per_company(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        first = await submitted(deal, 1)
        response = await deal.biller.post("/settlement/invoices", json=invoice_body(deal, 1, number=first["number"]))
        assert response.status_code == 409 and is_problem(response)
        assert response.json()["errors"][0]["field"] == "body.number"
        assert [i["id"] for i in await invoices_of(deal.biller)] == [first["id"]]

    async def test_a_line_not_accepted_from_you_is_refused(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        body = invoice_body(deal, 1)
        body["lines"][0]["delivery_id"] = deal.delivery_id + 10**9
        response = await deal.biller.post("/settlement/invoices", json=body)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.lines[0]"


class TestListing:
    """DESIGN §5: the invoice list is paginated by cursor, newest first, and scoped (GW-5)."""

    async def test_pages_follow_the_cursor_without_gaps_or_repeats(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=3)
        ids = [(await submitted(deal, 1))["id"] for _ in range(3)]
        seen, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor is not None else {})
            page = await deal.his.get("/settlement/invoices", params=params)
            assert page.status_code == 200, page.text
            assert len(page.json()["items"]) <= 2
            seen += [item["id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
        assert set(ids) <= set(seen)  # the hospital's own invoices, newest first
        outsider = shared_platform.client(await shared_platform.issue_key("hospital", "H500101999"))
        assert (await outsider.get("/settlement/invoices")).json() == {"items": [], "next_cursor": None}


class TestDueDate:
    """SET-1: each line is due from its acceptance date by the batch policy; the invoice on
    the earliest; ``explain`` shows the rule and its inputs."""

    async def test_chongqing_is_due_at_the_end_of_the_month_after_acceptance(self, shared_platform):
        deal = await accepted_purchase(shared_platform, preset="chongqing-2025", quantity=2)
        invoice = await submitted(deal, 2)
        accepted_on = date.fromisoformat(deal.accepted_on)
        year, month = (accepted_on.year + accepted_on.month // 12, accepted_on.month % 12 + 1)
        expected = date(year, month, calendar.monthrange(year, month)[1]).isoformat()
        assert invoice["due_on"] == invoice["lines"][0]["due_on"] == expected
        explain = invoice["explain"]
        assert (explain["rule"], explain["due_on"]) == ("SET-1", expected)
        line = explain["lines"][0]
        assert (line["rule"], line["preset"], line["accepted_on"], line["due_on"]) == (
            "SET-1", "chongqing-2025", deal.accepted_on, expected)

    async def test_chuxiong_is_due_thirty_days_after_acceptance(self, shared_platform):
        deal = await accepted_purchase(shared_platform, preset="chuxiong-2022", quantity=2)
        invoice = await submitted(deal, 2)
        expected = (date.fromisoformat(deal.accepted_on) + timedelta(days=30)).isoformat()
        assert invoice["due_on"] == expected
        line = invoice["explain"]["lines"][0]
        assert (line["preset"], line["due"], line["due_on"]) == ("chuxiong-2022", {"kind": "days_after_acceptance",
                                                                                     "days": 30}, expected)


class TestDecision:
    """SET-1: the hospital billed accepts or rejects (with a reason), once."""

    async def test_accept_once_and_the_event_is_published(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        invoice = await submitted(deal, 2)
        url = f"/settlement/invoices/{invoice['id']}/acceptance"
        accepted = await deal.his.post(url, json={"decision": "accept"})
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
        again = await deal.his.post(url, json={"decision": "reject", "reason": "迟了"})
        assert again.status_code == 409 and is_problem(again)
        pg = shared_platform.platform.settings.database_url
        assert [e["invoice_id"] for e in await settlement_events(pg, "settlement.invoice.submitted", deal.hospital)] \
            == [invoice["id"]]
        assert [(e["invoice_id"], e["due_on"]) for e in
                await settlement_events(pg, "settlement.invoice.accepted", deal.hospital)] == [
            (invoice["id"], invoice["due_on"])]

    async def test_a_rejection_needs_a_reason(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        invoice = await submitted(deal, 2)
        response = await deal.his.post(f"/settlement/invoices/{invoice['id']}/acceptance", json={"decision": "reject"})
        assert response.status_code == 422 and is_problem(response)
        assert "body.reason" in [e["field"] for e in response.json()["errors"]]
        assert (await deal.his.get(f"/settlement/invoices/{invoice['id']}")).json()["status"] == "submitted"


class TestIdempotency:
    """§5: a retried submit with the same Idempotency-Key replays the answer, one invoice."""

    async def test_a_replayed_submit_creates_one_invoice(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=3)
        body, headers = invoice_body(deal, 3), {"Idempotency-Key": uuid.uuid4().hex}
        first = await deal.biller.post("/settlement/invoices", json=body, headers=headers)
        second = await deal.biller.post("/settlement/invoices", json=body, headers=headers)
        assert first.status_code == second.status_code == 201, second.text
        assert second.json() == first.json()
        assert second.headers.get("idempotent-replayed") == "true"
        assert [i["id"] for i in await invoices_of(deal.biller)] == [first.json()["id"]]

    async def test_a_replayed_decision_and_reversal_answer_as_the_first_did(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=2)
        invoice = await submitted(deal, 2)
        for client, path, body in (
                (deal.his, "acceptance", {"decision": "accept"}), (deal.biller, "reversal", {"reason": "开票有误"})):
            headers = {"Idempotency-Key": uuid.uuid4().hex}
            url = f"/settlement/invoices/{invoice['id']}/{path}"
            first = await client.post(url, json=body, headers=headers)
            second = await client.post(url, json=body, headers=headers)
            assert first.status_code == second.status_code == 200, second.text
            assert second.json() == first.json() and second.headers.get("idempotent-replayed") == "true"
        events = await settlement_events(shared_platform.platform.settings.database_url,
                                         "settlement.invoice.accepted", deal.hospital)
        assert [e["invoice_id"] for e in events] == [invoice["id"]]


@pytest.fixture(scope="module")
async def tenancy(shared_platform):
    """One submitted invoice, and callers who are not its parties."""
    deal = await accepted_purchase(shared_platform, quantity=4)
    invoice = await submitted(deal, 2)
    platform = shared_platform
    outsiders = {
        "foreign hospital": platform.client(await platform.issue_key("hospital", f"H{uuid.uuid4().hex[:8]}")),
        "foreign company": platform.client(await platform.issue_key("company", credit_code())),
        "manufacturer": deal.market.client(deal.manufacturer),
    }
    overseers = {"insurer": platform.client(await platform.issue_key("insurer", "500000")),
                 "exchange": platform.client(await platform.issue_key("exchange", "CQ-EXCHANGE"))}
    return deal, invoice, outsiders, overseers


class TestRoleTenantMatrix:
    """GW-5: the company billed and the hospital billed act on their invoice; the insurer and
    the exchange read it; any other tenant gets 404 (or 403 for a role that may not write)
    and nothing changes."""

    @pytest.mark.parametrize("who", ["foreign hospital", "foreign company", "manufacturer"])
    async def test_an_outsider_neither_reads_nor_changes_the_invoice(self, tenancy, who):
        deal, invoice, outsiders, _ = tenancy
        client, url = outsiders[who], f"/settlement/invoices/{invoice['id']}"
        assert (await client.get(url)).status_code == 404
        assert invoice["id"] not in [i["id"] for i in await invoices_of(client)]
        assert (await client.get(f"/settlement/deliveries/{deal.delivery_id}/lines")).status_code == 404
        assert (await client.get("/settlement/payments", params={"invoice_id": invoice["id"]})).status_code == 404
        decided = await client.post(f"{url}/acceptance", json={"decision": "accept"})
        reversed_ = await client.post(f"{url}/reversal", json={"reason": "x"})
        paid = await client.post("/settlement/payments", json={
            "invoice_id": invoice["id"], "amount": "1.00", "paid_on": today()})
        if who == "foreign hospital":
            assert (decided.status_code, reversed_.status_code, paid.status_code) == (404, 403, 404)
        else:
            assert (decided.status_code, reversed_.status_code, paid.status_code) == (403, 404, 403)
        if who != "foreign hospital":
            billed = await client.post("/settlement/invoices", json=invoice_body(deal, 1))
            assert billed.status_code == 422 and billed.json()["errors"][0]["field"] == "body.lines[0]"
        after = (await deal.biller.get(url)).json()
        assert (after["status"], after["paid"]) == ("submitted", "0.00")
        line = (await deal.biller.get(f"/settlement/deliveries/{deal.delivery_id}/lines")).json()[0]
        assert line["invoiced_quantity"] == 2

    @pytest.mark.parametrize("who", ["insurer", "exchange"])
    async def test_overseers_read_but_do_not_act(self, tenancy, who):
        deal, invoice, _, overseers = tenancy
        client, url = overseers[who], f"/settlement/invoices/{invoice['id']}"
        assert (await client.get(url)).json()["id"] == invoice["id"]
        assert invoice["id"] in [i["id"] for i in await invoices_of(client)]
        assert (await client.get(f"/settlement/deliveries/{deal.delivery_id}/lines")).status_code == 200
        for path, body in ((f"{url}/acceptance", {"decision": "accept"}), (f"{url}/reversal", {"reason": "x"}),
                           ("/settlement/payments", {"invoice_id": invoice["id"], "amount": "1.00",
                                                     "paid_on": today()}),
                           ("/settlement/invoices", invoice_body(deal, 1))):
            response = await client.post(path, json=body)
            assert response.status_code == 403 and is_problem(response), (path, response.text)
        assert (await client.get(url)).json()["status"] == "submitted"

    async def test_each_party_reads_and_the_wrong_party_may_not_act(self, tenancy):
        deal, invoice, _, _ = tenancy
        url = f"/settlement/invoices/{invoice['id']}"
        for client in (deal.his, deal.biller):
            assert (await client.get(url)).json()["id"] == invoice["id"]
        assert (await deal.biller.post(f"{url}/acceptance", json={"decision": "accept"})).status_code == 403
        assert (await deal.his.post(f"{url}/reversal", json={"reason": "x"})).status_code == 403
        assert (await deal.his.post("/settlement/invoices", json=invoice_body(deal, 1))).status_code == 403
        assert (await deal.his.get(url)).json()["status"] == "submitted"


class TestBadInput:
    """§5/§7: every bad input is a 4xx problem+json naming the field — never a 500 — and
    nothing is written."""

    async def test_malformed_requests_are_refused_with_the_field(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=1)
        huge = 2**63
        for body, field in (
                ({**invoice_body(deal, 1), "amount": "abc"}, "body.amount"),
                ({**invoice_body(deal, 1), "amount": "1.001"}, "body.amount"),
                ({**invoice_body(deal, 1), "lines": []}, "body.lines"),
                ({**invoice_body(deal, 1), "lines": [{"delivery_id": huge, "line_no": 1, "quantity": 1}]},
                 "body.lines.0.delivery_id")):
            response = await deal.biller.post("/settlement/invoices", json=body)
            assert response.status_code == 422 and is_problem(response), response.text
            assert any(e["field"].replace("[", ".").replace("]", "") == field for e in response.json()["errors"]), (
                field, response.text)
        for response in (await deal.biller.get(f"/settlement/invoices/{huge}"),
                         await deal.biller.get(f"/settlement/deliveries/{huge}/lines"),
                         await deal.his.get("/settlement/payments", params={"invoice_id": huge}),
                         await deal.his.post(f"/settlement/invoices/{huge}/acceptance", json={"decision": "accept"}),
                         await deal.his.post("/settlement/payments", json={
                             "invoice_id": huge, "amount": "1.00", "paid_on": today()})):
            assert response.status_code == 422 and is_problem(response), response.text
        assert await invoices_of(deal.biller) == []


class TestConcurrentSubmits:
    """SET-1 under concurrency: the locked lines and the unique number decide, never a 500."""

    async def test_parallel_invoices_of_one_line_never_bill_more_than_it_has(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=3)
        responses = await asyncio.gather(*(deal.biller.post("/settlement/invoices", json=invoice_body(deal, 2))
                                           for _ in range(4)))
        assert sorted(r.status_code for r in responses) == [201, 422, 422, 422], [r.text for r in responses]
        line = await billable(shared_platform, deal)
        assert (line["invoiced_quantity"], line["billable_quantity"]) == (2, 1)

    async def test_parallel_invoices_with_one_number_make_one_invoice(self, shared_platform):
        deal = await accepted_purchase(shared_platform, quantity=4)
        number = f"INV-{uuid.uuid4().hex[:10]}"
        responses = await asyncio.gather(*(deal.biller.post("/settlement/invoices",
                                                            json=invoice_body(deal, 1, number=number))
                                           for _ in range(4)))
        assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [r.text for r in responses]
        assert len(await invoices_of(deal.biller)) == 1
