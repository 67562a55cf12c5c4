"""SET-3 prepayment plans (医保预付金) and their disbursements, on the SET-6 ledger.

A plan exists per (batch, hospital, prepaid agreement year): the first agreement year for a
once-per-cycle policy (seeds 000–003, 001: one prepayment at the start, recovered after the
cycle), every agreement year for a per-year policy (seed 004: 年度约定采购金额). Its base is
Σ agreed quantity × price of the latest effective version of each manufacturer's agreement;
its total is base × the policy's ratio, half-up to the fen — unless the insurer set it from
the monitoring centre's figure (seeds 000/002), which then stands and the explain shows both.
The fund is the hospital level's (seeds 000/002: level ≥ 2 employee, else resident). Where
the policy allows direct settlement and the hospital's region settles directly (SET-5), no
plan is made (seed 001: prepaid only in 未实施医保基金直接结算的市, before execution starts —
the liaoning-2025 tranche is due the day before the start).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.contracts import AgreementEffective
from vbpkit.events.settlement import (PlannedTrancheFacts, PrepaymentDisbursed, PrepaymentDisbursementReversed,
                                      PrepaymentLate, PrepaymentPlanned)
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan, multiply_half_up
from vbpkit.domain.policy import ExecutionPolicy
from vbpkit.domain.policy.dates import agreement_year_bounds, month_end, tranche_schedule
from vbpkit.messaging.handlers import NotYetKnown
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.projections.registry.models import fund_for_level
from vbpkit.web.parties import NOBODY, OVERSEERS, hospital_filter, not_found

from vbp_settlement.direct_settlement import service as direct_settlement
from vbp_settlement.ledger import accounts
from vbp_settlement.fund_payables import repository as payables
from vbp_settlement.ledger import service as ledger
from vbp_settlement.prepayments import repository
from vbp_settlement.prepayments.allocation import TrancheState, first_split, reallocate
from vbp_settlement.prepayments.models import Disbursement, PrepaymentPlan, PrepaymentTranche


# a plan, its tranches with what each disbursed, and (offset, refunded) of the plan in fen
PlanWithTranches = tuple[PrepaymentPlan, list[tuple[PrepaymentTranche, int]], tuple[int, int]]


def prepaid_year(policy: ExecutionPolicy, agreement_year: int) -> int | None:
    """SET-3: which agreement year's plan an agreement of ``agreement_year`` feeds, if any."""
    if policy.prepayment_frequency == "per_agreement_year":
        return agreement_year
    return 1 if agreement_year == 1 else None


async def apply_agreement(session: AsyncSession, event: AgreementEffective, *, effective_on: date) -> PrepaymentPlan | None:
    """SET-3: an effective agreement creates or grows its hospital's plan for the batch."""
    batch = await catalog.batch(session, event.batch_code)
    if batch is None:
        raise NotYetKnown(f"agreement {event.agreement_id} of batch {event.batch_code}, which settlement never saw")
    policy = batch.policy
    year = prepaid_year(policy, event.agreement_year)
    if year is None:
        return None
    institution = await registry.institution(session, event.hospital_code)
    if institution is None:
        raise NotYetKnown(f"agreement {event.agreement_id} of hospital {event.hospital_code}, unknown here")
    plan = await repository.plan_for_update(session, batch_code=batch.code, hospital_code=event.hospital_code,
                                            prepaid_year=year)
    new = plan is None
    if new and await direct_settlement.settles_directly(session, policy, institution.region_code, effective_on):
        return None  # seed 001: prepaid only where the fund does not pay the companies itself
    if new:
        plan = PrepaymentPlan(batch_code=batch.code, hospital_code=event.hospital_code, prepaid_year=year,
                              fund=fund_for_level(institution.level), ratio=policy.prepayment_ratio, base_fen=0,
                              computed_total_fen=0, total_fen=0, explain={})
        session.add(plan)
        await session.flush()
    items = [i.model_dump() for i in event.items]
    amount = sum(i.agreed_quantity * i.unit_price_fen for i in event.items)
    counted = await repository.put_agreement(session, dict(
        plan_id=plan.id, manufacturer_code=event.manufacturer_code, agreement_id=event.agreement_id,
        version_no=event.version_no, agreed_amount_fen=amount, items=items))
    if not counted and not new:
        return plan  # an older version than the one counted: nothing changes
    start = batch.starts_on if year == 1 else agreement_year_bounds(batch.cycle, year).value.first
    await _replan(session, plan, policy=policy, start=start, level=institution.level, today=effective_on)
    return plan


