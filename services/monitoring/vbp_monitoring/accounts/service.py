"""CON-10 in monitoring (seed 003: 医疗机构应积极配合做好账户开户等工作): a distributor's account
request not opened by the hospital within the batch policy's ``account_opening_working_days``
working days — counted on the CAT-10 calendar catalog keeps (seeded, and the years ops load) —
raises an ``account_not_opened`` alert (rule CON-10, period: the month it fell due) naming the
hospital and the distributor. A request whose due day falls in a year nobody loaded the
calendar of is not judged until it is loaded (CAT-10: never a weekend-only guess)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.workdays import CalendarYearNotLoaded
from vbpkit.events import Envelope
from vbpkit.events.contracts import AccountOpened, AccountRequested
from vbpkit.messaging.handlers import NotYetKnown
from vbpkit.projections.calendar_view import repository as calendar
from vbpkit.projections.catalog_view import repository as catalog

from vbp_monitoring.accounts import repository


async def on_requested(session: AsyncSession, event: AccountRequested, envelope: Envelope) -> None:
    await repository.requested(session, dict(request_id=event.request_id, distributor_code=event.distributor_code,
                                             hospital_code=event.hospital_code, batch_code=event.batch_code,
                                             requested_on=event.requested_on))


async def on_opened(session: AsyncSession, event: AccountOpened, envelope: Envelope) -> None:
    if not await repository.opened(session, request_id=event.request_id, on=event.opened_on):
        raise NotYetKnown(f"account request {event.request_id}, whose request monitoring has not seen")


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    pending = await repository.still_open(session)
    if not pending:
        return []
    days = await calendar.work_calendar(session)
    batches = await catalog.batches_by_code(session, {r.batch_code for r in pending})
    rows = []
    for request in pending:
        batch = batches.get(request.batch_code)
        if batch is None:
            continue
        allowed = batch.policy.account_opening_working_days
        try:
            due = days.add_working_days(request.requested_on, allowed)
        except CalendarYearNotLoaded:
            continue
        if due.due_on >= today:
            continue
        rows.append(dict(kind="account_not_opened", rule="CON-10", period=due.due_on.isoformat()[:7],
                         batch_code=request.batch_code, hospital_code=request.hospital_code,
                         company_code=request.distributor_code, product_id=0, group_code="",
                         subject=str(request.request_id), region_code=await region_of(request.hospital_code),
                         raised_on=today, details={
                             "rule": "CON-10", "preset": batch.policy.preset, "request_id": request.request_id,
                             "requested_on": request.requested_on.isoformat(), "working_days": allowed,
                             "due_on": due.due_on.isoformat(), "calendar": due.explain(),
                             "why": "the distributor's account is not opened (seed 003: 医疗机构应积极配合做好账户"
                                    "开户等工作)"}))
    return rows


HANDLERS = {"contracts.account.requested": on_requested, "contracts.account.opened": on_opened}
