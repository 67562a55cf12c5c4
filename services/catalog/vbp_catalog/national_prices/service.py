"""CAT-12 全国最低价 follow-up (seed 003: 未中选支架…挂网价格，执行全国最低价…同步调整).

The exchange records a new national lowest price — of the provincial platforms, not a
self-reported or filing price — for a batch's whole category, one group or one non-winning
product, from a day. From that day:

- it is the CAT-7 cap of the non-winning listings in its scope: a listing push above it is
  refused, naming it (``products.service``);
- every non-winning listing in scope priced above it is lowered to it (policy
  ``national_lowest_price_follow`` = ``lower``, seed 003) or suspended (``suspend``) until the
  exchange lists it again at most at the cap; a listing whose accompanying-service price alone
  is above the figure cannot be lowered to it and is suspended. Each change is the product's
  history and its event, and its payment standard follows a lowered listing price (CAT-11).

A figure dated today or earlier applies at once; a later one waits for its day, when the daily
CAT-12 check applies it. A figure is not recorded before one already recorded for the same
scope: the order of the figures is the order of the caps.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.web.problems import Problem

from vbp_catalog.batches import repository as batches
from vbp_catalog.batches.models import Batch
from vbp_catalog.national_prices import repository
from vbp_catalog.national_prices.models import NationalLowestPrice
from vbp_catalog.national_prices.schemas import (
    NationalLowestPriceList,
    NationalLowestPriceRead,
    NationalLowestPriceRecord,
)
from vbp_catalog.payment_standards import service as standards
from vbp_catalog.products import repository as products
from vbp_catalog.products.service import change_price, change_status, record as record_change

ACTIVE = ("pre_listed", "listed")


async def record(session: AsyncSession, *, batch_code: str, request: NationalLowestPriceRecord, by: str,
                 today: date) -> NationalLowestPriceRead:
    batch = await batches.batch_or_404(session, code=batch_code)
    await _check_scope(session, batch, request)
    if request.effective_on > batch.ends_on:
        raise Problem(422, detail=f"batch {batch.code}'s cycle ends on {batch.ends_on}; a figure from "
                                  f"{request.effective_on} caps nothing of it (CAT-12)",
                      errors=[{"field": "body.effective_on", "reason": f"after the cycle ends ({batch.ends_on})"}])
    latest = await repository.latest_of_scope(session, batch_code=batch.code, group_code=request.group,
                                              product_id=request.product_id)
    if latest is not None and request.effective_on < latest.effective_on:
        raise Problem(422, detail=(f"a figure for this scope is in the record from {latest.effective_on}; an earlier "
                                   "one is not recorded behind it (CAT-12)"),
                      errors=[{"field": "body.effective_on", "reason": f"before {latest.effective_on}"}])
    row = NationalLowestPrice(batch_code=batch.code, group_code=request.group, product_id=request.product_id,
                              price_fen=request.price, effective_on=request.effective_on, source=request.source,
                              status="pending", recorded_by=by)
    session.add(row)
    await session.flush()
    if row.effective_on <= today:
        await _apply(session, row, batch, today=today)
        await session.flush()
    await session.refresh(row)
    return NationalLowestPriceRead.of(row)


async def _check_scope(session: AsyncSession, batch: Batch, request: NationalLowestPriceRecord) -> None:
    if request.group is not None and request.group not in await batches.group_codes(session, batch_code=batch.code):
        raise Problem(422, detail=f"batch {batch.code} has no group {request.group!r}",
                      errors=[{"field": "body.group", "reason": "no such group in the batch"}])
    if request.product_id is not None:
        product = await products.product(session, product_id=request.product_id)
        if product is None or product.batch_code != batch.code:
            raise Problem(422, detail=f"batch {batch.code} has no product {request.product_id}",
                          errors=[{"field": "body.product_id", "reason": "not a product of the batch"}])
        if product.winning:
            raise Problem(422, detail=(f"product {product.id} is a winning product: its price is the winning price "
                                       "(CAT-6 就低), not capped by the national lowest price (CAT-7)"),
                          errors=[{"field": "body.product_id", "reason": "a winning product"}])


async def _apply(session: AsyncSession, row: NationalLowestPrice, batch: Batch, *, today: date) -> None:
    follow = batch.policy.national_lowest_price_follow
    by = f"system:CAT-12 (figure {row.id}, recorded by {row.recorded_by})"
    figure = format_yuan(row.price_fen)
    reason = f"national lowest price {figure} from {row.effective_on} ({row.source}; CAT-12 同步调整)"
    lowered, suspended, capped = [], [], []
    for product in await repository.non_winning_in_scope(session, row):
        if product.national_lowest_price_fen != row.price_fen:
            record_change(session, product, kind="cap", old=_yuan(product.national_lowest_price_fen), new=figure,
                          effective_on=row.effective_on, reason=reason, by=by)
            product.national_lowest_price_fen = row.price_fen
            capped.append(product.id)
        if product.status not in ACTIVE or product.winning_price_fen <= row.price_fen:
            continue
        entry = {"product_id": product.id, "from": format_yuan(product.winning_price_fen)}
        if follow == "lower" and row.price_fen >= product.service_price_fen:
            change_price(session, product, product_price_fen=row.price_fen - product.service_price_fen,
                         effective_on=row.effective_on, reason=reason, by=by)
            await standards.follow(session, product, effective_on=row.effective_on, reason=reason, by=by)
            lowered.append(entry | {"to": figure})
        else:
            why = ("the batch policy suspends listings above the national lowest price"
                   if follow == "suspend" else
                   f"its service price {format_yuan(product.service_price_fen)} alone is above the figure")
            change_status(session, product, status="suspended", effective_on=row.effective_on,
                          reason=f"{reason}: {why}", by=by)
            suspended.append(entry | {"why": why})
    row.status, row.applied_on = "applied", today
    row.outcome = {"rule": "CAT-12", "preset": batch.policy.preset, "follow": follow, "lowered": lowered,
                   "suspended": suspended, "caps_moved": capped}


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else format_yuan(fen)


async def apply_due(session: AsyncSession, *, today: date) -> list[int]:
    """The figures whose day has come, in their order: the daily CAT-12 check's part."""
    applied = []
    for row in await repository.due(session, today=today):
        await _apply(session, row, await batches.batch_or_404(session, code=row.batch_code), today=today)
        applied.append(row.id)
    await session.flush()
    return applied


async def listing(session: AsyncSession, *, batch_code: str, product_id: int | None) -> NationalLowestPriceList:
    await batches.batch_or_404(session, code=batch_code)
    rows = await repository.of_batch(session, batch_code=batch_code, product_id=product_id)
    return NationalLowestPriceList(items=[NationalLowestPriceRead.of(r) for r in rows])
