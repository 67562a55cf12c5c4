"""SET-5 direct settlement (医保基金直接结算): the regions where it applies, and the fund's
payment of an accepted invoice on the hospital's behalf.

Seed 001 (Liaoning) encourages the fund to settle the price of the goods with the companies
directly (鼓励…应用医保基金与各有关企业直接结算货款), and seed 004 (Chuxiong) to explore it
(探索推进医保基金与医药企业直接结算): a policy of either says ``direct_settlement``
"optional" — it happens where the bureau has put it in place. The bureau records which
regions settle directly and from when; a code covers its own area (a province's covers its
cities and counties).

Seed 001 also prepays only in the cities that have not implemented it (未实施医保基金直接结算
的市): where the fund pays the companies itself, prepaying the hospital as well would pay twice
(SET-3 reads ``settles_directly``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.domain.policy import ExecutionPolicy
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.projections.registry.models import fund_for_level
from vbpkit.domain.regions import is_known

from vbp_settlement.direct_settlement import repository
from vbp_settlement.direct_settlement.models import DirectSettlementRegion
from vbp_settlement.invoices.models import Invoice, InvoiceLine
from vbp_settlement.payments.booking import book
from vbp_settlement.payments.models import Payment

# Who books the fund's payment: no person decides it, the acceptance and the region do.
SYSTEM = "system:SET-5"


async def set_region(session: AsyncSession, *, region_code: str, since_on: date,
                     principal: Principal) -> DirectSettlementRegion:
    if not is_known(region_code):
        raise Problem(422, detail=f"unknown region {region_code}",
                      errors=[{"field": "path.region_code", "reason": "not a known administrative region code"}])
    return await repository.put(session, region_code=region_code, since_on=since_on, set_by=principal.actor)


async def regions(session: AsyncSession) -> list[DirectSettlementRegion]:
    return await repository.all_regions(session)


async def _covering_on(session: AsyncSession, region_code: str | None, on: date) -> DirectSettlementRegion | None:
    """The entry under which ``region_code`` settles directly on ``on``, if any."""
    if not region_code:
        return None
    entry = await repository.covering(session, region_code)
    return entry if entry is not None and entry.since_on <= on else None


async def settles_directly(session: AsyncSession, policy: ExecutionPolicy, region_code: str | None,
                           on: date) -> DirectSettlementRegion | None:
    """The region entry that makes the fund pay companies directly for a hospital of
    ``region_code`` on ``on`` under ``policy``, where that stops a prepayment — None where
    the policy has no direct settlement (seeds 000/002/003: "no"), prepays regardless
    (``prepay_where_settled_directly``: seed 004 says nothing of it) or the region does not
    settle directly."""
    if policy.direct_settlement == "no" or policy.prepay_where_settled_directly:
        return None
    return await _covering_on(session, region_code, on)


async def pay_on_acceptance(session: AsyncSession, *, invoice: Invoice, lines: list[InvoiceLine],
                            accepted_on: date) -> Payment | None:
    """SET-5: the hospital accepted ``invoice``; where it settles directly, the fund pays the
    company the whole invoice at once, on the acceptance date — the fund of the hospital's
    level (seeds 000/002: level ≥ 2 职工医保, else 居民医保), booked as a payment with source
    "fund" (its ledger movement also charges ``hospital:<H>:direct_settled``, deducted from
    the hospital's next monthly payable, SET-4). It does so only when every line's batch
    allows it (a batch whose policy says "no" is paid by the hospital, so a mixed invoice is
    too: it is paid whole, by one payer) and the hospital's region settles directly since
    that day or earlier. None where the hospital pays it itself (SET-2)."""
    batches = await catalog.batches_by_code(session, {line.batch_code for line in lines})
    policies = [batches[line.batch_code].policy if line.batch_code in batches else None for line in lines]
    if not policies or any(p is None or p.direct_settlement != "optional" for p in policies):
        return None
    institution = await registry.institution(session, invoice.hospital_code)
    if institution is None:
        return None
    entry = await _covering_on(session, institution.region_code, accepted_on)
    if entry is None:
        return None
    return await book(session, invoice=invoice, amount_fen=invoice.amount_fen, paid_on=accepted_on,
                      reference=f"SET-5 direct settlement: region {entry.region_code} since {entry.since_on}",
                      fund=fund_for_level(institution.level), unpaid_before_fen=invoice.amount_fen,
                      recorded_by=SYSTEM)
