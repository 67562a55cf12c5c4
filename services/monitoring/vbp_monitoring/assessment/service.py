"""MON-7 年度考核: the annual assessment of one agreement year of a batch (seeds 003/004: the
figure a bureau feeds into 定点医疗机构 performance and next year's budget).

Per **hospital** with agreement items of the year, as of the year's last day (or an earlier
``as_of``, then marked provisional):

- **completion** of the agreed volume (MON-1, amounts, pro rata to an early end) — scored
  min(1, completion ÷ target) × 100, the target being 1 at the year's end;
- **on-time payment** (MON-4): invoices due in the year by ``as_of`` paid in full by their due
  date ÷ invoices due — scored rate × 100; nothing to assess when none fell due. Invoices are
  the hospital's, whatever batch they bill (a hospital pays its suppliers as one payer);
- **onboarding** (MON-3, the first year only): the first accepted delivery of the batch by
  the check day two months after the start — 100, else 0; nothing to assess in later years or
  before the check day;
- **substitutes** (MON-5): months of the year with a substitutes alert for the batch —
  scored (1 − those months ÷ months elapsed) × 100;
- **on the platform** (MON-11): the batch's winning products accepted on the platform net of
  returns ÷ what the hospital's HIS stocked in net of returns, from its 3503/3504 uploads —
  scored min(1, that) × 100; nothing to assess without uploads; weight 0 until the bureau sets
  one;
- **savings** (MON-9), reported for 结余留用, not scored.

A component with nothing to assess has no score (``null``, "nothing to assess" in the
workbook) — never full marks it did not earn (issue 23) — and the score is the weighted mean of
the components assessed, their weights re-based to their own sum. The weights are the service's
``assessment_weights`` setting (default completion 40, on-time payment 30, onboarding 10,
substitutes 20 — not in any seed: a bureau sets its own), and the grade the first band of
``assessment_grades`` (default A ≥ 90, B ≥ 75, C ≥ 60, else D) the score reaches.

Per **company** with agreement items of the year: fill rate, lead time, declines and
breaches over the lines ordered in the year, and the rating on ``as_of`` (MON-6).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry

from vbp_monitoring.alerts.service import onboarding_check_day
from vbp_monitoring.his import reconciliation as his
from vbp_monitoring.his.months import quantity_text
from vbp_monitoring.assessment import repository
from vbp_monitoring.obstructions import repository as obstructions
from vbp_monitoring.progress import service as progress
from vbp_monitoring.progress.service import schedule_of
from vbp_monitoring.savings import service as savings
from vbp_monitoring.supply import service as supply
from vbp_monitoring.timeliness import repository as timeliness

TWO = Decimal("0.01")
HUNDRED = Decimal(100)


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def grade_of(score: Decimal, grades: list[tuple[str, int]]) -> str:
    for grade, floor in grades:
        if score >= floor:
            return grade
    return grades[-1][0]


def _on_platform(bought: tuple[Decimal, Decimal] | None) -> Decimal | None:
    """MON-11's share bought on the platform, scored; None when the HIS sent no net purchase."""
    if bought is None or bought[1] <= 0:
        return None
    return min(Decimal(1), max(Decimal(0), bought[0]) / bought[1]) * HUNDRED


async def assessment(session: AsyncSession, *, principal: Principal, batch_code: str, year: int, as_of: date,
                     weights: dict[str, int], grades: list[tuple[str, int]]) -> dict:
    batch = await catalog.batch(session, batch_code)
    if batch is None:
        raise Problem(404, detail=f"no batch {batch_code} known to monitoring")
    progress.year_of(batch.cycle, as_of, year)  # 422 for a year the batch does not have
    bounds = schedule_of(batch, year, as_of)
    first, last = bounds["first"], bounds["last"]
    day = min(as_of, last)
    if day < first:
        raise Problem(422, detail=f"agreement year {year} of {batch_code} starts on {first}",
                      errors=[{"field": "query.as_of", "reason": f"before the year starts ({first})"}])
    hospitals = await _hospitals(session, principal=principal, batch=batch, year=year, first=first, day=day,
                                 weights=weights, grades=grades)
    known = await registry.names(session, institutions={h["hospital_code"] for h in hospitals})
    for hospital in hospitals:
        hospital["hospital_name"] = known.get(hospital["hospital_code"])
    companies = [] if principal.role is Role.HOSPITAL else await supply.performance(
        session, principal=principal, first=first, last=day, as_of=day, company_code=None, batch_code=batch_code,
        hospital_code=None)
    return {"batch_code": batch_code, "year": year, "as_of": day, "provisional": day < last,
            "hospitals": hospitals, "companies": companies, "explain": {
                "rule": "MON-7", "preset": batch.policy.preset,
                "agreement_year": {"year": year, "first": first.isoformat(), "last": last.isoformat()},
                "weights": weights, "grades": [{"grade": g, "from": f} for g, f in grades],
                "score": "Σ weight × component score ÷ Σ weights, over the components assessed (a component "
                         "with nothing to assess is null and its weight left out); components 0–100",
                "components": {
                    "completion": "min(1, completion ÷ target) × 100 (MON-1; the target is 1 at the year's end)"
                                  + (" per company group, weighted by its assessed amount (assess_by company_group, "
                                     "seed 001 合并考核)" if batch.policy.assess_by == "company_group" else ""),
                    "on_time_payment": "invoices due in the year paid in full by their due date ÷ invoices due, × 100 "
                                       "(MON-4); nothing to assess when none fell due",
                    "onboarding": "first year: 100 if the first accepted delivery came by two months after the "
                                  "start (MON-3), else 0; nothing to assess in later years or before the check day",
                    "substitutes": "(1 − months with a substitutes alert ÷ months elapsed) × 100 (MON-5)",
                    "on_platform": "min(1, accepted on the platform net of returns ÷ the HIS's net purchases stocked in) "
                                   "× 100 of the batch's winning products (MON-11, seeds 000/002/004 不得线下采购); "
                                   "nothing to assess without HIS uploads"},
                "savings": "reported, not scored (MON-9, 结余留用)",
                "obstructions_substantiated": "companies' complaints of obstruction the insurer found substantiated "
                                              "in the year (MON-14), reported beside the score for the bureau's "
                                              "惩戒 (seed 004): the seeds set no points"}}


