"""CAT-14 质量问题处置 (seed 000: 质量问题…及时报告和处置; seed 004: 质量…监管): the insurer holds a
lot of a product for quality. While held, contracts refuses the acceptance of any delivery
line with that lot (CON-5), and monitoring alerts every hospital that accepted it before, with
its lines. A release lets the lot be accepted again. A lot held twice is a 409; each hold and
release is a line in the product's history and an event (``catalog.lot.held`` /
``catalog.lot.released``). Lots are compared as recorded, case and all: the distributor's
delivery names the lot the package carries.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.catalog import LotHeld, LotReleased
from vbpkit.messaging import outbox
from vbpkit.web.identity import Principal
from vbpkit.web.problems import Problem

from vbp_catalog.lot_holds import repository
from vbp_catalog.lot_holds.models import LotHold
from vbp_catalog.lot_holds.schemas import HoldIn, HoldList, HoldRead, ReleaseIn
from vbp_catalog.products import repository as products
from vbp_catalog.products.service import record


async def hold(session: AsyncSession, *, product_id: int, request: HoldIn, principal: Principal,
               today: date) -> HoldRead:
    product = await products.product_or_404(session, product_id=product_id, for_update=True)
    if await repository.held(session, product_id=product.id, lot=request.lot):
        raise Problem(409, detail=f"lot {request.lot} of product {product.id} is on hold already")
    row = LotHold(product_id=product.id, lot=request.lot, reason=request.reason, held_by=principal.actor)
    session.add(row)
    await session.flush()
    record(session, product, kind="lot_hold", old=None, new=f"lot {request.lot} held", effective_on=today,
           reason=request.reason, by=principal.actor)
    outbox.add(session, LotHeld(hold_id=row.id, product_id=product.id, batch_code=product.batch_code,
                                manufacturer_code=product.applicant_credit_code, lot=row.lot, reason=row.reason,
                                held_on=today), key=str(product.id))
    await session.flush()
    await session.refresh(row)
    return HoldRead.model_validate(row)


async def release(session: AsyncSession, *, hold_id: int, request: ReleaseIn, principal: Principal, today: date,
                  now: datetime) -> HoldRead:
    row = await repository.hold_or_404(session, hold_id)
    if row.status != "held":
        raise Problem(409, detail=f"lot hold {hold_id} is released already")
    product = await products.product_or_404(session, product_id=row.product_id)
    row.status, row.released_by, row.released_at, row.release_reason = "released", principal.actor, now, request.reason
    record(session, product, kind="lot_hold", old=f"lot {row.lot} held", new=f"lot {row.lot} released",
           effective_on=today, reason=request.reason, by=principal.actor)
    outbox.add(session, LotReleased(hold_id=row.id, product_id=row.product_id, lot=row.lot, reason=request.reason,
                                    released_on=today), key=str(row.product_id))
    await session.flush()
    return HoldRead.model_validate(row)


async def listing(session: AsyncSession, *, product_id: int) -> HoldList:
    await products.product_or_404(session, product_id=product_id)
    return HoldList(items=[HoldRead.model_validate(h) for h in await repository.of_product(session, product_id)])
