"""MON-9 savings (结余留用 basis, seed 004: 结余留用…医保基金): what the procurement saved a
hospital against what it paid before.

The exchange pushes each product's baseline price (the pre-procurement purchase price, the
exchange sees every purchase made on its platform). Savings of an accepted line = (baseline −
the price paid) × accepted quantity net of returns, summed per hospital, batch and agreement
year, as of a date. A product without a baseline saves nothing and is listed as such; a
baseline below the price paid gives a negative saving, shown as it is.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.domain.money import format_yuan
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.progress.service import schedule_of, year_of
from vbp_monitoring.savings import repository


async def push_baselines(session: AsyncSession, rows: list, *, principal: Principal) -> dict:
    """Upsert the rows whose product monitoring knows; the others are refused with their errors."""
    known = await catalog.products_by_id(session, {r.product_id for r in rows})
    good, errors, seen = [], [], {}
    for index, row in enumerate(rows, start=1):  # numbered from 1 (the bulk convention)
        if row.product_id not in known:
            errors.append({"row": index, "field": "product_id", "reason": "not a winning product known to monitoring"})
        elif row.product_id in seen:
            errors.append({"row": index, "field": "product_id", "reason": f"repeats row {seen[row.product_id]}"})
        else:
            seen[row.product_id] = index
            good.append({"product_id": row.product_id, "baseline_price_fen": row.baseline_price,
                         "set_by": principal.actor})
    await repository.put_baselines(session, good)
    return {"received": len(rows), "stored": len(good), "errors": errors}


async def savings(session: AsyncSession, *, principal: Principal, batch_code: str, as_of: date, year: int | None,
                  hospital_code: str | None) -> dict:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    batch = await catalog.batch(session, batch_code)
    if batch is None or scope.nothing:
        return {"rows": [], "year": year}
    chosen = year_of(batch.cycle, as_of, year)
    schedule = schedule_of(batch, chosen, as_of)
    lines = await repository.net_accepted(session, batch_code=batch_code, year=chosen, first=schedule["first"],
                                          as_of=min(as_of, schedule["last"]), hospital_code=scope.hospital_code)
    baselines = await repository.baselines(session, {line[2] for line in lines})
    per_hospital: dict[str, dict] = {}
    regions: dict[str, str | None] = {}
    for hospital, company, product, price, accepted, returned in lines:
        if not scope.shows_company(company):
            continue
        if hospital not in regions:
            institution = await registry.institution(session, hospital)
            regions[hospital] = institution.region_code if institution else None
        if not scope.covers(regions[hospital]):
            continue
        quantity = int(accepted) - int(returned)
        base = baselines.get(product)
        saved = (base - price) * quantity if base is not None else 0
        entry = per_hospital.setdefault(hospital, {"hospital_code": hospital, "savings_fen": 0, "products": []})
        entry["savings_fen"] += saved
        entry["products"].append({
            "product_id": product, "company_code": company, "quantity": quantity, "price_paid": format_yuan(price),
            "baseline": format_yuan(base) if base is not None else None, "savings": format_yuan(saved),
            "why": "(baseline − price paid) × quantity net of returns" if base is not None
            else "no baseline price pushed for this product: nothing counted"})
    return {"rows": sorted(per_hospital.values(), key=lambda r: r["hospital_code"]), "year": chosen,
            "explain": {"rule": "MON-9", "preset": batch.policy.preset, "as_of": as_of.isoformat(),
                        "agreement_year": {"year": chosen, "first": schedule["first"].isoformat(),
                                           "last": schedule["last"].isoformat()},
                        "formula": "Σ (baseline − price paid) × accepted quantity net of returns"}}
