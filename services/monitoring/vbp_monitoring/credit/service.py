"""MON-6 信用评价: a company's breaches and the rating they give it.

- **Detected breaches**, judged by the check on the service's clock, once per order line:
  a confirmed line not delivered in full within the batch policy's delivery window
  (``delivery_window_hours``, default 48 h, counted in whole days from the order day:
  48 h = by the second day after) is a late supply (``late_supply_severity``, default 一般),
  found on the first day after the window; a declined line is a failed supply
  (``failed_supply_severity``, default 中等) on the day it was declined. The manufacturer
  answers for its distributor (seed 004: 中选企业应承担相应责任).
- **Recorded breaches**: the insurer records what no event shows — accompanying service not
  provided (伴随服务), a quality incident, illegal conduct such as bribery (seed 003: 商业贿赂),
  a price breach — with a severity 一般 | 中等 | 严重 | 特别严重.
- **Force majeure** (seeds 002/004: 除不可抗力因素外): the insurer exempts a breach with a
  reason; it stays on record and stops counting.
- **Rating**: the most severe breach counted in the 12 months up to a day (after the same day
  a year before); none when there is none. Each change is announced once with
  ``monitoring.rating.changed``: when a breach is recorded or exempted, and by the check
  (a breach found, or one ageing out of the 12 months).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.monitoring import RatingChanged
from vbpkit.web.identity import Principal
from vbpkit.domain.policy.rules import SEVERITIES
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry

from vbp_monitoring.credit import repository
from vbp_monitoring.credit.models import Breach
from vbp_monitoring.supply import repository as supply

RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def year_before(day: date) -> date:
    """The same day a year before (28 February for a 29th): the 12 months are after it."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def window_days(policy) -> int:
    return policy.delivery_window_hours // 24


def most_severe(breaches: list[Breach]) -> str | None:
    return max((b.severity for b in breaches), key=RANK.__getitem__, default=None)


async def detect(session: AsyncSession, *, today: date) -> list[Breach]:
    """Judge the lines whose window closed (or that were declined) by ``today``."""
    lines = await supply.unjudged(session, today=today)
    batches = await catalog.batches_by_code(session, {line.batch_code for line in lines})
    rows = []
    for line in lines:
        batch = batches.get(line.batch_code)
        if batch is None:
            continue
        policy = batch.policy
        common = dict(company_code=line.manufacturer_code, batch_code=line.batch_code, source="detected",
                      hospital_code=line.hospital_code, distributor_code=line.distributor_code,
                      order_id=line.order_id, line_no=line.line_no, recorded_by="monitoring")
        if line.status == "declined":
            rows.append(dict(common, kind="failed_supply", severity=policy.failed_supply_severity,
                             occurred_on=line.answered_on, description=(
                                 f"order {line.order_id} line {line.line_no}: {line.quantity} of product "
                                 f"{line.product_id} declined on {line.answered_on}: {line.decline_reason}")))
            continue
        deadline = line.ordered_on + timedelta(days=window_days(policy))
        if deadline >= today or (line.completed_on is not None and line.completed_on <= deadline):
            continue
        delivered = f"delivered in full on {line.completed_on}" if line.completed_on else \
            f"{line.delivered_quantity} of {line.quantity} delivered by {today}"
        rows.append(dict(common, kind="late_supply", severity=policy.late_supply_severity,
                         occurred_on=deadline + timedelta(days=1), description=(
                             f"order {line.order_id} line {line.line_no}: ordered on {line.ordered_on}, {delivered}; "
                             f"window {policy.delivery_window_hours} h (by {deadline}, preset {policy.preset})")))
    return await repository.add_breaches(session, rows)


