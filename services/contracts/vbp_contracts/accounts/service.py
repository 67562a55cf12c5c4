"""CON-10 账户开户 (seed 003: 医疗机构应积极配合做好账户开户等工作): a distributor designated in a
hospital's agreement records that it asked the hospital to open its account; the hospital
records the opening. One request of a distributor at a hospital is open at a time (409). Both
are events (``contracts.account.requested`` / ``.opened``): monitoring alerts when an account is
not opened within the policy's ``account_opening_working_days`` working days (CAT-10 calendar)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.contracts import AccountOpened, AccountRequested
from vbpkit.messaging import outbox
from vbpkit.web.identity import Principal, Role
from vbpkit.web.pagination import cut
from vbpkit.web.parties import OVERSEERS
from vbpkit.web.problems import Problem

from vbp_contracts.accounts import repository
from vbp_contracts.accounts.models import AccountOpening
from vbp_contracts.accounts.schemas import OpeningIn, RequestIn


def _dated(field: str, day: date, today: date, not_before: date | None = None) -> date:
    if day > today or (not_before is not None and day < not_before):
        reason = f"after today ({today})" if day > today else f"before the request ({not_before})"
        raise Problem(422, detail=f"{field}: {reason} (CON-10)", errors=[{"field": field, "reason": reason}])
    return day


async def request(session: AsyncSession, *, body: RequestIn, principal: Principal, today: date) -> AccountOpening:
    if principal.role is not Role.COMPANY or not principal.tenant:
        raise Problem(403, detail="the distributor asks for its account (CON-10)")
    batches = await repository.designated_batches(session, distributor_code=principal.tenant,
                                                  hospital_code=body.hospital_code)
    if not batches:
        raise Problem(403, detail=f"you are not designated in an agreement of {body.hospital_code} (CON-10)")
    on = _dated("body.requested_on", body.requested_on or today, today)
    if await repository.open_request(session, distributor_code=principal.tenant, hospital_code=body.hospital_code):
        raise Problem(409, detail=f"your account request at {body.hospital_code} is open already")
    row = AccountOpening(distributor_code=principal.tenant, hospital_code=body.hospital_code, batch_code=batches[0],
                         requested_on=on, note=body.note, requested_by=principal.actor)
    session.add(row)
    await session.flush()
    outbox.add(session, AccountRequested(request_id=row.id, distributor_code=row.distributor_code,
                                         hospital_code=row.hospital_code, batch_code=row.batch_code,
                                         requested_on=on), key=row.hospital_code)
    await session.refresh(row)
    return row


async def open_account(session: AsyncSession, *, request_id: int, body: OpeningIn, principal: Principal,
                       today: date) -> AccountOpening:
    row = await repository.request_or_404(session, request_id)
    if principal.role is not Role.HOSPITAL or principal.tenant != row.hospital_code:
        raise Problem(404, detail=f"no account opening {request_id} of yours")
    if row.opened_on is not None:
        raise Problem(409, detail=f"the account was opened on {row.opened_on}")
    row.opened_on = _dated("body.opened_on", body.opened_on or today, today, not_before=row.requested_on)
    row.opened_by = principal.actor
    outbox.add(session, AccountOpened(request_id=row.id, opened_on=row.opened_on), key=row.hospital_code)
    await session.flush()
    return row


async def read(session: AsyncSession, *, request_id: int, principal: Principal) -> AccountOpening:
    row = await repository.request_or_404(session, request_id)
    if principal.role not in OVERSEERS and principal.tenant not in (row.hospital_code, row.distributor_code):
        raise Problem(404, detail=f"no account opening {request_id} of yours")
    return row


async def page(session: AsyncSession, *, principal: Principal, hospital_code: str | None, company_code: str | None,
               after: int | None, limit: int) -> tuple[list[AccountOpening], int | None]:
    """A hospital its own, a distributor its own, the bureau all; filters narrow, never widen."""
    if principal.role is Role.HOSPITAL:
        if hospital_code not in (None, principal.tenant):
            return [], None
        hospital_code = principal.tenant
    elif principal.role is Role.COMPANY:
        if company_code not in (None, principal.tenant):
            return [], None
        company_code = principal.tenant
    elif principal.role not in OVERSEERS:
        return [], None
    rows = await repository.page(session, hospital_code=hospital_code, company_code=company_code, after=after,
                                 limit=limit + 1)
    return cut(rows, limit, lambda row: row.id)
