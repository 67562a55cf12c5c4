"""CAT-15 配送企业服务区域 (seed 004: 配送及其伴随服务能力应覆盖协议供应地区): a distributor declares
the regions it serves — each with the regions under it — and where it gives accompanying
service, as a whole set that replaces the last one (``catalog.distributor.regions_declared``).
Contracts then refuses designating it for a hospital outside them, or without accompanying
service for an agreement at the with-service price (CON-2, CON-6). A declaration that leaves
hospitals it is already designated for uncovered is **taken and flagged**, not refused: the
designations live in contracts, and a distributor that can no longer reach a region cannot be
made to by a refusal — monitoring alerts the bureau (``distributor_uncovered``), which revokes
and has another designated (CON-6). A distributor that never declared is not checked, so
designations made before this rule keep working."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.regions import is_known
from vbpkit.events.catalog import DistributorRegionsDeclared, ServedRegion
from vbpkit.messaging import outbox
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

from vbp_catalog.companies import repository as companies
from vbp_catalog.service_regions import repository
from vbp_catalog.service_regions.schemas import RegionIn, ServiceRegionsIn, ServiceRegionsRead


async def declare(session: AsyncSession, *, credit_code: str, request: ServiceRegionsIn, principal: Principal,
                  today: date) -> ServiceRegionsRead:
    company = await companies.company_or_404(session, credit_code=credit_code)
    if principal.role is Role.COMPANY and principal.tenant != company.credit_code:
        raise Problem(403, detail="a distributor declares its own service regions (CAT-15)")
    if "distributor" not in company.roles:
        raise Problem(422, detail=f"{company.credit_code} is not a registered distributor (CAT-9)",
                      errors=[{"field": "path.credit_code", "reason": "not a distributor"}])
    errors, seen = [], set()
    for n, region in enumerate(request.regions):
        if not is_known(region.region_code):
            errors.append({"field": f"body.regions[{n}].region_code",
                           "reason": f"{region.region_code} is not a current administrative division (GB/T 2260)"})
        elif region.region_code in seen:
            errors.append({"field": f"body.regions[{n}].region_code", "reason": f"{region.region_code} repeats"})
        seen.add(region.region_code)
    if errors:
        raise Problem(422, detail="the service regions are refused; nothing was stored (CAT-15)", errors=errors)
    rows = [region.model_dump() for region in sorted(request.regions, key=lambda r: r.region_code)]
    await repository.replace(session, company.credit_code, rows)
    outbox.add(session, DistributorRegionsDeclared(credit_code=company.credit_code, declared_on=today,
                                                   regions=[ServedRegion(**row) for row in rows]),
               key=company.credit_code)
    return ServiceRegionsRead(credit_code=company.credit_code, regions=[RegionIn(**row) for row in rows])


async def read(session: AsyncSession, *, credit_code: str) -> ServiceRegionsRead:
    company = await companies.company_or_404(session, credit_code=credit_code)
    return ServiceRegionsRead(credit_code=company.credit_code, regions=[
        RegionIn(region_code=r.region_code, accompanying_service=r.accompanying_service)
        for r in await repository.regions_of(session, company.credit_code)])