async def _replan(session: AsyncSession, plan: PrepaymentPlan, *, policy: ExecutionPolicy, start: date,
                  level: int, today: date) -> None:
    agreements = await repository.agreements_of(session, plan.id)
    plan.base_fen = sum(a.agreed_amount_fen for a in agreements)
    plan.computed_total_fen = multiply_half_up(plan.base_fen, plan.ratio)
    target = plan.set_total_fen if plan.set_total_fen is not None else plan.computed_total_fen
    tranches = await repository.tranches_of(session, [plan.id])
    excess = 0
    if not tranches:
        schedule = tranche_schedule(policy, start)
        for due, part in zip(schedule, first_split(target, [d.share for d in schedule]), strict=True):
            number = due.explain["tranche"]
            session.add(PrepaymentTranche(plan_id=plan.id, number=number, kind="scheduled", share=due.share,
                                          amount_fen=part, due_on=due.due_on, explain={
                                              **due.explain, "amount": format_yuan(part),
                                              "how": "total × share, half-up; the remainder on the last tranche"}))
    else:
        disbursed = await repository.disbursed_fen(session, [t.id for t in tranches])
        change = reallocate([TrancheState(t.number, t.share, t.amount_fen, disbursed[t.id]) for t in tranches], target)
        for t in tranches:
            if t.amount_fen != change.amounts[t.number]:
                t.explain = {**t.explain, "amount": format_yuan(change.amounts[t.number]),
                             "was": format_yuan(t.amount_fen), "how": change.how, "on": today.isoformat()}
                t.amount_fen = change.amounts[t.number]
        if change.top_up_fen:
            # Due by the end of the month after the growth, as the first tranche is due by the
            # end of the month after the start (§4) — no seed names a date for a top-up.
            due_on = _end_of_next_month(today)
            number = max(t.number for t in tranches) + 1
            session.add(PrepaymentTranche(plan_id=plan.id, number=number, kind="top_up", share=None,
                                          amount_fen=change.top_up_fen, due_on=due_on, explain={
                                              "rule": "SET-3", "preset": policy.preset, "tranche": number,
                                              "amount": format_yuan(change.top_up_fen), "how": change.how,
                                              "grown_on": today.isoformat(), "due_on": due_on.isoformat(),
                                              "due": "end of the month after the plan grew"}))
        excess = change.excess_fen
    plan.total_fen = target + excess
    plan.updated_at = datetime.now(timezone.utc)
    plan.explain = _explain(plan, policy=policy, agreements=agreements, level=level, excess=excess)
    await session.flush()
    await _announce(session, plan)


