"""MON-12 supply failure (seed 003: 不能保障…供应时…备选和应急保障措施; seed 004: 增加替补供应企业): the
scheduled check raises a ``supply_failure`` alert for a winning product, once a month, when

- it gathered the batch policy's ``supply_failure_breaches`` late or failed supply breaches
  (MON-6, force majeure left out) in one region within ``supply_failure_window_days``, or
- it is suspended or disqualified while effective agreement items of the current year still
  have volume left (agreed − accepted net of returns) — hospitals that must now buy elsewhere.

The alert names the backups designated for the product (CAT-13) and where each supplies, so
the bureau sees at once whether a volume transfer (CON-7) can follow. Its region is the one the
breaches gathered in, or the nearest region containing every region concerned (none when
they lie in different provinces: every insurer sees it).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import agreement_year_of
from vbpkit.domain.regions import ancestors, is_known
from vbpkit.projections.backups import repository as backups
from vbpkit.projections.catalog_view import repository as catalog

from vbp_monitoring.shortages import repository

LONGEST_WINDOW_DAYS = 366


def common_region(codes: set[str]) -> str | None:
    """The nearest region containing every one of ``codes`` (itself when there is one)."""
    chains = [[code, *(r.code for r in ancestors(code))] for code in sorted(codes) if is_known(code)]
    if not chains or len(chains) != len(codes):
        return None
    shared = set(chains[0]).intersection(*chains[1:])
    return next((code for code in chains[0] if code in shared), None)


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    found: dict[int, dict] = defaultdict(dict)
    batches: dict = {}

    async def batch(code: str):
        if code not in batches:
            batches[code] = await catalog.batch(session, code)
        return batches[code]

    counted: dict[tuple[int, str], list[int]] = defaultdict(list)
    for product_id, batch_code, hospital, _, occurred_on, breach_id in await repository.supply_breaches(
            session, since=today - timedelta(days=LONGEST_WINDOW_DAYS)):
        policy = (await batch(batch_code)).policy if await batch(batch_code) else None
        region = await region_of(hospital)
        if policy is None or region is None or occurred_on <= today - timedelta(days=policy.supply_failure_window_days):
            continue
        counted[(product_id, region)].append(breach_id)
    for (product_id, region), ids in sorted(counted.items()):
        product = await catalog.product(session, product_id)
        policy = (await batch(product.batch_code)).policy if product else None
        if policy is not None and len(ids) >= policy.supply_failure_breaches:
            found[product_id].setdefault("breaches", []).append({
                "region_code": region, "count": len(ids), "threshold": policy.supply_failure_breaches,
                "window_days": policy.supply_failure_window_days, "breach_ids": ids})
    for product in await repository.halted_products(session):
        owner = await batch(product.batch_code)
        year = agreement_year_of(owner.cycle, today).value if owner else None
        left = await repository.volume_left(session, product_id=product.product_id, year=year) if year else {}
        if left:
            found[product.product_id]["halted"] = {"status": product.status, "agreement_year": year,
                                                   "volume_left": dict(sorted(left.items())),
                                                   "total_left": sum(left.values())}
    return [await _alert(session, product_id, why, today=today, region_of=region_of)
            for product_id, why in sorted(found.items())]


async def _alert(session: AsyncSession, product_id: int, why: dict, *, today: date, region_of) -> dict:
    product = await catalog.product(session, product_id)
    regions = {b["region_code"] for b in why.get("breaches", [])}
    for hospital in why.get("halted", {}).get("volume_left", {}):
        regions.add(await region_of(hospital) or "")
    designated = await backups.active_backups(session, [product_id])
    reasons = ([f"{b['count']} late or failed supply breaches in {b['region_code']} within {b['window_days']} days "
                f"(threshold {b['threshold']})" for b in why.get("breaches", [])]
               + ([f"{why['halted']['status']} with {why['halted']['total_left']} of the year's agreed volume left "
                   f"at {len(why['halted']['volume_left'])} hospital(s)"] if "halted" in why else []))
    return dict(kind="supply_failure", rule="MON-12", period=today.isoformat()[:7], batch_code=product.batch_code,
                hospital_code="", company_code=product.applicant_credit_code or "", product_id=product_id,
                group_code="", region_code=common_region(regions - {""}) if "" not in regions else None,
                raised_on=today, details={
                    "rule": "MON-12", "product": {"name": product.name, "spec": product.spec,
                                                  "status": product.status, "group_code": product.group_code},
                    "why": reasons, **why,
                    "backups": [{"backup_product_id": b.backup_product_id, "region_code": b.region_code,
                                 "price": format_yuan(b.price_fen), "manufacturer_code": b.backup_manufacturer_code}
                                for b in designated],
                    "next": "transfer the remaining volume to a backup (CON-7)" if designated
                    else "designate a backup (CAT-13)"})