async def _hospitals(session: AsyncSession, *, principal: Principal, batch, year: int, first: date, day: date,
                     weights: dict[str, int], grades: list[tuple[str, int]]) -> list[dict]:
    if principal.role is Role.COMPANY:
        return []
    lines = await progress.progress(session, principal=principal, as_of=day, batch_code=batch.code,
                                    hospital_code=None, company_code=None, region_code=None, year=year,
                                    group_by="hospital")
    if not lines:
        return []
    onboarded = await repository.first_accepted(session, batch_code=batch.code, until=day)
    check_day = onboarding_check_day(batch.starts_on)
    substituted = await repository.alert_months(session, kind="substitutes", batch_code=batch.code,
                                                first=first.isoformat()[:7], last=day.isoformat()[:7])
    months = months_between(first, day)
    due: dict[str, list[int]] = {}
    for _, hospital, amount, _, _, paid in await timeliness.invoices_due(session, first=first, last=day,
                                                                         hospital_code=None):
        counts = due.setdefault(hospital, [0, 0])
        counts[0] += 1
        counts[1] += int(paid) >= amount
    bought = await his.bought_on_platform(session, batch_code=batch.code, first=first, last=day)
    obstructed = await obstructions.substantiated(session, batch_code=batch.code, first=first, last=day)
    grouped = await _group_completion(session, principal=principal, batch=batch, year=year, day=day) \
        if batch.policy.assess_by == "company_group" else {}
    saved = {r["hospital_code"]: r["savings_fen"] for r in (await savings.savings(
        session, principal=principal, batch_code=batch.code, as_of=day, year=year, hospital_code=None))["rows"]}
    rows = []
    for line in lines:
        code = line.key["hospital_code"]
        invoices, on_time = due.get(code, [0, 0])
        rate = (Decimal(on_time) / invoices).quantize(Decimal("0.0001"), ROUND_HALF_UP) if invoices else None
        first_bought = onboarded.get(code)
        onboarding_due = year == 1 and day >= check_day
        scores: dict[str, Decimal | None] = {  # None: nothing to assess
            "completion": grouped.get(code) if batch.policy.assess_by == "company_group" else
            min(Decimal(1), line.completion / line.target) * HUNDRED if line.target > 0 else None,
            "on_time_payment": rate * HUNDRED if rate is not None else None,
            "onboarding": (HUNDRED if first_bought is not None and first_bought <= check_day else Decimal(0))
            if onboarding_due else None,
            "substitutes": (1 - Decimal(substituted.get(code, 0)) / months) * HUNDRED,
            "on_platform": _on_platform(bought.get(code))}
        assessed = {k: v for k, v in scores.items() if v is not None}
        total = sum(weights.get(k, 0) for k in assessed)  # the weights re-based to what was assessed
        score = (sum(Decimal(weights.get(k, 0)) * v for k, v in assessed.items()) / total).quantize(TWO, ROUND_HALF_UP) \
            if total else None
        rows.append({
            "hospital_code": code, "completion": str(line.completion), "target": str(line.target),
            "agreed_amount": line.assessed_fen, "accepted_amount": line.accepted_fen,
            "invoices_due": invoices, "paid_on_time": on_time, "on_time_rate": None if rate is None else str(rate),
            "onboarded_on": first_bought, "onboarding_check_day": check_day if year == 1 else None,
            "substitute_alert_months": substituted.get(code, 0), "months": months,
            "on_platform_quantity": None if code not in bought else quantity_text(bought[code][0]),
            "his_quantity": None if code not in bought else quantity_text(bought[code][1]),
            "savings": saved.get(code, 0), "obstructions_substantiated": obstructed.get(code, 0),
            "scores": {k: None if v is None else str(v.quantize(TWO, ROUND_HALF_UP)) for k, v in scores.items()},
            "score": None if score is None else str(score),
            "grade": None if score is None else grade_of(score, grades)})
    return rows


async def _group_completion(session: AsyncSession, *, principal: Principal, batch, year: int,
                            day: date) -> dict[str, Decimal]:
    """Seed 001 (同企业、同组别的中选产品可合并考核): hospital → Σ over its company groups of the group's
    assessed amount × min(1, completion ÷ target), ÷ their assessed amounts, × 100 — within a group
    one product's surplus covers another's shortfall; across groups it does not."""
    sums: dict[str, list[Decimal]] = {}
    for line in await progress.progress(session, principal=principal, as_of=day, batch_code=batch.code,
                                        hospital_code=None, company_code=None, region_code=None, year=year,
                                        group_by="company_group"):
        if line.target <= 0 or line.assessed_fen <= 0:
            continue
        weight = Decimal(line.assessed_fen)
        entry = sums.setdefault(line.key["hospital_code"], [Decimal(0), Decimal(0)])
        entry[0] += weight * min(Decimal(1), line.completion / line.target)
        entry[1] += weight
    return {code: total / weight * HUNDRED for code, (total, weight) in sums.items() if weight}
