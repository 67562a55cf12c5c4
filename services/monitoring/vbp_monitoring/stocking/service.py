"""CON-9 提前备货 (seed 001: 督促各有关企业、各医疗机构在执行之日起的前3天按临床需求提前完成备货，确保
结果执行前后的平稳有序衔接): where a batch's policy sets ``stocking_days_before_start``, contracts
takes orders that many days before the start (counted towards year 1), and from the start day
the scheduled check raises a ``no_stocking`` alert (rule CON-9, period: the start's month) for
each hospital with effective year-1 items of the batch that had placed no order of it by then.
A hospital's first order day comes from ``contracts.order.placed`` (its day in Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import OrderPlaced
from vbpkit.messaging.handlers import batch as batched
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.runtime.clock import SHANGHAI

from vbp_monitoring.stocking import repository


@batched
async def on_order_placed(session: AsyncSession, events: list[tuple[OrderPlaced, Envelope]]) -> None:
    """A run of orders (a month-end upload's thousand) is one upsert of each pair's earliest day."""
    first: dict[tuple[str, str], date] = {}
    for event, envelope in events:
        day = event.ordered_on or envelope.occurred_at.astimezone(SHANGHAI).date()
        for code in {line.batch_code for line in event.lines}:
            key = (event.hospital_code, code)
            first[key] = min(first.get(key, day), day)
    await repository.ordered(session, [dict(hospital_code=h, batch_code=b, ordered_on=d)
                                       for (h, b), d in sorted(first.items())])


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    batches = {code: b for code, b in (await catalog.all_batches(session)).items()
               if b.policy.stocking_days_before_start > 0 and b.starts_on <= today}
    first = await repository.first_orders(session, sorted(batches))
    rows = []
    for batch_code, hospital in await repository.year_one_hospitals(session, sorted(batches)):
        batch, ordered_on = batches[batch_code], first.get((batch_code, hospital))
        if ordered_on is not None and ordered_on <= batch.starts_on:
            continue
        days = batch.policy.stocking_days_before_start
        rows.append(dict(
            kind="no_stocking", rule="CON-9", period=batch.starts_on.isoformat()[:7], batch_code=batch_code,
            hospital_code=hospital, company_code="", product_id=0, group_code="",
            region_code=await region_of(hospital), raised_on=today, details={
                "rule": "CON-9", "preset": batch.policy.preset, "starts_on": batch.starts_on.isoformat(),
                "stocking_from": (batch.starts_on - timedelta(days=days)).isoformat(), "stocking_days": days,
                "first_order_on": ordered_on.isoformat() if ordered_on else None,
                "why": "effective year-1 items and no order of the batch by its start day (seed 001: 在执行之日起的"
                       "前3天按临床需求提前完成备货)"}))
    return rows


HANDLERS = {"contracts.order.placed": on_order_placed}
