"""MON-6 company performance (履约): per company, over the order lines ordered in a period,
as of a day —

- **fill rate** = lines delivered in full within the delivery window ÷ lines confirmed whose
  window has closed (or that were delivered in time already). The window is the batch
  policy's ``delivery_window_hours`` (default 48 h; the seeds say only 及时配送), counted in
  whole days from the order day;
- **lead time** (order → delivered in full), in days, its median and 90th percentile
  (nearest rank) over the lines completed by the day;
- **declines**: lines the distributor declined; lines still undelivered after the window;
- the breaches counted in the period and the rating on the day (credit.service).

A hospital reads the supply to it, a company its own, a regional insurer its region.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.credit import repository as credit
from vbp_monitoring.credit.service import most_severe, window_days, year_before
from vbp_monitoring.supply import repository


def percentile(values: list[int], share: Decimal) -> int | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


async def performance(session: AsyncSession, *, principal: Principal, first: date, last: date, as_of: date,
                      company_code: str | None, batch_code: str | None, hospital_code: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code, company_code=company_code)
    if scope.nothing:
        return []
    lines = await repository.lines(session, first=first, last=min(last, as_of), company_code=scope.company_code,
                                   batch_code=batch_code, hospital_code=scope.hospital_code)
    batches = await catalog.batches_by_code(session, {line.batch_code for line in lines})
    regions = await registry.institution_regions(session) if scope.region_code else {}
    per: dict[str, dict] = {}
    for line in lines:
        if not scope.covers(regions.get(line.hospital_code)) or line.batch_code not in batches:
            continue
        e = per.setdefault(line.manufacturer_code, {"company_code": line.manufacturer_code, "lines_answered": 0,
                                                    "lines_confirmed": 0, "lines_due": 0, "delivered_in_time": 0,
                                                    "undelivered_after_window": 0, "lines_declined": 0,
                                                    "lead_times": [], "windows": set()})
        e["lines_answered"] += 1
        if line.status == "declined":
            e["lines_declined"] += line.answered_on <= as_of
            continue
        policy = batches[line.batch_code].policy
        deadline = line.ordered_on + timedelta(days=window_days(policy))
        e["windows"].add(policy.delivery_window_hours)
        e["lines_confirmed"] += 1
        done = line.completed_on if line.completed_on is not None and line.completed_on <= as_of else None
        in_time = done is not None and done <= deadline
        if deadline < as_of or in_time:
            e["lines_due"] += 1
            e["delivered_in_time"] += in_time
            e["undelivered_after_window"] += done is None
        if done is not None:
            e["lead_times"].append((done - line.ordered_on).days)
    if not per:
        return []
    breaches = await credit.counted(session, company_codes=set(per), after=min(year_before(as_of), first), until=as_of)
    costs = await credit.cost_totals(session, company_codes=set(per), first=first, last=min(last, as_of))
    known = await registry.names(session, companies=set(per))
    rows = []
    for code in sorted(per):
        e = per[code]
        mine = [b for b in breaches if b.company_code == code]
        rate = (Decimal(e["delivered_in_time"]) / e["lines_due"]).quantize(Decimal("0.0001"), ROUND_HALF_UP) \
            if e["lines_due"] else None
        rows.append({
            "company_code": code, "company_name": known.get(code), "lines_answered": e["lines_answered"], "lines_confirmed": e["lines_confirmed"],
            "lines_declined": e["lines_declined"], "lines_due": e["lines_due"],
            "delivered_in_time": e["delivered_in_time"], "undelivered_after_window": e["undelivered_after_window"],
            "fill_rate": None if rate is None else str(rate),
            "lead_time_days_p50": percentile(e["lead_times"], Decimal("0.5")),
            "lead_time_days_p90": percentile(e["lead_times"], Decimal("0.9")),
            "breaches_in_period": sum(first <= b.occurred_on <= last for b in mine),
            "failure_costs": costs.get(code, 0),
            "rating": most_severe([b for b in mine if b.occurred_on > year_before(as_of)]),
            "explain": {
                "rule": "MON-6", "period": {"first": first.isoformat(), "last": last.isoformat()},
                "as_of": as_of.isoformat(), "delivery_window_hours": sorted(e["windows"]),
                "fill_rate": "lines delivered in full within the window ÷ confirmed lines whose window has closed "
                             "(or delivered in time already)",
                "lead_time": "days from the order to the delivery completing the line, nearest-rank percentiles",
                "rating": "the most severe breach of the 12 months to as_of, force majeure exempted"}})
    return rows
