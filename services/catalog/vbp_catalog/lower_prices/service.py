"""CAT-6 就低 (seed 002): a lower price elsewhere obliges the company to lower its own.

The exchange records the lower price and the day it took effect; the company must
apply, within the batch policy's window of Chinese working days (20 in seed 002)
counted from the day after, to lower its winning price to at most that price. A
reduction applied by the deadline and effective on or before it meets the obligation
and lowers the winning price from its effective date; if none does, the daily check
disqualifies the product (取消中选资格) once the deadline has passed.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.web.problems import Problem
from vbpkit.domain.workdays import CalendarYearNotLoaded

from vbp_catalog.calendar.service import work_calendar, year_not_loaded
from vbp_catalog.lower_prices import repository
from vbp_catalog.lower_prices.models import LowerPrice, PriceReduction
from vbp_catalog.lower_prices.schemas import LowerPriceRecord, ReductionApply, lower_price_read, reduction_read
from vbp_catalog.payment_standards import service as standards
from vbp_catalog.products import repository as products
from vbp_catalog.products.models import Product
from vbp_catalog.products.service import change_price, change_status

SYSTEM = "system:CAT-6"


async def record_lower_price(
    session: AsyncSession, *, product_id: int, request: LowerPriceRecord, by: str, today: date,
    check_every_seconds: float,
) -> dict:
    """The recorded lower price with its deadline and what it means for the product."""
    product = await products.product_or_404(session, product_id=product_id, for_update=True)
    row = await _record(session, product, request, by=by)
    return lower_price_read(row) | {
        "consequence": consequence(row, today=today, check_every_seconds=check_every_seconds)}


async def _record(session: AsyncSession, product: Product, request: LowerPriceRecord, *, by: str) -> LowerPrice:
    batch = await repository.batch_of(session, product=product)
    window = batch.policy.lower_price_window_working_days
    if not window:
        raise Problem(422, "rule-not-in-policy", detail=(
            f"batch {batch.code}'s execution policy ({batch.policy.preset}) has no lower-price window (CAT-6)"))
    if not product.winning:
        # 就低 lowers a winning price (中选价格) on pain of losing 中选资格; a non-winning
        # listing is held to the national lowest price instead (CAT-7).
        raise Problem(422, detail=f"product {product.id} is not a winning product; CAT-6 applies to winning prices")
    if product.status == "disqualified":
        raise Problem(409, detail=f"product {product.id} is already disqualified")
    if not batch.starts_on <= request.effective_on <= batch.ends_on:
        # Seed 002: 采购周期内，出现新的…价格 — only a lower price during the cycle obliges.
        raise Problem(422, detail=(
            f"{request.effective_on} is outside batch {batch.code}'s cycle {batch.starts_on} … {batch.ends_on} (CAT-6)"),
            errors=[{"field": "body.effective_on", "reason": f"must lie in {batch.starts_on} … {batch.ends_on}"}])
    if request.price >= product.winning_price_fen:
        raise Problem(422, detail=(
            f"{format_yuan(request.price)} is not lower than the winning price {format_yuan(product.winning_price_fen)}"),
            errors=[{"field": "body.price", "reason": f"must be below {format_yuan(product.winning_price_fen)}"}])
    calendar = await work_calendar(session)
    try:
        count = calendar.add_working_days(request.effective_on, window)
    except CalendarYearNotLoaded as exc:
        raise year_not_loaded(exc, "body.effective_on") from None
    explain = {
        "rule": "CAT-6",
        "preset": batch.policy.preset,
        "window_working_days": window,
        "lower_price": format_yuan(request.price),
        "winning_price": format_yuan(product.winning_price_fen),
        "deadline": count.explain(),
    }
    row = LowerPrice(
        product_id=product.id, price_fen=request.price, effective_on=request.effective_on, region=request.region,
        source=request.source, deadline_on=count.due_on, explain=explain, status="open", recorded_by=by,
    )
    session.add(row)
    await session.flush()
    return row


def consequence(row: LowerPrice, *, today: date, check_every_seconds: float) -> dict:
    """CAT-6: what recording this lower price means for the product, said in the answer
    rather than discovered a minute later. A lower price recorded after its deadline (a late
    notice from another province) cannot be met any more — seed 002 counts the company's
    application, and a reduction applied now is late — so the next run of the check
    disqualifies the product (取消中选资格); the exchange learns that now, while it can
    still correct a mistyped date."""
    detail_price = format_yuan(row.price_fen)
    if row.deadline_on < today:
        return {
            "rule": "CAT-6", "deadline_passed": True, "disqualified_on": today.isoformat(),
            "check_runs_within_seconds": check_every_seconds,
            "detail": (f"the {row.explain['window_working_days']}-working-day deadline {row.deadline_on} has already "
                       f"passed (today is {today}); no reduction can meet it now, so the CAT-6 check disqualifies the "
                       f"product (取消中选资格) at its next run, within {check_every_seconds:g} s "
                       "(or at once through POST /catalog/lower-prices/checks)"),
        }
    return {
        "rule": "CAT-6", "deadline_passed": False,
        "disqualified_on": (row.deadline_on + timedelta(days=1)).isoformat(),
        "check_runs_within_seconds": check_every_seconds,
        "detail": (f"unless the company applies by {row.deadline_on} to lower its winning price to at most "
                   f"{detail_price}, the CAT-6 check disqualifies the product (取消中选资格) on "
                   f"{row.deadline_on + timedelta(days=1)}"),
    }


async def apply_reduction(
    session: AsyncSession, *, product_id: int, request: ReductionApply, principal: Principal, today: date
) -> dict:
    product = await products.product_or_404(session, product_id=product_id, for_update=True)
    return reduction_read(await _apply_for(session, product, request, principal=principal, today=today))


async def _apply_for(
    session: AsyncSession, product: Product, request: ReductionApply, *, principal: Principal, today: date
) -> PriceReduction:
    if principal.role is Role.COMPANY and principal.tenant != product.applicant_credit_code:
        raise Problem(404, detail=f"no product {product.id} of yours")
    if product.status in ("disqualified", "delisted"):
        raise Problem(409, detail=f"product {product.id} is {product.status}; its price can no longer change")
    batch = await repository.batch_of(session, product=product)
    if request.effective_on < batch.starts_on:
        # CAT-6: a reduction lowers the winning price of this batch, which has none before its
        # execution starts; a date before it is a typo that would rewrite history.
        raise Problem(422, detail=(
            f"a reduction cannot take effect on {request.effective_on}, before batch {batch.code} starts on "
            f"{batch.starts_on} (CAT-6)"),
            errors=[{"field": "body.effective_on", "reason": f"before the batch starts ({batch.starts_on})"}])
    if request.winning_price >= product.winning_price_fen:
        raise Problem(422, detail=(
            f"a reduction must be below the winning price {format_yuan(product.winning_price_fen)}"),
            errors=[{"field": "body.winning_price", "reason": "not a reduction"}])
    if request.winning_price < product.service_price_fen:
        raise Problem(422, detail=(
            f"the winning price includes the service price {format_yuan(product.service_price_fen)} (CAT-3)"),
            errors=[{"field": "body.winning_price", "reason": "below the service price"}])
    by = principal.actor
    reduction = PriceReduction(
        product_id=product.id, winning_price_fen=request.winning_price, effective_on=request.effective_on,
        applied=False, reason=request.reason, applied_by=by,
    )
    session.add(reduction)
    # Seed 002 (20 个工作日内…主动申请就低调整): the application itself must come by the
    # deadline, not only its effective date — a reduction applied late and back-dated
    # does not meet an obligation whose deadline has passed.
    met = await repository.open_lower_prices_met(
        session, product_id=product.id, winning_price_fen=request.winning_price,
        effective_on=request.effective_on, today=today,
    )
    for lower in met:
        lower.status = "met"
        lower.closed_at = func.now()
    if request.effective_on <= today:
        await _apply(session, product, reduction)
    await session.flush()
    return reduction


async def _apply(session: AsyncSession, product: Product, reduction: PriceReduction) -> None:
    change_price(
        session, product, product_price_fen=reduction.winning_price_fen - product.service_price_fen,
        effective_on=reduction.effective_on, reason=reduction.reason, by=reduction.applied_by,
    )
    reduction.applied = True
    # CAT-11: the payment standard follows the winning price from the same day
    await standards.follow(session, product, effective_on=reduction.effective_on, reason=reduction.reason,
                           by=reduction.applied_by)


async def run_daily_check(session: AsyncSession, *, today: date) -> dict:
    """Apply reductions whose day has come; disqualify products whose deadline has passed."""
    due = await repository.due_reductions(session, today=today)
    for reduction in due:
        product = await repository.locked_product(session, product_id=reduction.product_id)
        if product.status in ("disqualified", "delisted"):
            continue
        await _apply(session, product, reduction)
    lapsed = await repository.lapsed_lower_prices(session, today=today)
    disqualified = []
    for lower in lapsed:
        lower.status = "lapsed"
        lower.closed_at = func.now()
        product = await repository.locked_product(session, product_id=lower.product_id)
        if product.status == "disqualified":
            continue
        change_status(
            session, product, status="disqualified", effective_on=today, by=SYSTEM,
            reason=(f"取消中选资格 (CAT-6): no reduction to ≤ {format_yuan(lower.price_fen)} "
                    f"({lower.region}, effective {lower.effective_on}) by {lower.deadline_on}"),
        )
        disqualified.append(product.id)
    await session.flush()
    return {"today": today.isoformat(), "reductions_applied": len(due), "lower_prices_lapsed": len(lapsed),
            "disqualified_products": disqualified}
