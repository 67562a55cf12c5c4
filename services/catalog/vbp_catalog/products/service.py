"""CAT-3/4/5/7/8: listing pushes from the exchange, product status, and price history.

Every change of a product is a ``ProductChange`` row (who, when, why) and an event in
the same transaction: ``catalog.product.listed`` for a new or changed listing,
``…price_changed`` and ``…status_changed`` for those two facts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.web.bulk_rows import BulkResult, RowError, RowOutcome, refuse_if_nothing_valid, validate_rows
from vbpkit.events.catalog import (
    ProductListed,
    ProductPriceChanged,
    ProductStatusChanged,
)
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.web.pagination import cut
from vbpkit.web.problems import Problem

from vbp_catalog import insurance_codes
from vbp_catalog.backups import repository as backup_designations
from vbp_catalog.batches import repository as batches
from vbp_catalog.batches.models import Batch
from vbp_catalog.differential import RatioOutOfRange, differential_price
from vbp_catalog.payment_standards import service as standards
from vbp_catalog.lower_prices.schemas import lower_price_read, reduction_read
from vbp_catalog.national_prices import repository as national_prices
from vbp_catalog.products import importer, repository, rules
from vbp_catalog.products.models import Product, ProductChange
from vbp_catalog.products.schemas import (
    ChangeRead,
    DifferentialQuote,
    ListingRow,
    ProductDetail,
    ProductPage,
    ProductRead,
    StatusChange,
    product_fields,
    product_read,
)
from vbp_catalog.registration import normalise_registration_no

LISTING_FIELDS = ("group_code", "name", "applicant", "applicant_credit_code", "registrant", "unit", "winning",
                  "national_lowest_price_fen", "derivation", "insurance_code")


def facts(product: Product) -> dict:
    return dict(
        product_id=product.id, batch_code=product.batch_code, group_code=product.group_code,
        registration_no=product.registration_no, spec=product.spec, name=product.name, applicant=product.applicant,
        applicant_credit_code=product.applicant_credit_code, unit=product.unit, winning=product.winning,
        product_price_fen=product.product_price_fen, service_price_fen=product.service_price_fen,
        winning_price_fen=product.winning_price_fen, status=product.status, renewed_from=product.renewed_from,
        insurance_code=product.insurance_code,
    )


def record(session: AsyncSession, product: Product, *, kind: str, old: str | None, new: str,
           effective_on: date, reason: str, by: str) -> None:
    session.add(ProductChange(product_id=product.id, kind=kind, old_value=old, new_value=new,
                              effective_on=effective_on, reason=reason, changed_by=by))


def change_price(session: AsyncSession, product: Product, *, product_price_fen: int, effective_on: date,
                 reason: str, by: str) -> None:
    """Set a new price and announce it; the service price stays (seed 003: price = product + service)."""
    previous = product.winning_price_fen
    product.product_price_fen = product_price_fen
    product.winning_price_fen = product_price_fen + product.service_price_fen
    product.updated_at = func.now()
    record(session, product, kind="price", old=format_yuan(previous), new=format_yuan(product.winning_price_fen),
           effective_on=effective_on, reason=reason, by=by)
    outbox.add(session, ProductPriceChanged(**facts(product), previous_winning_price_fen=previous,
                                            effective_on=effective_on, reason=reason), key=str(product.id))


def change_status(session: AsyncSession, product: Product, *, status: str, effective_on: date,
                  reason: str, by: str) -> None:
    previous = product.status
    product.status = status
    product.updated_at = func.now()
    record(session, product, kind="status", old=previous, new=status, effective_on=effective_on,
           reason=reason, by=by)
    outbox.add(session, ProductStatusChanged(**facts(product), previous_status=previous,
                                             effective_on=effective_on, reason=reason), key=str(product.id))


async def upsert_listings(
    session: AsyncSession, *, batch_code: str, rows: list[dict], principal: Principal, today: date,
    create_groups: bool = False,
) -> BulkResult:
    """CAT-3…8: each row validated, priced and stored on its own. A group the batch does not
    have is a row error (a mistyped ``G9`` once made a new group silently) unless the push says
    ``create_groups``; then it is added, named by its code, when its first row is stored."""
    batch = await batches.batch_or_404(session, code=batch_code)
    indexed, errors = validate_rows(
        rows, ListingRow, key=lambda r: (r.registration_no, r.spec), key_field="registration_no"
    )
    if not indexed:
        refuse_if_nothing_valid(len(rows), errors)
    wanted = set(indexed) | {(row.renewed_from, row.spec) for _, row in indexed.values() if row.renewed_from}
    wanted |= {(row.differential.reference_registration_no, row.differential.reference_spec)
               for _, row in indexed.values() if row.differential}
    await repository.lock_batch_listings(session, batch_code=batch_code)
    existing = await repository.listings_by_key(session, batch_code=batch_code, keys=wanted)
    groups = await batches.group_codes(session, batch_code=batch_code)
    caps = await national_prices.in_force(session, batch_code=batch_code, today=today)
    by = principal.actor
    updated = unchanged = 0
    fresh: list[Product] = []
    repriced: list[Product] = []
    outcomes: list[tuple[int, Product, str]] = []  # (row, product, outcome) for the answer's ids
    for key, (index, row) in sorted(indexed.items(), key=lambda item: item[1][0]):
        cap = rules.cap_of(row, existing.get(key), caps)
        problem = rules.row_problem(batch, row, existing, cap=cap, today=today)
        if problem is not None:
            errors.append(RowError(row=index, field=problem[0], reason=problem[1]))
            continue
        try:
            values = _values(batch, row, existing, cap=cap)
        except RatioOutOfRange as exc:
            errors.append(RowError(row=index, field=f"differential.{exc.field}", reason=str(exc)))
            continue
        except _DerivedPriceMismatch as exc:
            errors.append(RowError(row=index, field="product_price", reason=(
                f"CAT-8 differential pricing gives {format_yuan(exc.quote.price_fen)} "
                f"({exc.quote.explain()['formula']}); the row asks {format_yuan(exc.asked)}")))
            continue
        if row.group and row.group not in groups and not create_groups:
            known = ", ".join(sorted(groups)) or "none"
            errors.append(RowError(row=index, field="group", reason=(
                f"the batch has no group {row.group} (its groups: {known}); push with create_groups=true to add it")))
            continue
        product = existing.get(key)
        renewed = existing.get((row.renewed_from, row.spec)) if row.renewed_from and product is None else None
        error = _renewal_problem(row, renewed, values) if row.renewed_from and product is None else None
        if error:
            errors.append(RowError(row=index, field="renewed_from", reason=error))
            continue
        # A refused row stores nothing, not even its group: the group is added only now.
        if row.group and row.group not in groups:
            await batches.add_group(session, batch_code=batch_code, code=row.group, name=row.group)
            groups.add(row.group)
        if renewed is not None:
            _renew(session, renewed, row, values, today=today, by=by)
            existing[key] = renewed
            updated += 1
            outcomes.append((index, renewed, "updated"))
        elif product is None:
            product = Product(batch_code=batch_code, registration_no=row.registration_no, spec=row.spec,
                              status=row.status, renewed_from=None, **values)
            existing[key] = product
            fresh.append(product)
            outcomes.append((index, product, "created"))
        else:
            price_moves = product.product_price_fen != values["product_price_fen"]
            if _apply_update(session, product, row, values, today=today, by=by):
                updated += 1
                outcomes.append((index, product, "updated"))
                if price_moves:
                    repriced.append(product)
            else:
                unchanged += 1
                outcomes.append((index, product, "unchanged"))
        rules.mark_on_platform(existing[key], batch, today=today)
    # New listings are inserted together: one round trip for a 10,000-row push, not one each.
    session.add_all(fresh)
    await session.flush()
    for product in fresh:
        record(session, product, kind="listed", old=None, new=format_yuan(product.winning_price_fen),
               effective_on=today, reason="listed by the exchange (CAT-4)", by=by)
        outbox.add(session, ProductListed(**facts(product)), key=str(product.id))
        standards.start(session, product, batch.policy, effective_on=today, by=by)  # CAT-11
    for product in repriced:
        await standards.follow(session, product, effective_on=today, by=by,
                               reason="price changed by the exchange's listing push (CAT-4)")
    created = len(fresh)
    if not (created or updated or unchanged):
        # §5/issue 3: a push none of whose rows could be stored is refused as a whole, the
        # same answer whether a row failed its own checks or the batch's (CAT-5/7/8).
        refuse_if_nothing_valid(len(rows), sorted(errors, key=lambda e: e.row))
    return BulkResult(received=len(rows), created=created, updated=updated, unchanged=unchanged,
                      errors=sorted(errors, key=lambda e: e.row),
                      items=[RowOutcome(row=index, id=product.id, outcome=outcome)
                             for index, product, outcome in sorted(outcomes, key=lambda x: x[0])])


async def import_listings(
    session: AsyncSession, *, batch_code: str, content: bytes, content_type: str, principal: Principal, today: date,
    create_groups: bool = False,
) -> BulkResult:
    """CAT-3: a table laid out like seed 003's is pushed like the exchange's rows."""
    rows = importer.parse(content, content_type)
    if len(rows) > 10_000:
        raise Problem(422, detail=f"the table has {len(rows)} rows; at most 10,000 per import")
    return await upsert_listings(session, batch_code=batch_code, rows=rows, principal=principal, today=today,
                                 create_groups=create_groups)


async def search(
    session: AsyncSession, *, principal: Principal, cursor: int | None, limit: int, batch_code: str | None,
    name: str | None, registration_no: str | None, company: str | None, status: str | None,
    winning: bool | None, mine: bool, insurance_code: str | None = None,
) -> ProductPage:
    if mine:
        if principal.role is not Role.COMPANY:
            raise Problem(422, detail="mine=true is for company callers",
                          errors=[{"field": "query.mine", "reason": "only for company keys"}])
        company = principal.tenant
    prefix = None
    if insurance_code is not None:
        prefix = insurance_codes.search_prefix(insurance_code)
        if prefix is None:
            raise Problem(422, detail=f"{insurance_code!r} cannot begin a national insurance code (CAT-11)",
                          errors=[{"field": "query.insurance_code",
                                   "reason": "C, X or Z followed by letters and digits"}])
    rows = await repository.search(
        session, after=cursor, limit=limit + 1, batch_code=batch_code, name=name,
        registration_no=normalise_registration_no(registration_no) if registration_no else None,
        company=company, status=status, winning=winning, insurance_code=prefix,
    )
    rows, next_cursor = cut(rows, limit, lambda row: row.id)
    return ProductPage(items=[product_read(p) for p in rows], next_cursor=next_cursor)


async def detail(session: AsyncSession, *, product_id: int) -> ProductDetail:
    product = await repository.product_or_404(session, product_id=product_id)
    return ProductDetail(
        **product_fields(product),
        history=[ChangeRead.model_validate(c) for c in await repository.history(session, product_id=product_id)],
        lower_prices=[lower_price_read(lp) for lp in await repository.lower_prices(session, product_id=product_id)],
        price_reductions=[reduction_read(r) for r in await repository.reductions(session, product_id=product_id)],
        backups=[{"role": "failing" if b.failing_product_id == product_id else "backup", "id": b.id,
                  "failing_product_id": b.failing_product_id, "backup_product_id": b.backup_product_id,
                  "region_code": b.region_code, "price": format_yuan(b.price_fen), "status": b.status,
                  "reason": b.reason} for b in await backup_designations.of_product(session, product_id)],
    )


async def set_status(
    session: AsyncSession, *, product_id: int, request: StatusChange, by: str, today: date
) -> ProductRead:
    product = await repository.product_or_404(session, product_id=product_id, for_update=True)
    if product.status == request.status:
        raise Problem(409, detail=f"product {product_id} is already {request.status}")
    batch = await batches.batch_or_404(session, code=product.batch_code)
    problem = rules.pre_listing_problem(batch, request.status, today=today)
    if problem is not None:
        raise Problem(422, detail=problem, errors=[{"field": "body.status", "reason": "the batch has started"}])
    change_status(session, product, status=request.status, effective_on=request.effective_on or today,
                  reason=request.reason, by=by)
    rules.mark_on_platform(product, batch, today=today)
    await session.flush()
    await session.refresh(product)
    return product_read(product)


async def quote_differential(
    session: AsyncSession, *, product_id: int, reference_strength: Decimal, strength: Decimal,
    reference_pack: int, pack: int,
) -> DifferentialQuote:
    product = await repository.product_or_404(session, product_id=product_id)
    if not product.winning:
        raise Problem(422, detail="differential pricing derives from a winning product (CAT-8)")
    batch = await batches.batch_or_404(session, code=product.batch_code)
    if batch.kind != "drug":
        # The same refusal a listing row gets: 差比价 is a drug pricing relation (seed 002).
        raise Problem(422, detail=f"differential pricing (CAT-8) applies to drugs; batch {batch.code} lists consumables")
    if product.product_price_fen <= 0:
        raise Problem(422, detail=f"product {product.id}'s price is {format_yuan(product.product_price_fen)}: "
                                  "there is nothing to derive another spec's price from (CAT-8)",
                      errors=[{"field": "path.product_id", "reason": "a reference price of 0.00"}])
    try:
        quote = differential_price(
            product.product_price_fen, reference_strength=reference_strength, strength=strength,
            reference_pack=reference_pack, pack=pack, **differential_coefficients(batch),
        )
    except RatioOutOfRange as exc:
        raise Problem(422, detail=str(exc), errors=[{"field": f"query.{exc.field}", "reason": str(exc)}]) from None
    return DifferentialQuote(price=quote.price_fen, explain=quote.explain())


def differential_coefficients(batch: Batch) -> dict[str, Decimal]:
    """CAT-8 coefficients of the batch's policy (defaults of 发改价格〔2011〕2452号 live in the policy)."""
    coefficients = batch.policy.differential_pricing
    return {"strength_coefficient": coefficients.strength, "pack_coefficient": coefficients.pack}


