"""SET-3 prepayment plans from effective agreements, per preset, worked out by hand from
the seeds; their growth, the insurer's total, disbursements on the SET-6 ledger, late tranches."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from prepayment_setup import MANUFACTURERS, agreement, deliver, given_batch, given_hospital
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.direct_settlement import service as direct_settlement
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import repository as ledger
from vbp_settlement.main import MIGRATIONS
from vbp_settlement.prepayments import repository, service
from vbp_settlement.prepayments.allocation import TrancheState, reallocate
from vbpkit.web import request_id
from vbpkit.db.engine import create_sessionmaker
from vbpkit.web.identity import Principal, Role
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.web.problems import Problem

INSURER = Principal(role=Role.INSURER, key_id="ops-1")
A, B, C = MANUFACTURERS


@pytest.fixture
async def sessions(new_database):
    url = await new_database("settlement_prepay")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def plans(sessions, hospital: str):
    async with sessions() as session:
        found = await repository.plans(session, batch_code=None, hospital_code=hospital, after_id=None, limit=50)
        return [(p, await service.tranches_with_disbursed(session, [p.id])) for p in found]


async def disburse(sessions, plan_id: int, tranche: int, amount_fen: int, today: date = date(2025, 12, 31)):
    request_id.current.set(f"req-{plan_id}-{tranche}-{amount_fen}")
    async with sessions() as session, session.begin():
        return await service.disburse(session, plan_id=plan_id, tranche=tranche, amount_fen=amount_fen,
                                      disbursed_on=date(2025, 7, 1), principal=INSURER, today=today)


@pytest.fixture
async def chongqing(sessions):
    await given_batch(sessions, "CQ-2025", "chongqing-2025", date(2025, 6, 20), date(2027, 6, 19))
    await given_hospital(sessions, "H500101001", 3)
    return sessions


class TestChongqingPlan:
    """SET-3, preset chongqing-2025 (seeds 000/002): once per cycle on the first agreement
    year, ratio 1.0, 50 % by the end of the month after the start (2025-07-31), the rest by
    the end of the 6th month (2025-11-30); level 3 → the employee fund."""

    async def test_the_figures_by_hand(self, chongqing):
        # 100 × 730.00 + 33 × 12.35 = 73,000.00 + 407.55 = 73,407.55 yuan; × 1.0
        # half = 36,703.775 → 36,703.78 (half-up), the last takes the rest: 36,703.77.
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 100, 73000), (2, 33, 1235)], agreement_id=1))
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert (plan.base_fen, plan.total_fen, plan.fund, plan.prepaid_year) == (7340755, 7340755, "employee", 1)
        assert [(t.number, t.amount_fen, t.due_on) for t, _ in tranches] == [
            (1, 3670378, date(2025, 7, 31)), (2, 3670377, date(2025, 11, 30))]
        assert plan.explain["base"] == "73407.55" and plan.explain["ratio"] == "1"
        assert plan.explain["fund"]["level"] == 3 and tranches[1][0].explain["due"]["month"] == 6

    async def test_a_second_year_agreement_makes_no_second_plan(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=2, manufacturer=A,
                                           items=[(1, 100, 73000)], agreement_id=9))
        assert await plans(chongqing, "H500101001") == []

    async def test_growth_goes_to_undisbursed_tranches_then_to_a_top_up(self, chongqing):
        """SET-3: undisbursed tranches absorb an increase; when all are disbursed, a top-up."""
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        await disburse(chongqing, plan.id, 1, 50000)
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=B,
                                           items=[(3, 1, 1001)], agreement_id=2))
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert plan.total_fen == 101001
        assert [(t.amount_fen, d) for t, d in tranches] == [(50000, 50000), (51001, 0)]
        await disburse(chongqing, plan.id, 2, 51001)
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=C,
                                           items=[(4, 2, 500)], agreement_id=3,
                                           on=datetime(2025, 9, 10, 2, tzinfo=timezone.utc)))
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert [(t.kind, t.amount_fen, t.due_on) for t, _ in tranches][2] == ("top_up", 1000, date(2025, 10, 31))
        assert sum(t.amount_fen for t, _ in tranches) == plan.total_fen == 102001

    async def test_a_new_version_supersedes_and_an_old_one_changes_nothing(self, chongqing):
        """CON-2/SET-3: the latest version of a manufacturer's agreement counts, not both."""
        first = dict(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A, agreement_id=1)
        await deliver(chongqing, agreement(**first, items=[(1, 10, 10000)]))
        await deliver(chongqing, agreement(**{**first, "agreement_id": 5}, items=[(1, 12, 10000)], version_no=2))
        await deliver(chongqing, agreement(**first, items=[(1, 10, 10000)]))  # late duplicate of v1
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert plan.base_fen == 120000 and [t.amount_fen for t, _ in tranches] == [60000, 60000]

    async def test_the_insurer_sets_the_total_with_a_reason_and_the_explain_shows_both(self, chongqing):
        """SET-3 (seeds 000/002: 市医保监测中心测算医保预付金)."""
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        async with chongqing() as session, session.begin():
            await service.set_total(session, plan_id=plan.id, amount_fen=80001, reason="监测中心测算 2025-06",
                                    principal=INSURER, today=date(2025, 6, 25))
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert (plan.computed_total_fen, plan.total_fen) == (100000, 80001)
        assert [t.amount_fen for t, _ in tranches] == [40001, 40000]
        assert plan.explain["computed_total"] == "1000.00"
        assert plan.explain["set_total"]["amount"] == "800.01"
        assert plan.explain["set_total"]["reason"] == "监测中心测算 2025-06"


