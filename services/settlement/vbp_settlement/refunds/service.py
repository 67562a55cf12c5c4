"""SET-4 refunds (退回) of prepayment the offsets did not recover in time.

Where the policy says so (seeds 000/002: 采购周期结束后的次月起…抵扣，…超过一年未抵扣完毕的，由医疗
机构原渠道全部退回 → ``AfterCycleEnd.refund_after_months = 12``), a check on the service's clock
finds each plan whose refund month has begun (``vbpkit.domain.policy.refund_month``: the first
offset month + 12) with prepayment still outstanding, and demands that amount back, once:
``hospital:<H>:prepayment`` → ``hospital:<H>:refund_due``, so the plan's outstanding is 0 and
no later payable offsets it. Seed 003 (stents) and seed 001 (Liaoning) keep deducting until
cleared, and seed 004 (Chuxiong) offsets progressively: no refund, by their presets.

The demand is made on the first day of the refund month, which is "more than a year" of
offset months after they began. The insurer then records what the hospital sends back
(``refund_due`` → ``fund:<F>``), in parts if need be, never more than is due.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.settlement import RefundDemanded, RefundReceived
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import first_offset_month, refund_month
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.web.parties import NOBODY, OVERSEERS, hospital_filter, not_found

from vbp_settlement.fund_payables import repository as payables
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import service as ledger
from vbp_settlement.refunds import repository
from vbp_settlement.refunds.models import RefundDemand, RefundReceipt


async def run_refund_check(session: AsyncSession, *, today: date) -> list[int]:
    """Demand back every plan's outstanding prepayment once its refund month has begun."""
    candidates = await repository.plans_without_demand(session)
    batches = await catalog.batches_by_code(session, {b for _, b in candidates})
    months = {code: refund_month(batch.policy, batch.cycle) for code, batch in batches.items()}
    due_ids = [i for i, b in candidates if b in months and months[b].value is not None and months[b].value <= today]
    due = [(plan, batches[plan.batch_code], months[plan.batch_code])
           for plan in await repository.lock_undemanded(session, due_ids)]
    ids = [p.id for p, _, _ in due]
    disbursed = await payables.disbursed_by_plan(session, ids)
    offset = await payables.offset_by_plan(session, ids)
    demands, movements = [], []
    for plan, batch, month in due:
        outstanding = disbursed.get(plan.id, 0) - offset.get(plan.id, 0)
        if outstanding <= 0:
            continue
        began = first_offset_month(batch.policy, batch.cycle)
        demands.append((plan, outstanding, dict(
            plan_id=plan.id, hospital_code=plan.hospital_code, fund=plan.fund, demanded_on=today, explain={
                "rule": "SET-4", "preset": batch.policy.preset, "plan_id": plan.id,
                "offsets_began": began.value.isoformat()[:7], "refund_month": month.value.isoformat()[:7],
                "disbursed": format_yuan(disbursed.get(plan.id, 0)), "offset": format_yuan(offset.get(plan.id, 0)),
                "demanded": format_yuan(outstanding), "formula": "disbursed − offset, still outstanding when the "
                "offset window closed (seeds 000/002: 超过一年未抵扣完毕的…全部退回)", **month.explain})))
        movements.append(ledger.Movement(
            "check", f"SET-4 refund check {today.isoformat()} plan {plan.id}",
            f"SET-4 refund of plan {plan.id} demanded from {plan.hospital_code}", "refund-check",
            [ledger.Posting(accounts.hospital_prepayment(plan.hospital_code),
                            accounts.hospital_refund_due(plan.hospital_code), outstanding)]))
    recorded = await ledger.move_many(session, movements)
    rows = await repository.add_demands(session, [
        {**row, "posting_id": r.posting_ids[0]} for (_, _, row), r in zip(demands, recorded, strict=True)])
    for (plan, outstanding, row), demand in zip(demands, rows, strict=True):
        outbox.add(session, RefundDemanded(
            refund_id=demand.id, plan_id=plan.id, batch_code=plan.batch_code, hospital_code=plan.hospital_code,
            fund=plan.fund, amount_fen=outstanding, demanded_on=today,
            offsets_began=date.fromisoformat(row["explain"]["offsets_began"] + "-01"),
            window_closed=date.fromisoformat(row["explain"]["refund_month"] + "-01")), key=plan.hospital_code)
    return [d.id for d in rows]


def _visible(demand: RefundDemand | None, principal: Principal, refund_id: int) -> RefundDemand:
    if demand is None or not (principal.role in OVERSEERS or (
            principal.role is Role.HOSPITAL and principal.tenant == demand.hospital_code)):
        raise not_found(f"refund {refund_id}")
    return demand


async def listing(session: AsyncSession, *, principal: Principal, hospital_code: str | None, after_id: int | None,
                  limit: int) -> list[tuple[RefundDemand, tuple[int, int]]]:
    hospital_code = hospital_filter(principal, hospital_code)
    if hospital_code is NOBODY:
        return []
    found = await repository.demands(session, hospital_code=hospital_code, after_id=after_id, limit=limit)
    amounts = await repository.amounts(session, [d.id for d in found])
    return [(d, amounts[d.id]) for d in found]


async def read(session: AsyncSession, *, refund_id: int, principal: Principal):
    demand = _visible(await repository.demand(session, refund_id), principal, refund_id)
    return demand, (await repository.amounts(session, [demand.id]))[demand.id]


async def receive(session: AsyncSession, *, refund_id: int, amount_fen: int, received_on: date,
                  principal: Principal, today: date):
    """The hospital sent (part of) a demanded refund back to the fund."""
    demand = _visible(await repository.demand(session, refund_id, for_update=True), principal, refund_id)
    demanded, received = (await repository.amounts(session, [demand.id]))[demand.id]
    errors = []
    if amount_fen <= 0:
        errors.append({"field": "body.amount", "reason": "a receipt is more than zero"})
    elif amount_fen > demanded - received:
        errors.append({"field": "body.amount", "reason": (
            f"{format_yuan(amount_fen)} exceeds what is still due: {format_yuan(demanded - received)} (SET-4)")})
    if received_on > today:
        errors.append({"field": "body.received_on", "reason": f"after today {today}"})
    elif received_on < demand.demanded_on:
        errors.append({"field": "body.received_on", "reason": f"before the demand of {demand.demanded_on}"})
    if errors:
        raise Problem(422, detail="the refund receipt is refused; nothing was recorded", errors=errors)
    recorded = await ledger.move(
        session, cause_kind="request", cause_ref=ledger.request_cause(),
        description=f"SET-4 refund {demand.id} received from {demand.hospital_code} on {received_on}",
        recorded_by=principal.actor, postings=[ledger.Posting(
            accounts.hospital_refund_due(demand.hospital_code), accounts.fund(demand.fund), amount_fen)])
    receipt = await repository.add_receipt(session, RefundReceipt(
        demand_id=demand.id, transaction_id=recorded.transaction_id, received_on=received_on,
        recorded_by=principal.actor))
    still_due = demanded - received - amount_fen
    outbox.add(session, RefundReceived(
        refund_id=demand.id, receipt_id=receipt.id, hospital_code=demand.hospital_code, fund=demand.fund,
        amount_fen=amount_fen, received_on=received_on, still_due_fen=still_due), key=demand.hospital_code)
    return demand, (demanded, received + amount_fen)