def _values(batch: Batch, row: ListingRow, existing: dict, *, cap: tuple[int, str] | None) -> dict:
    product_price = row.product_price
    derivation = None
    if row.differential is not None:
        d = row.differential
        reference = existing[(d.reference_registration_no, d.reference_spec)]
        quote = differential_price(
            reference.product_price_fen, reference_strength=d.reference_strength, strength=d.strength,
            reference_pack=d.reference_pack, pack=d.pack, **differential_coefficients(batch),
        )
        derivation = quote.explain()
        if product_price is not None and product_price != quote.price_fen:
            raise _DerivedPriceMismatch(product_price, quote)
        product_price = quote.price_fen
    return dict(
        group_code=row.group, name=row.name, applicant=row.applicant, applicant_credit_code=row.applicant_credit_code,
        registrant=row.registrant, unit=row.unit, winning=row.winning, product_price_fen=product_price,
        service_price_fen=row.service_price, winning_price_fen=product_price + row.service_price,
        national_lowest_price_fen=cap[0] if cap else row.national_lowest_price, derivation=derivation,
        insurance_code=row.insurance_code,
    )


class _DerivedPriceMismatch(Exception):
    def __init__(self, asked: int, quote):
        self.asked = asked
        self.quote = quote


def _renewal_problem(row: ListingRow, product: Product | None, values: dict) -> str | None:
    """CAT-5 (seed 000): a renewal names a listing of this batch and keeps its price; a
    renewal of an unknown number is refused rather than listed as a new product, which
    would let a new price in under the cover of a renewal."""
    if product is None:
        return (f"no listing of this batch has registration number {row.renewed_from} and spec "
                f"{row.spec!r} to renew (CAT-5)")
    if values["winning_price_fen"] != product.winning_price_fen or values["service_price_fen"] != product.service_price_fen:
        return (f"a renewed registration keeps its price: {format_yuan(product.winning_price_fen)} "
                f"(service {format_yuan(product.service_price_fen)}) (CAT-5)")
    return None