async def rate(session: AsyncSession, *, today: date, company_codes: set[str] | None = None) -> list[RatingChanged]:
    """Rate these companies (or every company with a breach or a rating) as of ``today`` and
    announce each change."""
    await repository.lock_ratings(session, company_codes)
    counted = await repository.counted(session, company_codes=company_codes, after=year_before(today), until=today)
    per: dict[str, list[Breach]] = {}
    for b in counted:
        per.setdefault(b.company_code, []).append(b)
    stored = await repository.ratings(session, company_codes)
    everyone = company_codes if company_codes is not None else set(per) | await repository.rated_companies(session)
    changes = []
    for code in sorted(everyone):
        breaches = per.get(code, [])
        rating = most_severe(breaches)
        previous = stored[code].rating if code in stored else None
        if rating == previous:
            continue
        await repository.put_rating(session, company_code=code, rating=rating, since=today)
        worst = [b for b in breaches if b.severity == rating]
        change = RatingChanged(
            company_code=code, previous_rating=previous, rating=rating, changed_on=today,
            breach_ids=[b.id for b in breaches], batch_codes=sorted({b.batch_code for b in worst if b.batch_code}),
            reason="; ".join(f"breach {b.id} ({b.kind}, {b.severity}) on {b.occurred_on}" for b in worst)
            or "no breach counted in the last 12 months")
        outbox.add(session, change, key=code)
        changes.append(change)
    return changes


async def rating(session: AsyncSession, *, company_code: str, as_of: date, principal: Principal) -> dict:
    if ReadScope.of(principal, company_code=company_code).nothing:
        raise Problem(404, detail=f"no rating of company {company_code} of yours")
    after = year_before(as_of)
    breaches = await repository.counted(session, company_codes={company_code}, after=after, until=as_of)
    announced = (await repository.ratings(session, {company_code})).get(company_code)
    return {"company_code": company_code, "as_of": as_of, "rating": most_severe(breaches),
            "announced": {"rating": announced.rating, "since": announced.since} if announced else None,
            "breaches": breaches, "explain": {
                "rule": "MON-6", "window": {"after": after.isoformat(), "until": as_of.isoformat()},
                "formula": "the most severe breach of the last 12 months not exempted for force majeure",
                "severities": list(SEVERITIES)}}


async def record(session: AsyncSession, *, row: dict, principal: Principal, today: date) -> Breach:
    """The insurer records a breach no event shows; the rating follows at once."""
    if row["occurred_on"] > today:
        raise Problem(422, detail="a breach is recorded once it has occurred",
                      errors=[{"field": "body.occurred_on", "reason": f"after today ({today})"}])
    if await registry.company(session, row["company_code"]) is None:
        raise Problem(422, detail=f"no company {row['company_code']} known to monitoring",
                      errors=[{"field": "body.company_code", "reason": "unknown company"}])
    if row["batch_code"] and await catalog.batch(session, row["batch_code"]) is None:
        raise Problem(422, detail=f"no batch {row['batch_code']} known to monitoring",
                      errors=[{"field": "body.batch_code", "reason": "unknown batch"}])
    [breach] = await repository.add_breaches(session, [{**row, "source": "recorded", "recorded_by": principal.actor}])
    await rate(session, today=today, company_codes={breach.company_code})
    return breach


async def exempt(session: AsyncSession, *, breach_id: int, reason: str, principal: Principal, today: date) -> Breach:
    """Force majeure (不可抗力): the breach stays on record and no longer counts."""
    breach = await repository.breach(session, breach_id, for_update=True)
    if breach is None:
        raise Problem(404, detail=f"no breach {breach_id}")
    if breach.exempt:
        raise Problem(409, detail=f"breach {breach_id} is already exempted: {breach.exemption_reason}")
    breach.exempt, breach.exemption_reason, breach.exempted_by = True, reason, principal.actor
    await session.flush()
    await rate(session, today=today, company_codes={breach.company_code})
    return breach


async def listing(session: AsyncSession, *, principal: Principal, filters: dict, first: date | None,
                  last: date | None, after_id: int | None, limit: int) -> list[Breach]:
    scope = ReadScope.of(principal, company_code=filters.get("company_code"))
    if scope.nothing:
        return []
    filters = {**filters, "company_code": scope.company_code}
    return await repository.listing(session, filters=filters, first=first, last=last, after_id=after_id, limit=limit)
