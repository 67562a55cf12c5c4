"""SET-6 as a property: random sequences of plan growth and shrinkage, the insurer's total,
valid and over-limit disbursements, reversals and recoveries (offset/refund postings, some
beyond what the hospital holds), run against the real database — after every step the
ledger's invariants hold."""

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
from vbp_settlement.ledger import service as ledger_service
from vbp_settlement.ledger.service import Overdraft
from vbp_settlement.main import MIGRATIONS
from vbp_settlement.prepayments import repository, service
from vbpkit import request_id
from vbpkit.db import create_sessionmaker
from vbpkit.identity import Principal, Role
from vbpkit.migrations import upgrade_to_head
from vbpkit.problems import Problem

INSURER = Principal(role=Role.INSURER, key_id="ops-1")
BATCH = "CQ-PROP"

agreements = st.tuples(st.just("agreement"), st.sampled_from(range(len(MANUFACTURERS))),
                       st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=99_999))
disbursements = st.tuples(st.just("disburse"), st.integers(min_value=1, max_value=4),
                          st.integers(min_value=1, max_value=3_000_000))
totals = st.tuples(st.just("total"), st.integers(min_value=0, max_value=3_000_000))
reversals = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=10))
# A recovery straight on the ledger (what SET-4 offsets and refunds will post): prepayment → fund.
recoveries = st.tuples(st.just("recover"), st.integers(min_value=1, max_value=3_000_000))
steps = st.lists(st.one_of(agreements, disbursements, disbursements, totals, reversals, recoveries),
                 min_size=1, max_size=14)


@pytest.fixture
async def database(new_database):
    url = await new_database("settlement_prop")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    await given_batch(create_sessionmaker(engine), BATCH, "chongqing-2025", date(2025, 6, 20), date(2027, 6, 19))
    await engine.dispose()
    return url


async def check_invariants(sessions, hospital: str, recovered: int) -> None:
    async with sessions() as session:
        found = await repository.plans(session, batch_code=BATCH, hospital_code=hospital, after_id=None, limit=5)
        disbursed_total = 0
        for plan in found:
            pairs = await service.tranches_with_disbursed(session, [plan.id])
            assert sum(t.amount_fen for t, _ in pairs) == plan.total_fen, "SET-6: tranches sum to the total"
            assert all(0 <= d <= t.amount_fen for t, d in pairs), "SET-6: nothing negative, nothing overpaid"
            assert plan.total_fen >= 0 and plan.base_fen >= 0
            disbursed_total += sum(d for _, d in pairs)
        held = await ledger.balance(session, accounts.hospital_prepayment(hospital))
        assert held == disbursed_total - recovered >= 0, "SET-6: disbursed − recovered = outstanding ≥ 0, in the ledger"
        assert await ledger.negative_bounded_accounts(session) == {}
        assert await ledger.transactions_without_cause_or_postings(session) == []


async def run(url: str, actions) -> None:
    engine = create_async_engine(url)
    sessions = create_sessionmaker(engine)
    hospital = f"H{uuid.uuid4().hex[:9]}"
    versions = [0] * len(MANUFACTURERS)
    recovered = 0
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
            elif plan is not None and kind == "recover":
                try:
                    async with sessions() as session, session.begin():
                        await ledger_service.move(
                            session, cause_kind="event", cause_ref=f"prop-offset-{hospital}-{number}",
                            description="recovery", recorded_by="test",
                            postings=[ledger_service.Posting(accounts.hospital_prepayment(hospital),
                                                             accounts.fund(plan.fund), args[0])])
                    recovered += args[0]
                except Overdraft:  # more than the hospital holds: refused, nothing written
                    pass
            elif plan is not None and kind == "total":
                async with sessions() as session, session.begin():
                    await service.set_total(session, plan_id=plan.id, amount_fen=args[0], reason="监测中心测算",
                                            principal=INSURER, today=date(2025, 7, 1))
            await check_invariants(sessions, hospital, recovered)
    finally:
        await engine.dispose()


class TestLedgerInvariantsUnderRandomSequences:
    """SET-6: tranches sum to the total; disbursed = the ledger balance of the hospital's
    prepayment ≥ 0; no bounded account negative; every transaction has a cause and postings."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(actions=steps)
    def test_invariants_hold_after_every_step(self, database, actions):
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, run(database, actions)).result()
