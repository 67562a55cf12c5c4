"""CAT-8 differential pricing (差比价) of another spec or pack of a winning drug.

Seed 002: a winning company listing another strength or pack of its winning drug prices it
by the differential-pricing relation (按中选药品的差比价关系确定挂网价格). The relation is
发改价格〔2011〕2452号's: each doubling of the strength multiplies the price by 1.7 and each
doubling of the pack count by 1.95, i.e.

    price = price_ref × 1.7^log2(strength ÷ strength_ref) × 1.95^log2(pack ÷ pack_ref)

rounded half-up to the fen (§3). Strengths must be in the same unit.

Precision: where a ratio is an exact power of two (doubling, halving) or a coefficient is,
the factor is a rational number and is computed exactly with `Fraction`, so a price that
lands on half a fen rounds up as §3 says. Otherwise the factor is exp(Σ ln c × ln r ÷ ln 2)
with `Decimal.ln()`/`exp()` at 50 significant digits (each correctly rounded), a relative
error below 1e-45: the rounded fen can only differ from the true one if the true price lay
within that distance of a half fen, which an irrational factor does not do in practice.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from vbpkit.domain.money import format_yuan

DEFAULT_STRENGTH_COEFFICIENT = Decimal("1.7")
DEFAULT_PACK_COEFFICIENT = Decimal("1.95")
PRECISION = 50
FACTOR_PLACES = Decimal("1E-12")


def _positive(name: str, value: object, *, integer: bool = False) -> Fraction:
    if isinstance(value, bool | float):
        raise ValueError(f"{name} must be {'an int' if integer else 'a Decimal'}, not {type(value).__name__}")
    if integer and not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}")
    if not isinstance(value, int | Decimal | str):
        raise ValueError(f"{name} must be a Decimal, got {type(value).__name__}")
    number = Decimal(value) if isinstance(value, str) else value
    if isinstance(number, Decimal) and not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value}")
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return Fraction(number)


# 差比价 relates the specs and packs of one drug; a ratio beyond a thousandfold either way is a
# typo, and its power would overflow (issue 11: 1e-30 against 1e30 was a server error).
MAX_RATIO = 1000


class RatioOutOfRange(ValueError):
    def __init__(self, field: str, ratio: Fraction):
        self.field = field
        super().__init__(f"the {field} ratio {float(ratio):.6g} is beyond 1/{MAX_RATIO} … {MAX_RATIO} (CAT-8)")


def _power_of_two_exponent(ratio: Fraction) -> int | None:
    """k where ratio == 2**k exactly, else None."""
    num, den = ratio.numerator, ratio.denominator
    if num & (num - 1) or den & (den - 1):
        return None
    return (num.bit_length() - 1) - (den.bit_length() - 1)


def _to_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _power_factor(coefficient: Fraction, ratio: Fraction) -> tuple[Fraction, bool]:
    """coefficient^log2(ratio) and whether it is exact. c^log2(r) = r^log2(c), so it is
    rational when either r or c is a power of two."""
    k = _power_of_two_exponent(ratio)
    if k is not None:
        return coefficient**k, True
    j = _power_of_two_exponent(coefficient)
    if j is not None:
        return ratio**j, True
    with localcontext() as context:
        context.prec = PRECISION
        c, r = _to_decimal(coefficient), _to_decimal(ratio)
        return Fraction((c.ln() * r.ln() / Decimal(2).ln()).exp()), False


@dataclass(frozen=True)
class DifferentialPrice:
    """A spec's price derived from the reference spec's by the 差比价 relation (CAT-8)."""

    price_fen: int
    reference_price_fen: int
    reference_strength: Decimal
    strength: Decimal
    reference_pack: int
    pack: int
    strength_coefficient: Decimal
    pack_coefficient: Decimal
    factor: Fraction
    exact: bool

    def explain(self) -> dict[str, Any]:
        with localcontext() as context:
            context.prec = PRECISION
            context.rounding = ROUND_HALF_UP
            factor = _to_decimal(self.factor).quantize(FACTOR_PLACES)
        return {
            "rule": "CAT-8",
            "formula": (
                f"price_ref × {self.strength_coefficient}^log2(strength ratio)"
                f" × {self.pack_coefficient}^log2(pack ratio)"
            ),
            "inputs": {
                "reference_price": format_yuan(self.reference_price_fen),
                "reference_strength": str(self.reference_strength),
                "strength": str(self.strength),
                "reference_pack": self.reference_pack,
                "pack": self.pack,
                "strength_coefficient": str(self.strength_coefficient),
                "pack_coefficient": str(self.pack_coefficient),
            },
            "strength_ratio": str(Fraction(self.strength) / Fraction(self.reference_strength)),
            "pack_ratio": str(Fraction(self.pack, self.reference_pack)),
            "factor": str(factor),
            "computation": "exact" if self.exact else f"ln/exp at {PRECISION} significant digits",
            "price": format_yuan(self.price_fen),
        }


def differential_price(
    reference_price_fen: int,
    *,
    reference_strength: Decimal,
    strength: Decimal,
    reference_pack: int,
    pack: int,
    strength_coefficient: Decimal = DEFAULT_STRENGTH_COEFFICIENT,
    pack_coefficient: Decimal = DEFAULT_PACK_COEFFICIENT,
) -> DifferentialPrice:
    """The listing price of (strength, pack) from the reference spec's price (CAT-8).

    Every input must be positive (ValueError naming the field); decimals may be given as
    Decimal, int or decimal string, never float. Ratios are written as exact fractions in
    the explain object ("1/2", "3").
    """
    price_ref = _positive("reference_price_fen", reference_price_fen, integer=True)
    strength_ratio = _positive("strength", strength) / _positive("reference_strength", reference_strength)
    pack_ratio = _positive("pack", pack, integer=True) / _positive("reference_pack", reference_pack, integer=True)
    for name, ratio in (("strength", strength_ratio), ("pack", pack_ratio)):
        if not 1 / MAX_RATIO <= ratio <= MAX_RATIO:
            raise RatioOutOfRange(name, ratio)
    strength_factor, strength_exact = _power_factor(
        _positive("strength_coefficient", strength_coefficient), strength_ratio
    )
    pack_factor, pack_exact = _power_factor(_positive("pack_coefficient", pack_coefficient), pack_ratio)
    factor = strength_factor * pack_factor
    # §3: half-up to the fen; the price is positive, so half-up is floor(x + ½).
    price_fen = math.floor(price_ref * factor + Fraction(1, 2))
    return DifferentialPrice(
        price_fen=price_fen,
        reference_price_fen=reference_price_fen,
        reference_strength=Decimal(reference_strength),
        strength=Decimal(strength),
        reference_pack=reference_pack,
        pack=pack,
        strength_coefficient=Decimal(strength_coefficient),
        pack_coefficient=Decimal(pack_coefficient),
        factor=factor,
        exact=strength_exact and pack_exact,
    )
