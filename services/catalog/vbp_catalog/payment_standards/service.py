"""CAT-11 医保支付标准: what the insurance fund pays for a product, from when, by which rule.

- A **winning** product's standard is its winning price (seeds 002/003/004: 以中选价为支付标准)
  and follows every change of it from the same effective day, CAT-6 reductions included.
- A **non-winning** product's follows the batch policy's ``payment_standard_non_winning``:
  its listing price (seed 002: 非中选药品…按挂网价格确定其医保支付标准), or ``frozen`` at its
  last value (seed 003: 中选产品以外的冠脉支架医保支付标准暂不调整) — a product listed with no
  earlier value has none until the insurer sets one.
- The **insurer** fixes an amount for one product with a reason (seed 001: 血流导向密网支架
  41,600.00, 乙类): the standard is then pinned and price changes leave it, until the insurer
  hands it back to the policy. The insurer also sets its category (甲类 | 乙类; the batch's
  ``payment_category`` by default, seed 001: 乙类), whether it is in the insurance catalogue,
  and whether it is 除外内容 (``payment_excluded_content``, seed 001).

Every new standard is a row (append-only) and ``catalog.payment_standard.changed``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.catalog import PaymentStandardChanged
from vbpkit.domain.money import format_yuan
from vbpkit.web.problems import Problem

from vbp_catalog.batches import repository as batches
from vbp_catalog.payment_standards import repository
from vbp_catalog.payment_standards.models import PaymentStandard
from vbp_catalog.products import repository as products
from vbp_catalog.products.models import Product


def rule_of(product: Product, policy) -> str:
    return "winning_price" if product.winning else policy.payment_standard_non_winning


def _stage(session: AsyncSession, product: Product, **values) -> PaymentStandard:
    standard = PaymentStandard(product_id=product.id, **values)
    session.add(standard)
    outbox.add(session, PaymentStandardChanged(
        product_id=product.id, batch_code=product.batch_code, effective_from=values["effective_from"],
        rule=values["rule"], amount_fen=values["amount_fen"], category=values["category"],
        in_catalogue=values["in_catalogue"], excluded_content=values["excluded_content"],
        reason=values["reason"]), key=str(product.id))
    return standard


def start(session: AsyncSession, product: Product, policy, *, effective_on: date, by: str) -> None:
    """The first standard of a product just listed, by the batch's policy."""
    rule = rule_of(product, policy)
    _stage(session, product, effective_from=effective_on, rule=rule,
           amount_fen=None if rule == "frozen" else product.winning_price_fen, category=policy.payment_category,
           in_catalogue=True, excluded_content=policy.payment_excluded_content, pinned=False, set_by=by,
           reason=f"listed (CAT-11, preset {policy.preset}): " + (
               "no earlier standard to keep; the insurer sets it (seed 003 暂不调整)" if rule == "frozen"
               else f"the {'winning' if product.winning else 'listing'} price {format_yuan(product.winning_price_fen)}"))


async def follow(session: AsyncSession, product: Product, *, effective_on: date, reason: str, by: str) -> None:
    """A price changed: the standard follows it, unless the insurer pinned it or it is frozen."""
    current = await repository.latest(session, product.id)
    if current is None or current.pinned or current.rule not in ("winning_price", "listing_price"):
        return
    if current.amount_fen == product.winning_price_fen:
        return
    _stage(session, product, effective_from=effective_on, rule=current.rule, amount_fen=product.winning_price_fen,
           category=current.category, in_catalogue=current.in_catalogue, excluded_content=current.excluded_content,
           pinned=False, set_by=by, reason=f"follows the price change to {format_yuan(product.winning_price_fen)}: "
                                           f"{reason}")


async def set_by_insurer(session: AsyncSession, *, product_id: int, request, by: str, today: date) -> dict:
    """The insurer fixes the amount (pinned), or changes category and scope, or hands the
    standard back to the policy (``follow_policy``)."""
    product = await products.product_or_404(session, product_id=product_id, for_update=True)
    batch = await batches.batch_or_404(session, code=product.batch_code)
    current = await repository.latest(session, product.id)
    effective_from = request.effective_from or today
    if current is not None and effective_from < current.effective_from:
        raise Problem(422, detail=f"the standard in force since {current.effective_from} is not rewritten backwards",
                      errors=[{"field": "body.effective_from", "reason": f"before {current.effective_from}"}])
    keep = current or PaymentStandard(category=batch.policy.payment_category, in_catalogue=True,
                                      excluded_content=batch.policy.payment_excluded_content)
    attributes = dict(
        category=request.category if "category" in request.model_fields_set else keep.category,
        in_catalogue=keep.in_catalogue if request.in_catalogue is None else request.in_catalogue,
        excluded_content=keep.excluded_content if request.excluded_content is None else request.excluded_content)
    if request.follow_policy:
        rule = rule_of(product, batch.policy)
        amount = (current.amount_fen if current else None) if rule == "frozen" else product.winning_price_fen
        values = dict(rule=rule, amount_fen=amount, pinned=False)
    elif request.amount is not None:
        values = dict(rule="fixed", amount_fen=request.amount, pinned=True)
    elif current is None:
        raise Problem(422, detail=f"product {product_id} has no standard yet: give its amount",
                      errors=[{"field": "body.amount", "reason": "required for a product without a standard"}])
    else:
        values = dict(rule=current.rule, amount_fen=current.amount_fen, pinned=current.pinned)
    if values["amount_fen"] is None and values["rule"] != "frozen":
        raise Problem(422, detail="a standard needs an amount", errors=[{"field": "body.amount", "reason": "missing"}])
    _stage(session, product, effective_from=effective_from, set_by=by, reason=request.reason, **values, **attributes)
    await session.flush()
    return await read(session, product_id=product_id, day=effective_from)


async def read(session: AsyncSession, *, product_id: int, day: date) -> dict:
    """The standard on ``day`` with its explain: rule, amount, from, to, why, and the history."""
    product = await products.product_or_404(session, product_id=product_id)
    rows = await repository.history(session, product_id)
    effective = [r for r in rows if r.effective_from <= day]
    current = max(effective, key=lambda r: (r.effective_from, r.id)) if effective else None
    later = sorted({r.effective_from for r in rows if r.effective_from > day})
    return {"product_id": product.id, "batch_code": product.batch_code, "on": day, "standard": current,
            "effective_to": later[0] - timedelta(days=1) if later and current else None,
            "history": rows, "explain": {
                "rule": "CAT-11", "winning": product.winning,
                "how": None if current is None else {
                    "winning_price": "the winning price, following each change of it (以中选价为支付标准)",
                    "listing_price": "the listing price, following each change of it (按挂网价格确定)",
                    "fixed": "an amount the insurer fixed for this product; price changes do not move it",
                    "frozen": "kept at its last value (暂不调整)"}[current.rule],
                "why": None if current is None else current.reason}}


async def table(session: AsyncSession, *, day: date, batch_code: str | None) -> list[dict]:
    """Every product's standard on ``day``, as an insurance core system imports it."""
    return [{"product_id": p.id, "batch_code": p.batch_code, "insurance_code": p.insurance_code,
             "registration_no": p.registration_no, "name": p.name,
             "spec": p.spec, "company": p.applicant, "winning": p.winning, "category": s.category,
             "standard": s.amount_fen, "rule": s.rule, "in_catalogue": s.in_catalogue,
             "excluded_content": s.excluded_content, "effective_from": s.effective_from,
             "effective_to": n - timedelta(days=1) if n else None}
            for p, s, n in await repository.table_on(session, day=day, batch_code=batch_code)]
