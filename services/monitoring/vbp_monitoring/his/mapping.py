"""MON-11 mapping: a HIS's national code → a catalog product and how many HIS units make one
catalog unit, by hand or through the catalog's national insurance codes (CAT-11)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.his import repository
from vbp_monitoring.his.months import month_text, next_month, quantity_text
from vbp_monitoring.his.national import code_key



@dataclass
class Mapper:
    """A national code in a month → (product, HIS units per catalog unit, how), or why not."""

    explicit: dict[str, tuple[int, Decimal]]
    coded: dict[str, list[tuple]] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession) -> Mapper:
        explicit = {m.med_list_codg: (m.product_id, m.his_units_per_unit) for m in await repository.mappings(session)}
        coded: dict[str, list[tuple]] = defaultdict(list)
        for code, product, batch, winning, starts, ends in await repository.coded_products(session):
            coded[code].append((product, starts, ends))
        return cls(explicit, coded)

    def map(self, code: str, month: date) -> tuple[int, Decimal, str] | None:
        if code in self.explicit:
            product, units = self.explicit[code]
            return product, units, "mapping"
        month_end = next_month(month) - timedelta(days=1)
        candidates = {p for p, starts, ends in self.coded.get(code, ()) if starts <= month_end and ends >= month}
        if len(candidates) == 1:
            return candidates.pop(), Decimal(1), "insurance_code"
        return None

    def why_not(self, code: str) -> str:
        found = self.coded.get(code)
        if not found:
            return "no mapping, and no catalog product has this national insurance code (CAT-11)"
        return (f"{len(found)} catalog products have this national insurance code and none or several of their "
                f"batches are in force in the month; map it by hand")

    def known(self) -> set[str]:
        return set(self.explicit) | set(self.coded)


async def put_mapping(session: AsyncSession, *, code: str, product_id: int, his_units_per_unit: Decimal,
                      note: str | None, actor: str, now: datetime):
    if not (await repository.products(session, {product_id})):
        raise Problem(422, "validation-error", "Unknown product", f"no product {product_id} known to monitoring",
                      errors=[{"field": "body.product_id", "reason": f"no product {product_id} known to monitoring"}])
    return await repository.put_mapping(session, dict(
        med_list_codg=code_key(code), product_id=product_id, his_units_per_unit=his_units_per_unit, note=note,
        set_by=actor, set_at=now))


async def mappings(session: AsyncSession) -> list:
    return await repository.mappings(session)


async def drop_mapping(session: AsyncSession, *, code: str) -> None:
    if not await repository.drop_mapping(session, code_key(code)):
        raise Problem(404, detail=f"no hand mapping of {code_key(code)}")


async def unmapped(session: AsyncSession, *, principal: Principal, hospital_code: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []
    mapper = await Mapper.load(session)
    regions = await registry.institution_regions(session)
    found = []
    for hospital, code, data_type, rows, quantity, first, last in await repository.unmapped_rows(
            session, mapper.known(), scope.hospital_code):
        if scope.covers(regions.get(hospital)):
            found.append({"hospital_code": hospital, "med_list_codg": code, "data_type": data_type, "rows": rows,
                          "quantity": quantity_text(quantity), "first_month": month_text(first),
                          "last_month": month_text(last), "why": mapper.why_not(code)})
    return found