def _end_of_next_month(day: date) -> date:
    index = day.year * 12 + day.month  # the month after ``day``'s, zero-based
    return month_end(index // 12, index % 12 + 1)


def _explain(plan: PrepaymentPlan, *, policy: ExecutionPolicy, agreements, level: int, excess: int) -> dict:
    return {
        "rule": "SET-3", "preset": policy.preset, "prepaid_year": plan.prepaid_year,
        "frequency": policy.prepayment_frequency,
        "agreements": [{"agreement_id": a.agreement_id, "manufacturer_code": a.manufacturer_code,
                        "version_no": a.version_no, "agreed_amount": format_yuan(a.agreed_amount_fen),
                        "items": [{**i, "amount": format_yuan(i["agreed_quantity"] * i["unit_price_fen"])}
                                  for i in a.items]} for a in agreements],
        "base": format_yuan(plan.base_fen), "base_formula": "Σ agreed quantity × price of each manufacturer's latest "
                                                            "effective agreement for the prepaid year",
        "ratio": format(Decimal(plan.ratio).normalize(), "f"), "computed_total": format_yuan(plan.computed_total_fen),
        "computed_formula": "base × ratio, half-up to the fen",
        "set_total": None if plan.set_total_fen is None else {
            "amount": format_yuan(plan.set_total_fen), "reason": plan.set_total_reason, "by": plan.set_total_by,
            "source": "the monitoring centre's computed figure (seeds 000/002: 市医保监测中心测算医保预付金)"},
        "disbursed_beyond_total": format_yuan(excess) if excess else None,
        "total": format_yuan(plan.total_fen),
        "fund": {"fund": plan.fund, "level": level, "rule": "level ≥ 2 employee (职工医保), else resident (居民医保)"},
    }


async def _announce(session: AsyncSession, plan: PrepaymentPlan) -> None:
    tranches = await repository.tranches_of(session, [plan.id])
    outbox.add(session, PrepaymentPlanned(
        plan_id=plan.id, batch_code=plan.batch_code, hospital_code=plan.hospital_code,
        prepaid_year=plan.prepaid_year, fund=plan.fund, base_fen=plan.base_fen,
        computed_total_fen=plan.computed_total_fen, total_fen=plan.total_fen,
        tranches=[PlannedTrancheFacts(number=t.number, kind=t.kind, amount_fen=t.amount_fen, due_on=t.due_on)
                  for t in tranches]), key=plan.hospital_code)


async def set_total(session: AsyncSession, *, plan_id: int, amount_fen: int, reason: str, principal: Principal,
                    today: date) -> PrepaymentPlan:
    """SET-3 (seeds 000/002): the insurer replaces the computed total with the monitoring
    centre's figure; the tranches follow it as they follow growth (never below what was paid)."""
    plan = await repository.plan(session, plan_id, for_update=True)
    if plan is None:
        raise not_found(f"prepayment plan {plan_id}")
    batch = await catalog.batch(session, plan.batch_code)
    institution = await registry.institution(session, plan.hospital_code)
    plan.set_total_fen, plan.set_total_reason, plan.set_total_by = amount_fen, reason, principal.actor
    start = batch.starts_on if plan.prepaid_year == 1 else agreement_year_bounds(batch.cycle, plan.prepaid_year).value.first
    await _replan(session, plan, policy=batch.policy, start=start, level=institution.level if institution else 0,
                  today=today)
    return plan


def _visible(plan: PrepaymentPlan | None, principal: Principal, plan_id: int) -> PrepaymentPlan:
    """GW-5: hospitals see their own plans; the insurer, the exchange and admins all; companies none."""
    if principal.role is Role.COMPANY:
        raise Problem(403, detail="prepayments are between the fund and hospitals; a company has none (SET-3)")
    if plan is None or not (principal.role in OVERSEERS or (principal.role is Role.HOSPITAL
                                                             and principal.tenant == plan.hospital_code)):
        raise not_found(f"prepayment plan {plan_id}")
    return plan


async def visible_plan(session: AsyncSession, plan_id: int, principal: Principal) -> PrepaymentPlan:
    return _visible(await repository.plan(session, plan_id), principal, plan_id)


async def read_plan(session: AsyncSession, *, plan_id: int, principal: Principal) -> PlanWithTranches:
    plan = await visible_plan(session, plan_id, principal)
    return plan, await tranches_with_disbursed(session, [plan.id]), (await recovered(session, [plan.id]))[plan.id]


async def list_plans_with_tranches(session: AsyncSession, *, principal: Principal, batch_code: str | None,
                                   hospital_code: str | None, after_id: int | None,
                                   limit: int) -> list[PlanWithTranches]:
    plans = await list_plans(session, principal=principal, batch_code=batch_code, hospital_code=hospital_code,
                             after_id=after_id, limit=limit)
    pairs = await tranches_with_disbursed(session, [p.id for p in plans])
    figures = await recovered(session, [p.id for p in plans])
    return [(p, [(t, d) for t, d in pairs if t.plan_id == p.id], figures[p.id]) for p in plans]


async def recovered(session: AsyncSession, plan_ids: list[int]) -> dict[int, tuple[int, int]]:
    """What came back of each plan's prepayment so far: (offset from live fund payables,
    demanded back as a refund), in fen (issue 23: fields, not only an offset's explain)."""
    offset = await payables.offset_by_plan(session, plan_ids)
    refunded = await payables.refunded_by_plan(session, plan_ids)
    return {plan_id: (offset.get(plan_id, 0), refunded.get(plan_id, 0)) for plan_id in plan_ids}


async def set_total_and_read(session: AsyncSession, *, plan_id: int, amount_fen: int, reason: str,
                             principal: Principal, today: date) -> PlanWithTranches:
    plan = await set_total(session, plan_id=plan_id, amount_fen=amount_fen, reason=reason, principal=principal,
                           today=today)
    return plan, await tranches_with_disbursed(session, [plan.id]), (await recovered(session, [plan.id]))[plan.id]


async def plan_disbursements(session: AsyncSession, *, plan_id: int, principal: Principal):
    """A visible plan's disbursements and reversals: (row, tranche number, amount from the ledger)."""
    await visible_plan(session, plan_id, principal)
    return await disbursements(session, plan_id)


async def list_plans(session: AsyncSession, *, principal: Principal, batch_code: str | None,
                     hospital_code: str | None, after_id: int | None, limit: int) -> list[PrepaymentPlan]:
    if principal.role is Role.COMPANY:
        raise Problem(403, detail="prepayments are between the fund and hospitals; a company has none (SET-3)")
    hospital_code = hospital_filter(principal, hospital_code)
    if hospital_code is NOBODY:
        return []
    return await repository.plans(session, batch_code=batch_code, hospital_code=hospital_code, after_id=after_id,
                                  limit=limit)


async def tranches_with_disbursed(session: AsyncSession, plan_ids: list[int]):
    tranches = await repository.tranches_of(session, plan_ids)
    disbursed = await repository.disbursed_fen(session, [t.id for t in tranches])
    return [(t, disbursed[t.id]) for t in tranches]


async def disbursements(session: AsyncSession, plan_id: int):
    tranches = await repository.tranches_of(session, [plan_id])
    numbers = {t.id: t.number for t in tranches}
    return [(d, numbers[d.tranche_id], amount) for d, amount in await repository.disbursements_of(session, list(numbers))]


async def disburse(session: AsyncSession, *, plan_id: int, tranche: int, amount_fen: int, disbursed_on: date,
                   principal: Principal, today: date) -> tuple[Disbursement, int]:
    """SET-3 拨付: the fund pays (part of) a tranche to the hospital — a ledger movement
    ``fund:<kind>`` → ``hospital:<code>:prepayment`` caused by this request (SET-6). Never
    more than what is left of the tranche: the plan row is locked while that is checked."""
    plan = await repository.plan(session, plan_id, for_update=True)
    if plan is None:
        raise not_found(f"prepayment plan {plan_id}")
    tranches = await repository.tranches_of(session, [plan.id])
    by_number = {t.number: t for t in tranches}
    errors = []
    target = by_number.get(tranche)
    if target is None:
        errors.append({"field": "body.tranche", "reason": f"the plan has tranches {sorted(by_number)}"})
    else:
        left = target.amount_fen - (await repository.disbursed_fen(session, [target.id]))[target.id]
        if amount_fen <= 0:
            errors.append({"field": "body.amount", "reason": "a disbursement is more than zero"})
        elif amount_fen > left:
            errors.append({"field": "body.amount", "reason": (
                f"{format_yuan(amount_fen)} exceeds what is left of tranche {tranche}: {format_yuan(left)} (SET-3)")})
    if disbursed_on > today:
        errors.append({"field": "body.disbursed_on", "reason": f"after today {today}"})
    if errors:
        raise Problem(422, detail="the disbursement is refused; nothing was recorded", errors=errors)
    recorded = await ledger.move(
        session, cause_kind="request", cause_ref=ledger.request_cause(),
        description=f"SET-3 prepayment plan {plan.id} tranche {tranche} disbursed on {disbursed_on}",
        recorded_by=principal.actor,
        postings=[ledger.Posting(accounts.fund(plan.fund), accounts.hospital_prepayment(plan.hospital_code),
                                 amount_fen)])
    disbursement = Disbursement(tranche_id=target.id, transaction_id=recorded.transaction_id, disbursed_on=disbursed_on,
                                recorded_by=principal.actor)
    session.add(disbursement)
    await session.flush()
    await session.refresh(disbursement)
    plan_disbursed = sum((await repository.disbursed_fen(session, [t.id for t in tranches])).values())
    outbox.add(session, PrepaymentDisbursed(
        plan_id=plan.id, disbursement_id=disbursement.id, ledger_transaction_id=recorded.transaction_id,
        batch_code=plan.batch_code, hospital_code=plan.hospital_code, fund=plan.fund, tranche=tranche,
        amount_fen=amount_fen, disbursed_on=disbursed_on, plan_disbursed_fen=plan_disbursed), key=plan.hospital_code)
    return disbursement, plan_disbursed


async def run_late_check(session: AsyncSession, *, today: date) -> list[int]:
    """SET-3: a tranche not fully disbursed by its due date is late — marked and announced once,
    even if the money came after the due date but before this check ran."""
    candidates = await repository.undisbursed_due_before(session, today=today)
    disbursed = await repository.disbursed_by_due_date(session, [t.id for t in candidates])
    late = [t for t in candidates if disbursed[t.id] < t.amount_fen]
    plans = {p.id: p for p in [await repository.plan(session, pid) for pid in {t.plan_id for t in late}]}
    for t in late:
        t.late_on = today
        plan = plans[t.plan_id]
        outbox.add(session, PrepaymentLate(
            plan_id=plan.id, batch_code=plan.batch_code, hospital_code=plan.hospital_code, fund=plan.fund,
            tranche=t.number, amount_fen=t.amount_fen, undisbursed_fen=t.amount_fen - disbursed[t.id],
            due_on=t.due_on, late_on=today), key=plan.hospital_code)
    await session.flush()
    return [t.id for t in late]


async def reverse_disbursement(session: AsyncSession, *, plan_id: int, disbursement_id: int, reason: str,
                               principal: Principal, today: date) -> tuple[Disbursement, int, int, int]:
    """SET-6 reversal: a disbursement recorded in error goes back to the fund as a new ledger
    movement ``hospital:<code>:prepayment`` → ``fund:<kind>`` caused by this request; at most
    once, and never below what the hospital still holds (the ledger refuses an overdraft)."""
    plan = await repository.plan(session, plan_id, for_update=True)
    if plan is None:
        raise not_found(f"prepayment plan {plan_id}")
    found = await repository.disbursement_for_reversal(session, plan_id=plan.id, disbursement_id=disbursement_id)
    if found is None:
        raise not_found(f"disbursement {disbursement_id} of plan {plan_id}")
    original, tranche, reversed_already = found
    if reversed_already:
        raise Problem(409, detail=f"disbursement {disbursement_id} is already reversed")
    amount = (await repository.disbursement_amounts(session, [original.id]))[original.id]
    recorded = await ledger.move(
        session, cause_kind="request", cause_ref=ledger.request_cause(),
        description=f"SET-6 reversal of disbursement {original.id} (plan {plan.id} tranche {tranche.number}): {reason}",
        recorded_by=principal.actor,
        postings=[ledger.Posting(accounts.hospital_prepayment(plan.hospital_code), accounts.fund(plan.fund), amount)])
    reversal = Disbursement(tranche_id=tranche.id, transaction_id=recorded.transaction_id, reverses_id=original.id,
                            reason=reason, disbursed_on=today, recorded_by=principal.actor)
    session.add(reversal)
    await session.flush()
    await session.refresh(reversal)
    tranches = await repository.tranches_of(session, [plan.id])
    plan_disbursed = sum((await repository.disbursed_fen(session, [t.id for t in tranches])).values())
    outbox.add(session, PrepaymentDisbursementReversed(
        plan_id=plan.id, disbursement_id=reversal.id, reverses_disbursement_id=original.id,
        ledger_transaction_id=recorded.transaction_id, batch_code=plan.batch_code, hospital_code=plan.hospital_code,
        fund=plan.fund, tranche=tranche.number, amount_fen=amount, reversed_on=today, reason=reason,
        plan_disbursed_fen=plan_disbursed), key=plan.hospital_code)
    return reversal, tranche.number, amount, plan_disbursed
