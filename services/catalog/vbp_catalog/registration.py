"""CAT-3 registration certificate numbers (注册证编号) and imported text.

The seed-003 winning table is typical of what the exchange imports: `国械注准 20163132305`
with a space, company and product names broken across lines (`美敦力（上海）管理 有限公司`),
and full-width brackets beside half-width ones. Normalising makes the same product compare
equal however it was typed.
"""

import re
import unicodedata
from typing import Literal

# CJK ideographs (base block, extension A, compatibility ideographs left after NFKC,
# supplementary planes) and CJK punctuation (、。《》【】…).
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_BRACKETS = r"()\[\]{}"
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_WHITESPACE_RUN = re.compile(r"\s+")
# A space left by a line break inside a Chinese name: between two CJK characters, or
# between a CJK character and a bracket. Latin words keep their single space.
_BROKEN_CJK_SPACE = re.compile(
    rf"(?<=[{_CJK}]) (?=[{_CJK}{_BRACKETS}])|(?<=[{_BRACKETS}]) (?=[{_CJK}])"
)

DEVICE_PREFIXES = ("国械注准", "国械注进", "国械注许")
DRUG_PREFIX = "国药准字"
_DEVICE_NO = re.compile(r"(国械注准|国械注进|国械注许)[0-9]{11}")
_DRUG_NO = re.compile(r"国药准字[HZSJ][0-9]{8}")


def _nfkc(text: str) -> str:
    # NFKC folds full-width forms to half-width: （ ）→ ( ), ２０１６ → 2016, 　→ space.
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def normalise_text(text: str) -> str:
    """A company or product name as it is stored and compared (CAT-3).

    NFKC, whitespace runs collapsed to one space and trimmed, and the spaces a line break
    left inside Chinese text removed: `美敦力（上海）管理 有限公司` → `美敦力(上海)管理有限公司`,
    while `Boston Scientific Corporation` keeps its spaces.
    """
    collapsed = _WHITESPACE_RUN.sub(" ", _nfkc(text)).strip()
    return _BROKEN_CJK_SPACE.sub("", collapsed)


def normalise_registration_no(number: str) -> str:
    """NFKC with every whitespace removed (`国械注准 20163132305` → `国械注准20163132305`) and
    the drug category letter upper-cased; it is not validated (see `registration_kind`)."""
    return _WHITESPACE_RUN.sub("", _nfkc(number)).upper()


class InvalidRegistrationNo(ValueError):
    """A registration certificate number of neither the device nor the drug shape."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"invalid registration number {number!r}: {reason}")
        self.number = number
        self.reason = reason


def _device_reason(number: str) -> str:
    digits = number[len(DEVICE_PREFIXES[0]):]
    if not digits.isascii() or not digits.isdigit():
        return f"a device number is {'/'.join(DEVICE_PREFIXES)} followed by 11 digits only"
    return f"a device number has 11 digits after its prefix, this one has {len(digits)}"


def _drug_reason(number: str) -> str:
    rest = number[len(DRUG_PREFIX):]
    if not rest or rest[0] not in "HZSJ":
        return f"{DRUG_PREFIX} must be followed by the category letter H, Z, S or J"
    digits = rest[1:]
    if not digits.isascii() or not digits.isdigit():
        return f"a drug number is {DRUG_PREFIX}, a category letter and 8 digits only"
    return f"a drug number has 8 digits after its category letter, this one has {len(digits)}"


def registration_kind(number: str) -> Literal["device", "drug"]:
    """Whether a normalised registration number is a device's or a drug's (CAT-3).

    Devices: 国械注准 (domestic), 国械注进 (imported), 国械注许 (Hong Kong, Macao, Taiwan)
    + 11 digits. Drugs: 国药准字 + H/Z/S/J + 8 digits. The number is checked as given:
    pass it through `normalise_registration_no` first; pre-2014 device formats
    (国食药监械…字) are not accepted, as no VBP table uses them.
    """
    if _DEVICE_NO.fullmatch(number):
        return "device"
    if _DRUG_NO.fullmatch(number):
        return "drug"
    if not number:
        raise InvalidRegistrationNo(number, "it is empty")
    if _WHITESPACE_RUN.search(number):
        raise InvalidRegistrationNo(number, "it contains whitespace; normalise it first")
    if number.startswith(DEVICE_PREFIXES):
        raise InvalidRegistrationNo(number, _device_reason(number))
    if number.startswith(DRUG_PREFIX):
        raise InvalidRegistrationNo(number, _drug_reason(number))
    raise InvalidRegistrationNo(
        number,
        f"it starts with none of the device prefixes {', '.join(DEVICE_PREFIXES)} "
        f"or the drug prefix {DRUG_PREFIX}",
    )
