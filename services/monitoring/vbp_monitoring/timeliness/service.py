"""MON-4 timeliness (seeds 000–004: 及时结清货款, 及时拨付), per hospital for a month:

- **hospitals paying companies:** the live invoices due in the month, how many were paid in
  full by their due date (the on-time payment rate), and how many were found overdue;
- **the fund paying hospitals:** prepayment tranches due in the month and found late (not
  disbursed by their due date), and each monthly fund payable of the month with the day the
  fund paid it. It is late when paid after the end of the following month. The seeds say only
  及时拨付; that deadline is this platform's default, the same rule as a supplier's 次月底.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.domain.money import format_yuan
from vbpkit.projections.registry import repository as registry
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.timeliness import repository


def fund_deadline(month: date) -> date:
    """A month's payable is paid on time by the last day of the following month."""
    year, number = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return date(year, number, calendar.monthrange(year, number)[1])


async def timeliness(session: AsyncSession, *, principal: Principal, month: date,
                     hospital_code: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []  # timeliness is the hospitals' and the fund's; a company reads its receivables in settlement
    last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    per: dict[str, dict] = {}

    def entry(code: str) -> dict:
        return per.setdefault(code, {"hospital_code": code, "invoices_due": 0, "paid_on_time": 0,
                                     "found_overdue": 0, "unpaid_by_due_date_fen": 0, "late_tranches": [],
                                     "fund_payables": []})
    for _, code, amount, due_on, overdue_on, paid in await repository.invoices_due(
            session, first=month, last=last, hospital_code=scope.hospital_code):
        e = entry(code)
        e["invoices_due"] += 1
        e["paid_on_time"] += int(paid) >= amount
        e["found_overdue"] += overdue_on is not None
        e["unpaid_by_due_date_fen"] += max(amount - int(paid), 0)
    for t in await repository.late_tranches(session, first=month, last=last, hospital_code=scope.hospital_code):
        entry(t.hospital_code)["late_tranches"].append({
            "plan_id": t.plan_id, "tranche": t.tranche, "batch_code": t.batch_code, "due_on": t.due_on.isoformat(),
            "late_on": t.late_on.isoformat(), "undisbursed": format_yuan(t.undisbursed_fen)})
    deadline = fund_deadline(month)
    for p in await repository.payables_of_month(session, month=month, hospital_code=scope.hospital_code):
        entry(p.hospital_code)["fund_payables"].append({
            "payable_id": p.payable_id, "fund": p.fund, "paid_on": p.paid_on.isoformat(),
            "deadline": deadline.isoformat(), "late": p.paid_on > deadline, "net": format_yuan(p.net_fen)})
    rows = []
    for code in sorted(per):
        institution = await registry.institution(session, code)
        if not scope.covers(institution.region_code if institution else None):
            continue
        e = per[code]
        rate = (Decimal(e["paid_on_time"]) / e["invoices_due"]).quantize(Decimal("0.0001"), ROUND_HALF_UP) \
            if e["invoices_due"] else None
        rows.append({**e, "on_time_rate": None if rate is None else str(rate), "explain": {
            "rule": "MON-4", "month": month.isoformat()[:7],
            "on_time_rate": "invoices due in the month paid in full by their due date ÷ invoices due in the month",
            "fund_payable_deadline": deadline.isoformat(),
            "fund_payable_rule": "paid by the end of the following month (seeds say only 及时拨付; platform default)"}})
    return rows


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    """MON-4 alerts: a hospital's invoices found overdue in a month (one alert per hospital and
    month), each late prepayment tranche, and each monthly fund payable the fund paid after
    the end of the following month."""
    rows = []
    for hospital, month, count, amount in await repository.overdue_by_month(session, today=today):
        rows.append(dict(kind="overdue_invoices", rule="MON-4", period=month.isoformat()[:7], batch_code="",
                         hospital_code=hospital, company_code="", product_id=0, group_code="",
                         region_code=await region_of(hospital), raised_on=today, details={
                             "rule": "MON-4", "month": month.isoformat()[:7], "invoices_found_overdue": int(count),
                             "amount": format_yuan(int(amount)), "why": "unpaid after the due date (结清时间)"}))
    for t in await repository.all_late_tranches(session, today=today):
        rows.append(dict(kind="late_tranche", rule="MON-4", period=t.due_on.isoformat()[:7], batch_code=t.batch_code,
                         hospital_code=t.hospital_code, company_code="", product_id=t.plan_id,
                         group_code=f"tranche {t.tranche}", region_code=await region_of(t.hospital_code),
                         raised_on=today, details={
                             "rule": "MON-4", "plan_id": t.plan_id, "tranche": t.tranche, "due_on": t.due_on.isoformat(),
                             "late_on": t.late_on.isoformat(), "undisbursed": format_yuan(t.undisbursed_fen),
                             "why": "the fund did not disburse the tranche by its due date (及时预付)"}))
    for p in await repository.live_payables(session):
        deadline = fund_deadline(p.month)
        if p.paid_on > deadline:
            rows.append(dict(kind="late_fund_payment", rule="MON-4", period=p.month.isoformat()[:7], batch_code="",
                             hospital_code=p.hospital_code, company_code="", product_id=0, group_code=p.fund,
                             region_code=await region_of(p.hospital_code), raised_on=today, details={
                                 "rule": "MON-4", "payable_id": p.payable_id, "fund": p.fund,
                                 "paid_on": p.paid_on.isoformat(), "deadline": deadline.isoformat(),
                                 "why": "paid after the end of the following month (及时拨付; platform default)"}))
    return rows
