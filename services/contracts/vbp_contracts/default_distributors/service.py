"""CON-8 orders without an agreement (seed 004: 各有关部门和医疗机构不得以…未申报采购量…为由，限制中选
耗材的合理使用与供应保障).

Where a batch's policy sets ``orders_without_agreement`` to ``winning_price``, a hospital that
has no effective agreement with a winning product's manufacturer may still order it: the line
is priced at the winning price (with service), routed to the distributor the manufacturer named
as its default for the batch in the hospital's region — or the nearest region above it — and
counted beyond the agreed volume (there is none). Without a default distributor the line is
refused naming the manufacturer to ask. The lines go under the hospital's **standing** record
with the manufacturer for the year (an agreement of version 0, status ``standing``, no items,
never signed), so confirmation, delivery, acceptance, returns and invoices work as for any line;
the first agreement generated for the pair supersedes it. Under ``refuse`` (every preset but
Chuxiong's, whose seed 004 is the one that says it) such a line is refused as before (CON-4).

A manufacturer of a listed product of the batch names the default distributor
(``PUT /contracts/default-distributors``); a distributor that declared its service regions
(CAT-15) must serve the region with accompanying service.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.regions import ancestors, is_known
from vbpkit.projections.catalog_view import repository as catalog_view
from vbpkit.projections.registry import repository as registry
from vbpkit.projections.service_regions import repository as service_regions
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.default_distributors import repository
from vbp_contracts.default_distributors.schemas import DefaultIn, DefaultList, DefaultRead


def _refused(field: str, reason: str) -> Problem:
    return Problem(422, detail=f"{field}: {reason} (CON-8)", errors=[{"field": field, "reason": reason}])


async def declare(session: AsyncSession, *, request: DefaultIn, principal: Principal) -> DefaultRead:
    if principal.role is not Role.COMPANY or not principal.tenant:
        raise Problem(403, detail="a manufacturer names its default distributor (CON-8)")
    batch = await catalog_view.batch(session, request.batch_code)
    if batch is None:
        raise _refused("body.batch_code", f"unknown batch {request.batch_code}")
    products = await catalog_view.products_of_batch(session, batch.code)
    if not any(p.applicant_credit_code == principal.tenant for p in products.values()):
        raise Problem(403, detail=f"you have no product in batch {batch.code}")
    if not is_known(request.region_code):
        raise _refused("body.region_code", f"{request.region_code} is not a current administrative division")
    distributor = request.distributor_code.upper()
    company = await registry.company(session, distributor)
    if company is None or "distributor" not in company.roles:
        raise _refused("body.distributor_code", f"{distributor} is not a registered distributor (CAT-9)")
    why = service_regions.gap(await service_regions.declared(session, distributor), request.region_code,
                              with_service=True)
    if why:
        raise _refused("body.distributor_code", why)
    await repository.put(session, dict(batch_code=batch.code, manufacturer_code=principal.tenant,
                                       region_code=request.region_code, distributor_code=distributor,
                                       declared_by=principal.actor))
    [row] = [d for d in await repository.named(session, batch_code=batch.code, manufacturer_code=principal.tenant)
             if d.region_code == request.region_code]
    return DefaultRead.model_validate(row)


async def listing(session: AsyncSession, *, batch_code: str | None, company_code: str | None) -> DefaultList:
    """Who supplies a hospital without an agreement is no one's secret: every caller reads them."""
    return DefaultList(items=[DefaultRead.model_validate(d) for d in await repository.named(
        session, batch_code=batch_code, manufacturer_code=company_code)])


async def standing_route(session: AsyncSession, *, hospital_code: str, batch_code: str, year: int,
                         manufacturer_code: str) -> Agreement | str:
    """The standing record a line of a hospital without an agreement goes under, or why there is none."""
    institution = await registry.institution(session, hospital_code)
    region = institution.region_code if institution else None
    chain = [region, *(r.code for r in ancestors(region))] if region and is_known(region) else []
    named = await repository.for_regions(session, batch_code=batch_code, manufacturer_code=manufacturer_code,
                                         regions=chain)
    default = next((named[code] for code in chain if code in named), None)
    if default is None:
        maker = await registry.company(session, manufacturer_code)
        return (f"no effective agreement for year {year} of {batch_code} with {manufacturer_code}"
                f"{f' ({maker.name})' if maker else ''}, and it named no default distributor for region "
                f"{region or '(none)'}: ask it to name one (CON-8)")
    record = await repository.standing(session, batch_code=batch_code, year=year, hospital_code=hospital_code,
                                       manufacturer_code=manufacturer_code)
    if record is None:
        record = Agreement(batch_code=batch_code, agreement_year=year, hospital_code=hospital_code,
                           manufacturer_code=manufacturer_code, distributor_code=default.distributor_code,
                           with_service=True, version=0, status="standing")
        session.add(record)
        await session.flush()
    elif record.distributor_code != default.distributor_code:
        record.distributor_code = default.distributor_code  # the manufacturer named another since
    return record
