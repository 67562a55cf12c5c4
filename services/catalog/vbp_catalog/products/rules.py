"""Checks of a listing row against its batch, the other listings and the recorded national
lowest prices (CAT-3, CAT-5, CAT-7, CAT-8, CAT-11 codes, CAT-12 pre-listing)."""

from __future__ import annotations

from datetime import date

from vbpkit.domain.money import format_yuan

from vbp_catalog import insurance_codes
from vbp_catalog.batches.models import Batch
from vbp_catalog.national_prices.models import NationalLowestPrice
from vbp_catalog.products.models import Product
from vbp_catalog.products.schemas import ListingRow
from vbp_catalog.registration import DEVICE_PREFIXES, DRUG_PREFIX, registration_kind

def mark_on_platform(product: Product, batch: Batch, *, today: date) -> None:
    """CAT-12: keep the first day a product is on the platform (pre-listed or listed) before
    its batch starts; the pre-listing deadline is judged on it."""
    if product.pre_listed_on is None and today < batch.starts_on and product.status in ("pre_listed", "listed"):
        product.pre_listed_on = today


def pre_listing_problem(batch: Batch, status: str, *, today: date) -> str | None:
    """CAT-12: ``pre_listed`` is a state before the start; from the start a product is listed."""
    if status == "pre_listed" and today >= batch.starts_on:
        return (f"batch {batch.code} started on {batch.starts_on}: a product is pre-listed only before its start "
                "(CAT-12); list it instead")
    return None


# CAT-1/CAT-3: a drug batch lists drugs (国药准字…), a consumable batch devices (国械注…).
_NUMBER_KIND = {"drug": "drug", "consumable": "device"}
_NUMBER_SHAPE = {"drug": f"{DRUG_PREFIX} + H/Z/S/J + 8 digits", "device": f"{'|'.join(DEVICE_PREFIXES)} + 11 digits"}


def kind_problem(batch: Batch, row: ListingRow) -> tuple[str, str] | None:
    """CAT-3: a registration number of the other kind than the batch's is refused — a device
    certificate in a drug batch (or a drug approval number in a consumable batch) is a row
    pushed into the wrong batch, and CAT-8 or the insurance category would treat it wrongly."""
    expected = _NUMBER_KIND[batch.kind]
    for field in ("registration_no", "renewed_from"):
        number = getattr(row, field)
        if number and registration_kind(number) != expected:
            return field, (f"{number} is a {registration_kind(number)} registration number; batch {batch.code} is a "
                           f"{batch.kind} batch, whose numbers are {_NUMBER_SHAPE[expected]} (CAT-3)")
    if row.insurance_code is not None:
        problem = insurance_codes.problem(row.insurance_code, expected)
        if problem is not None:
            return "insurance_code", problem
    return None


def cap_of(row: ListingRow, product: Product | None, figures: list[NationalLowestPrice]) -> tuple[int, str] | None:
    """CAT-7 with CAT-12: a non-winning listing's cap — the lower of the row's national lowest
    price and the latest figure the exchange recorded for the product, its group or the whole
    category that is in force today — with where it comes from."""
    if row.winning:
        return None
    cap = (row.national_lowest_price, "the row's national_lowest_price")
    matching = [f for f in figures if f.product_id == (product.id if product else -1)
                or (f.product_id is None and f.group_code in (None, row.group))]
    if matching:
        latest = max(matching, key=lambda f: (f.effective_on, f.id))
        if latest.price_fen < cap[0]:
            cap = (latest.price_fen, f"recorded from {latest.effective_on} ({latest.source})")
    return cap


def row_problem(batch: Batch, row: ListingRow, existing: dict, *, cap: tuple[int, str] | None,
                 today: date) -> tuple[str, str] | None:
    """Checks that need the batch or other listings; None when the row may be stored."""
    kind = kind_problem(batch, row)
    if kind is not None:
        return kind
    pre_listing = pre_listing_problem(batch, row.status, today=today)
    if pre_listing is not None:
        return "status", pre_listing
    if row.differential is not None:
        if batch.kind != "drug":
            return "differential", "differential pricing (CAT-8) applies to drugs; this batch lists consumables"
        reference = existing.get((row.differential.reference_registration_no, row.differential.reference_spec))
        if reference is None or not reference.winning:
            return "differential.reference_registration_no", "no winning product of this batch with that number and spec"
        if reference.product_price_fen <= 0:
            return "differential.reference_registration_no", "the reference's price is 0.00: nothing to derive from"
    if cap is not None:
        price = (row.product_price or 0) + row.service_price
        if price > cap[0]:
            return "product_price", (
                f"a non-winning listing may cost at most the national lowest price "
                f"{format_yuan(cap[0])}, {cap[1]} (CAT-7); asked {format_yuan(price)}"
            )
    return None