class TestRedeliveryAndConcurrency:
    """SET-3/SET-6: a redelivered agreement counts once; two disbursements racing for the rest
    of a tranche cannot both fit (the plan row is locked while what is left is checked)."""

    async def test_the_same_event_twice_counts_once(self, chongqing):
        event = agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A, items=[(1, 10, 10000)],
                          agreement_id=1)
        await deliver(chongqing, event)
        await deliver(chongqing, event)
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert plan.base_fen == 100000 and [t.amount_fen for t, _ in tranches] == [50000, 50000]

    async def test_parallel_disbursements_never_exceed_the_tranche(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")

        async def attempt(n: int) -> bool:
            try:
                await disburse(chongqing, plan.id, 1, 30000 + n)
                return True
            except Problem:
                return False

        assert sorted(await asyncio.gather(attempt(0), attempt(1))) == [False, True]
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert tranches[0][1] in (30000, 30001)


class TestChongqingStentPlan:
    """SET-3, chongqing-stent-2023 (seed 003: 将中选产品采购金额的50%预付…第6个月末预付剩余金额):
    start 2023-01-31 → 50 % by 2023-02-28, the rest by the end of the 6th month (January is
    month 1 → 2023-06-30); ratio 1.0; level 2 is already the employee fund (≥ 2)."""

    async def test_the_figures_by_hand(self, sessions):
        await given_batch(sessions, "CQ-STENT", "chongqing-stent-2023", date(2023, 1, 31), date(2026, 1, 30))
        await given_hospital(sessions, "H500102001", 2)
        # 7 × 730.00 + 3 × 3.33 = 5,110.00 + 9.99 = 5,119.99; half 2,559.995 → 2,560.00, rest 2,559.99.
        await deliver(sessions, agreement(batch="CQ-STENT", hospital="H500102001", year=1, manufacturer=A,
                                          items=[(1, 7, 73000), (2, 3, 333)], agreement_id=1))
        [(plan, tranches)] = await plans(sessions, "H500102001")
        assert (plan.base_fen, plan.total_fen, plan.fund) == (511999, 511999, "employee")
        assert [(t.amount_fen, t.due_on) for t, _ in tranches] == [(256000, date(2023, 2, 28)),
                                                                  (255999, date(2023, 6, 30))]


class TestChuxiongPlan:
    """SET-3, preset chuxiong-2022 (seed 004: 按不低于年度约定采购金额30%的比例预付): a plan per
    agreement year, ratio 0.3, all by the end of the month after that year's start; level 1 →
    the resident fund."""

    async def test_the_figures_by_hand(self, sessions):
        await given_batch(sessions, "CX-2022", "chuxiong-2022", date(2022, 8, 15), date(2024, 8, 14))
        await given_hospital(sessions, "H532301001", 1)
        # year 1: 1 × 3,333.35 = 333,335 fen × 0.3 = 100,000.5 → 100,001 (half-up)
        # year 2: 2 × 3,333.35 = 666,670 fen × 0.3 = 200,001; its year starts 2023-08-15.
        await deliver(sessions,
                      agreement(batch="CX-2022", hospital="H532301001", year=1, manufacturer=A,
                                items=[(1, 1, 333335)], agreement_id=1),
                      agreement(batch="CX-2022", hospital="H532301001", year=2, manufacturer=A,
                                items=[(1, 2, 333335)], agreement_id=2))
        found = await plans(sessions, "H532301001")
        assert [(p.prepaid_year, p.fund, p.base_fen, p.total_fen, [(t.amount_fen, t.due_on) for t, _ in ts])
                for p, ts in found] == [
            (1, "resident", 333335, 100001, [(100001, date(2022, 9, 30))]),
            (2, "resident", 666670, 200001, [(200001, date(2023, 9, 30))])]
        assert found[0][0].ratio == Decimal("0.3")


class TestLiaoningPlan:
    """SET-3, liaoning-2025 (seed 001: 未实施医保基金直接结算的市…按不低于…年度协议量总采购金额的50%
    设立采购预付金，在采购结果执行前预付到位): ratio 0.5, one tranche due before the start, and
    no plan at all for a hospital in a city whose fund settles directly (SET-5)."""

    async def test_prepaid_before_the_start_only_where_the_city_does_not_settle_directly(self, sessions):
        await given_batch(sessions, "LN-2025", "liaoning-2025", date(2025, 6, 28), date(2027, 6, 27))
        await given_hospital(sessions, "H210102001", 2, region_code="210102")  # Shenyang, 和平区
        await given_hospital(sessions, "H210202001", 2, region_code="210202")  # Dalian, 中山区
        async with sessions() as session, session.begin():
            await direct_settlement.set_region(session, region_code="210100", since_on=date(2025, 1, 1),
                                               principal=INSURER)
        # 3 × 1,234.57 = 3,703.71 yuan × 0.5 = 1,851.855 → 1,851.86 (half-up), due 2025-06-27.
        for hospital, agreement_id in (("H210102001", 1), ("H210202001", 2)):
            await deliver(sessions, agreement(batch="LN-2025", hospital=hospital, year=1, manufacturer=A,
                                              items=[(1, 3, 123457)], agreement_id=agreement_id))
        assert await plans(sessions, "H210102001") == []
        [(plan, tranches)] = await plans(sessions, "H210202001")
        assert (plan.base_fen, plan.total_fen, plan.fund) == (370371, 185186, "employee")
        assert [(t.amount_fen, t.due_on) for t, _ in tranches] == [(185186, date(2025, 6, 27))]

    async def test_a_policy_silent_on_it_prepays_a_region_that_settles_directly(self, sessions):
        """Only seed 001 ties prepayment to direct settlement; seed 004 (Chuxiong, direct
        settlement also optional) does not, so its hospitals are prepaid wherever they are."""
        await given_batch(sessions, "CX-DS", "chuxiong-2022", date(2022, 8, 15), date(2024, 8, 14))
        await given_hospital(sessions, "H532301009", 2, region_code="532301")  # 楚雄市
        async with sessions() as session, session.begin():
            await direct_settlement.set_region(session, region_code="532300", since_on=date(2022, 1, 1),
                                               principal=INSURER)
        await deliver(sessions, agreement(batch="CX-DS", hospital="H532301009", year=1, manufacturer=A,
                                          items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(sessions, "H532301009")
        assert plan.total_fen == 30000  # 100,000 fen × 0.3

    async def test_an_unknown_region_is_named(self, sessions):
        with pytest.raises(Problem) as refused:
            async with sessions() as session, session.begin():
                await direct_settlement.set_region(session, region_code="999999", since_on=date(2025, 1, 1),
                                                   principal=INSURER)
        assert refused.value.errors[0]["field"] == "path.region_code"


class TestDisbursements:
    """SET-3/SET-6: a disbursement is a ledger movement fund → hospital prepayment, caused by
    the request, never more than what is left of the tranche."""

    async def test_exactly_what_is_left_passes_and_one_fen_more_is_refused(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        await disburse(chongqing, plan.id, 1, 20000)
        with pytest.raises(Problem) as refused:
            await disburse(chongqing, plan.id, 1, 30001)
        assert refused.value.errors[0]["field"] == "body.amount"
        _, plan_disbursed = await disburse(chongqing, plan.id, 1, 30000)
        assert plan_disbursed == 50000
        async with chongqing() as session:
            held = await ledger.balances(session, [accounts.hospital_prepayment("H500101001"),
                                                   accounts.fund("employee")])
        assert held == {accounts.hospital_prepayment("H500101001"): 50000, accounts.fund("employee"): -50000}

    async def test_an_unknown_tranche_and_a_future_date_are_named(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        with pytest.raises(Problem) as refused:
            async with chongqing() as session, session.begin():
                await service.disburse(session, plan_id=plan.id, tranche=3, amount_fen=1,
                                       disbursed_on=date(2026, 1, 2), principal=INSURER, today=date(2026, 1, 1))
        assert {e["field"] for e in refused.value.errors} == {"body.tranche", "body.disbursed_on"}


class TestReversals:
    """SET-6: a disbursement recorded in error goes back to the fund as a new movement, once."""

    async def test_reversed_once_and_the_ledger_and_tranche_follow(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        disbursement, _ = await disburse(chongqing, plan.id, 1, 20000)
        await disburse(chongqing, plan.id, 1, 5000)
        request_id.current.set("req-reversal")
        async with chongqing() as session, session.begin():
            reversal, _, amount, plan_disbursed = await service.reverse_disbursement(
                session, plan_id=plan.id, disbursement_id=disbursement.id, reason="录入错误", principal=INSURER,
                today=date(2025, 7, 2))
        assert (amount, plan_disbursed, reversal.reverses_id) == (20000, 5000, disbursement.id)
        with pytest.raises(Problem) as again:
            async with chongqing() as session, session.begin():
                await service.reverse_disbursement(session, plan_id=plan.id, disbursement_id=disbursement.id,
                                                   reason="again", principal=INSURER, today=date(2025, 7, 2))
        assert again.value.status == 409
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert tranches[0][1] == 5000
        async with chongqing() as session:
            assert await ledger.balance(session, accounts.hospital_prepayment("H500101001")) == 5000
            assert await ledger.balance(session, accounts.fund("employee")) == -5000


class TestLateTranches:
    """SET-3: a tranche not disbursed by its due date is late, marked and announced once."""

    async def test_late_the_day_after_due_and_only_once(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        async with chongqing() as session, session.begin():
            assert await service.run_late_check(session, today=date(2025, 7, 31)) == []
        await disburse(chongqing, plan.id, 2, 50000, today=date(2025, 7, 31))  # the second, early: never late
        async with chongqing() as session, session.begin():
            late = await service.run_late_check(session, today=date(2025, 12, 1))
        async with chongqing() as session, session.begin():
            again = await service.run_late_check(session, today=date(2025, 12, 2))
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert late == [tranches[0][0].id] and again == []
        assert [t.late_on for t, _ in tranches] == [date(2025, 12, 1), None]

    async def test_money_that_came_after_the_due_date_does_not_make_it_timely(self, chongqing):
        await deliver(chongqing, agreement(batch="CQ-2025", hospital="H500101001", year=1, manufacturer=A,
                                           items=[(1, 10, 10000)], agreement_id=1))
        [(plan, _)] = await plans(chongqing, "H500101001")
        request_id.current.set("req-late-money")
        async with chongqing() as session, session.begin():  # tranche 1 due 2025-07-31, paid 2025-08-01
            await service.disburse(session, plan_id=plan.id, tranche=1, amount_fen=50000,
                                   disbursed_on=date(2025, 8, 1), principal=INSURER, today=date(2025, 8, 1))
        async with chongqing() as session, session.begin():
            late = await service.run_late_check(session, today=date(2025, 8, 2))
        [(plan, tranches)] = await plans(chongqing, "H500101001")
        assert late == [tranches[0][0].id] and tranches[0][1] == 50000


class TestReallocation:
    """SET-3/SET-6 as a pure rule: the tranches always sum to the new total, none negative,
    none below what it received."""

    def test_a_decrease_never_cuts_below_what_was_received(self):
        change = reallocate([TrancheState(1, Decimal("0.5"), 500, 400), TrancheState(2, Decimal("0.5"), 500, 0)], 300)
        assert change.amounts == {1: 400, 2: 0} and change.excess_fen == 100

    def test_an_increase_with_open_tranches_is_shared_by_their_shares(self):
        change = reallocate([TrancheState(1, Decimal("0.5"), 500, 0), TrancheState(2, Decimal("0.5"), 500, 0)], 1001)
        assert change.amounts == {1: 501, 2: 500} and change.top_up_fen == 0
