"""SET-2 receivables ageing (应收账款账龄): what a company is still owed, by how long overdue.

Counted: the company's live invoices (submitted or accepted, SET-1) with an unpaid balance,
unpaid = amount − (Σ payments − Σ reversals) as it stands now. Each is aged on ``as_of``
(the service clock's today unless asked) by days overdue = as_of − due_on, into not_due
(≤ 0), overdue_1_30, overdue_31_60, overdue_61_90 and overdue_over_90 — the way an invoice
is overdue the day after its due date (SET-2). The report carries the balance of the
company's ledger receivable (SET-6), which holds exactly the accepted invoices' unpaid
balances (a submitted invoice is not yet owed: the hospital has not accepted it), so a reader
can reconcile the two.

Who reads it (GW-5): a company its own; the insurer, the exchange and admins any company's,
named with ``company_code``; a hospital none — it owes, it is not owed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.web import parties

from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import service as ledger
from vbp_settlement.receivables import repository

# (name, most days overdue it holds; None = no upper bound), in order
BUCKETS = (("not_due", 0), ("overdue_1_30", 30), ("overdue_31_60", 60), ("overdue_61_90", 90),
           ("overdue_over_90", None))


def bucket_of(days_overdue: int) -> str:
    return next(name for name, most in BUCKETS if most is None or days_overdue <= most)


def _empty() -> dict:
    return {name: {"amount": 0, "count": 0} for name, _ in BUCKETS}


def _count(buckets: dict, total: dict, bucket: str, unpaid: int) -> None:
    for tally in (buckets[bucket], total):
        tally["amount"] += unpaid
        tally["count"] += 1


def _whose(principal: Principal, company_code: str | None) -> str:
    if principal.role is Role.HOSPITAL:
        raise Problem(403, detail="receivables are a company's; a hospital reads what it owes on its invoices")
    if principal.role is Role.COMPANY:
        own = parties.company_code(principal)
        if company_code is not None and company_code != own:
            raise parties.not_found(f"receivables of company {company_code}")
        return own
    if principal.role in parties.OVERSEERS:
        if not company_code:
            raise Problem(422, detail="name the company whose receivables you read", errors=[
                {"field": "query.company_code", "reason": "required for the insurer, the exchange and admins"}])
        return company_code
    raise Problem(403, detail="receivables are read by their company and by overseers")


async def receivables(session: AsyncSession, *, principal: Principal, company_code: str | None,
                      as_of: date) -> dict:
    """The ageing report of one company on ``as_of``, with its per-hospital breakdown."""
    company = _whose(principal, company_code)
    rows = await repository.open_invoices(session, company_code=company)
    buckets, total = _empty(), {"amount": 0, "count": 0}
    hospitals: dict[str, dict] = {}
    invoices, accepted_unpaid, submitted_unpaid = [], 0, 0
    for row in rows:
        unpaid, days = row.amount_fen - row.paid_fen, (as_of - row.due_on).days
        bucket = bucket_of(days)
        _count(buckets, total, bucket, unpaid)
        hospital = hospitals.setdefault(row.hospital_code, {"hospital_code": row.hospital_code, "buckets": _empty(),
                                                            "total": {"amount": 0, "count": 0}})
        _count(hospital["buckets"], hospital["total"], bucket, unpaid)
        if row.status == "accepted":
            accepted_unpaid += unpaid
        else:
            submitted_unpaid += unpaid
        invoices.append({"id": row.id, "number": row.number, "hospital_code": row.hospital_code,
                         "status": row.status, "amount": row.amount_fen, "paid": row.paid_fen, "unpaid": unpaid,
                         "due_on": row.due_on, "days_overdue": days, "bucket": bucket})
    address = accounts.company_receivable(company)
    balance = (await ledger.balances(session, [address]))[address]
    return {
        "company_code": company, "as_of": as_of, "buckets": buckets, "total": total,
        "hospitals": sorted(hospitals.values(), key=lambda h: h["hospital_code"]), "invoices": invoices,
        "ledger": {"account": address, "balance": balance, "accepted_unpaid": accepted_unpaid,
                   "submitted_unpaid": submitted_unpaid, "reconciles": balance == accepted_unpaid},
        "explain": {
            "rule": "SET-2", "as_of": as_of.isoformat(),
            "counted": "live invoices (submitted or accepted) with unpaid > 0; unpaid = amount − (Σ payments − "
                       "Σ reversals), as it stands now",
            "days_overdue": "as_of − due_on, in days; overdue from the day after the due date",
            "buckets": {"not_due": "days overdue ≤ 0", "overdue_1_30": "1 to 30", "overdue_31_60": "31 to 60",
                        "overdue_61_90": "61 to 90", "overdue_over_90": "more than 90"},
            "ledger": f"{address} holds the accepted invoices' unpaid balances (SET-6); a submitted invoice is "
                      "not owed until the hospital accepts it, so balance = accepted_unpaid",
        },
    }
