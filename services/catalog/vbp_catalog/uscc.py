"""CAT-9 unified social credit code (统一社会信用代码, GB 32100-2015).

Companies are keyed by this 18-character code. Its last character is a check character
over the first 17, so most typing errors (one wrong character, most swaps) are caught
before a company is registered under a code that does not exist.

The check character is python-stdnum's (`stdnum.cn.uscc.calc_check_digit`: the standard's
weights, mod 31). Its `validate` is not used whole, because our errors must say precisely
what is wrong, and because it differs from the standard in two places: it silently drops
'-' and spaces (a typed '-' would vanish instead of being named at its position), and it
wants the first 8 characters to be digits, which refuses codes whose registration-authority
code is a letter (GB 32100-2015 table 1: Y = 其他).
"""

import unicodedata

from stdnum.cn import uscc as stdnum_uscc

# GB 32100-2015 §4: digits and capital letters without I, O, Z, S, V (easily confused).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
_VALUE = {char: value for value, char in enumerate(ALPHABET)}


class InvalidUSCC(ValueError):
    """A code that is not a valid unified social credit code; `reason` says why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"invalid unified social credit code {code!r}: {reason}")
        self.code = code
        self.reason = reason


def check_character(first_17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters (already valid)."""
    return stdnum_uscc.calc_check_digit(first_17)


def check_uscc(code: str) -> str:
    """The code normalised (NFKC, trimmed, upper-case) if it is valid, else `InvalidUSCC`
    naming the first fault: the length, an illegal character and its 1-based position, or
    the check character that was expected."""
    normalised = unicodedata.normalize("NFKC", code).strip().upper()
    if len(normalised) != LENGTH:
        raise InvalidUSCC(code, f"it must have {LENGTH} characters, it has {len(normalised)}")
    for position, char in enumerate(normalised, start=1):
        if char not in _VALUE:
            raise InvalidUSCC(
                code,
                f"illegal character {char!r} at position {position}; "
                "allowed are digits and capital letters except I, O, Z, S, V",
            )
    expected = check_character(normalised[:-1])
    if normalised[-1] != expected:
        raise InvalidUSCC(
            code, f"wrong check character {normalised[-1]!r}: expected {expected!r}"
        )
    return normalised
