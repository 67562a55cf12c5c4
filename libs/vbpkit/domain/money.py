"""Money as integer fen (分) inside, yuan decimal strings outside.

DESIGN §3 "Money is exact": amounts are stored as integer fen; the API speaks decimal
strings in yuan with at most 2 decimals (more precision is a 422); a derived amount is
rounded half-up to the fen; a split gives the rounding remainder to its last part so the
parts sum to the whole (SET-6: tranches sum to the total, no amount is ever negative).

Floats are refused everywhere: 0.1 + 0.2 is not 0.3, and a refused request is cheaper
than a ledger that is off by one fen.
"""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, Strict, WithJsonSchema

_FEN_PER_YUAN = 100
# Plain positional notation only: exponents ("1e3"), "+", ".5", "5." and blanks are
# refused because a hospital's ERP sending them is far likelier a bug than an intent.
_YUAN_SHAPE = re.compile(r"-?(\d+)(?:\.(\d+))?")
YUAN_PATTERN = r"^-?\d+(\.\d{1,2})?$"
NON_NEGATIVE_YUAN_PATTERN = r"^\d+(\.\d{1,2})?$"
# One amount of money at most 1,000,000,000,000.00 yuan: far above any real payable, and low
# enough that 10,000 of them still sum inside a BIGINT of fen (a 422, never an overflow).
AMOUNT_MAX_FEN = 10**14


class MoneyError(ValueError):
    """An amount or factor that cannot be handled exactly; `reason` is safe to show a client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_inexact_types(value: object) -> None:
    # bool is an int subclass: True must not silently become 1 yuan.
    if isinstance(value, bool):
        raise MoneyError("a boolean is not an amount")
    if isinstance(value, float):
        raise MoneyError("floats are not exact; send the amount as a decimal string")


def _fen_from_string(text: str) -> int:
    match = _YUAN_SHAPE.fullmatch(text)
    if match is None:
        raise MoneyError(
            f"{text!r} is not a yuan amount; expected digits with an optional '.' "
            "and at most 2 decimal places, e.g. '730.00'"
        )
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > 2:
        raise MoneyError("at most 2 decimal places are allowed")
    fen = int(whole) * _FEN_PER_YUAN + int(fraction.ljust(2, "0"))
    return -fen if text.startswith("-") else fen


def _fen_from_decimal(value: Decimal) -> int:
    if not value.is_finite():
        raise MoneyError(f"{value} is not a finite amount")
    # A Decimal comes from our own code, so its value decides ("730.500" is 73050 fen);
    # only a value finer than the fen is refused. Fraction keeps this exact at any size.
    fen = Fraction(value) * _FEN_PER_YUAN
    if fen.denominator != 1:
        raise MoneyError("at most 2 decimal places are allowed")
    return int(fen)


def parse_yuan(value: str | int | Decimal, *, allow_negative: bool = False) -> int:
    """Yuan from the outside world to integer fen.

    Negatives are refused unless the caller opts in (returns, credit notes), so an
    ordinary price or payment can never be entered as a negative by accident.
    """
    _refuse_inexact_types(value)
    if isinstance(value, str):
        fen = _fen_from_string(value)
    elif isinstance(value, int):
        fen = value * _FEN_PER_YUAN
    elif isinstance(value, Decimal):
        fen = _fen_from_decimal(value)
    else:
        raise MoneyError(f"{type(value).__name__} is not an amount")
    if fen < 0 and not allow_negative:
        raise MoneyError("a negative amount is not allowed here")
    return fen


def format_yuan(fen: int) -> str:
    """Integer fen to the API's yuan string, always with 2 decimals ("730.00")."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"fen must be an int, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), _FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def _exact(value: Decimal | int | str, *, what: str) -> Fraction:
    _refuse_inexact_types(value)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise MoneyError(f"{what} {value!r} is not a decimal number") from None
    if not isinstance(value, Decimal):
        raise MoneyError(f"{what} must be a Decimal, int or decimal string")
    if not value.is_finite():
        raise MoneyError(f"{what} {value} is not finite")
    return Fraction(value)


def _round_half_up(amount: Fraction) -> int:
    # §3: half-up means away from zero on an exact half, for credits as for debits.
    whole, rest = divmod(abs(amount.numerator), amount.denominator)
    if 2 * rest >= amount.denominator:
        whole += 1
    return whole if amount >= 0 else -whole


def multiply_half_up(fen: int, factor: Decimal | int | str) -> int:
    """A derived amount (a share, a rate applied to a price) rounded half-up to the fen (§3).

    The product is taken exactly first, so rounding happens once, at the end.
    """
    return _round_half_up(Fraction(fen) * _exact(factor, what="factor"))


def split(total_fen: int, weights: Sequence[Decimal | int | str]) -> list[int]:
    """Tranches of a total in proportion to weights (§3, SET-6).

    Each part is its exact share rounded half-up; the last part takes the remainder so the
    parts sum to the total. With many round-ups ahead of a tiny last weight the remainder
    could go negative, which SET-6 forbids; then the latest round-ups are undone one fen at
    a time, which keeps every part within a fen of its share and never below zero.
    """
    if not weights:
        raise MoneyError("a split needs at least one weight")
    exact_weights = [_exact(w, what="weight") for w in weights]
    if any(w < 0 for w in exact_weights):
        raise MoneyError("split weights must not be negative")
    weight_sum = sum(exact_weights)
    if weight_sum == 0:
        raise MoneyError("split weights must not all be zero")
    shares = [Fraction(total_fen) * w / weight_sum for w in exact_weights[:-1]]
    parts = [_round_half_up(share) for share in shares]
    remainder = total_fen - sum(parts)
    if total_fen >= 0:
        for index in reversed(range(len(parts))):
            if remainder >= 0:
                break
            if parts[index] > shares[index]:
                parts[index] -= 1
                remainder += 1
    return [*parts, remainder]


def _yuan_input(value: object) -> int:
    return parse_yuan(value, allow_negative=True)  # type: ignore[arg-type]


def _non_negative_yuan_input(value: object) -> int:
    return parse_yuan(value)  # type: ignore[arg-type]


def _yuan_schema(pattern: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern, "examples": ["730.00"]})


# API field types: the model holds int fen, clients see yuan strings. Serialising to the
# string in python mode too means model_validate(model.model_dump()) cannot mistake fen
# for yuan and inflate an amount a hundredfold.
Yuan = Annotated[
    int,
    BeforeValidator(_yuan_input),
    PlainSerializer(format_yuan, return_type=str),
    _yuan_schema(YUAN_PATTERN),
]
NonNegativeYuan = Annotated[
    int,
    BeforeValidator(_non_negative_yuan_input),
    PlainSerializer(format_yuan, return_type=str),
    _yuan_schema(NON_NEGATIVE_YUAN_PATTERN),
]

# Response field type: the server builds it from int fen (never from client input),
# and clients see the yuan string. Kept apart from Yuan so that fen can never be read
# as yuan on the way out.
YuanFromFen = Annotated[
    int,
    Strict(),
    PlainSerializer(format_yuan, return_type=str),
    _yuan_schema(YUAN_PATTERN),
]
