"""MON-1 (behind at a month end), MON-2, MON-3, MON-4, MON-5 and MON-10 alerts, checked on the
service's injectable clock, raised once each (MON-5 substitutes: see substitutes.service;
MON-4: timeliness.service; MON-10: prepayment_use.service).

- **MON-2 stockpiling** (扎堆采购, seeds 001/002): a hospital's accepted quantity of one
  agreement item in one calendar month > factor × agreed ÷ 12, the factor the batch policy's
  ``stockpiling_factor`` (default 2). Period: the month. Returns do not lower a month's
  figure: what was taken in is what the rule watches.
- **MON-3 onboarding** (seed 001: 两个月内…尚未完成进院采购的): from two months after the
  execution start (the same day two months on, or that month's last day), every hospital
  with effective first-year agreement items of the batch and no accepted delivery of it yet.
  Period: the check day's month. Resolved by the check once the hospital has bought.

An alert's ``period`` means one thing for every kind (issue 23): the month (``YYYY-MM``) the
facts it is about belong to — the month checked (behind, overdue invoices, prepayment use),
the month bought in (stockpiling, substitutes), the month due (late tranche, late fund
payment, onboarding's check day, pre-listing's deadline).

Each new alert is announced with ``monitoring.alert.raised`` through the outbox.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.monitoring import AlertRaised
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.pagination import kept_pages
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.accounts import service as accounts
from vbp_monitoring.alerts import repository
from vbp_monitoring.alerts.models import Alert
from vbp_monitoring.coverage import service as coverage
from vbp_monitoring.credit import service as credit
from vbp_monitoring.his import checks as his
from vbp_monitoring.prepayment_use import service as prepayment_use
from vbp_monitoring.progress import service as progress
from vbp_monitoring.shortages import failures as supply_failures
from vbp_monitoring.stocking import service as stocking
from vbp_monitoring.substitutes import service as substitutes
from vbp_monitoring.timeliness import service as timeliness


def onboarding_check_day(starts_on: date) -> date:
    """Two months after ``starts_on``: the same day, or the last day of a shorter month."""
    index = starts_on.year * 12 + starts_on.month - 1 + 2
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(starts_on.day, calendar.monthrange(year, month)[1]))


async def run_alert_checks(session: AsyncSession, *, today: date) -> list[int]:
    """Raise what is due as of ``today``; the ids of the alerts raised by this run."""
    regions: dict = {}

    async def region_of(hospital_code: str) -> str | None:
        return await _region(session, hospital_code, regions)
    rows = (await _stockpiling(session, today=today) + await _onboarding(session, today=today)
            + await substitutes.alerts_due(session, today=today, region_of=region_of)
            + await substitutes.cutoffs_due(session, today=today, region_of=region_of)
            + await prepayment_use.alerts_due(session, today=today, region_of=region_of)
            + await _behind(session, today=today, region_of=region_of)
            + await timeliness.alerts_due(session, today=today, region_of=region_of)
            + await his.alerts_due(session, today=today, region_of=region_of)
            + await supply_failures.alerts_due(session, today=today, region_of=region_of)
            + await stocking.alerts_due(session, today=today, region_of=region_of)
            + await coverage.alerts_due(session, today=today, region_of=region_of)
            + await accounts.alerts_due(session, today=today, region_of=region_of))
    raised = await raise_and_announce(session, rows)
    await credit.detect(session, today=today)  # MON-6: late and failed supply, then the ratings they give
    await credit.rate(session, today=today)
    return sorted(a.id for a in raised)


async def raise_and_announce(session: AsyncSession, rows: list[dict]) -> list[Alert]:
    """Raise the alerts not raised before, each announced with ``monitoring.alert.raised``."""
    raised = await repository.raise_once(session, rows)
    for alert in raised:
        outbox.add(session, AlertRaised(
            alert_id=alert.id, kind=alert.kind, rule=alert.rule, period=alert.period, batch_code=alert.batch_code,
            hospital_code=alert.hospital_code, company_code=alert.company_code or None,
            product_id=alert.product_id or None, region_code=alert.region_code, raised_on=alert.raised_on,
            details=alert.details, subject=alert.subject or None), key=alert.hospital_code or alert.company_code)
    return raised


async def on_pre_listing_missed(session: AsyncSession, event, envelope) -> None:
    """CAT-12: catalog found a winning product not pre-listed by its deadline; the bureau sees it
    among its alerts (kind ``pre_listing``), the company concerned too. It is the whole
    platform's (no hospital, no region), so every insurer sees it."""
    await raise_and_announce(session, [dict(
        kind="pre_listing", rule="CAT-12", period=event.deadline_on.isoformat()[:7], batch_code=event.batch_code,
        hospital_code="", company_code=event.applicant_credit_code or "", product_id=event.product_id,
        group_code=event.group_code or "", region_code=None, raised_on=event.raised_on, details={
            **event.explain, "product": {"registration_no": event.registration_no, "spec": event.spec,
                                         "name": event.name, "applicant": event.applicant}})])


