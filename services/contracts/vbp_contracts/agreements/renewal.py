"""CON-3 续签: year N+1 agreed volumes checked against year N by the batch's policy.

- ``per_item_of_previous_agreed`` (seed 000): every item ≥ ratio × its previous agreed;
- ``per_item_of_first_year`` (seed 001): every item ≥ ratio × its first-year agreed;
- ``stent`` (seed 003): the hospital's total ≥ 95 % of its previous year's actual
  accepted quantity, and per company ≥ 90 % of that company's previous agreed volume;
- ``retender`` (seed 004): no renewal, nothing to check.

A minimum is a quantity of whole units: ratio × base computed exactly (Decimal) and then
rounded up, since 90 % of 85 stents is 76.5 and half a stent cannot be bought — 77 is the
least that keeps the ratio, 76 falls short. Exactly at that whole minimum passes. Every
failing item is reported with its required minimum and the product it came from.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.policy import ExecutionPolicy
from vbpkit.domain.policy.rules import PerItemOfFirstYear, PerItemOfPreviousAgreed, Retender

from vbp_contracts.agreements import repository


def _minimum(ratio: Decimal, base: int) -> int:
    """CON-3: the least whole quantity at or above ratio × base."""
    return int((ratio * base).to_integral_value(rounding=ROUND_CEILING))


def _shown(value: Decimal | int) -> str:
    value = Decimal(value)
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def _product(ratio: Decimal, base: int) -> str:
    """``0.9 × 85 = 76.5 → 77`` when rounding up changed it, else ``1 × 100 = 100``."""
    exact = ratio * base
    shown = f"{_shown(ratio)} × {base} = {_shown(exact)}"
    return shown if exact == exact.to_integral() else f"{shown} → {_minimum(ratio, base)} whole units"


async def _volumes(session: AsyncSession, batch_code: str, year: int) -> dict[tuple[str, int], int]:
    return await repository.agreed_by_hospital_and_product(session, batch_code=batch_code, year=year)


async def _actual_accepted(session: AsyncSession, batch_code: str, year: int) -> dict[str, int]:
    return await repository.accepted_by_hospital(session, batch_code=batch_code, year=year)


async def violations(
    session: AsyncSession, *, batch_code: str, year: int, policy: ExecutionPolicy,
    manufacturer_of: dict[int, str | None],
) -> list[dict]:
    """Every item of ``year`` that breaks the renewal rule, with its required minimum."""
    rule = policy.renewal
    if year == 1 or isinstance(rule, Retender):
        return []
    current = await _volumes(session, batch_code, year)
    failures: list[dict] = []
    if isinstance(rule, PerItemOfPreviousAgreed | PerItemOfFirstYear):
        base_year = year - 1 if isinstance(rule, PerItemOfPreviousAgreed) else 1
        ratio = rule.min_ratio
        for (hospital, product), base in sorted((await _volumes(session, batch_code, base_year)).items()):
            required = _minimum(ratio, base)
            agreed = current.get((hospital, product), 0)
            if agreed < required:
                failures.append({
                    "field": f"agreed_volumes[{hospital}][{product}]", "hospital_code": hospital,
                    "product_id": product, "agreed": agreed, "required_minimum": _shown(required),
                    "reason": f"year {year} agrees {agreed}; CON-3 requires ≥ {_product(ratio, base)} "
                              f"(year {base_year} agreed {base})",
                })
        return failures
    # the stent rule (seed 003)
    total_ratio = rule.hospital_total_min_ratio_of_previous_actual
    company_ratio = rule.company_min_ratio_of_previous_agreed
    previous = await _volumes(session, batch_code, year - 1)
    actual = await _actual_accepted(session, batch_code, year - 1)
    totals: dict[str, int] = defaultdict(int)
    for (hospital, _), quantity in current.items():
        totals[hospital] += quantity
    for hospital, accepted in sorted(actual.items()):
        required = _minimum(total_ratio, accepted)
        if totals[hospital] < required:
            failures.append({
                "field": f"agreed_volumes[{hospital}]", "hospital_code": hospital, "agreed": totals[hospital],
                "required_minimum": _shown(required),
                "reason": f"hospital total {totals[hospital]}; CON-3 requires ≥ {_product(total_ratio, accepted)} "
                          f"({accepted} actually accepted in year {year - 1})",
            })
    by_company_previous: dict[tuple[str, str], int] = defaultdict(int)
    by_company_current: dict[tuple[str, str], int] = defaultdict(int)
    for (hospital, product), quantity in previous.items():
        by_company_previous[(hospital, manufacturer_of.get(product) or "?")] += quantity
    for (hospital, product), quantity in current.items():
        by_company_current[(hospital, manufacturer_of.get(product) or "?")] += quantity
    for (hospital, company), base in sorted(by_company_previous.items()):
        required = _minimum(company_ratio, base)
        agreed = by_company_current[(hospital, company)]
        if agreed < required:
            failures.append({
                "field": f"agreed_volumes[{hospital}][company {company}]", "hospital_code": hospital,
                "company_code": company, "agreed": agreed, "required_minimum": _shown(required),
                "reason": f"{agreed} agreed with company {company}; CON-3 requires ≥ {_product(company_ratio, base)} "
                          f"({base} agreed in year {year - 1})",
            })
    return failures
