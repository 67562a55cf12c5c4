"""CAT-3/4/5/7/8: listing pushes from the exchange, product status, and price history.

Every change of a product is a ``ProductChange`` row (who, when, why) and an event in
the same transaction: ``catalog.product.listed`` for a new or changed listing,
``…price_changed`` and ``…status_changed`` for those two facts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit import outbox
from vbpkit.bulk import BulkResult, RowError, refuse_if_nothing_valid, validate_rows
from vbpkit.events.catalog import (
    ProductListed,
    ProductPriceChanged,
    ProductStatusChanged,
)
from vbpkit.identity import Principal
from vbpkit.money import format_yuan
from vbpkit.problems import Problem

from vbp_catalog.batches.models import Batch, BatchGroup
from vbp_catalog.differential import differential_price
from vbp_catalog.products.models import Product, ProductChange
from vbp_catalog.products.schemas import ListingRow
from vbp_catalog.registration import DEVICE_PREFIXES, DRUG_PREFIX, registration_kind

LISTING_FIELDS = ("group_code", "name", "applicant", "applicant_credit_code", "registrant", "unit", "winning",
                  "national_lowest_price_fen", "derivation")


def actor(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.key_id}"


def facts(product: Product) -> dict:
    return dict(
        product_id=product.id, batch_code=product.batch_code, group_code=product.group_code,
        registration_no=product.registration_no, spec=product.spec, name=product.name, applicant=product.applicant,
        applicant_credit_code=product.applicant_credit_code, unit=product.unit, winning=product.winning,
        product_price_fen=product.product_price_fen, service_price_fen=product.service_price_fen,
        winning_price_fen=product.winning_price_fen, status=product.status, renewed_from=product.renewed_from,
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


async def batch_or_404(session: AsyncSession, code: str) -> Batch:
    batch = await session.get(Batch, code)
    if batch is None:
        raise Problem(404, detail=f"no batch {code!r}")
    return batch


async def upsert_listings(
    session: AsyncSession, *, batch_code: str, rows: list[dict], principal: Principal, today: date
) -> BulkResult:
    batch = await batch_or_404(session, batch_code)
    indexed, errors = validate_rows(
        rows, ListingRow, key=lambda r: (r.registration_no, r.spec), key_field="registration_no"
    )
    if not indexed:
        refuse_if_nothing_valid(len(rows), errors)
    wanted = set(indexed) | {(row.renewed_from, row.spec) for _, row in indexed.values() if row.renewed_from}
    wanted |= {(row.differential.reference_registration_no, row.differential.reference_spec)
               for _, row in indexed.values() if row.differential}
    existing: dict[tuple[str, str], Product] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 2_000):  # PostgreSQL takes at most 32,767 parameters a statement
        existing.update(
            ((p.registration_no, p.spec), p)
            for p in await session.scalars(
                select(Product)
                .where(Product.batch_code == batch_code,
                       tuple_(Product.registration_no, Product.spec).in_(keys[start:start + 2_000]))
                .order_by(Product.id)
                .with_for_update()
            )
        )
    groups = set(await session.scalars(select(BatchGroup.code).where(BatchGroup.batch_code == batch_code)))
    by = actor(principal)
    updated = unchanged = 0
    fresh: list[Product] = []
    for key, (index, row) in sorted(indexed.items(), key=lambda item: item[1][0]):
        problem = _row_problem(batch, row, existing)
        if problem is not None:
            errors.append(RowError(row=index, field=problem[0], reason=problem[1]))
            continue
        try:
            values = _values(batch, row, existing)
        except _DerivedPriceMismatch as exc:
            errors.append(RowError(row=index, field="product_price", reason=(
                f"CAT-8 differential pricing gives {format_yuan(exc.quote.price_fen)} "
                f"({exc.quote.explain()['formula']}); the row asks {format_yuan(exc.asked)}")))
            continue
        product = existing.get(key)
        renewed = existing.get((row.renewed_from, row.spec)) if row.renewed_from and product is None else None
        error = _renewal_problem(row, renewed, values) if row.renewed_from and product is None else None
        if error:
            errors.append(RowError(row=index, field="renewed_from", reason=error))
            continue
        # A refused row stores nothing, not even its group: the group is added only now.
        if row.group and row.group not in groups:
            await session.execute(insert(BatchGroup).values(batch_code=batch_code, code=row.group, name=row.group)
                                  .on_conflict_do_nothing())
            groups.add(row.group)
        if renewed is not None:
            _renew(session, renewed, row, values, today=today, by=by)
            existing[key] = renewed
            updated += 1
        elif product is None:
            product = Product(batch_code=batch_code, registration_no=row.registration_no, spec=row.spec,
                              status=row.status, renewed_from=None, **values)
            existing[key] = product
            fresh.append(product)
        elif _apply_update(session, product, row, values, today=today, by=by):
            updated += 1
        else:
            unchanged += 1
    # New listings are inserted together: one round trip for a 10,000-row push, not one each.
    session.add_all(fresh)
    await session.flush()
    for product in fresh:
        record(session, product, kind="listed", old=None, new=format_yuan(product.winning_price_fen),
               effective_on=today, reason="listed by the exchange (CAT-4)", by=by)
        outbox.add(session, ProductListed(**facts(product)), key=str(product.id))
    created = len(fresh)
    if not (created or updated or unchanged):
        # §5/issue 3: a push none of whose rows could be stored is refused as a whole, the
        # same answer whether a row failed its own checks or the batch's (CAT-5/7/8).
        refuse_if_nothing_valid(len(rows), sorted(errors, key=lambda e: e.row))
    return BulkResult(received=len(rows), created=created, updated=updated, unchanged=unchanged,
                      errors=sorted(errors, key=lambda e: e.row))


def differential_coefficients(batch: Batch) -> dict[str, Decimal]:
    """CAT-8 coefficients of the batch's policy (defaults of 发改价格〔2011〕2452号 live in the policy)."""
    coefficients = batch.policy.differential_pricing
    return {"strength_coefficient": coefficients.strength, "pack_coefficient": coefficients.pack}


