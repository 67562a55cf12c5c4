"""SET-4 monthly fund payables on a real database: offsets per preset, corrections, refunds,
direct-settlement deductions (SET-5) taken first, and the SET-6 ledger after every step —
every figure worked out by hand from the seeds' words."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import pytest
from prepayment_setup import MANUFACTURERS, agreement, deliver, given_batch, given_hospital
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.fund_payables import service
from vbp_settlement.fund_payables.schemas import PayablePost
from vbp_settlement.fund_payables.split import progressive_target
from vbp_settlement.invoices.models import Invoice
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import repository as ledger
from vbp_settlement.ledger.service import Posting, move
from vbp_settlement.main import MIGRATIONS
from vbp_settlement.payments.models import Payment
from vbp_settlement.prepayments import repository as prepayments
from vbp_settlement.prepayments import service as plans
from vbp_settlement.refunds import service as refunds
from vbpkit.projections.accepted_lines import AcceptedLine, LineReturn
from vbpkit.web import request_id
from vbpkit.db.engine import create_sessionmaker
from vbpkit.web.identity import Principal, Role
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.web.problems import Problem

INSURER = Principal(role=Role.INSURER, key_id="ops-1")
A, B, _ = MANUFACTURERS
H = "H500101001"
EMPLOYEE = accounts.fund("employee")


@pytest.fixture
async def sessions(new_database):
    url = await new_database("settlement_payables")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def plan_of(sessions, hospital: str = H):
    async with sessions() as session:
        return (await prepayments.plans(session, batch_code=None, hospital_code=hospital, after_id=None, limit=9))


async def disburse_all(sessions, plan_id: int, on: date) -> None:
    async with sessions() as session:
        tranches = await prepayments.tranches_of(session, [plan_id])
    for t in tranches:
        request_id.current.set(f"req-disburse-{plan_id}-{t.number}")
        async with sessions() as session, session.begin():
            await plans.disburse(session, plan_id=plan_id, tranche=t.number, amount_fen=t.amount_fen,
                                 disbursed_on=on, principal=INSURER, today=on)


async def post(sessions, rows: list[dict], today: date):
    request_id.current.set(f"req-post-{today}-{len(rows)}-{rows[0]['amount']}")
    async with sessions() as session, session.begin():
        return await service.post(session, PayablePost.model_validate({"rows": rows}), principal=INSURER, today=today)


def row(month: str, amount: str, paid_on: str, *, hospital: str = H, fund: str = "employee") -> dict:
    return {"hospital_code": hospital, "fund": fund, "month": month, "amount": amount, "paid_on": paid_on}


async def balances(sessions, *addresses: str) -> list[int]:
    async with sessions() as session:
        found = await ledger.balances(session, list(addresses))
        return [found[a] for a in addresses]


async def ledger_sound(sessions) -> None:
    """SET-6 after every step: no bounded account negative, every transaction with cause and postings."""
    async with sessions() as session:
        assert await ledger.negative_bounded_accounts(session) == {}
        assert await ledger.transactions_without_cause_or_postings(session) == []


@pytest.fixture
async def chongqing(sessions):
    """chongqing-2025 (seeds 000/002): cycle 2025-06-20 … 2027-06-19, so offsets begin with
    the payable of 2027-07 (采购周期结束后的次月起) and what is left after a year of offset
    months, from 2028-07, is demanded back (超过一年未抵扣完毕的…全部退回). A level-3 hospital:
    employee fund. Agreed 100 × 123.45 + 20 × 1,000.00 = 32,345.00 yuan; ratio 1.0."""
    await given_batch(sessions, "CQ-2025", "chongqing-2025", date(2025, 6, 20), date(2027, 6, 19))
    await given_hospital(sessions, H, 3)
    await deliver(sessions, agreement(batch="CQ-2025", hospital=H, year=1, manufacturer=A, agreement_id=1,
                                      items=[(11, 100, 12345), (12, 20, 100000)]))
    [plan] = await plan_of(sessions)
    assert plan.total_fen == 100 * 12345 + 20 * 100000 == 3_234_500
    await disburse_all(sessions, plan.id, date(2025, 7, 15))
    return plan


class TestOffsetsAfterTheCycle:
    async def test_set4_offsets_begin_the_month_after_the_cycle_and_never_exceed_the_payable(self, sessions,
                                                                                            chongqing):
        before = await post(sessions, [row("2027-06", "5000.00", "2027-07-10")], date(2027, 7, 10))
        assert before.rows[0].status == "posted"
        assert (before.rows[0].offset, before.rows[0].net) == (0, 500_000)  # June is inside the cycle: no offset
        july = await post(sessions, [row("2027-07", "20000.00", "2027-08-10")], date(2027, 8, 10))
        # the whole payable, 20,000.00 of the 32,345.00 outstanding, net 0
        assert (july.rows[0].offset, july.rows[0].net) == (2_000_000, 0)
        explain = july.rows[0].offsets[0].explain
        assert explain["first_offset_month"] == "2027-07" and explain["outstanding_after"] == "12345.00"
        august = await post(sessions, [row("2027-08", "30000.00", "2027-09-10")], date(2027, 9, 10))
        # the rest, 12,345.00; the net 30,000.00 − 12,345.00 = 17,655.00
        assert (august.rows[0].offset, august.rows[0].net) == (1_234_500, 1_765_500)
        september = await post(sessions, [row("2027-09", "100.00", "2027-10-10")], date(2027, 10, 10))
        assert (september.rows[0].offset, september.rows[0].net) == (0, 10_000)  # cleared
        # SET-6: the fund paid 32,345.00 in advance and 5,000 + 20,000 + 30,000 + 100 in payables,
        # and got the advance back by offset: −(32,345.00 + 55,100.00) + 32,345.00
        fund, prepayment, settled = await balances(sessions, EMPLOYEE, accounts.hospital_prepayment(H),
                                                   accounts.hospital_settled(H))
        assert (fund, prepayment, settled) == (-5_510_000, 0, 5_510_000)
        await ledger_sound(sessions)

    async def test_set4_a_corrected_month_reverses_the_offset_and_applies_again(self, sessions, chongqing):
        first = await post(sessions, [row("2027-07", "20000.00", "2027-08-10")], date(2027, 8, 10))
        again = await post(sessions, [row("2027-07", "20000.00", "2027-08-10")], date(2027, 8, 11))
        assert again.rows[0].status == "unchanged" and again.rows[0].payable_id == first.rows[0].payable_id
        corrected = await post(sessions, [row("2027-07", "35000.00", "2027-08-12")], date(2027, 8, 12))
        r = corrected.rows[0]
        assert (r.status, r.corrects_payable_id) == ("corrected", first.rows[0].payable_id)
        # the 20,000.00 offset went back to the plan; 35,000.00 then takes all 32,345.00, net 2,655.00
        assert (r.offset, r.net) == (3_234_500, 265_500)
        async with sessions() as session:
            old = await service.read(session, payable_id=first.rows[0].payable_id, principal=INSURER)
            new = await service.read(session, payable_id=r.payable_id, principal=INSURER)
        assert (old[0].status, old[0].superseded_by_id, old[0].reversal_transaction_id is not None) == (
            "superseded", r.payable_id, True)
        assert (new[0].version, [a for _, a in new[1]]) == (2, [3_234_500])
        fund, prepayment, settled = await balances(sessions, EMPLOYEE, accounts.hospital_prepayment(H),
                                                   accounts.hospital_settled(H))
        # only the live version counts: settled 35,000.00; the fund −32,345.00 − 35,000.00 + 32,345.00
        assert (fund, prepayment, settled) == (-3_500_000, 0, 3_500_000)
        await ledger_sound(sessions)

    async def test_set4_refund_of_what_a_year_of_offsets_left(self, sessions, chongqing):
        await post(sessions, [row("2027-07", "10000.00", "2027-08-10")], date(2027, 8, 10))
        async with sessions() as session, session.begin():
            assert await refunds.run_refund_check(session, today=date(2028, 6, 30)) == []  # a year not yet over
        async with sessions() as session, session.begin():
            [refund_id] = await refunds.run_refund_check(session, today=date(2028, 7, 1))
        async with sessions() as session, session.begin():
            assert await refunds.run_refund_check(session, today=date(2028, 7, 2)) == []  # once
        async with sessions() as session:
            demand, (demanded, received) = await refunds.read(session, refund_id=refund_id, principal=INSURER)
        # 32,345.00 disbursed − 10,000.00 offset in 2027-07 = 22,345.00 demanded back
        assert (demanded, received, demand.demanded_on) == (2_234_500, 0, date(2028, 7, 1))
        assert (demand.explain["offsets_began"], demand.explain["refund_month"]) == ("2027-07", "2028-07")
        late = await post(sessions, [row("2028-06", "50000.00", "2028-07-10")], date(2028, 7, 10))
        assert (late.rows[0].offset, late.rows[0].net) == (0, 5_000_000)  # nothing left to offset: demanded back
        prepayment, due = await balances(sessions, accounts.hospital_prepayment(H), accounts.hospital_refund_due(H))
        assert (prepayment, due) == (0, 2_234_500)
        request_id.current.set("req-refund-1")
        async with sessions() as session, session.begin():
            await refunds.receive(session, refund_id=refund_id, amount_fen=2_000_000, received_on=date(2028, 7, 20),
                                  principal=INSURER, today=date(2028, 7, 20))
        with pytest.raises(Problem) as refused:
            async with sessions() as session, session.begin():
                await refunds.receive(session, refund_id=refund_id, amount_fen=234_501,
                                      received_on=date(2028, 7, 21), principal=INSURER, today=date(2028, 7, 21))
        assert refused.value.status == 422 and "still due: 2345.00" in str(refused.value.errors)
        fund, due = await balances(sessions, EMPLOYEE, accounts.hospital_refund_due(H))
        # −32,345.00 − 10,000.00 − 50,000.00 + 10,000.00 (offset) + 20,000.00 (refund back)
        assert (fund, due) == (-6_234_500, 234_500)
        await ledger_sound(sessions)


class TestOtherPresets:
    async def test_set4_stents_keep_deducting_until_cleared_with_no_refund(self, sessions):
        """chongqing-stent-2023 (seed 003): 在以后结算月度继续抵扣直至抵扣完毕 — no refund, ever."""
        await given_batch(sessions, "CQ-STENT", "chongqing-stent-2023", date(2023, 5, 1), date(2024, 4, 30))
        await given_hospital(sessions, H, 1)  # level 1: the resident fund
        await deliver(sessions, agreement(batch="CQ-STENT", hospital=H, year=1, manufacturer=A, agreement_id=1,
                                          items=[(11, 10, 50000)]))
        [plan] = await plan_of(sessions)
        await disburse_all(sessions, plan.id, date(2023, 6, 1))
        async with sessions() as session, session.begin():
            assert await refunds.run_refund_check(session, today=date(2030, 1, 1)) == []
        result = await post(sessions, [row("2024-05", "1000.00", "2024-06-05", fund="resident"),
                                       row("2029-12", "10000.00", "2030-01-05", fund="resident")], date(2030, 1, 5))
        # 5,000.00 prepaid: 1,000.00 taken in 2024-05, the other 4,000.00 five years on
        assert [(r.offset, r.net) for r in result.rows] == [(100_000, 0), (400_000, 600_000)]
        await ledger_sound(sessions)

    async def test_set4_progressive_offsets_follow_the_accepted_amount(self, sessions):
        """chuxiong-2022 (seed 004): ratio 0.3 of the year's agreed amount; cumulative offset
        target = total × min(1, accepted ÷ agreed), net of returns up to the month's end."""
        await given_batch(sessions, "CX-2022", "chuxiong-2022", date(2022, 9, 1), date(2024, 8, 31))
        await given_hospital(sessions, H, 2)
        await deliver(sessions, agreement(batch="CX-2022", hospital=H, year=1, manufacturer=A, agreement_id=1,
                                          items=[(11, 300, 10000)]))
        [plan] = await plan_of(sessions)
        assert plan.total_fen == 300 * 10000 * 3 // 10 == 900_000  # agreed 30,000.00 × 0.3
        await disburse_all(sessions, plan.id, date(2022, 9, 20))
        async with sessions() as session, session.begin():
            session.add_all([
                _accepted(1, quantity=70, on=date(2022, 9, 10)), _accepted(2, quantity=31, on=date(2022, 10, 5)),
                _accepted(3, quantity=500, on=date(2023, 9, 2)),  # agreement year 2: not this plan's
            ])
            await session.flush()
            session.add(LineReturn(delivery_id=2, line_no=1, quantity=1, returned_on=date(2022, 11, 3)))
        result = await post(sessions, [row("2022-09", "10000.00", "2022-10-08"),
                                       row("2022-10", "10000.00", "2022-11-08"),
                                       row("2022-11", "1000.00", "2022-12-08")], date(2022, 12, 8))
        # September: accepted 70 × 100.00 = 7,000.00 of 30,000.00 → target 9,000.00 × 7/30 = 2,100.00
        # October: 101 × 100.00 = 10,100.00 → 9,000.00 × 101/300 = 3,030.00; less 2,100.00 = 930.00
        # November: one returned → 100 × 100.00 → 3,000.00: below what was offset, nothing more
        assert [r.offset for r in result.rows] == [210_000, 93_000, 0]
        assert progressive_target(900_000, 1_010_000, 3_000_000) == 303_000
        assert result.rows[1].offsets[0].explain["target"] == "3030.00"
        await ledger_sound(sessions)


