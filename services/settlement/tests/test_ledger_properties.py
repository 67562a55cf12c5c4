"""SET-6 as a property: random sequences of plan growth and shrinkage, the insurer's total,
valid and over-limit disbursements and their reversals, monthly fund payables (before and
after the cycle, corrections of posted months), refund checks and refund receipts — run
against the real database; after every step the ledger's invariants hold."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prepayment_setup import MANUFACTURERS, agreement, deliver, given_batch, given_hospital
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import repository as ledger
from vbp_settlement.fund_payables import repository as payable_queries
from vbp_settlement.fund_payables import service as payables
from vbp_settlement.fund_payables.schemas import PayablePost
from vbp_settlement.main import MIGRATIONS
from vbp_settlement.prepayments import repository, service
from vbp_settlement.refunds import service as refunds
from vbpkit.web import request_id
from vbpkit.db.engine import create_sessionmaker
from vbpkit.web.identity import Principal, Role
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.web.problems import Problem

INSURER = Principal(role=Role.INSURER, key_id="ops-1")
BATCH = "CQ-PROP"

agreements = st.tuples(st.just("agreement"), st.sampled_from(range(len(MANUFACTURERS))),
                       st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=99_999))
disbursements = st.tuples(st.just("disburse"), st.integers(min_value=1, max_value=4),
                          st.integers(min_value=1, max_value=3_000_000))
totals = st.tuples(st.just("total"), st.integers(min_value=0, max_value=3_000_000))
reversals = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=10))
# SET-4: a month's fund payable, 2027-05 … 2028-08 (the cycle ends 2027-06-19: offsets from
# 2027-07, the window closes 2028-07); the same month again is a correction.
payable_rows = st.tuples(st.just("payable"), st.integers(min_value=0, max_value=15),
                     st.integers(min_value=0, max_value=3_000_000))
refund_checks = st.tuples(st.just("refund_check"), st.sampled_from([date(2028, 6, 30), date(2028, 7, 1)]))
receipts = st.tuples(st.just("receipt"), st.integers(min_value=1, max_value=3_000_000))
steps = st.lists(st.one_of(agreements, disbursements, disbursements, totals, reversals, payable_rows, payable_rows,
                           refund_checks, receipts), min_size=1, max_size=14)


@pytest.fixture
async def database(new_database):
    url = await new_database("settlement_prop")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    await given_batch(create_sessionmaker(engine), BATCH, "chongqing-2025", date(2025, 6, 20), date(2027, 6, 19))
    await engine.dispose()
    return url


async def check_invariants(sessions, hospital: str) -> None:
    async with sessions() as session:
        found = await repository.plans(session, batch_code=BATCH, hospital_code=hospital, after_id=None, limit=5)
        disbursed_total = 0
        for plan in found:
            pairs = await service.tranches_with_disbursed(session, [plan.id])
            assert sum(t.amount_fen for t, _ in pairs) == plan.total_fen, "SET-6: tranches sum to the total"
            assert all(0 <= d <= t.amount_fen for t, d in pairs), "SET-6: nothing negative, nothing overpaid"
            assert plan.total_fen >= 0 and plan.base_fen >= 0
            disbursed_total += sum(d for _, d in pairs)
        ids = [p.id for p in found]
        offset = sum((await payable_queries.offset_by_plan(session, ids)).values())
        refunded = sum((await payable_queries.refunded_by_plan(session, ids)).values())
        held = await ledger.balance(session, accounts.hospital_prepayment(hospital))
        assert held == disbursed_total - offset - refunded >= 0, \
            "SET-6: disbursed − offset − refunded = outstanding ≥ 0, in the ledger"
        live = await payable_queries.payables(session, hospital_code=hospital, fund=None, month=None,
                                              include_superseded=False, after_id=None, limit=100)
        assert all(0 <= p.net_fen <= p.amount_fen for p in live), "SET-4: never more than the payable"
        parts = await payables.with_parts(session, live)
        assert all(p.net_fen == p.amount_fen - sum(a for _, a in o) - sum(a for _, a in d) for p, o, d in parts)
        assert await ledger.balance(session, accounts.hospital_settled(hospital)) == sum(p.amount_fen for p in live)
        assert await ledger.balance(session, accounts.hospital_refund_due(hospital)) >= 0
        assert await ledger.negative_bounded_accounts(session) == {}
        assert await ledger.transactions_without_cause_or_postings(session) == []


async def run(url: str, actions) -> None:
    engine = create_async_engine(url)
    sessions = create_sessionmaker(engine)
    hospital = f"H{uuid.uuid4().hex[:9]}"
    versions = [0] * len(MANUFACTURERS)
    try:
        await given_hospital(sessions, hospital, 2)
        for number, action in enumerate(actions):
            kind, *args = action
            async with sessions() as session:
                [plan] = (await repository.plans(session, batch_code=BATCH, hospital_code=hospital, after_id=None,
                                                 limit=1)) or [None]
            if kind == "agreement":
                index, quantity, price = args
                versions[index] += 1
                await deliver(sessions, agreement(batch=BATCH, hospital=hospital, year=1,
                                                  manufacturer=MANUFACTURERS[index], items=[(1, quantity, price)],
                                                  agreement_id=number + 1, version_no=versions[index]))
            elif plan is not None and kind == "disburse":
                tranche, amount = args
                request_id.current.set(f"prop-{hospital}-{number}")
                try:
                    async with sessions() as session, session.begin():
                        await service.disburse(session, plan_id=plan.id, tranche=tranche, amount_fen=amount,
                                               disbursed_on=date(2025, 7, 1), principal=INSURER,
                                               today=date(2025, 7, 1))
                except Problem as refused:  # over what is left, or no such tranche: nothing recorded
                    assert refused.status == 422
            elif plan is not None and kind == "reverse":
                async with sessions() as session:
                    made = await service.disbursements(session, plan.id)
                originals = [d for d, _, _ in made if d.reverses_id is None]
                if originals:
                    request_id.current.set(f"prop-{hospital}-{number}")
                    try:
                        async with sessions() as session, session.begin():
                            await service.reverse_disbursement(
                                session, plan_id=plan.id, disbursement_id=originals[args[0] % len(originals)].id,
                                reason="录入错误", principal=INSURER, today=date(2025, 7, 2))
                    except Problem as refused:  # reversed already, or recovered already: nothing recorded
                        assert refused.status == 409
            elif kind == "payable":
                month_index, amount = args
                month = date(2027 + (4 + month_index) // 12, (4 + month_index) % 12 + 1, 1)
                request_id.current.set(f"prop-{hospital}-{number}")
                async with sessions() as session, session.begin():
                    result = await payables.post(session, PayablePost.model_validate({"rows": [{
                        "hospital_code": hospital, "fund": "employee", "month": month.isoformat()[:7],
                        "amount": f"{amount // 100}.{amount % 100:02d}", "paid_on": month.isoformat()}]}),
                        principal=INSURER, today=date(2028, 9, 1))
                assert result.rows[0].status in ("posted", "corrected", "unchanged")
            elif kind == "refund_check":
                async with sessions() as session, session.begin():
                    await refunds.run_refund_check(session, today=args[0])
            elif kind == "receipt":
                async with sessions() as session:
                    demands = await refunds.listing(session, principal=INSURER, hospital_code=hospital,
                                                    after_id=None, limit=5)
                if demands:
                    request_id.current.set(f"prop-{hospital}-{number}")
                    try:
                        async with sessions() as session, session.begin():
                            await refunds.receive(session, refund_id=demands[0][0].id, amount_fen=args[0],
                                                  received_on=date(2028, 7, 1), principal=INSURER,
                                                  today=date(2028, 7, 2))
                    except Problem as refused:  # more than is still due: nothing recorded
                        assert refused.status == 422
            elif plan is not None and kind == "total":
                async with sessions() as session, session.begin():
                    await service.set_total(session, plan_id=plan.id, amount_fen=args[0], reason="监测中心测算",
                                            principal=INSURER, today=date(2025, 7, 1))
            await check_invariants(sessions, hospital)
    finally:
        await engine.dispose()


class TestLedgerInvariantsUnderRandomSequences:
    """SET-6: tranches sum to the total; disbursed − offset − refunded = the ledger balance of
    the hospital's prepayment ≥ 0; SET-4: every payable's net = amount − deductions − offsets,
    never negative, and the hospital's settled account holds Σ live payables; no bounded
    account negative; every transaction has a cause and postings."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(actions=steps)
    def test_invariants_hold_after_every_step(self, database, actions):
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, run(database, actions)).result()
