"""MON-8 按月报送: the monthly report for a month and a region (seeds 000–004: 每月监测).

Parts, each summed over the hospitals of the region (all hospitals without one):

- **purchases** by batch, product and company: accepted in the month, returned in the
  month, net, quantities and amounts at the price paid; with sums by batch and by company;
- **supply** by batch and company: quantity ordered (answered lines by their order's month),
  confirmed and declined (by the month answered) and delivered (by the month delivered);
- **payments**: invoices submitted and the amount paid in the month, invoices found
  overdue in it, and the on-time payment rate of the invoices due in it (MON-4);
- **prepayments** by batch, as of the month's last day: planned (plans whose first tranche
  is due by then), disbursed, found late (undisbursed), offset, refunded, and outstanding =
  disbursed − offset − refunded (SET-6);
- **savings** (MON-9) by batch: Σ (baseline − price paid) × net quantity of the month;
- **obstructions** (MON-14) by hospital: companies' complaints found substantiated in the month;
- **failure costs** (MON-13, seeds 003/004 承担所有费用) by company: the costs the region's hospitals
  proved against its breaches, incurred in the month — recorded, not deducted;
- **alerts** of the month: raised for the month, or in it for a period that is not a month.

It reads the monthly aggregates kept as events arrive, so its cost follows the items, not
the delivery lines (DESIGN §7 report cost).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.obstructions import repository as obstructions
from vbp_monitoring.report import repository

ALERTS_LISTED = 1000


async def hospitals_of(session: AsyncSession, cover: list[str | None]) -> list[str] | None:
    """The hospitals every region in ``cover`` covers; None when nothing narrows it."""
    regions = [c for c in cover if c]
    if not regions:
        return None
    return sorted(code for code, region in (await registry.institution_regions(session)).items()
                  if all(covered(region, c) for c in regions))


async def monthly_report(session: AsyncSession, *, principal: Principal, month: date,
                         region_code: str | None) -> dict:
    scope = ReadScope.of(principal)
    first, last = month, date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    hospitals = await hospitals_of(session, [scope.region_code, region_code])
    bought = await repository.purchases(session, month=month, hospitals=hospitals)
    products = await catalog.products_by_id(session, {row[1] for row in bought})
    purchases, by_batch, by_company, savings = [], defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0]), {}
    for batch_code, product_id, company, acc_q, acc_fen, ret_q, ret_fen, saved, has_baseline in bought:
        net_q, net_fen = int(acc_q) - int(ret_q), int(acc_fen) - int(ret_fen)
        product = products.get(product_id)
        purchases.append({"batch_code": batch_code, "product_id": product_id, "company_code": company,
                          "product_name": product.name if product else None, "spec": product.spec if product else None,
                          "accepted_quantity": int(acc_q), "accepted_amount": int(acc_fen),
                          "returned_quantity": int(ret_q), "returned_amount": int(ret_fen),
                          "net_quantity": net_q, "net_amount": net_fen})
        for sums, key in ((by_batch, batch_code), (by_company, company)):
            sums[key][0] += net_q
            sums[key][1] += net_fen
        entry = savings.setdefault(batch_code, {"batch_code": batch_code, "savings": 0, "products_without_baseline": 0})
        entry["savings"] += int(saved)
        entry["products_without_baseline"] += not has_baseline
    pay = await repository.payments(session, first=first, last=last, hospitals=hospitals)
    rate = (Decimal(pay["paid_on_time"]) / pay["invoices_due"]).quantize(Decimal("0.0001"), ROUND_HALF_UP) \
        if pay["invoices_due"] else None
    prepaid = await repository.prepayments(session, last=last, hospitals=hospitals)
    alerts = [a for a in await repository.alerts(session, month=month, first=first, last=last, limit=ALERTS_LISTED)
              if scope.covers(a.region_code) and covered(a.region_code, region_code)]
    counts: dict[str, int] = defaultdict(int)
    for a in alerts:
        counts[a.kind] += 1
    supplied = await repository.supply(session, month=month, hospitals=hospitals)
    costs = await repository.failure_costs(session, first=first, last=last, hospitals=hospitals)
    obstructed = await obstructions.substantiated(session, batch_code=None, first=first, last=last,
                                                  hospitals=hospitals)
    hospital_names = await registry.names(session, institutions=obstructed)
    known = await registry.names(session, companies={*by_company, *(row[1] for row in supplied),
                                                     *(row[0] for row in costs)})
    for row in purchases:
        row["company_name"] = known.get(row["company_code"])  # issue 23: names beside codes
    return {
        "month": month.isoformat()[:7], "region_code": region_code or scope.region_code,
        "hospitals": None if hospitals is None else len(hospitals),
        "purchases": purchases,
        "purchases_by_batch": [{"batch_code": k, "net_quantity": q, "net_amount": f}
                               for k, (q, f) in sorted(by_batch.items())],
        "purchases_by_company": [{"company_code": k, "company_name": known.get(k), "net_quantity": q, "net_amount": f}
                                 for k, (q, f) in sorted(by_company.items())],
        "supply": [{"batch_code": b, "company_code": c, "company_name": known.get(c), "ordered_quantity": int(o),
                    "confirmed_quantity": int(k), "declined_quantity": int(d), "delivered_quantity": int(v)}
                   for b, c, o, k, d, v in supplied],
        "payments": {"invoiced_count": pay["invoiced_count"], "invoiced": pay["invoiced_fen"], "paid": pay["paid_fen"],
                     "found_overdue_count": pay["found_overdue_count"], "found_overdue": pay["found_overdue_fen"],
                     "invoices_due": pay["invoices_due"], "paid_on_time": pay["paid_on_time"],
                     "on_time_rate": None if rate is None else str(rate)},
        "prepayments": [{"batch_code": b, **p, "outstanding": p["disbursed"] - p["offset"] - p["refunded"]}
                        for b, p in sorted(prepaid.items())],
        "savings": [savings[b] for b in sorted(savings)],
        "failure_costs": [{"company_code": c, "company_name": known.get(c), "costs": int(n), "amount": int(fen)}
                          for c, n, fen in costs],
        "obstructions": [{"hospital_code": h, "hospital_name": hospital_names.get(h), "substantiated": n}
                         for h, n in sorted(obstructed.items())],
        "alert_counts": dict(sorted(counts.items())),
        "alerts": alerts,
        "explain": {
            "rule": "MON-8", "month": {"first": first.isoformat(), "last": last.isoformat()},
            "region": "the hospitals of the region and the regions under it" if hospitals is not None
            else "every hospital",
            "purchases": "accepted in the month − returned in the month, at the price paid",
            "supply": "ordered: answered lines by their order's month; confirmed/declined by the month answered; "
                      "delivered by the month delivered",
            "payments": "invoiced: submitted in the month; on-time rate: invoices due in the month paid in full "
                        "by their due date ÷ invoices due in the month (MON-4)",
            "prepayments": "as of the month's last day; outstanding = disbursed − offset − refunded (SET-6)",
            "savings": "Σ (baseline − price paid) × net quantity of the month; none without a baseline (MON-9)",
            "failure_costs": "costs the hospitals proved against the company's breaches, incurred in the month "
                             "(MON-13): recorded, not deducted",
            "obstructions": "complaints of obstruction found substantiated in the month, by hospital (MON-14)",
            "alerts": f"raised for the month, or in it for another period; at most {ALERTS_LISTED} listed"}}
