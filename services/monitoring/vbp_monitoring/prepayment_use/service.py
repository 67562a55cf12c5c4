"""MON-10 prepayment use (专款专用, seed 001: 要加强预付金使用监管，做到专款专用): per hospital
and batch, what the fund prepaid against what the hospital passed on to the batch's suppliers.

- disbursed: Σ disbursements less reversals, by ``as_of``;
- paid to suppliers: Σ payments by ``as_of`` of the hospital's live invoices, each invoice's
  payments split over the batches it bills in proportion to their amounts (rounded down);
- the shortfall — the prepayment not passed on — is what the hospital still held of the
  prepayment while invoices of that batch stood unpaid past their due date:
  min(disbursed − paid to suppliers, unpaid past due), never below 0. A hospital that has
  not yet been billed holds its prepayment rightly; one that leaves a due invoice unpaid
  while holding the batch's prepayment does not.

A shortfall is alerted once per hospital, batch and month (kind ``prepayment_use``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.domain.money import format_yuan
from vbpkit.projections.registry import repository as registry
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.prepayment_use import repository


async def use(session: AsyncSession, *, as_of: date) -> list[dict]:
    disbursed = await repository.disbursed(session, as_of=as_of)
    paid: dict[tuple[str, str], int] = {}
    overdue: dict[tuple[str, str], int] = {}
    for hospital, batch, total, part, due_on, paid_total in await repository.batch_invoices(session, as_of=as_of):
        key = (hospital, batch)
        share_paid = int(paid_total) * part // total if total else 0
        paid[key] = paid.get(key, 0) + share_paid
        if due_on < as_of:
            overdue[key] = overdue.get(key, 0) + max(part - share_paid, 0)
    rows = []
    for (hospital, batch), amount in sorted(disbursed.items()):
        if amount <= 0:
            continue
        passed_on = paid.get((hospital, batch), 0)
        held = max(amount - passed_on, 0)
        shortfall = min(held, overdue.get((hospital, batch), 0))
        rows.append({"hospital_code": hospital, "batch_code": batch, "disbursed_fen": amount,
                     "paid_to_suppliers_fen": passed_on, "unpaid_past_due_fen": overdue.get((hospital, batch), 0),
                     "shortfall_fen": shortfall, "explain": {
                         "rule": "MON-10", "as_of": as_of.isoformat(), "disbursed": format_yuan(amount),
                         "paid_to_suppliers": format_yuan(passed_on), "held": format_yuan(held),
                         "unpaid_past_due": format_yuan(overdue.get((hospital, batch), 0)),
                         "shortfall": format_yuan(shortfall),
                         "formula": "min(disbursed − paid to the batch's suppliers, their invoices unpaid past due)"}})
    return rows


async def visible_use(session: AsyncSession, *, principal: Principal, as_of: date, batch_code: str | None,
                      hospital_code: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []
    rows = []
    for row in await use(session, as_of=as_of):
        if (batch_code and row["batch_code"] != batch_code) or not scope.shows_hospital(row["hospital_code"]):
            continue
        institution = await registry.institution(session, row["hospital_code"])
        if scope.covers(institution.region_code if institution else None):
            rows.append(row)
    return rows


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    return [dict(kind="prepayment_use", rule="MON-10", period=today.isoformat()[:7], batch_code=r["batch_code"],
                 hospital_code=r["hospital_code"], company_code="", product_id=0, group_code="",
                 region_code=await region_of(r["hospital_code"]), raised_on=today, details=r["explain"])
            for r in await use(session, as_of=today) if r["shortfall_fen"] > 0]
