"""SET-5 direct settlement (医保基金直接结算) regions, as far as SET-3 needs them.

Seed 001 (Liaoning) prepays only in the cities that have not implemented direct settlement
of the fund with companies (未实施医保基金直接结算的市); where the fund pays the companies
itself, prepaying the hospital as well would pay twice. The bureau records which regions
settle directly; a code covers its own area (a province's covers its cities and counties).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.identity import Principal
from vbpkit.policy import ExecutionPolicy
from vbpkit.problems import Problem
from vbpkit.regions import is_known

from vbp_settlement.direct_settlement import repository
from vbp_settlement.direct_settlement.models import DirectSettlementRegion


async def set_region(session: AsyncSession, *, region_code: str, since_on: date,
                     principal: Principal) -> DirectSettlementRegion:
    if not is_known(region_code):
        raise Problem(422, detail=f"unknown region {region_code}",
                      errors=[{"field": "path.region_code", "reason": "not a known administrative region code"}])
    return await repository.put(session, region_code=region_code, since_on=since_on, set_by=principal.actor)


async def regions(session: AsyncSession) -> list[DirectSettlementRegion]:
    return await repository.all_regions(session)


async def settles_directly(session: AsyncSession, policy: ExecutionPolicy, region_code: str | None,
                           on: date) -> DirectSettlementRegion | None:
    """The region entry that makes the fund pay companies directly for a hospital of
    ``region_code`` on ``on`` under ``policy``, where that stops a prepayment — None where
    the policy has no direct settlement (seeds 000/002/003: "no"), prepays regardless
    (``prepay_where_settled_directly``: seed 004 says nothing of it) or the region does not
    settle directly."""
    if policy.direct_settlement == "no" or policy.prepay_where_settled_directly or not region_code:
        return None
    entry = await repository.covering(session, region_code)
    return entry if entry is not None and entry.since_on <= on else None