def _accepted(delivery_id: int, *, quantity: int, on: date) -> AcceptedLine:
    return AcceptedLine(delivery_id=delivery_id, line_no=1, hospital_code=H, manufacturer_code=A,
                        batch_code="CX-2022", agreement_year=1, product_id=11, unit_price_fen=10000,
                        quantity=quantity, accepted_on=on, as_of=datetime.now(timezone.utc))


class TestDirectSettlementsComeFirst:
    async def test_set5_direct_settlements_are_deducted_before_offsets(self, sessions, chongqing):
        """The fund paid company B 3,000.00 for the hospital (SET-5); the next payable repays
        that first, then offsets the prepayment."""
        async with sessions() as session, session.begin():
            invoice = Invoice(number="INV-1", company_code=B, hospital_code=H, amount_fen=300_000, status="accepted",
                              submitted_on=date(2027, 7, 1), submitted_by="t", due_on=date(2027, 8, 31),
                              due_explain={})
            session.add(invoice)
            await session.flush()
            session.add(Payment(invoice_id=invoice.id, hospital_code=H, amount_fen=300_000, paid_on=date(2027, 7, 2),
                                source="fund", fund="employee", recorded_by="t"))
        async with sessions() as session, session.begin():
            await move(session, cause_kind="request", cause_ref="req-ds", description="SET-5", recorded_by="t",
                       postings=[Posting(EMPLOYEE, accounts.hospital_direct_settled(H), 300_000)])
        result = await post(sessions, [row("2027-07", "2000.00", "2027-08-10")], date(2027, 8, 10))
        r = result.rows[0]
        # 2,000.00 cannot repay all 3,000.00: it takes 2,000.00 of it, nothing is offset, net 0
        assert (r.direct_settlements, r.offset, r.net) == (200_000, 0, 0)
        result = await post(sessions, [row("2027-08", "40000.00", "2027-09-10")], date(2027, 9, 10))
        r = result.rows[0]
        # the last 1,000.00 of the direct settlement, then the whole 32,345.00; net 6,655.00
        assert (r.direct_settlements, r.offset, r.net) == (100_000, 3_234_500, 665_500)
        direct, prepayment = await balances(sessions, accounts.hospital_direct_settled(H),
                                            accounts.hospital_prepayment(H))
        assert (direct, prepayment) == (0, 0)
        await ledger_sound(sessions)


