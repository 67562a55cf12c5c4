"""CAT-15 in monitoring (seed 004: 配送及其伴随服务能力应覆盖协议供应地区): when a distributor declares
service regions that leave hospitals it is designated for outside them, each such hospital's
agreement is flagged to the bureau — a ``distributor_uncovered`` alert (rule CAT-15) naming the
agreement, its region and the regions declared — so the bureau can revoke the designation and
have the manufacturer designate another (CON-6). Catalog takes the declaration (it does not
know the designations); this is where they meet."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.regions import is_known, is_within
from vbpkit.events import Envelope
from vbpkit.events.catalog import DistributorRegionsDeclared
from vbpkit.projections.registry import repository as registry

from vbp_monitoring.alerts.service import raise_and_announce
from vbp_monitoring.distributors import repository


async def on_regions_declared(session: AsyncSession, event: DistributorRegionsDeclared, envelope: Envelope) -> None:
    declared = [r.region_code for r in event.regions]
    rows = []
    for agreement in await repository.designated(session, event.credit_code):
        institution = await registry.institution(session, agreement.hospital_code)
        region = institution.region_code if institution else None
        if region and is_known(region) and any(is_within(region, r) for r in declared if is_known(r)):
            continue
        rows.append(dict(
            kind="distributor_uncovered", rule="CAT-15", period=event.declared_on.isoformat()[:7],
            batch_code=agreement.batch_code, hospital_code=agreement.hospital_code, company_code=event.credit_code,
            product_id=0, group_code="", subject=str(agreement.agreement_id), region_code=region,
            raised_on=event.declared_on, details={
                "rule": "CAT-15", "agreement_id": agreement.agreement_id, "hospital_region": region,
                "declared_regions": declared, "manufacturer_code": agreement.manufacturer_code,
                "next": "revoke the designation and have the manufacturer designate a distributor serving the "
                        "region (CON-6)"}))
    await raise_and_announce(session, rows)


HANDLERS = {"catalog.distributor.regions_declared": on_regions_declared}
