"""Reading distributors' service regions, and whether one covers a hospital's region."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.domain.regions import is_known, is_within
from vbpkit.projections.service_regions.models import ServedRegionView


async def declared(session: AsyncSession, credit_code: str) -> ServedRegionView | None:
    return await session.get(ServedRegionView, credit_code)


def gap(view: ServedRegionView | None, region_code: str | None, *, with_service: bool) -> str | None:
    """Why ``view``'s distributor cannot serve a hospital of ``region_code`` (None: it can, or it
    never declared its regions)."""
    if view is None:
        return None
    covering = [r for r in view.regions if region_code and is_known(region_code)
                and is_within(region_code, r["region_code"])]
    if not covering:
        return f"{view.credit_code} does not serve region {region_code} (its regions: " \
               f"{', '.join(r['region_code'] for r in view.regions) or 'none'}; CAT-15)"
    if with_service and not any(r["accompanying_service"] for r in covering):
        return f"{view.credit_code} gives no accompanying service in region {region_code}, and the agreement is at " \
               "the with-service price (CAT-15, seed 004)"
    return None
