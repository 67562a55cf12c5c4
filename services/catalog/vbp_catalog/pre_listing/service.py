"""CAT-12 预挂网 (seeds 000/002): a batch's winning products are on the platform no later than
the batch policy's ``pre_listing_working_days`` (10) working days before execution starts.

- The deadline is the 10th working day before the start on the CAT-10 calendar, explained
  with the days it skipped. Seed 000 says 在中选结果执行前 10 个工作日内报送拟挂网的中选产品信息
  and seed 002 完成预挂网…在文件实施前10个工作日内: both read as "by the 10th working day before".
- The exchange marks a product pre-listed (status ``pre_listed``, in its listing push or by
  ``POST /products/{id}/status``) before the start; a product listed outright before the start is
  on the platform as well. Either way ``pre_listed_on`` keeps the first such day.
- The daily check (also ``POST /pre-listings/checks``) lists the pre-listed products of each
  batch that has started (``pre_listed`` → ``listed`` from the start), applies the national
  lowest prices whose day has come (CAT-12 同步调整, ``national_prices``), and alerts once —
  ``catalog.pre_listing.missed``, which monitoring lists with its alerts — each winning product
  of a batch not yet started that was not on the platform by the deadline. After the start
  no new pre-listing alert is raised: the product's listing status then says what matters.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.catalog import PreListingMissed
from vbpkit.web.problems import Problem
from vbpkit.domain.workdays import CalendarYearNotLoaded, WorkCalendar, WorkdayCount

from vbp_catalog.batches import repository as batches
from vbp_catalog.batches.models import Batch
from vbp_catalog.calendar.service import work_calendar, year_not_loaded
from vbp_catalog.national_prices import service as national_prices
from vbp_catalog.pre_listing import repository
from vbp_catalog.pre_listing.models import PreListingAlert
from vbp_catalog.pre_listing.schemas import CheckResult, PreListing, PreListingProduct
from vbp_catalog.products.service import change_status, facts

SYSTEM = "system:CAT-12"


def deadline(calendar: WorkCalendar, batch: Batch) -> tuple[WorkdayCount, dict]:
    """The pre-listing deadline of ``batch`` with its explain; CalendarYearNotLoaded if the count
    reaches a year nobody loaded."""
    days = batch.policy.pre_listing_working_days
    count = calendar.subtract_working_days(batch.starts_on, days)
    return count, {"rule": "CAT-12", "preset": batch.policy.preset, "starts_on": batch.starts_on.isoformat(),
                   "working_days_before_start": days, "deadline_on": count.due_on.isoformat(),
                   "count": count.explain(),
                   "reading": "no later than the working days before execution starts (seeds 000/002: 执行前10个工作日)"}


async def read(session: AsyncSession, *, batch_code: str) -> PreListing:
    batch = await batches.batch_or_404(session, code=batch_code)
    if not batch.policy.pre_listing_working_days:
        raise Problem(422, "rule-not-in-policy", detail=(
            f"batch {batch.code}'s execution policy ({batch.policy.preset}) sets no pre-listing deadline (CAT-12)"))
    try:
        count, explain = deadline(await work_calendar(session), batch)
    except CalendarYearNotLoaded as exc:
        raise year_not_loaded(exc, "path.code") from None
    alerted = await repository.alerts(session, batch_code=batch.code)
    items = [PreListingProduct(
        product_id=p.id, registration_no=p.registration_no, spec=p.spec, name=p.name, applicant=p.applicant,
        status=p.status, pre_listed_on=p.pre_listed_on,
        on_time=p.pre_listed_on is not None and p.pre_listed_on <= count.due_on,
        alerted_on=alerted[p.id].raised_on if p.id in alerted else None)
        for p in await repository.winning_products(session, batch_code=batch.code)]
    return PreListing(batch_code=batch.code, starts_on=batch.starts_on, deadline_on=count.due_on, explain=explain,
                      products=items, summary={"winning": len(items), "on_time": sum(i.on_time for i in items),
                                               "alerted": sum(i.alerted_on is not None for i in items)})


async def run_daily_check(session: AsyncSession, *, today: date) -> CheckResult:
    applied = await national_prices.apply_due(session, today=today)
    listed = []
    for product, starts_on in await repository.started_pre_listed(session, today=today):
        change_status(session, product, status="listed", effective_on=starts_on, by=SYSTEM,
                      reason=f"execution started on {starts_on}: pre-listed → listed (CAT-12)")
        listed.append(product.id)
    alerted, missing_years = [], []
    calendar = await work_calendar(session)
    for batch in await repository.batches_not_started(session, today=today):
        if not batch.policy.pre_listing_working_days:
            continue
        try:
            count, explain = deadline(calendar, batch)
        except CalendarYearNotLoaded as exc:
            missing_years.append({"batch_code": batch.code, "year": exc.year})
            continue
        if today <= count.due_on:
            continue
        for product in await repository.missing(session, batch_code=batch.code, deadline=count.due_on):
            why = explain | {"pre_listed_on": product.pre_listed_on and product.pre_listed_on.isoformat(),
                             "why": "not on the platform by the deadline" if product.pre_listed_on is None
                             else f"on the platform only from {product.pre_listed_on}, after the deadline"}
            session.add(PreListingAlert(product_id=product.id, batch_code=batch.code, deadline_on=count.due_on,
                                        raised_on=today, explain=why))
            outbox.add(session, PreListingMissed(**facts(product), starts_on=batch.starts_on,
                                                 deadline_on=count.due_on, raised_on=today, explain=why),
                        key=str(product.id))
            alerted.append(product.id)
    await session.flush()
    return CheckResult(today=today, national_lowest_prices_applied=applied, listed_at_start=listed, alerted=alerted,
                       calendar_missing=missing_years)
