"""MON-14 obstruction complaints (seed 004: 各有关部门和医疗机构不得以费用控制、医疗机构使用品种规格数量
要求、未申报采购量、要求企业缴纳质量保证金等为由，限制中选耗材的合理使用与供应保障; seed 003: 医疗机构应
积极配合做好账户开户等工作; seeds 001/004: no extra fees at entry or stocking, no agreement departing
from the signed one).

A company that is party — manufacturer or designated distributor — to an effective agreement
with the hospital reports an obstruction of one of the kinds above; another company gets 403.
The insurer of the hospital's region finds it substantiated or not, with the reason, once.
Substantiated findings count in the hospital's assessment (MON-7, reported beside the score)
and the monthly report (MON-8). The hospital concerned reads the complaints about it (it is
entitled to know what it is accused of); the company its own; an insurer its region's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.monitoring import ObstructionFound, ObstructionReported
from vbpkit.messaging import outbox
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope, scoped_rows

from vbp_monitoring.obstructions import repository
from vbp_monitoring.obstructions.models import Obstruction
from vbp_monitoring.obstructions.schemas import ComplaintIn, FindingIn


def _refused(field: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Invalid complaint", f"{field}: {reason} (MON-14)",
                   errors=[{"field": field, "reason": reason}])


async def report(session: AsyncSession, *, request: ComplaintIn, principal: Principal, today: date) -> Obstruction:
    if principal.role is not Role.COMPANY or not principal.tenant:
        raise Problem(403, detail="a company party to an agreement with the hospital reports an obstruction")
    if request.occurred_on > today:
        raise _refused("body.occurred_on", f"after today ({today})")
    batches = await repository.party_batches(session, hospital_code=request.hospital_code,
                                             company_code=principal.tenant)
    if not batches:
        raise Problem(403, detail=f"you are not party to an effective agreement with {request.hospital_code} (MON-14)")
    if request.batch_code is not None and request.batch_code not in batches:
        raise _refused("body.batch_code", f"you share no effective agreement of {request.batch_code} with "
                                          f"{request.hospital_code}; yours: {', '.join(batches)}")
    if request.batch_code is None and len(batches) > 1:
        raise _refused("body.batch_code", f"name the batch: you share agreements of {', '.join(batches)}")
    institution = await registry.institution(session, request.hospital_code)
    complaint = Obstruction(hospital_code=request.hospital_code, region_code=institution.region_code
                            if institution else None, company_code=principal.tenant,
                            batch_code=request.batch_code or batches[0], kind=request.kind,
                            occurred_on=request.occurred_on, description=request.description,
                            reported_by=principal.actor)
    session.add(complaint)
    await session.flush()
    outbox.add(session, ObstructionReported(
        complaint_id=complaint.id, hospital_code=complaint.hospital_code, region_code=complaint.region_code,
        company_code=complaint.company_code, batch_code=complaint.batch_code, kind=complaint.kind,
        occurred_on=complaint.occurred_on), key=complaint.hospital_code)
    return complaint


async def read(session: AsyncSession, *, complaint_id: int, principal: Principal,
               for_update: bool = False) -> Obstruction:
    complaint = await repository.complaint(session, complaint_id, for_update=for_update)
    scope = ReadScope.of(principal)
    if complaint is None or not scope.sees(complaint):
        raise Problem(404, detail=f"no obstruction complaint {complaint_id} of yours")
    return complaint


async def find(session: AsyncSession, *, complaint_id: int, request: FindingIn, principal: Principal,
               today: date) -> Obstruction:
    """The insurer of the hospital's region finds the complaint substantiated or not, once."""
    complaint = await read(session, complaint_id=complaint_id, principal=principal, for_update=True)
    if principal.role is not Role.INSURER:
        raise Problem(403, detail="the insurer of the hospital's region makes the finding")
    if complaint.status != "open":
        raise Problem(409, detail=f"complaint {complaint_id} is {complaint.status} already")
    complaint.status, complaint.finding = request.finding, request.reason
    complaint.found_by, complaint.found_on = principal.actor, today
    outbox.add(session, ObstructionFound(complaint_id=complaint.id, hospital_code=complaint.hospital_code,
                                         company_code=complaint.company_code, finding=request.finding,
                                         found_on=today), key=complaint.hospital_code)
    await session.flush()
    return complaint


async def listing(session: AsyncSession, *, principal: Principal, filters: dict, after_id: int | None,
                  limit: int) -> list[Obstruction]:
    return await scoped_rows(principal, filters, lambda narrowed, after, size: repository.listing(
        session, filters=narrowed, after_id=after, limit=size), after=after_id, limit=limit)
