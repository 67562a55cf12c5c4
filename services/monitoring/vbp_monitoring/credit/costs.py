"""MON-13 costs of failure (seeds 003/004: 承担所有费用): the insurer records a cost a hospital
proved against a breach — amount, what for, where the proof is. It is reported against the
company (MON-6 performance, and so the assessment's companies), not deducted from anything: the
seeds say the failing company bears it, not how it is collected.

Refused: a breach that does not exist (404), a hospital the insurer's region does not cover
(404, as for anything of another region), a hospital other than the breach's own when the
breach names one, a cost incurred before the breach or after today."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.events.monitoring import BreachCostRecorded
from vbpkit.messaging import outbox
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.credit import repository
from vbp_monitoring.credit.models import BreachCost
from vbp_monitoring.credit.schemas import CostIn


def _refused(field: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Invalid cost", f"{field}: {reason}",
                   errors=[{"field": field, "reason": reason}])


async def record(session: AsyncSession, *, breach_id: int, request: CostIn, principal: Principal,
                 today: date) -> BreachCost:
    breach = await repository.breach(session, breach_id)
    if breach is None:
        raise Problem(404, detail=f"no breach {breach_id}")
    institution = await registry.institution(session, request.hospital_code)
    region = institution.region_code if institution else None
    if institution is None or not ReadScope.of(principal).covers(region):
        raise Problem(404, detail=f"no hospital {request.hospital_code} in your region")
    if breach.hospital_code and breach.hospital_code != request.hospital_code:
        raise _refused("body.hospital_code", f"breach {breach_id} is {breach.hospital_code}'s")
    if not breach.occurred_on <= request.incurred_on <= today:
        raise _refused("body.incurred_on", f"between the breach ({breach.occurred_on}) and today ({today})")
    cost = BreachCost(breach_id=breach.id, company_code=breach.company_code, hospital_code=request.hospital_code,
                      region_code=region, amount_fen=request.amount, what_for=request.what_for,
                      evidence_ref=request.evidence_ref, incurred_on=request.incurred_on,
                      recorded_by=principal.actor)
    session.add(cost)
    await session.flush()
    outbox.add(session, BreachCostRecorded(
        cost_id=cost.id, breach_id=breach.id, company_code=breach.company_code, hospital_code=cost.hospital_code,
        amount_fen=cost.amount_fen, what_for=cost.what_for, incurred_on=cost.incurred_on), key=breach.company_code)
    return cost


async def of_breach(session: AsyncSession, *, breach_id: int, principal: Principal) -> list[dict]:
    breach = await repository.breach(session, breach_id)
    if breach is None or ReadScope.of(principal, company_code=breach.company_code).nothing:
        raise Problem(404, detail=f"no breach {breach_id} of yours")
    scope = ReadScope.of(principal)
    return [{"id": c.id, "breach_id": c.breach_id, "company_code": c.company_code, "hospital_code": c.hospital_code,
             "amount": format_yuan(c.amount_fen), "what_for": c.what_for, "evidence_ref": c.evidence_ref,
             "incurred_on": c.incurred_on, "recorded_by": c.recorded_by, "recorded_at": c.recorded_at}
            for c in await repository.costs_of(session, breach_id) if scope.covers(c.region_code)]