# CAT-1/CAT-3: a drug batch lists drugs (国药准字…), a consumable batch devices (国械注…).
_NUMBER_KIND = {"drug": "drug", "consumable": "device"}
_NUMBER_SHAPE = {"drug": f"{DRUG_PREFIX} + H/Z/S/J + 8 digits", "device": f"{'|'.join(DEVICE_PREFIXES)} + 11 digits"}


def _kind_problem(batch: Batch, row: ListingRow) -> tuple[str, str] | None:
    """CAT-3: a registration number of the other kind than the batch's is refused — a device
    certificate in a drug batch (or a drug approval number in a consumable batch) is a row
    pushed into the wrong batch, and CAT-8 or the insurance category would treat it wrongly."""
    expected = _NUMBER_KIND[batch.kind]
    for field in ("registration_no", "renewed_from"):
        number = getattr(row, field)
        if number and registration_kind(number) != expected:
            return field, (f"{number} is a {registration_kind(number)} registration number; batch {batch.code} is a "
                           f"{batch.kind} batch, whose numbers are {_NUMBER_SHAPE[expected]} (CAT-3)")
    return None


def _row_problem(batch: Batch, row: ListingRow, existing: dict) -> tuple[str, str] | None:
    """Checks that need the batch or other listings; None when the row may be stored."""
    kind = _kind_problem(batch, row)
    if kind is not None:
        return kind
    if row.differential is not None:
        if batch.kind != "drug":
            return "differential", "differential pricing (CAT-8) applies to drugs; this batch lists consumables"
        reference = existing.get((row.differential.reference_registration_no, row.differential.reference_spec))
        if reference is None or not reference.winning:
            return "differential.reference_registration_no", "no winning product of this batch with that number and spec"
    if row.winning is False:
        price = (row.product_price or 0) + row.service_price
        if price > row.national_lowest_price:
            return "product_price", (
                f"a non-winning listing may cost at most the national lowest price "
                f"{format_yuan(row.national_lowest_price)} (CAT-7); asked {format_yuan(price)}"
            )
    return None


def _values(batch: Batch, row: ListingRow, existing: dict) -> dict:
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
        national_lowest_price_fen=row.national_lowest_price, derivation=derivation,
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
