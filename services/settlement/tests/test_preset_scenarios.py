"""Issue 8 item 9: one whole money scenario per execution-policy preset, on the service
layer's injectable clock (every step gets its own "today"), on a real database.

Each runs agreements taking effect → the prepayment plan and its tranches → disbursements
(one late) → accepted deliveries → invoices with their due dates → payments (one late) →
monthly fund payables → offsets → (refund), and checks every amount and date against a
figure worked out here by hand from the seed's words, with the SET-6 ledger sound after
every step. The gateway-level tests (tests/test_settlement_*.py) cover the same routes on the
shared platform's real clock; a platform's clock cannot be moved while it runs, these can.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timezone
from itertools import count

import pytest
from prepayment_setup import MANUFACTURERS, agreement, deliver, given_batch, given_hospital
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.consumers import HANDLERS, PROJECTIONS
from vbp_settlement.direct_settlement import service as direct_settlement
from vbp_settlement.fund_payables import service as payables
from vbp_settlement.fund_payables.schemas import PayablePost
from vbp_settlement.invoices import service as invoices
from vbp_settlement.invoices.schemas import InvoiceCreate, InvoiceDecision
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import repository as ledger
from vbp_settlement.main import MIGRATIONS
from vbp_settlement.payments import service as payments
from vbp_settlement.payments.schemas import PaymentCreate
from vbp_settlement.prepayments import repository as plan_queries
from vbp_settlement.prepayments import service as plans
from vbp_settlement.refunds import service as refunds
from vbpkit.web import request_id
from vbpkit.db.engine import create_sessionmaker
from vbpkit.events import Envelope
from vbpkit.web.identity import Principal, Role
from vbpkit.messaging.handlers import apply
from vbpkit.projections import merged_handlers
from vbpkit.db.migrations import upgrade_to_head

INSURER = Principal(role=Role.INSURER, key_id="ops-1", tenant="500000")
MANUFACTURER, DISTRIBUTOR = MANUFACTURERS[0], "91500000MA5U0000D4"  # prepayment_setup's distributor
_ids = count(1)

# every handler of settlement's consumer, the projections' first, as the service runs them
TABLE = merged_handlers(PROJECTIONS, HANDLERS)


@pytest.fixture
async def sessions(new_database):
    url = await new_database("settlement_presets")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


class Money:
    """The settlement stack driven step by step, each step on its own date."""

    def __init__(self, sessions, batch: str):
        self.sessions, self.batch = sessions, batch

    async def plan(self, hospital: str, year: int = 1):
        async with self.sessions() as session:
            found = await plan_queries.plans(session, batch_code=self.batch, hospital_code=hospital, after_id=None,
                                             limit=9)
            chosen = next(p for p in found if p.prepaid_year == year)
            return chosen, [(t.number, t.amount_fen, t.due_on, d, t.late_on)
                            for t, d in await plans.tranches_with_disbursed(session, [chosen.id])]

    async def disburse(self, plan_id: int, tranche: int, amount_fen: int, on: date) -> None:
        request_id.current.set(f"req-{uuid.uuid4()}")
        async with self.sessions() as session, session.begin():
            await plans.disburse(session, plan_id=plan_id, tranche=tranche, amount_fen=amount_fen, disbursed_on=on,
                                 principal=INSURER, today=on)

    async def late_check(self, today: date) -> list:
        async with self.sessions() as session, session.begin():
            return await plans.run_late_check(session, today=today)

    async def accepted(self, hospital: str, quantity: int, price_fen: int, on: date, year: int = 1) -> int:
        delivery = next(_ids)
        event = Envelope(event_id=uuid.uuid4(), type="contracts.delivery.accepted", version=2,
                         occurred_at=datetime.now(timezone.utc), producer="contracts", key=hospital, data=dict(
                             delivery_id=delivery, line_no=1, order_id=delivery, hospital_code=hospital, product_id=11,
                             batch_code=self.batch, agreement_id=1, agreement_year=year,
                             manufacturer_code=MANUFACTURER, distributor_code=DISTRIBUTOR, quantity=quantity,
                             unit_price_fen=price_fen, amount_fen=quantity * price_fen, ordered_on=on,
                             delivered_on=on, accepted_on=on))
        async with self.sessions() as session, session.begin():
            await apply(session, TABLE[event.type], event)
        return delivery

    async def invoice(self, hospital: str, delivery: int, quantity: int, amount: str, on: date):
        request_id.current.set(f"req-{uuid.uuid4()}")
        async with self.sessions() as session, session.begin():
            view = await invoices.submit(session, InvoiceCreate(number=f"INV-{delivery}", amount=amount, lines=[
                {"delivery_id": delivery, "line_no": 1, "quantity": quantity}]), company=DISTRIBUTOR, by="t",
                today=on)
        request_id.current.set(f"req-{uuid.uuid4()}")
        async with self.sessions() as session, session.begin():
            await invoices.decide(session, invoice_id=view.invoice.id, request=InvoiceDecision(decision="accept"),
                                  principal=Principal(role=Role.HOSPITAL, key_id="his", tenant=hospital), today=on)
        async with self.sessions() as session:
            return await invoices.view_of(session, await invoices.visible(session, view.invoice.id, INSURER))

    async def pay(self, hospital: str, invoice_id: int, amount: str, on: date) -> None:
        request_id.current.set(f"req-{uuid.uuid4()}")
        async with self.sessions() as session, session.begin():
            await payments.record(session, PaymentCreate(invoice_id=invoice_id, amount=amount, paid_on=on),
                                  principal=Principal(role=Role.HOSPITAL, key_id="his", tenant=hospital), today=on)

    async def overdue_check(self, today: date) -> list[int]:
        async with self.sessions() as session, session.begin():
            return await payments.run_overdue_check(session, today=today)

    async def post(self, rows: list[tuple], today: date):
        """rows: (hospital, fund, month, amount, paid_on)."""
        request_id.current.set(f"req-{uuid.uuid4()}")
        async with self.sessions() as session, session.begin():
            result = await payables.post(session, PayablePost.model_validate({"rows": [
                {"hospital_code": h, "fund": f, "month": m, "amount": a, "paid_on": p} for h, f, m, a, p in rows]}),
                principal=INSURER, today=today)
        assert result.rejected == 0, result.rows
        return [(r.direct_settlements, r.offset, r.net) for r in result.rows]

    async def refund_check(self, today: date) -> list[int]:
        async with self.sessions() as session, session.begin():
            return await refunds.run_refund_check(session, today=today)

    async def balances(self, *addresses: str) -> list[int]:
        async with self.sessions() as session:
            found = await ledger.balances(session, list(addresses))
            assert await ledger.negative_bounded_accounts(session) == {}, "SET-6: nothing bounded below zero"
            assert await ledger.transactions_without_cause_or_postings(session) == []
            return [found[a] for a in addresses]


async def effective(sessions, batch: str, hospital: str, quantity: int, price_fen: int, year: int = 1,
                    agreement_id: int = 1) -> None:
    await deliver(sessions, agreement(batch=batch, hospital=hospital, year=year, manufacturer=MANUFACTURER,
                                      agreement_id=agreement_id, items=[(11, quantity, price_fen)]))


class TestChongqing2025:
    async def test_seeds_000_002_prepay_in_halves_offset_after_the_cycle_refund_after_a_year(self, sessions):
        """chongqing-2025. Execution 2025-06-20 for two years (ends 2027-06-19). A level-3
        hospital draws on the employee fund (二级及以上…职工医保). Agreed 200 × 100.00 = 20,000.00,
        prepaid in full (ratio 1): 50 % by the end of the month after the start (次月底 →
        2025-07-31), the rest by the end of the 6th month (June is month 1 → 2025-11-30)."""
        H, money = "H-CQ", Money(sessions, "CQ-2025")
        await given_batch(sessions, "CQ-2025", "chongqing-2025", date(2025, 6, 20), date(2027, 6, 19))
        await given_hospital(sessions, H, 3)
        await effective(sessions, "CQ-2025", H, 200, 10000)
        plan, tranches = await money.plan(H)
        assert (plan.base_fen, plan.total_fen, plan.fund) == (2_000_000, 2_000_000, "employee")
        assert [(n, a, d) for n, a, d, _, _ in tranches] == [(1, 1_000_000, date(2025, 7, 31)),
                                                            (2, 1_000_000, date(2025, 11, 30))]
        await money.disburse(plan.id, 1, 1_000_000, date(2025, 7, 25))  # on time
        assert await money.late_check(date(2025, 12, 1)) != []  # tranche 2 not paid by 2025-11-30
        await money.disburse(plan.id, 2, 1_000_000, date(2025, 12, 5))
        _, tranches = await money.plan(H)
        assert [(n, late) for n, _, _, _, late in tranches] == [(1, None), (2, date(2025, 12, 1))]
        fund, prepayment = await money.balances(accounts.fund("employee"), accounts.hospital_prepayment(H))
        assert (fund, prepayment) == (-2_000_000, 2_000_000)

        # Purchases: 50 × 100.00 accepted 2025-08-10 → due 2025-09-30 (交货验收合格后的次月底), paid
        # on time; 30 × 100.00 accepted 2025-09-05 → due 2025-10-31, found overdue on 2025-11-01.
        first = await money.invoice(H, await money.accepted(H, 50, 10000, date(2025, 8, 10)), 50, "5000.00",
                                    date(2025, 8, 12))
        second = await money.invoice(H, await money.accepted(H, 30, 10000, date(2025, 9, 5)), 30, "3000.00",
                                     date(2025, 9, 6))
        assert (first.invoice.due_on, second.invoice.due_on) == (date(2025, 9, 30), date(2025, 10, 31))
        await money.pay(H, first.invoice.id, "5000.00", date(2025, 9, 20))
        assert await money.overdue_check(date(2025, 10, 31)) == []  # due today is not yet overdue
        assert await money.overdue_check(date(2025, 11, 1)) == [second.invoice.id]
        await money.pay(H, second.invoice.id, "3000.00", date(2025, 11, 10))
        receivable, received = await money.balances(accounts.company_receivable(DISTRIBUTOR),
                                                    accounts.company_received(DISTRIBUTOR))
        assert (receivable, received) == (0, 800_000)

        # Payables: June 2027 is inside the cycle; from July 2027 (采购周期结束后的次月起) the
        # outstanding 20,000.00 is deducted, never more than the month's payable.
        assert await money.post([(H, "employee", "2027-06", "8000.00", "2027-07-10"),
                                 (H, "employee", "2027-07", "12000.00", "2027-08-10"),
                                 (H, "employee", "2027-08", "5000.00", "2027-09-10")], date(2027, 9, 10)) == [
            (0, 0, 800_000), (0, 1_200_000, 0), (0, 500_000, 0)]
        # 20,000.00 − 12,000.00 − 5,000.00 = 3,000.00 left; a year of offset months runs to
        # 2028-06, so on 2028-07-01 (超过一年未抵扣完毕的) it is demanded back, once.
        assert await money.refund_check(date(2028, 6, 30)) == []
        [refund_id] = await money.refund_check(date(2028, 7, 1))
        assert await money.refund_check(date(2028, 7, 2)) == []
        request_id.current.set("req-refund-cq")
        async with sessions() as session, session.begin():
            await refunds.receive(session, refund_id=refund_id, amount_fen=300_000, received_on=date(2028, 7, 15),
                                  principal=INSURER, today=date(2028, 7, 15))
        fund, prepayment, due, settled = await money.balances(
            accounts.fund("employee"), accounts.hospital_prepayment(H), accounts.hospital_refund_due(H),
            accounts.hospital_settled(H))
        # the fund paid 20,000.00 ahead and 25,000.00 of payables, got 17,000.00 back by offset
        # and 3,000.00 by refund: −20,000 − 25,000 + 17,000 + 3,000 = −25,000.00, the payables.
        assert (fund, prepayment, due, settled) == (-2_500_000, 0, 0, 2_500_000)


class TestChongqingStent2023:
    async def test_seed_003_keeps_deducting_until_cleared(self, sessions):
        """chongqing-stent-2023. Execution 2023-05-01 for a year (ends 2024-04-30). A level-1
        hospital: the resident fund (居民医保). Agreed 10 × 500.00 = 5,000.00: 2,500.00 by
        2023-06-30 and 2,500.00 by the end of the 6th month (May is month 1 → 2023-10-31).
        Offsets from 2024-05, 直至抵扣完毕: no refund however long it takes."""
        H, money = "H-STENT", Money(sessions, "CQ-STENT")
        await given_batch(sessions, "CQ-STENT", "chongqing-stent-2023", date(2023, 5, 1), date(2024, 4, 30))
        await given_hospital(sessions, H, 1)
        await effective(sessions, "CQ-STENT", H, 10, 50000)
        plan, tranches = await money.plan(H)
        assert (plan.total_fen, plan.fund) == (500_000, "resident")
        assert [(a, d) for _, a, d, _, _ in tranches] == [(250_000, date(2023, 6, 30)), (250_000, date(2023, 10, 31))]
        await money.disburse(plan.id, 1, 250_000, date(2023, 6, 20))
        await money.disburse(plan.id, 2, 250_000, date(2023, 10, 20))
        assert await money.late_check(date(2023, 11, 1)) == []  # both on time
        # 4 × 500.00 accepted 2023-06-15 → due 2023-07-31; paid in two parts, the second late
        bill = await money.invoice(H, await money.accepted(H, 4, 50000, date(2023, 6, 15)), 4, "2000.00",
                                   date(2023, 6, 16))
        assert bill.invoice.due_on == date(2023, 7, 31)
        await money.pay(H, bill.invoice.id, "1500.00", date(2023, 7, 20))
        assert await money.overdue_check(date(2023, 8, 1)) == [bill.invoice.id]  # 500.00 still unpaid
        await money.pay(H, bill.invoice.id, "500.00", date(2023, 8, 3))
        assert await money.post([(H, "resident", "2024-04", "900.00", "2024-05-08"),
                                 (H, "resident", "2024-05", "1000.00", "2024-06-08"),
                                 (H, "resident", "2024-06", "800.00", "2024-07-08")], date(2024, 7, 8)) == [
            (0, 0, 90_000), (0, 100_000, 0), (0, 80_000, 0)]
        assert await money.refund_check(date(2030, 1, 1)) == []  # seed 003: no refund
        # five years on, the last 5,000.00 − 1,000.00 − 800.00 = 3,200.00 is still deducted
        assert await money.post([(H, "resident", "2029-12", "10000.00", "2030-01-08")], date(2030, 1, 8)) == [
            (0, 320_000, 680_000)]
        fund, prepayment = await money.balances(accounts.fund("resident"), accounts.hospital_prepayment(H))
        assert (fund, prepayment) == (-(90_000 + 100_000 + 80_000 + 1_000_000), 0)


class TestLiaoning2025:
    async def test_seed_001_prepays_only_where_the_fund_does_not_settle_directly(self, sessions):
        """liaoning-2025. Execution 2025-07-01 for two years (ends 2027-06-30). Shenyang's 和平区
        (210102) does not settle directly: ≥ 50 % of 100 × 80.00 = 8,000.00 → 4,000.00, all
        before execution starts (执行前预付到位 → 2025-06-30), recovered after the cycle
        (周期结束后清算收回: from 2027-07, until cleared, no refund). Dalian (210200) settles
        directly since 2025-01-01: no prepayment; the fund pays the company as the hospital
        accepts, and takes it back from the hospital's next payables (SET-5)."""
        A, B, money = "H-SY", "H-DL", Money(sessions, "LN-2025")
        await given_batch(sessions, "LN-2025", "liaoning-2025", date(2025, 7, 1), date(2027, 6, 30))
        await given_hospital(sessions, A, 3, region_code="210102")
        await given_hospital(sessions, B, 2, region_code="210203")
        async with sessions() as session, session.begin():
            await direct_settlement.set_region(session, region_code="210200", since_on=date(2025, 1, 1),
                                               principal=INSURER)
        await effective(sessions, "LN-2025", A, 100, 8000)
        await effective(sessions, "LN-2025", B, 100, 8000, agreement_id=2)
        plan, tranches = await money.plan(A)
        assert [(a, d) for _, a, d, _, _ in tranches] == [(400_000, date(2025, 6, 30))]
        async with sessions() as session:
            assert await plan_queries.plans(session, batch_code="LN-2025", hospital_code=B, after_id=None,
                                            limit=5) == []
        assert await money.late_check(date(2025, 7, 1)) != []  # not disbursed before the start
        await money.disburse(plan.id, 1, 400_000, date(2025, 7, 3))

        # A pays its own invoice (20 × 80.00 accepted 2025-08-05 → due 2025-09-30), late.
        own = await money.invoice(A, await money.accepted(A, 20, 8000, date(2025, 8, 5)), 20, "1600.00",
                                  date(2025, 8, 6))
        assert own.invoice.due_on == date(2025, 9, 30) and own.paid_fen == 0
        assert await money.overdue_check(date(2025, 10, 1)) == [own.invoice.id]
        await money.pay(A, own.invoice.id, "1600.00", date(2025, 10, 8))
        # B's invoice is paid by the employee fund (level 2) on acceptance
        direct = await money.invoice(B, await money.accepted(B, 20, 8000, date(2025, 8, 5)), 20, "1600.00",
                                     date(2025, 8, 6))
        assert direct.paid_fen == 160_000
        assert await money.balances(accounts.hospital_direct_settled(B)) == [160_000]
        # B's payables repay it first: 1,000.00 of August's 1,000.00, then 600.00 of September's
        assert await money.post([(B, "employee", "2025-08", "1000.00", "2025-09-10"),
                                 (B, "employee", "2025-09", "5000.00", "2025-10-10")], date(2025, 10, 10)) == [
            (100_000, 0, 0), (60_000, 0, 440_000)]
        # A: nothing before 2027-07; then 3,000.00 and the last 1,000.00
        assert await money.post([(A, "employee", "2027-06", "3000.00", "2027-07-10"),
                                 (A, "employee", "2027-07", "3000.00", "2027-08-10"),
                                 (A, "employee", "2027-08", "3000.00", "2027-09-10")], date(2027, 9, 10)) == [
            (0, 0, 300_000), (0, 300_000, 0), (0, 100_000, 200_000)]
        assert await money.refund_check(date(2030, 1, 1)) == []
        fund, prep_a, direct_b = await money.balances(accounts.fund("employee"), accounts.hospital_prepayment(A),
                                                      accounts.hospital_direct_settled(B))
        # −4,000.00 prepaid − 1,600.00 paid for B − 6,000.00 (B) − 9,000.00 (A) + 1,600.00 + 4,000.00
        assert (fund, prep_a, direct_b) == (-400_000 - 160_000 - 600_000 - 900_000 + 160_000 + 400_000, 0, 0)