async def _behind(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    """MON-1 at each month end: what is behind its target on the last day of the month that ended
    before ``today`` (period: that month) — each item, or each company group where the batch's
    ``assess_by`` assesses them together (seed 001 合并考核)."""
    month_end = today.replace(day=1) - timedelta(days=1)
    checker = Principal(role=Role.ADMIN, key_id="alert-check")

    async def lines_of(level: str, batch_code: str | None = None) -> list:
        return await progress.progress(session, principal=checker, as_of=month_end, batch_code=batch_code,
                                       hospital_code=None, company_code=None, region_code=None, year=None,
                                       group_by=level)
    batches = await catalog.all_batches(session)
    grouped = sorted(code for code, batch in batches.items() if batch.policy.assess_by == "company_group")
    lines = {"item": await lines_of("item"),  # the company groups only of the batches assessed so (few)
             "company_group": [line for code in grouped for line in await lines_of("company_group", code)]}
    rows = []
    for level, found in lines.items():
        for line in found:
            key = line.key
            batch = batches.get(key["batch_code"])
            if batch is None or batch.policy.assess_by != level or not line.behind or line.assessed_fen <= 0:
                continue
            group = key.get("group_code") or "" if level == "company_group" else ""
            rows.append(dict(kind="behind", rule="MON-1", period=month_end.isoformat()[:7],
                             batch_code=key["batch_code"], hospital_code=key["hospital_code"],
                             company_code=key["company_code"], product_id=key.get("product_id", 0),
                             group_code=group, region_code=await region_of(key["hospital_code"]), raised_on=today,
                             details={**line.explain, "assessed_by": level, "completion": str(line.completion),
                                      "target": str(line.target)}))
    return rows


async def _region(session: AsyncSession, hospital_code: str, cache: dict) -> str | None:
    if hospital_code not in cache:
        institution = await registry.institution(session, hospital_code)
        cache[hospital_code] = institution.region_code if institution else None
    return cache[hospital_code]


async def _stockpiling(session: AsyncSession, *, today: date) -> list[dict]:
    agreed = await repository.agreed(session)
    monthly = await repository.monthly_accepted(session, today=today)
    batches = await catalog.batches_by_code(session, {m[0] for m in monthly})
    rows, regions = [], {}
    for batch_code, hospital, company, product, year, month, quantity in monthly:
        batch = batches.get(batch_code)
        base = agreed.get((batch_code, hospital, product, year))
        if batch is None or not base:
            continue
        factor = Decimal(batch.policy.stockpiling_factor)
        if Decimal(int(quantity)) * 12 <= factor * base:
            continue
        rows.append(dict(kind="stockpiling", rule="MON-2", period=month.isoformat()[:7], batch_code=batch_code,
                         hospital_code=hospital, company_code=company, product_id=product, group_code="",
                         region_code=await _region(session, hospital, regions), raised_on=today, details={
                             "rule": "MON-2", "preset": batch.policy.preset, "month": month.isoformat()[:7],
                             "accepted_in_month": int(quantity), "agreed_for_the_year": base,
                             "factor": format(factor.normalize(), "f"),
                             "limit": format((factor * base / 12).quantize(Decimal("0.01")), "f"),
                             "formula": "a month's accepted quantity > factor × agreed ÷ 12"}))
    return rows


async def _onboarding(session: AsyncSession, *, today: date) -> list[dict]:
    everyone = await repository.hospitals_with_items(session)
    batches = await catalog.batches_by_code(session, {b for b, _ in everyone})
    due = {code for code, batch in batches.items() if onboarding_check_day(batch.starts_on) <= today}
    candidates = [(b, h) for b, h in everyone if b in due]
    bought = await repository.hospitals_that_bought(session, sorted(due), today=today)
    await repository.resolve(session, kind="onboarding", keys=bought & set(candidates), today=today)
    rows, regions = [], {}
    for batch_code, hospital in candidates:
        if (batch_code, hospital) in bought:
            continue
        batch = batches[batch_code]
        rows.append(dict(kind="onboarding", rule="MON-3",
                         period=onboarding_check_day(batch.starts_on).isoformat()[:7], batch_code=batch_code,
                         hospital_code=hospital, company_code="", product_id=0, group_code="",
                         region_code=await _region(session, hospital, regions), raised_on=today, details={
                             "rule": "MON-3", "preset": batch.policy.preset,
                             "starts_on": batch.starts_on.isoformat(),
                             "checked_from": onboarding_check_day(batch.starts_on).isoformat(),
                             "why": "effective agreement items and no accepted delivery of them yet "
                                    "(seed 001: 尚未完成进院采购)"}))
    return rows


async def listing(session: AsyncSession, *, principal: Principal, filters: dict, region_code: str | None,
                  after_id: int | None, limit: int) -> tuple[list[Alert], dict[str, str]]:
    """GW-5 (ReadScope): a hospital its own, a company its own, a regional insurer its region;
    with the registered name of every hospital and company they name (issue 23)."""
    scope = ReadScope.of(principal, hospital_code=filters.get("hospital_code"),
                         company_code=filters.get("company_code"))
    if scope.nothing:
        return [], {}
    filters = {**filters, "hospital_code": scope.hospital_code, "company_code": scope.company_code}
    found = await kept_pages(
        lambda after, size: repository.listing(session, filters=filters, after_id=after, limit=size),
        # an alert of no hospital (CAT-12 pre-listing) is the whole platform's: no region hides it
        lambda a: not a.hospital_code or (scope.covers(a.region_code) and covered(a.region_code, region_code)),
        after=after_id, limit=limit)
    return found, await registry.names(session, institutions={a.hospital_code for a in found},
                                       companies={a.company_code for a in found})


async def acknowledge(session: AsyncSession, *, alert_id: int, note: str, principal: Principal,
                      at: datetime) -> Alert:
    """The bureau (or the hospital concerned) acknowledges an alert with a note, once, ``at``
    the service's clock."""
    alert = await repository.alert(session, alert_id, for_update=True)
    allowed = principal.role in (Role.INSURER, Role.ADMIN) or (
        principal.role is Role.HOSPITAL and alert is not None and alert.hospital_code == principal.tenant)
    if alert is None or not allowed or not ReadScope.of(principal).covers(alert.region_code):
        raise Problem(404, detail=f"no alert {alert_id} of yours")
    if alert.status != "open":
        raise Problem(409, detail=f"alert {alert_id} is {alert.status}; only an open alert is acknowledged")
    alert.status, alert.note, alert.acknowledged_by = "acknowledged", note, principal.actor
    alert.acknowledged_at = at
    await session.flush()
    return alert