class TestBadRows:
    async def test_set4_bad_rows_are_named_and_good_rows_posted(self, sessions, chongqing):
        result = await post(sessions, [
            row("2027-07", "100.00", "2027-08-10"),
            row("2027-07", "200.00", "2027-08-10"),  # repeats row 1
            row("2027-07", "100.00", "2027-08-10", hospital="H-UNKNOWN"),
            row("2027-09", "100.00", "2027-09-10"),  # September has not begun on 2027-08-20 (nor been paid)
            row("2027-08", "100.00", "2027-07-31"),  # paid before the month
            row("2027-06", "100.00", "2027-08-21"),  # paid after today
        ], date(2027, 8, 20))
        assert [r.status for r in result.rows] == ["posted"] + ["rejected"] * 5
        assert [(r.row, e["field"]) for r in result.rows[1:] for e in r.errors] == [
            (2, "row"), (3, "hospital_code"), (4, "month"), (4, "paid_on"), (5, "paid_on"), (6, "paid_on")]
        assert result.rows[1].errors[0]["reason"].startswith("repeats row 1 ")
        assert (result.posted, result.rejected) == (1, 5)
        await ledger_sound(sessions)

    async def test_set4_a_hospital_reads_only_its_own_payables(self, sessions, chongqing):
        result = await post(sessions, [row("2027-07", "100.00", "2027-08-10")], date(2027, 8, 10))
        other = Principal(role=Role.HOSPITAL, key_id="h2", tenant="H-OTHER")
        async with sessions() as session:
            with pytest.raises(Problem) as hidden:
                await service.read(session, payable_id=result.rows[0].payable_id, principal=other)
            assert hidden.value.status == 404
            own = Principal(role=Role.HOSPITAL, key_id="h1", tenant=H)
            assert (await service.read(session, payable_id=result.rows[0].payable_id, principal=own))[0].hospital_code == H