class TestChuxiong2022:
    async def test_seed_004_prepays_each_year_and_offsets_with_purchase_progress(self, sessions):
        """chuxiong-2022. Execution 2022-09-01 for two years. ≥ 30 % of each agreement year's
        agreed amount (年度约定采购金额): year 1 300 × 100.00 = 30,000.00 → 9,000.00, due (seed
        silent) by the end of the month after the start, 2022-10-31. Suppliers are paid within
        30 days of acceptance (原则上不得超过30天). Offsets follow purchase progress (按照医疗机构
        采购进度…逐步冲抵): cumulative target = 9,000.00 × min(1, accepted ÷ 30,000.00)."""
        H, money = "H-CX", Money(sessions, "CX-2022")
        await given_batch(sessions, "CX-2022", "chuxiong-2022", date(2022, 9, 1), date(2024, 8, 31))
        await given_hospital(sessions, H, 2, region_code="532301")
        await effective(sessions, "CX-2022", H, 300, 10000)
        plan, tranches = await money.plan(H)
        assert (plan.total_fen, [(a, d) for _, a, d, _, _ in tranches]) == (900_000, [(900_000, date(2022, 10, 31))])
        await money.disburse(plan.id, 1, 900_000, date(2022, 9, 20))
        assert await money.late_check(date(2022, 11, 1)) == []

        # 70 × 100.00 accepted 2022-09-10 → due 2022-10-10; paid 2022-10-15, after the check of 10-11
        first = await money.invoice(H, await money.accepted(H, 70, 10000, date(2022, 9, 10)), 70, "7000.00",
                                    date(2022, 9, 12))
        assert first.invoice.due_on == date(2022, 10, 10)
        assert await money.overdue_check(date(2022, 10, 11)) == [first.invoice.id]
        await money.pay(H, first.invoice.id, "7000.00", date(2022, 10, 15))
        second = await money.invoice(H, await money.accepted(H, 110, 10000, date(2022, 10, 5)), 110, "11000.00",
                                     date(2022, 10, 6))
        await money.pay(H, second.invoice.id, "11000.00", date(2022, 10, 30))  # on time (due 2022-11-04)
        # September: 7,000.00 accepted → target 9,000.00 × 7/30 = 2,100.00.
        # October: 18,000.00 → 5,400.00; less 2,100.00 = 3,300.00, but the payable is 3,000.00.
        # November: still 5,400.00 → the 300.00 October could not take.
        assert await money.post([(H, "employee", "2022-09", "10000.00", "2022-10-08"),
                                 (H, "employee", "2022-10", "3000.00", "2022-11-08"),
                                 (H, "employee", "2022-11", "10000.00", "2022-12-08")], date(2022, 12, 8)) == [
            (0, 210_000, 790_000), (0, 300_000, 0), (0, 30_000, 970_000)]
        # Year 2 (2023-09-01 …) is prepaid on its own agreed amount: 200 × 100.00 × 0.3 = 6,000.00
        await effective(sessions, "CX-2022", H, 200, 10000, year=2, agreement_id=2)
        year2, tranches = await money.plan(H, year=2)
        assert (year2.total_fen, tranches[0][2]) == (600_000, date(2023, 10, 31))
        await money.disburse(year2.id, 1, 600_000, date(2023, 9, 15))
        await money.accepted(H, 100, 10000, date(2023, 9, 20), year=2)
        # September 2023: year 1's target stays 5,400.00 (its purchases); year 2's is
        # 6,000.00 × 10,000.00 / 20,000.00 = 3,000.00
        assert await money.post([(H, "employee", "2023-09", "20000.00", "2023-10-08")], date(2023, 10, 8)) == [
            (0, 300_000, 1_700_000)]
        fund, prepayment = await money.balances(accounts.fund("employee"), accounts.hospital_prepayment(H))
        # prepaid 9,000.00 + 6,000.00; offset 2,100 + 3,000 + 300 + 3,000 = 8,400.00
        assert prepayment == 900_000 + 600_000 - 840_000
        assert fund == -(900_000 + 600_000) - (1_000_000 + 300_000 + 1_000_000 + 2_000_000) + 840_000
        assert await money.refund_check(date(2026, 1, 1)) == []  # progressive: no refund