def _renew(session, product: Product, row: ListingRow, values: dict, *, today: date, by: str) -> None:
    """CAT-5 (seed 000): the renewed number keeps the winning status and price of the old one."""
    old_number = product.registration_no
    product.renewed_from = old_number
    product.registration_no = row.registration_no
    for field in LISTING_FIELDS:
        setattr(product, field, values[field])
    product.updated_at = func.now()
    record(session, product, kind="registration", old=old_number, new=row.registration_no, effective_on=today,
           reason="registration certificate renewed; status and price kept (CAT-5)", by=by)
    outbox.add(session, ProductListed(**facts(product)), key=str(product.id))


def _apply_update(session, product: Product, row: ListingRow, values: dict, *, today: date, by: str) -> bool:
    changed = False
    if any(getattr(product, f) != values[f] for f in LISTING_FIELDS) or product.service_price_fen != values["service_price_fen"]:
        for field in LISTING_FIELDS:
            setattr(product, field, values[field])
        if product.service_price_fen != values["service_price_fen"]:
            product.service_price_fen = values["service_price_fen"]
            product.winning_price_fen = product.product_price_fen + product.service_price_fen
        product.updated_at = func.now()
        record(session, product, kind="listed", old=None, new=format_yuan(product.winning_price_fen),
               effective_on=today, reason="listing updated by the exchange (CAT-4)", by=by)
        outbox.add(session, ProductListed(**facts(product)), key=str(product.id))
        changed = True
    if product.product_price_fen != values["product_price_fen"]:
        change_price(session, product, product_price_fen=values["product_price_fen"], effective_on=today,
                     reason="price changed by the exchange's listing push (CAT-4)", by=by)
        changed = True
    if product.status != row.status:
        change_status(session, product, status=row.status, effective_on=today,
                      reason="status changed by the exchange's listing push (CAT-4)", by=by)
        changed = True
    return changed
